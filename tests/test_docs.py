"""docs/hooks.md documents every hookspec with its exact signature, every type a hook receives or returns with each
of its fields, and is just what the generator writes."""

from __future__ import annotations

import ast
import dataclasses
import enum
import inspect
import itertools
from pathlib import Path
from typing import get_args, get_type_hints

import pytest

from channel_plugin import hookspecs, types
from channel_plugin.hookdocs import hookspec_functions, main, render_hook_docs
from channel_plugin.typedocs import field_docs, render_type

DOCS = Path(__file__).resolve().parent.parent / "docs" / "hooks.md"


def _specs_in_source() -> dict[str, ast.FunctionDef]:
    """The specs read with ast rather than the generator's inspect: a second opinion, not an echo."""
    tree = ast.parse(Path(hookspecs.__file__).read_text(encoding="utf-8"))
    specs = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if isinstance(target, ast.Name) and target.id == "hookspec":
                    specs[node.name] = node
    return specs


SPECS = _specs_in_source()


def test_hooks_md_is_current() -> None:
    assert DOCS.read_text(encoding="utf-8") == render_hook_docs(), (
        "docs/hooks.md is stale: run python -m channel_plugin.hookdocs"
    )


def test_generator_sees_every_hookspec() -> None:
    assert [f.__name__ for f in hookspec_functions()] == list(SPECS)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_hook_is_documented_with_its_exact_signature(name: str) -> None:
    node = SPECS[name]
    docs = DOCS.read_text(encoding="utf-8")
    arg_names = ", ".join(a.arg for a in node.args.args)
    returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
    assert f"### {name}({arg_names})\n" in docs
    assert f"\ndef {name}({ast.unparse(node.args)}){returns}\n" in docs


@pytest.mark.parametrize(
    ("group", "first_hook"),
    [
        ("## Host lifecycle", "commerce_startup"),
        ("## Host services", "commerce_find_product"),
        ("## Channel hooks", "channel_resolve_sku"),
    ],
)
def test_groups_appear_in_order_with_their_hooks(group: str, first_hook: str) -> None:
    docs = render_hook_docs()
    headings = [line for line in docs.splitlines() if line.startswith(("## ", "### "))]
    assert headings[headings.index(group) + 1].startswith(f"### {first_hook}(")


def test_firstresult_is_noted_only_for_firstresult_hooks() -> None:
    docs = render_hook_docs()
    sections = {s.split("(", 1)[0]: s for s in docs.split("\n### ")[1:]}
    for func in hookspec_functions():
        firstresult = func.commerce_spec["firstresult"]  # type: ignore[attr-defined]
        assert ("`firstresult=True`" in sections[func.__name__]) is firstresult, func.__name__


def test_intro_shows_how_to_implement_a_hook() -> None:
    assert "from channel_plugin import hookimpl" in render_hook_docs()


def test_check_flag_fails_on_a_stale_file_and_passes_once_written(tmp_path: Path) -> None:
    output = tmp_path / "hooks.md"
    assert main(["--check", "--output", str(output)]) == 1
    output.write_text("# Hooks\n", encoding="utf-8")
    assert main(["--check", "--output", str(output)]) == 1
    assert main(["--output", str(output)]) == 0
    assert main(["--check", "--output", str(output)]) == 0
    assert output.read_text(encoding="utf-8") == render_hook_docs()


# --- the types hooks receive and return -----------------------------------------------------------------------


def _hook_types() -> dict[str, type]:
    """Every project type a hook receives or returns: each spec's parameter and return annotations, walked into
    unions, containers (Sequence, Mapping, tuple, list) and dataclass fields, down to enums and exceptions."""
    found: dict[str, type] = {}

    def walk(hint: object) -> None:
        args = get_args(hint)
        if args:
            for arg in args:
                walk(arg)
            return
        if not isinstance(hint, type) or not hint.__module__.startswith("channel_plugin.") or hint in found.values():
            return
        found[hint.__name__] = hint
        if dataclasses.is_dataclass(hint):
            for field_hint in get_type_hints(hint).values():
                walk(field_hint)

    for spec in hookspec_functions():
        for hint in get_type_hints(spec).values():
            walk(hint)
    return found


HOOK_TYPES = _hook_types()


def _class_node(cls: type) -> ast.ClassDef:
    """The class as written, read with ast from its own module: the test's own reading, not the generator's."""
    tree = ast.parse(Path(inspect.getsourcefile(cls) or "").read_text(encoding="utf-8"))
    return next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls.__name__)


def _documented_attributes(node: ast.ClassDef) -> dict[str, str]:
    documented = {}
    for statement, following in itertools.pairwise(node.body):
        target = statement.target if isinstance(statement, ast.AnnAssign) else None
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
        if (
            isinstance(target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
            and following.value.value.strip()
        ):
            documented[target.id] = following.value.value
    return documented


def _type_section(name: str) -> str:
    types_part = DOCS.read_text(encoding="utf-8").split("\n## Types\n", 1)[1]
    assert f"\n### {name}\n" in types_part, f"docs/hooks.md has no '### {name}' under '## Types'"
    return types_part.split(f"\n### {name}\n", 1)[1].split("\n### ", 1)[0]


def test_the_walk_reaches_nested_types():
    """Guards the walker: these are only reachable through fields, containers and unions."""
    assert {"DraftItem", "Money", "Buyer", "ShipmentPackage", "BlockerKind", "HostError", "AmazonOrderStatus"} <= set(
        HOOK_TYPES
    )


@pytest.mark.parametrize("name", sorted(HOOK_TYPES))
def test_every_type_a_hook_receives_or_returns_is_public(name: str) -> None:
    assert name in types.__all__, f"add {name} to channel_plugin.types.__all__"
    assert getattr(types, name) is HOOK_TYPES[name]


@pytest.mark.parametrize("name", sorted(set(HOOK_TYPES) | set(types.__all__)))
def test_every_public_type_and_each_of_its_fields_is_documented(name: str) -> None:
    cls = getattr(types, name)
    node = _class_node(cls)
    assert ast.get_docstring(node), f"{name} has no docstring saying what it is for"
    section = _type_section(name)
    assert " ".join(ast.get_docstring(node).split()) in " ".join(section.split())
    documented = _documented_attributes(node)
    if dataclasses.is_dataclass(cls):
        for field in dataclasses.fields(cls):
            assert field.name in documented, f"{name}.{field.name} has no attribute docstring"
            assert f"\n| `{field.name}` | " in section, f"docs/hooks.md does not describe {name}.{field.name}"
    elif issubclass(cls, enum.Enum):
        for member in cls:
            assert member.name in documented, f"{name}.{member.name} has no attribute docstring"
            assert f"\n| `{member.value}` | " in section, f"docs/hooks.md does not describe {name}.{member.name}"


def test_draft_item_qty_shipped_says_it_carries_the_fba_completions_shipped_units():
    row = next(line for line in _type_section("DraftItem").splitlines() if line.startswith("| `qty_shipped` |"))
    assert "FBA" in row and "shipped" in row


def test_an_undocumented_field_cannot_be_generated():
    @dataclasses.dataclass
    class Thing:
        """A throwaway type."""

        described: int
        """What it is."""
        bare: str

    assert field_docs(Thing) == {"described": "What it is."}
    with pytest.raises(ValueError, match=r"Thing\.bare has no attribute docstring"):
        render_type("Thing", Thing)


def test_the_page_sized_rule_names_every_pair():
    section = DOCS.read_text(encoding="utf-8").split("\n## Single and page-sized host services\n", 1)[1]
    section = section.split("\n## ", 1)[0]
    for single in ("commerce_find_product", "commerce_salable_qty", "commerce_create_order"):
        assert f"| `{single}` | `{single}s` |" in section
    assert "only when the plugin that would answer the\nsingle form first" in section
