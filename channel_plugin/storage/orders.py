"""Set-based reads and writes of Amazon orders, their items and history for one page at a time.

Every function takes the page's connection and a whole batch: one statement per kind of write, whatever the
page size, so an import's cost is dominated by the work and not by round trips.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, text, update

from channel_plugin.domain.enums import AmazonOrderStatus, FulfillmentChannel, ImportState
from channel_plugin.domain.model import Address, AmazonOrder, Buyer, Money, OrderItem
from channel_plugin.errors import ValidationError
from channel_plugin.storage.buyer_search import buyer_display_name, name_tokens
from channel_plugin.storage.crypto import BuyerDataCipher
from channel_plugin.storage.dialects import insert_ignoring_duplicates
from channel_plugin.storage.tables import amazon_order_items, amazon_orders, order_events


@dataclass(slots=True)
class StoredRow:
    """The bookkeeping columns of a stored order: what the rules need to decide what happens next."""

    pk: int
    amazon_order_id: str
    status: AmazonOrderStatus
    import_state: ImportState
    commerce_order_id: str | None
    commerce_increment_id: str | None
    reserved: dict[str, int]
    reservation_reference: str | None
    last_update_date: datetime
    notes: str | None
    error_message: str | None
    completed_at: datetime | None
    sku_map: dict[str, str] | None
    buyer_data: str | None


_BOOKKEEPING = (
    amazon_orders.c.id,
    amazon_orders.c.amazon_order_id,
    amazon_orders.c.status,
    amazon_orders.c.import_state,
    amazon_orders.c.commerce_order_id,
    amazon_orders.c.commerce_increment_id,
    amazon_orders.c.reserved,
    amazon_orders.c.reservation_reference,
    amazon_orders.c.last_update_date,
    amazon_orders.c.notes,
    amazon_orders.c.error_message,
    amazon_orders.c.completed_at,
    amazon_orders.c.sku_map,
    amazon_orders.c.buyer_data,
)


def _stored(r: Any) -> StoredRow:
    return StoredRow(
        r.id,
        r.amazon_order_id,
        AmazonOrderStatus(r.status),
        ImportState(r.import_state),
        r.commerce_order_id,
        r.commerce_increment_id,
        dict(r.reserved or {}),
        r.reservation_reference,
        r.last_update_date,
        r.notes,
        r.error_message,
        r.completed_at,
        r.sku_map,
        r.buyer_data,
    )


def order_columns(order: AmazonOrder, cipher: BuyerDataCipher, *, address_edited: bool = False) -> dict[str, Any]:
    """The columns that come from Amazon's description of the order (buyer data sealed)."""
    total = order.grand_total
    return {
        "marketplace_id": order.marketplace_id,
        "purchase_date": order.purchase_date,
        "last_update_date": order.last_update_date,
        "fulfillment_channel": order.fulfillment_channel.value,
        "currency": total.currency if total else _item_currency(order),
        "grand_total": total.amount if total else None,
        "ship_service_level": order.ship_service_level,
        "ship_by": order.ship_by,
        "deliver_by": order.deliver_by,
        "buyer_data": seal_buyer(order, cipher, address_edited=address_edited),
        "buyer_name_tokens": name_tokens(cipher, buyer_display_name(order.buyer, order.shipping_address)),
    }


def _item_currency(order: AmazonOrder) -> str | None:
    return next((i.item_price.currency for i in order.items if i.item_price), None)


def seal_buyer(order: AmazonOrder, cipher: BuyerDataCipher, *, address_edited: bool = False) -> str | None:
    """``address_edited`` marks an address an admin corrected: Amazon's later copies must not undo it."""
    b, a = order.buyer, order.shipping_address
    data: dict[str, Any] = {"address_edited": True} if address_edited else {}
    if b.name or b.email or b.company:
        data["buyer"] = [b.name, b.email, b.company]
    if a is not None:
        data["address"] = [
            a.name,
            a.company,
            a.line1,
            a.line2,
            a.line3,
            a.city,
            a.region,
            a.postal_code,
            a.country_code,
            a.phone,
        ]
    return cipher.encrypt(data) if data else None


def edited_address(token: str | None, cipher: BuyerDataCipher) -> Address | None:
    """The admin's corrected address kept in a stored blob, if there is one."""
    if not token:
        return None
    data = cipher.decrypt(token)
    return Address(*data["address"]) if data.get("address_edited") and "address" in data else None


def open_buyer(token: str | None, cipher: BuyerDataCipher) -> tuple[Buyer, Address | None]:
    if not token:
        return Buyer(), None
    data = cipher.decrypt(token)
    buyer = Buyer(*data["buyer"]) if "buyer" in data else Buyer()
    address = Address(*data["address"]) if "address" in data else None
    return buyer, address


def claim(conn: Connection, store_id: int, amazon_order_ids: Iterable[str | None]) -> None:
    """Serialise importers per order id for the rest of the transaction, before anything is read.

    PostgreSQL: transaction-scoped advisory locks, taken in sorted order so two importers never deadlock on them.
    SQLite: nothing to do, the page's ``BEGIN IMMEDIATE`` already holds the database's single write lock.
    """
    if conn.dialect.name != "postgresql":
        return
    keys = sorted({f"{store_id}:{oid}" for oid in amazon_order_ids if oid})
    if keys:
        conn.execute(_CLAIM, {"keys": keys})


_CLAIM = text("SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) FROM unnest(CAST(:keys AS text[])) AS t(k)")


def insert_orders(conn: Connection, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Insert orders not stored yet; returns Amazon order id -> primary key for those this call inserted.

    Rows another writer inserted first are skipped (ON CONFLICT DO NOTHING waits for that writer to finish),
    so the unique constraint, not timing, decides who stores an order.
    """
    if not rows:
        return {}
    stmt = insert_ignoring_duplicates(conn, amazon_orders, ["store_id", "amazon_order_id"]).returning(
        amazon_orders.c.id, amazon_orders.c.amazon_order_id
    )
    result = conn.execute(stmt, list(rows))
    return {r.amazon_order_id: r.id for r in result}


def lock_orders(conn: Connection, store_id: int, amazon_order_ids: Iterable[str]) -> dict[str, StoredRow]:
    """Load and lock (``FOR UPDATE`` on PostgreSQL) the page's stored orders, in id order to avoid deadlocks."""
    ids = sorted(set(amazon_order_ids))
    if not ids:
        return {}
    query = (
        select(*_BOOKKEEPING)
        .where(amazon_orders.c.store_id == store_id, amazon_orders.c.amazon_order_id.in_(ids))
        .order_by(amazon_orders.c.amazon_order_id)
        .with_for_update()
    )
    return {r.amazon_order_id: _stored(r) for r in conn.execute(query)}


def named_order_pk(conn: Connection, store_id: int, amazon_order_id: str) -> int:
    """The order an admin names in a store; a ValidationError NOT_FOUND on ``amazon_order_id`` when there is none."""
    pk = conn.execute(
        select(amazon_orders.c.id).where(
            amazon_orders.c.store_id == store_id, amazon_orders.c.amazon_order_id == amazon_order_id
        )
    ).scalar()
    if pk is None:
        raise ValidationError("amazon_order_id", f"no order {amazon_order_id!r} in this store", "NOT_FOUND")
    return int(pk)


def pk_for_commerce_order(conn: Connection, commerce_order_id: str) -> int | None:
    """The Amazon order behind a Commerce order, if the Commerce order came from Amazon."""
    pk: int | None = conn.execute(
        select(amazon_orders.c.id).where(amazon_orders.c.commerce_order_id == str(commerce_order_id))
    ).scalar()
    return pk


def lock_orders_by_pk(conn: Connection, pks: Iterable[int]) -> list[tuple[StoredRow, dict[str, Any]]]:
    """Stored orders with every column, locked, for a re-check that rebuilds them without Amazon."""
    ids = sorted(set(pks))
    if not ids:
        return []
    query = select(amazon_orders).where(amazon_orders.c.id.in_(ids)).order_by(amazon_orders.c.id).with_for_update()
    return [(_stored(r), dict(r._mapping)) for r in conn.execute(query)]


def items_by_order(conn: Connection, pks: Sequence[int]) -> dict[int, list[OrderItem]]:
    result: dict[int, list[OrderItem]] = {pk: [] for pk in pks}
    if not pks:
        return result
    rows = conn.execute(
        select(amazon_order_items)
        .where(amazon_order_items.c.order_id.in_(list(pks)))
        .order_by(amazon_order_items.c.order_id, amazon_order_items.c.id)
    )
    for r in rows:
        price = Money(r.item_price, r.currency) if r.item_price is not None and r.currency else None
        result[r.order_id].append(
            OrderItem(r.order_item_id, r.seller_sku, r.quantity_ordered, r.quantity_shipped, r.asin, r.title, price)
        )
    return result


def rebuild_order(columns: Mapping[str, Any], items: Sequence[OrderItem], cipher: BuyerDataCipher) -> AmazonOrder:
    """The ``AmazonOrder`` a stored row describes, for re-checks and notifications without asking Amazon."""
    buyer, address = open_buyer(columns["buyer_data"], cipher)
    total = columns["grand_total"]
    return AmazonOrder(
        amazon_order_id=columns["amazon_order_id"],
        purchase_date=columns["purchase_date"],
        last_update_date=columns["last_update_date"],
        status=AmazonOrderStatus(columns["status"]),
        fulfillment_channel=FulfillmentChannel(columns["fulfillment_channel"]),
        items=tuple(items),
        marketplace_id=columns["marketplace_id"],
        grand_total=Money(total, columns["currency"]) if total is not None and columns["currency"] else None,
        buyer=buyer,
        shipping_address=address,
        ship_service_level=columns["ship_service_level"],
        ship_by=columns["ship_by"],
        deliver_by=columns["deliver_by"],
    )


def item_rows(pk: int, order: AmazonOrder) -> list[dict[str, Any]]:
    return [
        {
            "order_id": pk,
            "order_item_id": i.order_item_id,
            "seller_sku": i.seller_sku,
            "asin": i.asin,
            "title": i.title,
            "quantity_ordered": i.quantity_ordered,
            "quantity_shipped": i.quantity_shipped,
            "item_price": i.item_price.amount if i.item_price else None,
            "currency": i.item_price.currency if i.item_price else None,
        }
        for i in order.items
    ]


def replace_items(conn: Connection, pks: Sequence[int], rows: Sequence[dict[str, Any]]) -> None:
    """Items are Amazon's to describe: a changed order's items are replaced whole."""
    if pks:
        conn.execute(delete(amazon_order_items).where(amazon_order_items.c.order_id.in_(list(pks))))
    if rows:
        conn.execute(insert(amazon_order_items), list(rows))


_UPDATE_KEYS = (
    "status",
    "import_state",
    "commerce_order_id",
    "commerce_increment_id",
    "reserved",
    "reservation_reference",
    "notes",
    "error_message",
    "updated_at",
    "completed_at",
    "sku_map",
)
_update_bookkeeping = (
    update(amazon_orders).where(amazon_orders.c.id == bindparam("_pk")).values({k: bindparam(k) for k in _UPDATE_KEYS})
)


def update_bookkeeping(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """One executemany for the whole page's status, import state, Commerce reference and notes."""
    if rows:
        conn.execute(_update_bookkeeping, list(rows))


def update_columns(conn: Connection, pk: int, values: Mapping[str, Any]) -> None:
    conn.execute(update(amazon_orders).where(amazon_orders.c.id == pk).values(**values))


def update_many(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Amazon's columns for orders Amazon changed (same key set in every row)."""
    if not rows:
        return
    keys = [k for k in rows[0] if k != "_pk"]
    stmt = update(amazon_orders).where(amazon_orders.c.id == bindparam("_pk")).values({k: bindparam(k) for k in keys})
    conn.execute(stmt, list(rows))


def insert_events(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """New history events, each seen once so far (its last-seen time is its own)."""
    if rows:
        conn.execute(insert(order_events), [{**r, "last_at": r["at"]} for r in rows])


_bump_last_event = (
    update(order_events)
    .where(
        order_events.c.id
        == select(func.max(order_events.c.id)).where(order_events.c.order_id == bindparam("_pk")).scalar_subquery(),
        order_events.c.kind == bindparam("_kind"),
        order_events.c.message == bindparam("_message"),
    )
    .values(count=order_events.c.count + 1, last_at=bindparam("_at"))
)


def bump_events(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """An outcome seen again unchanged counts on the order's last event (``_pk``, ``_kind``, ``_message``,
    ``_at``), so a blocked order re-checked every cycle keeps one line of history that says how often and how
    lately, instead of a copy per cycle. An order whose last event says something else is left alone."""
    if rows:
        conn.execute(_bump_last_event, list(rows))
