"""One sync worker in its own OS process, joining a Sandbox's database: used by test_concurrency.py.

Usage: python concurrency_worker.py DATABASE_URL SCHEMA|- STORE_ID ENCRYPTION_KEY SEED COUNT START_ISO
"""

from __future__ import annotations

import json
import sys
from datetime import datetime

import pluggy
from concurrency_orders import generate_orders

from channel_plugin import hookspecs
from channel_plugin.amazon.marketplace import FakeMarketplace
from channel_plugin.clock import ManualClock
from channel_plugin.engine.sync import sync_store
from channel_plugin.host import ReferenceHost
from channel_plugin.plugin import ChannelPlugin
from channel_plugin.storage.crypto import BuyerDataCipher
from channel_plugin.storage.db import Database
from channel_plugin.storage.stores import get_store


def main(argv: list[str]) -> None:
    url, schema, store_id, key, seed, count, start = argv
    kwargs = {} if schema == "-" else {"connect_args": {"options": f"-csearch_path={schema}"}}
    db = Database(url, **kwargs)
    clock = ManualClock(datetime.fromisoformat(start))
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    plugin = ChannelPlugin()
    pm.register(plugin)
    ReferenceHost(db, pm, clock=clock, cipher=BuyerDataCipher([key])).register()
    market = FakeMarketplace(clock)
    market.put_orders(generate_orders(int(seed), int(count), clock.now()))
    clock.advance(600)
    rt = plugin.configure(
        db=db, pm=pm, cipher=BuyerDataCipher([key]), clock=clock, marketplace_for=lambda _s: market, migrate=False
    )
    with db.transaction(write=False) as conn:
        store = get_store(conn, int(store_id))
    assert store is not None
    result = sync_store(rt, store)
    print(json.dumps({"error": result.error, "imported": result.pulled.imported, "received": result.pulled.received}))


if __name__ == "__main__":
    main(sys.argv[1:])
