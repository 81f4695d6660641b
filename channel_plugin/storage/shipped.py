"""Order lines with the units that have really shipped (``rules.lines_as_shipped``): Amazon's count, the host's
shipments and the order's status together, for the Sandbox's order view."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, select

from channel_plugin.domain.enums import AmazonOrderStatus
from channel_plugin.domain.model import OrderItem
from channel_plugin.domain.rules import lines_as_shipped
from channel_plugin.storage.orders import items_by_order
from channel_plugin.storage.tables import amazon_orders, order_tracking


def items_as_shipped(conn: Connection, pks: Sequence[int]) -> dict[int, list[OrderItem]]:
    items = items_by_order(conn, pks)
    if not pks:
        return items
    statuses = {
        r.id: AmazonOrderStatus(r.status)
        for r in conn.execute(select(amazon_orders.c.id, amazon_orders.c.status).where(amazon_orders.c.id.in_(pks)))
    }
    tracked: dict[int, dict[str, int]] = {pk: {} for pk in pks}
    rows = conn.execute(
        select(order_tracking.c.order_id, order_tracking.c["items"]).where(order_tracking.c.order_id.in_(pks))
    )
    for order_pk, lines in rows:
        add_units(tracked[order_pk], lines)
    return {pk: lines_as_shipped(lines, statuses[pk], tracked[pk]) for pk, lines in items.items()}


def add_units(totals: dict[str, int], lines: Sequence[dict[str, object]]) -> None:
    """Add one shipment's ``[{orderItemId, quantity}]`` (as stored with its tracking) to ``totals``."""
    for line in lines:
        key = str(line["orderItemId"])
        totals[key] = totals.get(key, 0) + int(str(line["quantity"]))
