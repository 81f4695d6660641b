"""Import throughput: N Amazon orders through the Sandbox's full path, against a plain-sqlite3 floor.

    python benchmarks/import_throughput.py [--orders 50000] [--memory]

The floor is what storing the same orders costs with nothing else: ``sqlite3`` executemany inserts of the orders
and their items into two tables, 100 orders per transaction, in a WAL file on the same disk. The measured path is
everything a real sync does: searchOrders pages (JSON text parsed), payload validation, buyer-data encryption,
SKU resolution through the hooks, product and stock lookups, the creation table, reservations, Commerce orders in
the reference host (same database), blockers, history events and notifications. Both are measured in this run,
on this machine, and the ratio is what to compare across machines (target: at least 0.25).

``--memory`` also imports N/4 orders in a second sandbox and compares peak memory growth during the import: a
page-based engine's growth does not scale with N.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from channel_plugin.testing import Sandbox, make_order

SKUS = [f"SKU-{n:04d}" for n in range(2000)]
CATALOG = [{"sku": sku, "qty": 1_000_000, "name": f"Product {sku}"} for sku in SKUS] + [
    {"sku": "DISABLED-1", "qty": 100, "enabled": False},
    {"sku": "SCARCE-1", "qty": 50},
]


def generate(n: int, seed: int = 42) -> list[dict[str, Any]]:
    """A realistic mix: most merchant orders ship normally, some wait, some are FBA, some block or cancel."""
    rng = random.Random(seed)
    start = Sandbox().clock.now() - timedelta(days=20)
    orders = []
    for i in range(n):
        roll = rng.random()
        status, channel = "UNSHIPPED", "MERCHANT"
        skus = [rng.choice(SKUS), rng.choice(SKUS)]
        if roll < 0.10:
            status = "PENDING"
        elif roll < 0.20:
            status, channel = "SHIPPED", "AMAZON"
        elif roll < 0.23:
            status, channel = "PENDING", "AMAZON"
        elif roll < 0.27:
            status = "CANCELED"
        elif roll < 0.31:
            skus[1] = f"UNKNOWN-{rng.randint(1, 50)}"
        elif roll < 0.33:
            skus[0] = "DISABLED-1"
        elif roll < 0.36:
            skus[0] = "SCARCE-1"
        orders.append(
            make_order(
                f"{100 + i % 900:03d}-{i // 900:07d}-{i:07d}",
                status=status,
                fulfilled_by=channel,
                items=[(skus[0], rng.randint(1, 3), "12.50"), (skus[1], 1, "7.25")],
                purchase_date=start + timedelta(seconds=i),
                buyer_name=f"Buyer {i}",
            )
        )
    return orders


def floor_rate(orders: list[dict[str, Any]], folder: Path) -> float:
    """Orders per second for plain executemany inserts of the same orders and items (the lower bound on cost)."""
    db = sqlite3.connect(folder / "floor.db", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, amazon_order_id TEXT UNIQUE, purchase_date TEXT,"
        " last_update TEXT, status TEXT, channel TEXT, total TEXT, currency TEXT, buyer TEXT)"
    )
    db.execute(
        "CREATE TABLE items (id INTEGER PRIMARY KEY, order_id TEXT, order_item_id TEXT, sku TEXT,"
        " asin TEXT, title TEXT, qty INTEGER, price TEXT)"
    )
    pages = [[json.dumps(o) for o in orders[i : i + 100]] for i in range(0, len(orders), 100)]
    started = time.perf_counter()
    for page in pages:
        parsed = [json.loads(text) for text in page]
        db.execute("BEGIN")
        db.executemany(
            "INSERT INTO orders (amazon_order_id, purchase_date, last_update, status, channel, total,"
            " currency, buyer) VALUES (?,?,?,?,?,?,?,?)",
            [
                (
                    o["orderId"],
                    o["createdTime"],
                    o["lastUpdatedTime"],
                    o["fulfillment"]["fulfillmentStatus"],
                    o["fulfillment"]["fulfilledBy"],
                    o["proceeds"]["grandTotal"]["amount"],
                    o["proceeds"]["grandTotal"]["currencyCode"],
                    json.dumps(o.get("buyer")),
                )
                for o in parsed
            ],
        )
        db.executemany(
            "INSERT INTO items (order_id, order_item_id, sku, asin, title, qty, price) VALUES (?,?,?,?,?,?,?)",
            [
                (
                    o["orderId"],
                    i["orderItemId"],
                    i["product"]["sellerSku"],
                    i["product"]["asin"],
                    i["product"]["title"],
                    i["quantityOrdered"],
                    i["product"]["price"]["unitPrice"]["amount"],
                )
                for o in parsed
                for i in o["orderItems"]
            ],
        )
        db.execute("COMMIT")
    elapsed = time.perf_counter() - started
    db.close()
    return len(orders) / elapsed


def import_rate(orders: list[dict[str, Any]], *, trace_memory: bool = False) -> tuple[float, Counter[str], int]:
    """Orders per second through one Sandbox sync of every order, with the import states it ended in."""
    with Sandbox(catalog=CATALOG) as sandbox:
        sandbox.amazon.put_orders(orders)
        gc.collect()
        if trace_memory:
            tracemalloc.start()
        started = time.perf_counter()
        [result] = sandbox.sync()
        elapsed = time.perf_counter() - started
        peak = 0
        if trace_memory:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        assert result.error is None, result.error
        with sandbox.db.engine.connect() as conn:
            states = Counter(
                dict(
                    conn.exec_driver_sql("SELECT import_state, count(*) FROM amazon_orders GROUP BY import_state").all()
                )
            )
        assert sum(states.values()) == len(orders), states
        return len(orders) / elapsed, states, peak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=50_000, help="how many orders (default 50,000)")
    parser.add_argument("--memory", action="store_true", help="also compare memory growth at N/4 and N")
    args = parser.parse_args(argv)
    if args.orders < 100:
        parser.error("--orders must be at least 100")
    orders = generate(args.orders)
    with tempfile.TemporaryDirectory() as folder:
        floor = floor_rate(orders, Path(folder))
    rate, states, _ = import_rate(orders)
    print(f"orders: {args.orders:,} (2 items each)   end states: {dict(sorted(states.items()))}")
    print(f"floor  (sqlite3 executemany, 2 tables): {floor:10,.0f} orders/s")
    print(f"import (Sandbox full path)            : {rate:10,.0f} orders/s")
    print(f"ratio  import / floor                 : {rate / floor:10.3f}   (target >= 0.25)")
    if args.memory:
        small = generate(args.orders // 4, seed=7)
        _, _, peak_small = import_rate(small, trace_memory=True)
        _, _, peak_large = import_rate(orders, trace_memory=True)
        print(
            f"peak traced memory during import: {peak_small / 1e6:.1f} MB at N/4, {peak_large / 1e6:.1f} MB at N"
            f"   (growth ratio {peak_large / max(peak_small, 1):.2f} for 4x the orders)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
