"""Aggregates for the store dashboard: orders per import state, and orders per purchase day and import state.

Both are one GROUP BY served by the (store_id, import_state[, purchase_date]) indexes, so the dashboard's header
and chart cost two queries whatever the size of the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, String, cast, func, select

from channel_plugin.storage.tables import amazon_orders


def import_state_counts(conn: Connection, store_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Store id -> import state -> number of orders (states without orders are left out)."""
    counts: dict[int, dict[str, int]] = {}
    if not store_ids:
        return counts
    query = (
        select(amazon_orders.c.store_id, amazon_orders.c.import_state, func.count())
        .where(amazon_orders.c.store_id.in_(list(store_ids)))
        .group_by(amazon_orders.c.store_id, amazon_orders.c.import_state)
    )
    for store_id, state, number in conn.execute(query):
        counts.setdefault(store_id, {})[state] = number
    return counts


def daily_counts(conn: Connection, store_id: int, since: datetime) -> list[tuple[date, str, int]]:
    """(UTC purchase day, import state, orders) for the store's orders purchased at or after ``since``."""
    column = amazon_orders.c.purchase_date
    day: Any
    if conn.dialect.name == "postgresql":
        day = cast(func.date(func.timezone("UTC", column)), String)
    else:
        # SQLite keeps the naive UTC time as ISO text: its first ten characters are the day.
        day = func.substr(cast(column, String), 1, 10)
    query = (
        select(day.label("day"), amazon_orders.c.import_state, func.count())
        .where(amazon_orders.c.store_id == store_id, column >= since)
        .group_by(day, amazon_orders.c.import_state)
        .order_by(day, amazon_orders.c.import_state)
    )
    return [(date.fromisoformat(d), state, number) for d, state, number in conn.execute(query)]
