"""export-schema and export-hook-docs write where they are told, by default into the current directory."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import channel_plugin
from channel_plugin.api.schema import schema_sdl
from channel_plugin.cli import main
from channel_plugin.hookdocs import render_hook_docs

PACKAGE = Path(channel_plugin.__file__).parent
EXPORTS = {"export-schema": ("schema.graphql", schema_sdl), "export-hook-docs": ("hooks.md", render_hook_docs)}


def package_files() -> dict[Path, int]:
    """The package and the folders beside it (in site-packages: graphql-core's; in a checkout: the committed copies)."""
    folders = [PACKAGE, PACKAGE.parent / "graphql", PACKAGE.parent / "docs"]
    found = [path for folder in folders for path in folder.rglob("*") if "__pycache__" not in path.parts]
    return {path: path.stat().st_mtime_ns for path in found if path.is_file()}


@pytest.mark.parametrize("command", EXPORTS)
def test_default_output_is_a_file_in_the_current_directory(command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    name, render = EXPORTS[command]
    result = CliRunner().invoke(main, [command])
    assert result.exit_code == 0, result.output
    assert (tmp_path / name).read_text(encoding="utf-8") == render()
    assert CliRunner().invoke(main, [command, "--check"]).exit_code == 0


@pytest.mark.parametrize("command", EXPORTS)
def test_output_option_writes_there_and_check_notices_staleness(command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "out" / "artifact"
    target.parent.mkdir()
    target.write_text("old\n")
    stale = CliRunner().invoke(main, [command, "--check", "--output", str(target)])
    assert stale.exit_code == 1 and "stale" in stale.output
    assert CliRunner().invoke(main, [command, "--output", str(target)]).exit_code == 0
    assert target.read_text(encoding="utf-8") == EXPORTS[command][1]()
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["artifact"]


@pytest.mark.parametrize("command", EXPORTS)
def test_exports_never_write_beside_the_package(command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = package_files()
    assert CliRunner().invoke(main, [command]).exit_code == 0
    assert package_files() == before


@pytest.mark.parametrize("command", EXPORTS)
def test_an_unwritable_output_is_one_line_not_a_traceback(command, tmp_path):
    result = CliRunner().invoke(main, [command, "--output", str(tmp_path / "missing" / "x")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: cannot write {tmp_path / 'missing' / 'x'}: No such file or directory"
    ]
