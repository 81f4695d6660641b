"""The one place a ``commerce`` plugin manager is assembled.

A factory rather than a module-level manager: every host process, CLI command and test builds its own, so hook
implementations registered by one test never leak into the next.
"""

from __future__ import annotations

import os

import pluggy

from channel_plugin import hookspecs

ENTRY_POINT_GROUP = "commerce.plugins"
DISABLED_PLUGINS_ENV = "COMMERCE_DISABLED_PLUGINS"


def get_plugin_manager(*, entry_points: bool = True) -> pluggy.PluginManager:
    """A fresh manager with every hookspec, the installed plugins, minus the ones the environment disables.

    Names are blocked before entry points load, so a disabled plugin is never even imported: a broken
    plugin can be switched off without uninstalling it. ``check_pending`` runs last, so a misspelt hook
    implementation fails at startup instead of silently never being called.
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    for name in disabled_plugins():
        pm.set_blocked(name)
    if entry_points:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    pm.check_pending()
    return pm


def disabled_plugins() -> frozenset[str]:
    """Plugin names listed in ``COMMERCE_DISABLED_PLUGINS``, tolerant of spaces and stray commas."""
    raw = os.environ.get(DISABLED_PLUGINS_ENV, "")
    return frozenset(name.strip() for name in raw.split(",") if name.strip())
