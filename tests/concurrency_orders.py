"""A deterministic mix of orders that compete for scarce stock (shared by the test and its worker processes)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from channel_plugin.testing import make_order

SKUS = [f"SKU-{n:02d}" for n in range(20)]
CATALOG = [{"sku": sku, "qty": 25} for sku in SKUS] + [{"sku": "PRINT", "qty": 0, "manage_stock": False}]


def generate_orders(seed: int, count: int, now: datetime) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    orders = []
    for n in range(count):
        roll = rng.random()
        status, channel = "UNSHIPPED", "MERCHANT"
        if roll < 0.15:
            status = "PENDING"
        elif roll < 0.25:
            status, channel = "SHIPPED", "AMAZON"
        elif roll < 0.30:
            status = "CANCELED"
        items = [(rng.choice([*SKUS, "PRINT", "UNKNOWN"]), rng.randint(1, 3)) for _ in range(rng.randint(1, 2))]
        orders.append(
            make_order(
                f"{100 + n % 900:03d}-{seed:07d}-{n:07d}",
                status=status,
                fulfilled_by=channel,
                items=items,
                purchase_date=now - timedelta(hours=6) + timedelta(seconds=n),
            )
        )
    return orders
