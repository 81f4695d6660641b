"""One outbound sender in its own OS process, joining a Sandbox's PostgreSQL schema: used by test_outbox_workers.py.

Usage: python outbox_worker.py DATABASE_URL SCHEMA STORE_ID ENCRYPTION_KEY START_ISO ANCHOR_EPOCH LEASE_SECONDS
                               [DIE_AFTER]

Every worker's clock reads START + (wall time - ANCHOR), so all of them, and replacements started later, agree on
when a lease runs out. Each confirmShipment is recorded in the shared table ``amazon_calls`` (committed before the
call returns, as Amazon would have received it) so the test can count calls per packageReferenceId across
processes. The worker sends until no queued call is left, waiting for leases of killed workers to run out. With
DIE_AFTER it SIGKILLs itself right after Amazon received its DIE_AFTER-th call, before the answer is recorded: the
one moment where a crash makes a resend unavoidable.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import pluggy
from sqlalchemy import select, text

from channel_plugin import hookspecs
from channel_plugin.amazon.client import SearchPage
from channel_plugin.engine.outbound import send_outbox
from channel_plugin.host import ReferenceHost
from channel_plugin.plugin import ChannelPlugin
from channel_plugin.storage import outbox
from channel_plugin.storage.crypto import BuyerDataCipher
from channel_plugin.storage.db import Database
from channel_plugin.storage.stores import get_store
from channel_plugin.storage.tables import amazon_outbox


class RecordingAmazon:
    """Accepts every confirmShipment and writes it down where every worker's calls meet."""

    def __init__(self, db: Database, die_after: int | None) -> None:
        self._db = db
        self._left = die_after

    def confirm_shipment(self, amazon_order_id: str, payload: Mapping[str, Any]) -> None:
        with self._db.engine.begin() as conn:
            conn.execute(
                text("INSERT INTO amazon_calls (amazon_order_id, package_reference_id, pid) VALUES (:o, :p, :pid)"),
                {"o": amazon_order_id, "p": str(payload["packageReferenceId"]), "pid": os.getpid()},
            )
        if self._left is not None:
            self._left -= 1
            if self._left == 0:
                os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(0.03)  # Amazon's answer takes a while: the window in which a kill -9 lands after the call

    def search_orders(self, **_kwargs: Any) -> SearchPage:
        raise AssertionError("this worker only sends")

    def get_order(self, amazon_order_id: str) -> Any | None:
        raise AssertionError("this worker only sends")

    def cancel_order(self, amazon_order_id: str, reason: str) -> None:
        raise AssertionError("this worker only sends")


def main(argv: Sequence[str]) -> None:
    url, schema, store_id, key, start, anchor, lease_seconds, *die_after = argv
    db = Database(url, connect_args={"options": f"-csearch_path={schema}"})
    origin, since = datetime.fromisoformat(start), float(anchor)

    def clock() -> datetime:
        return origin + timedelta(seconds=time.time() - since)

    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    plugin = ChannelPlugin()
    pm.register(plugin)
    ReferenceHost(db, pm, clock=clock, cipher=BuyerDataCipher([key])).register()
    amazon = RecordingAmazon(db, int(die_after[0]) if die_after else None)
    rt = plugin.configure(
        db=db, pm=pm, cipher=BuyerDataCipher([key]), clock=clock, marketplace_for=lambda _s: amazon, migrate=False
    )
    with db.transaction(write=False) as conn:
        store = get_store(conn, int(store_id))
    assert store is not None
    lease = timedelta(seconds=float(lease_seconds))
    total = 0
    while True:
        sent, failed = send_outbox(rt, store, lease=lease, budget=None)
        total += sent
        assert failed == 0
        with db.transaction(write=False) as conn:
            left = conn.execute(select(amazon_outbox.c.id).where(amazon_outbox.c.state == outbox.PENDING)).first()
        if left is None:
            break
        time.sleep(0.1)  # what is left is leased by another worker (or a dead one, until its lease runs out)
    print(json.dumps({"sent": total}))


if __name__ == "__main__":
    main(sys.argv[1:])
