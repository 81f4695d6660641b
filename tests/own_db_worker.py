"""A plugin process on a Sandbox's database with the own-database host, killed (SIGKILL) by the host right after it
commits an order: used by test_own_db_host.py to kill the plugin between the host's commit and its own.

Usage: python own_db_worker.py DATABASE_URL SCHEMA|- HOST_DB STORE_ID ENCRYPTION_KEY NOW_ISO ORDER_JSON
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

from own_db_host import OwnDbHost
from worker_process import join, plugin_manager, sync_once

from channel_plugin.amazon.marketplace import FakeMarketplace
from channel_plugin.clock import ManualClock


def main(argv: list[str]) -> None:
    url, schema, host_db, store_id, key, now, order = argv
    db = join(url, schema)
    clock = ManualClock(datetime.fromisoformat(now))
    pm, plugin = plugin_manager()
    host = OwnDbHost(Path(host_db), pm, clock)
    host.register()
    host.kill_after_commit = True
    market = FakeMarketplace(clock)
    market.put_order(json.loads(order))
    result = sync_once(plugin, pm, db, key, clock, market, int(store_id))
    print(json.dumps({"error": result.error, "imported": result.pulled.imported}))


if __name__ == "__main__":
    main(sys.argv[1:])
