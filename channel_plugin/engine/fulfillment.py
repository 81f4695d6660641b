"""Shipments and completion: host shipment -> tracking and status here -> confirmShipment queued -> sent ->
next cron the Commerce order completes (engine/outbound.py sends the queued calls; cancellations go to Amazon in
feeds: engine/cancellations.py)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, insert, select, update

from channel_plugin.domain.carriers import amazon_carrier
from channel_plugin.domain.enums import AmazonOrderStatus as S
from channel_plugin.domain.enums import ImportState
from channel_plugin.domain.model import AmazonOrder, Shipment, ShipmentPackage
from channel_plugin.domain.rules import ready_to_complete, status_after_shipment
from channel_plugin.engine.hooks import Hooks
from channel_plugin.engine.runtime import Notifications, Runtime
from channel_plugin.errors import ChannelError
from channel_plugin.storage import orders as order_store
from channel_plugin.storage import outbox
from channel_plugin.storage.outbox import CONFIRM_SHIPMENT
from channel_plugin.storage.stores import StoreRecord
from channel_plugin.storage.tables import amazon_orders, order_events, order_tracking

log = logging.getLogger("channel_plugin")


def add_event(conn: Connection, pk: int, kind: str, message: str, now: Any, **columns: Any) -> None:
    """One history event, which also becomes the order's notes (its last action)."""
    conn.execute(insert(order_events), {"order_id": pk, "at": now, "last_at": now, "kind": kind, "message": message})
    conn.execute(update(amazon_orders).where(amazon_orders.c.id == pk).values(notes=message, updated_at=now, **columns))


def load_order(rt: Runtime, conn: Connection, pk: int) -> tuple[order_store.StoredRow, dict[str, Any], AmazonOrder]:
    [(stored, columns)] = order_store.lock_orders_by_pk(conn, [pk])
    items = order_store.items_by_order(conn, [pk])[pk]
    return stored, columns, order_store.rebuild_order(columns, items, rt.cipher)


def on_shipment_created(rt: Runtime, commerce_order_id: str, shipment: Shipment, *, found: bool = False) -> bool:
    """Record a host shipment of an imported Amazon order; False when the Commerce order is not from Amazon.

    ``found``: the shipment came from the shipment reconciliation rather than the host's hook, which says so in
    the order's history. Either way a shipment already recorded changes nothing.
    """
    with rt.unit_of_work() as (conn, notes):
        pk = order_store.pk_for_commerce_order(conn, commerce_order_id)
        if pk is None:
            return False
        stored, columns, order = load_order(rt, conn, pk)
        now = rt.clock()
        known = conn.execute(
            select(order_tracking.c.id).where(
                order_tracking.c.order_id == pk, order_tracking.c.commerce_shipment_id == shipment.id
            )
        ).first()
        if known:
            return True
        units = 0
        for number, box in enumerate(shipment.boxes(), 1):
            lines = _allocate(order, columns.get("sku_map") or {}, {i.sku: i.qty for i in box.items}, conn, pk)
            if not lines:
                continue
            units += sum(lines.values())
            carrier = box.carrier or shipment.carrier
            codes = _transparency_codes(order, columns.get("sku_map") or {}, lines, box)
            order_items = [
                {"orderItemId": k, "quantity": v, **({"transparencyCodes": codes[k]} if codes.get(k) else {})}
                for k, v in lines.items()
            ]
            method = box.shipping_method or shipment.shipping_method
            tracking_id = conn.execute(
                insert(order_tracking).returning(order_tracking.c.id),
                {
                    "order_id": pk,
                    "commerce_shipment_id": shipment.id if number == 1 else f"{shipment.id}#{number}",
                    "carrier": carrier,
                    "tracking_number": box.tracking_number,
                    "shipped_at": shipment.shipped_at,
                    "items": order_items,
                },
            ).scalar_one()
            code, name = amazon_carrier(carrier, shipment.carrier_title if box.carrier is None else None)
            outbox.enqueue(
                conn,
                store_id=columns["store_id"],
                order_pk=pk,
                kind=CONFIRM_SHIPMENT,
                reference=str(tracking_id),
                now=now,
                payload={
                    # Amazon only takes positive numbers here; the tracking row's id is one, and stays the same
                    # when the confirmation is sent again, so a resend edits the package instead of adding one.
                    "packageReferenceId": str(tracking_id),
                    "carrierCode": code,
                    "carrierName": name,
                    "trackingNumber": box.tracking_number,
                    "shipDate": shipment.shipped_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "orderItems": order_items,
                    **({"shippingMethod": method} if method else {}),
                },
            )
        shipped = _shipped_by_sku(conn, pk, order)
        new_status = status_after_shipment(order.items, shipped)
        boxes = len(shipment.boxes())
        add_event(
            conn,
            pk,
            "SHIPPED",
            ("Found in the host, which never announced it: " if found else "")
            + f"Shipped {units} unit(s) with {shipment.carrier}, tracking {shipment.tracking_number}"
            + (f" and {boxes - 1} more package(s)" if boxes > 1 else "")
            + "; confirmation to Amazon queued.",
            now,
            status=new_status.value,
            shipped_at=now,
        )
        _status_note(notes, order, stored.status, new_status)
    return True


def _allocate(
    order: AmazonOrder, sku_map: Mapping[str, str], shipped: dict[str, int], conn: Connection, pk: int
) -> dict[str, int]:
    """Spread shipped catalog-SKU quantities over the order items that still have units to ship."""
    already = _shipped_by_item(conn, pk)
    lines: dict[str, int] = {}
    remaining = dict(shipped)
    for item in order.items:
        sku = sku_map.get(item.seller_sku, item.seller_sku)
        open_units = item.quantity_ordered - already.get(item.order_item_id, 0)
        take = min(open_units, remaining.get(sku, 0))
        if take > 0:
            lines[item.order_item_id] = take
            remaining[sku] -= take
    return lines


def _transparency_codes(
    order: AmazonOrder, sku_map: Mapping[str, str], lines: Mapping[str, int], box: ShipmentPackage
) -> dict[str, list[str]]:
    """The box's Transparency codes per order line: each line takes as many of its SKU's codes as it has units."""
    left: dict[str, list[str]] = {}
    for content in box.items:
        left.setdefault(content.sku, []).extend(content.transparency_codes)
    codes: dict[str, list[str]] = {}
    for item in order.items:
        units = lines.get(item.order_item_id, 0)
        pool = left.get(sku_map.get(item.seller_sku, item.seller_sku), [])
        if units and pool:
            codes[item.order_item_id], pool[:units] = pool[:units], []
    return codes


def _shipped_by_item(conn: Connection, pk: int) -> dict[str, int]:
    totals: dict[str, int] = {}
    for (items,) in conn.execute(select(order_tracking.c["items"]).where(order_tracking.c.order_id == pk)):
        for line in items:
            totals[line["orderItemId"]] = totals.get(line["orderItemId"], 0) + int(line["quantity"])
    return totals


def _shipped_by_sku(conn: Connection, pk: int, order: AmazonOrder) -> dict[str, int]:
    by_item = _shipped_by_item(conn, pk)
    totals: dict[str, int] = {}
    for item in order.items:
        totals[item.seller_sku] = totals.get(item.seller_sku, 0) + max(
            by_item.get(item.order_item_id, 0), item.quantity_shipped
        )
    return totals


def _status_note(notes: Notifications, order: AmazonOrder, old: S, new: S) -> None:
    if old is not new:
        notes.add(Hooks.status_changed, order, old, new)


def complete_shipped(rt: Runtime, store: StoreRecord) -> int:
    """Complete, in Commerce and here, imported orders that shipped and whose confirmations Amazon accepted."""
    with rt.db.transaction(write=False) as conn:
        candidates = [
            r.id
            for r in conn.execute(
                select(amazon_orders.c.id).where(
                    amazon_orders.c.store_id == store.id,
                    amazon_orders.c.import_state == ImportState.IMPORTED.value,
                    amazon_orders.c.status.in_([S.SHIPPED.value, S.INVOICE_UNCONFIRMED.value]),
                )
            )
        ]
    return sum(rt.retrying()(_complete_one, rt, pk) for pk in candidates)


def _complete_one(rt: Runtime, pk: int) -> bool:
    """One order's completion in its own unit of work, retried whole if the database picks it as a victim."""
    with rt.unit_of_work() as (conn, notes):
        stored, _columns, order = load_order(rt, conn, pk)
        pending = outbox.unconfirmed_counts(conn, [pk]).get(pk, 0)
        if stored.commerce_order_id is None or not ready_to_complete(stored.status, stored.import_state, pending):
            return False
        now = rt.clock()
        try:
            rt.hooks.complete_order(stored.commerce_order_id)
        except ChannelError as exc:
            add_event(
                conn,
                pk,
                "COMPLETE_FAILED",
                f"Could not complete the Commerce order: {exc}",
                now,
                error_message=str(exc),
            )
            return False
        add_event(
            conn,
            pk,
            "COMPLETED",
            f"Commerce order #{stored.commerce_increment_id} completed.",
            now,
            status=S.COMPLETED.value,
            completed_at=now,
        )
        _status_note(notes, order, stored.status, S.COMPLETED)
    return True
