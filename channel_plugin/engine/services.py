"""Which form of a host service to call: the page-sized batch, or the single-item one an integrator overrode."""

from __future__ import annotations

import pluggy


def _first_answering(pm: pluggy.PluginManager, hook_name: str) -> object | None:
    impls = [i for i in getattr(pm.hook, hook_name).get_hookimpls() if not (i.hookwrapper or i.wrapper)]
    return impls[-1].plugin if impls else None  # pluggy calls the last one first


def use_batch(pm: pluggy.PluginManager, single: str, batch: str) -> bool:
    """True when the plugin that would answer ``single`` first also answers ``batch`` first.

    A host that implements both gets the fast path; an integrator who overrides only the single form with
    ``tryfirst`` (as DESIGN.md promises they may) is still the one asked.
    """
    batch_plugin = _first_answering(pm, batch)
    if batch_plugin is None:
        return False
    single_plugin = _first_answering(pm, single)
    return single_plugin is None or single_plugin is batch_plugin
