"""A plugin process on a Sandbox's database with the own-database host, killed (SIGKILL) by the host right after it
commits an order: used by test_own_db_host.py to kill the plugin between the host's commit and its own.

Usage: python own_db_worker.py DATABASE_URL SCHEMA|- HOST_DB STORE_ID ENCRYPTION_KEY NOW_ISO ORDER_JSON
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import pluggy
from own_db_host import OwnDbHost

from channel_plugin import hookspecs
from channel_plugin.amazon.marketplace import FakeMarketplace
from channel_plugin.clock import ManualClock
from channel_plugin.engine.sync import sync_store
from channel_plugin.plugin import ChannelPlugin
from channel_plugin.storage.crypto import BuyerDataCipher
from channel_plugin.storage.db import Database
from channel_plugin.storage.stores import get_store


def main(argv: list[str]) -> None:
    url, schema, host_db, store_id, key, now, order = argv
    kwargs = {} if schema == "-" else {"connect_args": {"options": f"-csearch_path={schema}"}}
    db = Database(url, **kwargs)
    clock = ManualClock(datetime.fromisoformat(now))
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    plugin = ChannelPlugin()
    pm.register(plugin)
    host = OwnDbHost(Path(host_db), pm, clock)
    host.register()
    host.kill_after_commit = True
    market = FakeMarketplace(clock)
    market.put_order(json.loads(order))
    clock.advance(600)
    rt = plugin.configure(
        db=db, pm=pm, cipher=BuyerDataCipher([key]), clock=clock, marketplace_for=lambda _s: market, migrate=False
    )
    with db.transaction(write=False) as conn:
        store = get_store(conn, int(store_id))
    assert store is not None
    result = sync_store(rt, store)
    print(json.dumps({"error": result.error, "imported": result.pulled.imported}))


if __name__ == "__main__":
    main(sys.argv[1:])
