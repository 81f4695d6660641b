"""The plugin manager factory: fresh per call, every spec, entry points loaded, disabled names blocked."""

from __future__ import annotations

import importlib.metadata
import sys
from dataclasses import dataclass
from pathlib import Path

import pluggy
import pytest

from channel_plugin import hookimpl, hookspecs
from channel_plugin.hookdocs import hookspec_functions
from channel_plugin.manager import (
    DISABLED_PLUGINS_ENV,
    ENTRY_POINT_GROUP,
    disabled_plugins,
    get_plugin_manager,
)

RESOLVER = """
from channel_plugin import hookimpl

@hookimpl
def channel_resolve_sku(seller_sku):
    return "FROM-ENTRY-POINT"
"""
MISSPELT = """
from channel_plugin import hookimpl

@hookimpl
def channel_resolve_skus(seller_sku):
    return None
"""
EXPLODES = "raise RuntimeError('this module must never be imported')\n"


@dataclass
class FakeDistribution:
    """The two things pluggy reads from a distribution while loading entry points."""

    entry_points: tuple[importlib.metadata.EntryPoint, ...]
    name: str = "acme-commerce-extras"


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[importlib.metadata.EntryPoint]:
    """Entry points of a pretend installed distribution; tests append to the list and write the modules."""
    entry_points: list[importlib.metadata.EntryPoint] = []
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(importlib.metadata, "distributions", lambda: [FakeDistribution(tuple(entry_points))])
    monkeypatch.delenv(DISABLED_PLUGINS_ENV, raising=False)
    return entry_points


def _write_module(tmp_path: Path, name: str, source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / f"{name}.py").write_text(source, encoding="utf-8")
    monkeypatch.delitem(sys.modules, name, raising=False)  # drop it again after the test, however it ends


class Resolver:
    @hookimpl
    def channel_resolve_sku(self, seller_sku: str) -> str:
        return "THROWAWAY"


def test_every_call_builds_a_fresh_manager(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DISABLED_PLUGINS_ENV, raising=False)
    first, second = get_plugin_manager(entry_points=False), get_plugin_manager(entry_points=False)
    first.register(Resolver())
    assert first is not second
    assert first.hook.channel_resolve_sku(store=None, seller_sku="X") == "THROWAWAY"
    assert second.hook.channel_resolve_sku(store=None, seller_sku="X") is None


def test_manager_uses_the_project_name_and_knows_every_spec() -> None:
    pm = get_plugin_manager(entry_points=False)
    assert pm.project_name == hookspecs.PROJECT_NAME == "commerce"
    for func in hookspec_functions():
        assert getattr(pm.hook, func.__name__).spec is not None, func.__name__


def test_entry_points_of_the_commerce_group_are_loaded(
    installed: list[importlib.metadata.EntryPoint], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_module(tmp_path, "acme_resolver", RESOLVER, monkeypatch)
    _write_module(tmp_path, "acme_elsewhere", EXPLODES, monkeypatch)
    installed.append(importlib.metadata.EntryPoint("acme", "acme_resolver", ENTRY_POINT_GROUP))
    installed.append(importlib.metadata.EntryPoint("other", "acme_elsewhere", "someone.else"))
    pm = get_plugin_manager()
    assert pm.has_plugin("acme")
    assert not pm.has_plugin("other")
    assert pm.hook.channel_resolve_sku(store=None, seller_sku="X") == "FROM-ENTRY-POINT"


def test_entry_points_are_skipped_when_asked(
    installed: list[importlib.metadata.EntryPoint], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_module(tmp_path, "acme_skipped", RESOLVER, monkeypatch)
    installed.append(importlib.metadata.EntryPoint("acme", "acme_skipped", ENTRY_POINT_GROUP))
    assert not get_plugin_manager(entry_points=False).has_plugin("acme")


def test_disabled_plugins_are_blocked_before_they_are_imported(
    installed: list[importlib.metadata.EntryPoint], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_module(tmp_path, "acme_broken", EXPLODES, monkeypatch)
    _write_module(tmp_path, "acme_kept", RESOLVER, monkeypatch)
    installed.append(importlib.metadata.EntryPoint("broken", "acme_broken", ENTRY_POINT_GROUP))
    installed.append(importlib.metadata.EntryPoint("kept", "acme_kept", ENTRY_POINT_GROUP))
    monkeypatch.setenv(DISABLED_PLUGINS_ENV, " broken ,, sku_rules")
    pm = get_plugin_manager()
    assert pm.is_blocked("broken")
    assert pm.is_blocked("sku_rules")
    assert pm.has_plugin("kept")
    assert "acme_broken" not in sys.modules


def test_a_misspelt_hook_fails_at_startup(
    installed: list[importlib.metadata.EntryPoint], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_module(tmp_path, "acme_typo", MISSPELT, monkeypatch)
    installed.append(importlib.metadata.EntryPoint("typo", "acme_typo", ENTRY_POINT_GROUP))
    with pytest.raises(pluggy.PluginValidationError, match="channel_resolve_skus"):
        get_plugin_manager()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", frozenset()),
        ("a", frozenset({"a"})),
        (" a , b,,", frozenset({"a", "b"})),
        (" , ", frozenset()),
    ],
)
def test_disabled_plugins_list(monkeypatch: pytest.MonkeyPatch, raw: str, expected: frozenset[str]) -> None:
    monkeypatch.setenv(DISABLED_PLUGINS_ENV, raw)
    assert disabled_plugins() == expected
