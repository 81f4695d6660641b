"""What the reference host answers when the plugin checks the boundary: orders by external reference, and the
shipments of orders, both page-sized and one statement each."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import Connection, select

from channel_plugin.domain.model import CommerceOrderRef, Shipment, ShipmentItem
from channel_plugin.host.order_reads import order_pk
from channel_plugin.host.schema import order_items, orders, shipment_items, shipments


def orders_by_reference(conn: Connection, references: Sequence[str]) -> dict[str, CommerceOrderRef]:
    rows = conn.execute(
        select(orders.c.id, orders.c.increment_id, orders.c.status, orders.c.state, orders.c.external_reference)
        .where(orders.c.external_reference.in_(sorted(set(references))))
        .order_by(orders.c.id)
    )
    found: dict[str, CommerceOrderRef] = {}
    for r in rows:
        found.setdefault(r.external_reference, CommerceOrderRef(str(r.id), r.increment_id, r.status, r.state))
    return found


def shipments_of(conn: Connection, order_ids: Sequence[str]) -> dict[str, list[Shipment]]:
    pks = sorted({pk for pk in (order_pk(i) for i in order_ids) if pk is not None})
    if not pks:
        return {}
    lines: defaultdict[int, list[ShipmentItem]] = defaultdict(list)
    for r in conn.execute(
        select(shipment_items.c.shipment_id, order_items.c.sku, shipment_items.c.qty)
        .join(order_items, order_items.c.id == shipment_items.c.order_item_id)
        .join(shipments, shipments.c.id == shipment_items.c.shipment_id)
        .where(shipments.c.order_id.in_(pks))
        .order_by(shipment_items.c.id)
    ):
        lines[r.shipment_id].append(ShipmentItem(r.sku, r.qty))
    found: defaultdict[str, list[Shipment]] = defaultdict(list)
    for r in conn.execute(select(shipments).where(shipments.c.order_id.in_(pks)).order_by(shipments.c.id)):
        found[str(r.order_id)].append(
            Shipment(
                id=str(r.id),
                carrier=r.carrier,
                tracking_number=r.tracking_number,
                items=tuple(lines[r.id]),
                shipped_at=r.created_at,
            )
        )
    return dict(found)
