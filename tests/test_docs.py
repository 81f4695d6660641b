"""docs/hooks.md documents every hookspec with its exact signature and is just what the generator writes."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from channel_plugin import hookspecs
from channel_plugin.hookdocs import hookspec_functions, main, render_hook_docs

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
