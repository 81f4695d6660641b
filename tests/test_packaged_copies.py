"""The top-level plugin.toml, hooks/ and graphql/operations/ are the files the wheel ships.

A reader opens the top-level files; the package reads ``channel_plugin/bundled/`` (a wheel carries nothing else).
In the repository every file there is a symbolic link to its top-level file, so there is one copy to edit; building
the wheel follows the links and packs the files themselves (the wheel check in .ci/ installs and reads them).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import channel_plugin

REPO = Path(__file__).resolve().parent.parent
BUNDLED = Path(channel_plugin.__file__).parent / "bundled"
TWINS = {"plugin.toml": "*.toml", "hooks": "*.py", "graphql/operations": "*.graphql"}


def _files(root: Path, folder: str, pattern: str) -> dict[str, bytes]:
    base = root / folder
    found = [base] if base.is_file() else sorted(base.glob(pattern))
    return {str(path.relative_to(root)): path.read_bytes() for path in found}


@pytest.mark.parametrize("folder", TWINS)
def test_top_level_files_equal_their_packaged_copies(folder: str) -> None:
    top_level = _files(REPO, folder, TWINS[folder])
    shipped = _files(BUNDLED, folder, TWINS[folder])
    assert top_level, f"{folder} has nothing at the top level"
    assert sorted(top_level) == sorted(shipped), "the same files must exist in both places"
    differing = [name for name in top_level if top_level[name] != shipped[name]]
    assert differing == [], f"these differ from their top-level files: {differing}"


@pytest.mark.parametrize("folder", TWINS)
def test_packaged_files_are_links_to_the_top_level_files_not_copies(folder: str) -> None:
    for name in _files(BUNDLED, folder, TWINS[folder]):
        packaged = BUNDLED / name
        assert packaged.is_symlink(), f"channel_plugin/bundled/{name} must link to the top-level {name}"
        assert packaged.resolve() == (REPO / name).resolve()


def test_graphql_is_never_a_python_package() -> None:
    """graphql/__init__.py would shadow graphql-core, which strawberry imports as ``graphql``."""
    assert not (REPO / "graphql" / "__init__.py").exists()
    assert not (BUNDLED / "graphql" / "__init__.py").exists()


def test_package_data_covers_every_file_read_at_run_time() -> None:
    """A glob one level short left dashboard/static/js/views out of wheels; .ci/wheel_check.sh proves the rest."""
    import glob
    import tomllib

    package = Path(channel_plugin.__file__).parent
    patterns = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    shipped = {
        Path(found)
        for pattern in patterns["channel_plugin"]
        for found in glob.glob(str(package / pattern), recursive=True)
    }
    data_folders = ["bundled", "dashboard/static", "amazon/models", "storage/migrations"]
    needed = {
        path
        for folder in data_folders
        for path in (package / folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    assert sorted(map(str, needed - shipped)) == []
