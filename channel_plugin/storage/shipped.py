"""Order lines with the units that have really shipped: Amazon's count, the host's shipments and the order's status
together (``rules.shipped_units``), for everything an admin reads (GraphQL, the dashboard, the Sandbox)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import Connection, select

from channel_plugin.domain.enums import AmazonOrderStatus
from channel_plugin.domain.model import OrderItem
from channel_plugin.domain.rules import shipped_units
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
    tracked: dict[tuple[int, str], int] = {}
    rows = conn.execute(
        select(order_tracking.c.order_id, order_tracking.c["items"]).where(order_tracking.c.order_id.in_(pks))
    )
    for order_pk, lines in rows:
        for line in lines:
            key = (order_pk, str(line["orderItemId"]))
            tracked[key] = tracked.get(key, 0) + int(line["quantity"])
    return {
        pk: [
            replace(
                item,
                quantity_shipped=shipped_units(
                    statuses[pk],
                    ordered=item.quantity_ordered,
                    reported=item.quantity_shipped,
                    tracked=tracked.get((pk, item.order_item_id), 0),
                ),
            )
            for item in lines
        ]
        for pk, lines in items.items()
    }
