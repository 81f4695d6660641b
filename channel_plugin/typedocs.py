"""The "Types" section of ``docs/hooks.md``: every type of ``channel_plugin.types``, field by field.

Fields are described by attribute docstrings (the string literal right below a field or an enum member), read
from the source with ``ast``: they stay beside the field they describe, need no parsing of prose conventions, and
neither mypy nor ruff objects to them.
"""

from __future__ import annotations

import ast
import dataclasses
import enum
import inspect
import itertools
import textwrap

from channel_plugin import types

_INTRO = """\
## Types

Every type a hook receives or returns, importable from one public module:

```python
from channel_plugin.types import AmazonOrder, CommerceOrderDraft, Product
```

Frozen types are read-only: a hook can read an Amazon order but cannot change what was stored. A
`CommerceOrderDraft` (and its `DraftItem`s) is mutable, because `channel_build_order` exists to adjust it. Money is
`Decimal`, never a float; every `datetime` is timezone-aware UTC. Fields marked *buyer data* are personal data:
never log them.
"""


def field_docs(cls: type) -> dict[str, str]:
    """Attribute docstrings of ``cls``: field (or enum member) name -> its description, one paragraph."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    body = next(node for node in tree.body if isinstance(node, ast.ClassDef)).body
    docs = {}
    for node, following in itertools.pairwise(body):
        name = _assigned_name(node)
        text = (
            following.value.value
            if isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
            else None
        )
        if name is not None and isinstance(text, str):
            docs[name] = " ".join(inspect.cleandoc(text).split())
    return docs


def _assigned_name(node: ast.stmt) -> str | None:
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id
    return None


def render_types() -> str:
    """The whole section; raises when a field or member lacks its description, so a gap cannot be generated."""
    parts = [_INTRO]
    for name in types.__all__:
        parts.append(render_type(name, getattr(types, name)))
    return "\n".join(parts)


def render_type(name: str, cls: type) -> str:
    """One type's subsection: what it is for, then a table of its fields (or enum values) and their descriptions."""
    lines = [f"### {name}", "", f"*{_kind(cls)}*", "", inspect.getdoc(cls) or "", ""]
    docs = field_docs(cls)
    if dataclasses.is_dataclass(cls):
        rows = [(f.name, str(f.type)) for f in dataclasses.fields(cls)]
        lines += ["| Field | Type | Description |", "|---|---|---|"]
        lines += [f"| `{field}` | `{_cell(kind)}` | {_cell(_described(name, field, docs))} |" for field, kind in rows]
        lines.append("")
    elif issubclass(cls, enum.Enum):
        lines += ["| Value | Description |", "|---|---|"]
        lines += [f"| `{m.value}` | {_cell(_described(name, m.name, docs))} |" for m in cls]
        lines.append("")
    return "\n".join(lines)


def _kind(cls: type) -> str:
    if dataclasses.is_dataclass(cls):
        params = getattr(cls, "__dataclass_params__", None)
        return "dataclass, frozen" if params is not None and params.frozen else "dataclass, mutable"
    if issubclass(cls, enum.Enum):
        return "string enum: compares equal to its value"
    if issubclass(cls, BaseException):
        return "exception"
    return "class"


def _described(type_name: str, field: str, docs: dict[str, str]) -> str:
    if field not in docs:
        raise ValueError(f"{type_name}.{field} has no attribute docstring: describe it in the line below it")
    return docs[field]


def _cell(text: str) -> str:
    """A Markdown table cell: GitHub's tables split on every ``|``, even inside code spans, unless it is escaped."""
    return text.replace("|", "\\|")
