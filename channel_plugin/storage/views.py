"""Read models: a stored order with its history and blockers, and the system messages (the GraphQL banner's
texts, in the same order)."""

from __future__ import annotations

from sqlalchemy import Connection, select

from channel_plugin.domain.enums import AmazonOrderStatus, FulfillmentChannel, ImportState
from channel_plugin.domain.model import HistoryEvent, Money, StoredOrderView
from channel_plugin.domain.rules import cancel_refusal_message, refusal_message, system_message
from channel_plugin.storage import blockers as blocker_store
from channel_plugin.storage import orders as order_store
from channel_plugin.storage import outbox
from channel_plugin.storage.cancellations import problems_by_order, rejected_by_store
from channel_plugin.storage.crypto import BuyerDataCipher
from channel_plugin.storage.shipped import items_as_shipped
from channel_plugin.storage.tables import amazon_orders, order_events


def order_view(
    conn: Connection, store_id: int, amazon_order_id: str, cipher: BuyerDataCipher
) -> StoredOrderView | None:
    row = conn.execute(
        select(amazon_orders).where(
            amazon_orders.c.store_id == store_id, amazon_orders.c.amazon_order_id == amazon_order_id
        )
    ).first()
    if row is None:
        return None
    m = row._mapping
    pk = m["id"]
    items = items_as_shipped(conn, [pk])[pk]
    events = conn.execute(select(order_events).where(order_events.c.order_id == pk).order_by(order_events.c.id))
    history = tuple(HistoryEvent(e["at"], e["kind"], e["message"], e["count"], e["last_at"]) for e in events.mappings())
    buyer, address = order_store.open_buyer(m["buyer_data"], cipher)
    total = m["grand_total"]
    return StoredOrderView(
        store_id=store_id,
        amazon_order_id=amazon_order_id,
        status=AmazonOrderStatus(m["status"]),
        import_state=ImportState(m["import_state"]),
        fulfillment_channel=FulfillmentChannel(m["fulfillment_channel"]),
        purchase_date=m["purchase_date"],
        last_update_date=m["last_update_date"],
        commerce_order_id=m["commerce_order_id"],
        commerce_increment_id=m["commerce_increment_id"],
        notes=m["notes"],
        history=history,
        blockers=tuple(blocker_store.open_blockers(conn, [pk]).get(pk, [])),
        items=tuple(items),
        grand_total=Money(total, m["currency"]) if total is not None and m["currency"] else None,
        buyer=buyer,
        shipping_address=address,
        error_message=m["error_message"],
        problems=tuple(problems_by_order(conn, [pk]).get(pk, [])),
    )


def system_messages(conn: Connection) -> list[str]:
    counts: dict[str, int] = {}
    for _, name, count in outbox.stuck_by_store(conn, outbox.CONFIRM_SHIPMENT):
        counts[name] = counts.get(name, 0) + count
    refused = {name: count for _, name, count in rejected_by_store(conn)}
    texts = [
        system_message(blocker_store.stores_with_open_blockers(conn)),
        refusal_message(counts),
        cancel_refusal_message(refused),
    ]
    return [text for text in texts if text]
