"""Files the plugin reads at run time, found inside the installed package through ``importlib.resources``.

A wheel carries nothing from the repository's top level, so the default manifest, the ready-made hook modules and
the dashboard's operations live in ``channel_plugin/bundled/`` (copies of ``plugin.toml``, ``hooks/`` and
``graphql/operations/`` that ``tests/test_packaged_copies.py`` keeps identical to the top-level files).
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import channel_plugin


def packaged(relative: str) -> Traversable:
    """A file or folder of the installed package; a missing one is an error naming it, never an empty answer."""
    found = resources.files(channel_plugin).joinpath(relative)
    if not found.is_file() and not found.is_dir():
        raise FileNotFoundError(
            f"channel_plugin/{relative} is missing from the installed package: reinstall channel-plugin"
        )
    return found


def packaged_path(relative: str) -> Path:
    """The same as a file-system path, for what is imported by path (hook modules beside the manifest).

    Wheels install as plain folders, where ``importlib.resources`` answers with paths; a zipped install could not
    import the hook modules, so it is refused by name instead of half-working.
    """
    found = packaged(relative)
    if not isinstance(found, Path):
        raise RuntimeError(f"channel_plugin/{relative} must be installed as a file, not inside an archive")
    return found
