"""searchOrders quota, order-to-Commerce latency and late orders, over simulated days on the fake SP-API.

    python benchmarks/amazon_quota.py [--orders-per-day 5000 10000] [--late-share 0.02] [--days 2]

Each order is updated three times (PENDING, UNSHIPPED a few minutes later, and a restamp hours later); a share of
orders reaches searchOrders late, every update delayed by the same lag, log-uniform from 10 minutes to 24 hours.
The Sandbox runs the real cron cycle every 5 minutes with Amazon's usage plans enforced by the client (a throttled
call waits on the sandbox clock, so throttling shows up as latency), and the daily reconciliation on its schedule.

Printed per volume: the share of searchOrders quota (0.0056/s) used over the last day with new orders, its daily
reconciliation included (the days before warm the system up), the p50/p95 latency from an order's UNSHIPPED
update becoming visible to its Commerce order, the orders reconciliation found late, and the orders never
imported after two more days of cycles. Targets: at most 35% of the quota at 5,000 orders a day, 0 missed.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from channel_plugin.amazon.ratelimit import USAGE_PLANS
from channel_plugin.storage.tables import amazon_orders
from channel_plugin.testing import Sandbox, make_order

DAY = timedelta(days=1)
SKUS = [f"SKU-{n:03d}" for n in range(200)]


@dataclass(frozen=True, slots=True)
class Update:
    visible_at: datetime
    updated_at: datetime
    order_id: str
    payload: dict[str, Any]
    creatable: bool


def plan(orders_per_day: int, days: int, late_share: float, start: datetime, seed: int = 7) -> list[Update]:
    rng = random.Random(seed)
    updates: list[Update] = []
    for _ in range(orders_per_day * days):
        created = start + timedelta(seconds=rng.uniform(0, days * DAY.total_seconds()))
        order = make_order(items=[(rng.choice(SKUS), 1)], status="PENDING", purchase_date=created)
        unshipped = {**order, "fulfillment": {**order["fulfillment"], "fulfillmentStatus": "UNSHIPPED"}}
        late = rng.random() < late_share
        lag = timedelta(seconds=math.exp(rng.uniform(math.log(600), math.log(86_400)))) if late else timedelta(0)
        steps = [
            (created, order, False),
            (created + timedelta(seconds=rng.uniform(60, 1800)), unshipped, True),
            (created + timedelta(seconds=rng.uniform(3600, 6 * 3600)), unshipped, True),
        ]
        for at, payload, creatable in steps:
            updates.append(Update(at + lag, at, order["orderId"], payload, creatable))
    updates.sort(key=lambda u: u.visible_at)
    return updates


def run(orders_per_day: int, days: int, late_share: float) -> dict[str, float]:
    catalog = [{"sku": sku, "qty": 10_000_000} for sku in SKUS]
    with Sandbox(catalog=catalog) as sb:
        start = sb.clock()
        updates = plan(orders_per_day, days, late_share, start)
        visible: dict[str, datetime] = {}  # when each order's first creatable update became visible
        imported: set[str] = set()
        latencies: list[float] = []
        late_orders = {u.order_id for u in updates if u.visible_at > u.updated_at}
        found_late = 0
        # The last day with new orders, shifted by two cycles so that it holds that day's scheduled reconciliation.
        shift = timedelta(seconds=2 * sb.runtime.cron_interval_seconds)
        measured_from, measured_to = start + (days - 1) * DAY + shift, start + days * DAY + shift
        calls_before = calls_after = 0
        position = 0
        end = start + (days + 2) * DAY
        while sb.clock() < end:
            now = sb.clock()
            if calls_before == 0 and now >= measured_from:
                calls_before = sb.amazon.search_calls
            if calls_after == 0 and now >= measured_to:
                calls_after = sb.amazon.search_calls
            tick = now + timedelta(seconds=sb.runtime.cron_interval_seconds)
            while position < len(updates) and updates[position].visible_at <= tick:
                u = updates[position]
                sb.clock.advance(max(0.0, (u.visible_at - sb.clock()).total_seconds()))
                sb.amazon.put_order(u.payload, updated_at=u.updated_at)
                if u.creatable:
                    visible.setdefault(u.order_id, u.visible_at)
                position += 1
            sb.clock.advance(max(0.0, (tick - sb.clock()).total_seconds()))
            sb.host.run_cron(sb.clock())
            found_late += sum(r.found_late for r in sb.plugin.last_results)
            with sb.db.transaction(write=False) as conn:
                done = conn.execute(
                    select(amazon_orders.c.amazon_order_id).where(amazon_orders.c.import_state == "IMPORTED")
                ).scalars()
                new = set(done) - imported
            for order_id in new:
                if order_id not in late_orders:
                    latencies.append((sb.clock() - visible[order_id]).total_seconds())
            imported |= new
        rate = USAGE_PLANS["searchOrders"][0]
        quota = rate * DAY.total_seconds()
        cut = statistics.quantiles(latencies, n=100)
        return {
            "calls": calls_after - calls_before,
            "quota_share": (calls_after - calls_before) / quota,
            "p50": statistics.median(latencies),
            "p95": cut[94],
            "late_orders": len(late_orders),
            "found_late": found_late,
            "missed": len({u.order_id for u in updates} - imported),
            "throttled_s": sb.timer.slept,
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders-per-day", type=int, nargs="+", default=[5000, 10_000])
    parser.add_argument("--late-share", type=float, default=0.02)
    parser.add_argument("--days", type=int, default=2, help="Days with new orders (the last one is measured).")
    args = parser.parse_args()
    failed = False
    for volume in args.orders_per_day:
        began = time.perf_counter()
        r = run(volume, args.days, args.late_share)
        print(
            f"{volume:>6} orders/day: searchOrders {r['calls']:.0f} calls on the measured day = "
            f"{r['quota_share']:.0%} of quota; latency p50 {r['p50']:.0f} s, p95 {r['p95']:.0f} s; "
            f"late orders {r['late_orders']:.0f}, updates found late by reconciliation {r['found_late']:.0f}, "
            f"missed {r['missed']:.0f}; waited on throttling {r['throttled_s']:.0f} s "
            f"({time.perf_counter() - began:.0f} s wall)"
        )
        failed |= r["missed"] > 0 or (volume <= 5000 and r["quota_share"] > 0.35)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
