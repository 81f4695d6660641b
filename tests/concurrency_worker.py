"""One sync worker in its own OS process, joining a Sandbox's database: used by test_concurrency.py.

Usage: python concurrency_worker.py DATABASE_URL SCHEMA|- STORE_ID ENCRYPTION_KEY SEED COUNT START_ISO
"""

from __future__ import annotations

import json
import sys
from datetime import datetime

from concurrency_orders import generate_orders
from worker_process import join, plugin_manager, sync_once

from channel_plugin.amazon.marketplace import FakeMarketplace
from channel_plugin.clock import ManualClock
from channel_plugin.host import ReferenceHost
from channel_plugin.storage.crypto import BuyerDataCipher


def main(argv: list[str]) -> None:
    url, schema, store_id, key, seed, count, start = argv
    db = join(url, schema)
    clock = ManualClock(datetime.fromisoformat(start))
    pm, plugin = plugin_manager()
    ReferenceHost(db, pm, clock=clock, cipher=BuyerDataCipher([key])).register()
    market = FakeMarketplace(clock)
    market.put_orders(generate_orders(int(seed), int(count), clock.now()))
    result = sync_once(plugin, pm, db, key, clock, market, int(store_id))
    print(json.dumps({"error": result.error, "imported": result.pulled.imported, "received": result.pulled.received}))


if __name__ == "__main__":
    main(sys.argv[1:])
