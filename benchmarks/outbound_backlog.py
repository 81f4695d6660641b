"""Does a backlog of calls to Amazon hold up the import of new orders? One store with 1,000 shipment confirmations
and 10 cancels queued, one whose queue is empty (the same orders, already confirmed, none canceled); each then gets
100 new orders and runs one cron cycle.

    python benchmarks/outbound_backlog.py [--queued 1000] [--cancels 10] [--new 100] [--repeat 3] [--db URL]

Printed per store: the time until the cycle has imported the new orders (the inbound phase, which every cycle runs
first), and the whole cycle's time (the outbound phase sends what confirmShipment's quota lets through within its
budget, in Sandbox time, so the backlog store does real extra work here). The target is the import-time ratio:
backlog / empty within 1.2.
"""

from __future__ import annotations

import argparse
import sys
import time

from channel_plugin.engine.fulfillment import complete_shipped
from channel_plugin.engine.outbound import send_outbox
from channel_plugin.engine.sync import sync_inbound, sync_outbound
from channel_plugin.storage.stores import get_store
from channel_plugin.testing import Sandbox, make_order

TARGET = 1.2


def prepared(queued: int, *, drain: bool, db: str | None, cancels: int = 0) -> Sandbox:
    """A store whose ``queued`` orders are imported and shipped; ``drain``: and already confirmed to Amazon, else
    ``cancels`` more imported orders wait to be canceled (one feed in the cycle)."""
    sb = Sandbox(catalog=[{"sku": "MUG", "qty": 1_000_000}], database_url=db).__enter__()
    orders = [make_order(items=[("MUG", 1)]) for _ in range(queued)]
    unshipped = [make_order(items=[("MUG", 1)]) for _ in range(cancels)]
    for order in orders + unshipped:
        sb.amazon.put_order(order)
    sb.sync()
    if not drain:
        for order in unshipped:
            sb.cancel(order["orderId"], "NoInventory")
    for order in orders:
        sb.host.ship(sb.order(order["orderId"]).commerce_order_id, "UPS", "1Z1")
    if drain:
        with sb.db.transaction(write=False) as conn:
            store = get_store(conn, sb.store.id)
        assert store is not None
        sent, failed = send_outbox(sb.runtime, store, budget=None)
        assert (sent, failed) == (queued, 0)
        assert complete_shipped(sb.runtime, store) == queued
    return sb


def one_cycle(sb: Sandbox, new: int) -> tuple[float, float, int, int, int]:
    """(seconds until the new orders were imported, seconds for the whole cycle, imported, confirmations sent,
    cancels sent)."""
    for _ in range(new):
        sb.amazon.put_order(make_order(items=[("MUG", 1)]))
    sb.clock.advance(sb.runtime.cron_interval_seconds)  # as Sandbox.sync does: the new orders are now visible
    with sb.db.transaction(write=False) as conn:
        store = get_store(conn, sb.store.id)
    assert store is not None
    started = time.perf_counter()
    result = sync_inbound(sb.runtime, store)
    imported = time.perf_counter()
    sync_outbound(sb.runtime, store, result)
    finished = time.perf_counter()
    assert result.error is None, result.error
    sent = (result.confirmations_sent, result.cancellations.submitted)
    return imported - started, finished - started, result.pulled.imported, *sent


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queued", type=int, default=1000)
    parser.add_argument("--cancels", type=int, default=10)
    parser.add_argument("--new", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3, help="runs per store; the median is printed")
    parser.add_argument("--db", default=None, help="a PostgreSQL URL (each Sandbox takes a fresh schema in it)")
    args = parser.parse_args(argv)
    warm_up = prepared(10, drain=False, db=args.db)  # imports and first-use caches, outside the measured cycles
    try:
        one_cycle(warm_up, 10)
    finally:
        warm_up.close()
    runs: dict[str, list[tuple[float, float, int, int, int]]] = {"empty queue": [], "backlog": []}
    kinds = [("empty queue", True), ("backlog", False)]
    for rep in range(args.repeat):  # alternate which store goes first, so warm caches favour neither
        for name, drain in kinds if rep % 2 == 0 else kinds[::-1]:
            sb = prepared(args.queued, drain=drain, db=args.db, cancels=args.cancels)
            try:
                runs[name].append(one_cycle(sb, args.new))
            finally:
                sb.close()
    figures = {name: sorted(found)[len(found) // 2] for name, found in runs.items()}  # the median run by import
    for name, (to_import, cycle, imported, sent, canceled) in figures.items():
        print(
            f"{name:>11}: {imported} new orders imported in {to_import:.3f} s; whole cycle {cycle:.3f} s "
            f"({sent} confirmations and {canceled} cancels sent)"
        )
    ratio = figures["backlog"][0] / figures["empty queue"][0]
    whole = figures["backlog"][1] / figures["empty queue"][1]
    print(f"import time, backlog / empty: {ratio:.2f}x (target within {TARGET}x); whole cycle: {whole:.2f}x")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
