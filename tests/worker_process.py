"""What the suite's subprocess workers share: join a Sandbox's database, wire the plugin, run one store's sync."""

from __future__ import annotations

import pluggy

from channel_plugin import hookspecs
from channel_plugin.amazon.marketplace import FakeMarketplace
from channel_plugin.clock import ManualClock
from channel_plugin.engine.sync import StoreSyncResult, sync_store
from channel_plugin.plugin import ChannelPlugin
from channel_plugin.storage.crypto import BuyerDataCipher
from channel_plugin.storage.db import Database
from channel_plugin.storage.stores import get_store


def join(url: str, schema: str) -> Database:
    """The Sandbox's database: on PostgreSQL its schema (``-`` for none), as ``Sandbox.schema`` names it."""
    kwargs = {} if schema == "-" else {"connect_args": {"options": f"-csearch_path={schema}"}}
    return Database(url, **kwargs)


def plugin_manager() -> tuple[pluggy.PluginManager, ChannelPlugin]:
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    plugin = ChannelPlugin()
    pm.register(plugin)
    return pm, plugin


def sync_once(
    plugin: ChannelPlugin,
    pm: pluggy.PluginManager,
    db: Database,
    key: str,
    clock: ManualClock,
    market: FakeMarketplace,
    store_id: int,
) -> StoreSyncResult:
    """One sync of the store, after moving the clock past Amazon's 2-minute rule for what ``market`` holds."""
    clock.advance(600)
    rt = plugin.configure(
        db=db, pm=pm, cipher=BuyerDataCipher([key]), clock=clock, marketplace_for=lambda _s: market, migrate=False
    )
    with db.transaction(write=False) as conn:
        store = get_store(conn, store_id)
    assert store is not None
    return sync_store(rt, store)
