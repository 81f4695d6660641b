"""Orders read back with their items: for the admin views, and for actions that look before they change."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, Row, bindparam, select

from channel_plugin.domain.model import Address
from channel_plugin.errors import HostError
from channel_plugin.host.addresses import find_address, find_addresses
from channel_plugin.host.schema import order_items, orders
from channel_plugin.host.sealing import BuyerSeal
from channel_plugin.host.views import OrderItemView, OrderView

_ORDER = select(orders).where(orders.c.id == bindparam("id"))
_LOCKED_ORDER = _ORDER.with_for_update()
_ALL_ORDERS = select(orders).order_by(orders.c.id)
_ITEMS = select(order_items).where(order_items.c.order_id == bindparam("order_id")).order_by(order_items.c.id)
_ALL_ITEMS = select(order_items).order_by(order_items.c.order_id, order_items.c.id)


def find_order(conn: Connection, order_id: str, seal: BuyerSeal, *, lock: bool = False) -> OrderView | None:
    """The order with its items, locked until the unit of work ends when ``lock``."""
    pk = order_pk(order_id)
    row = None if pk is None else conn.execute(_LOCKED_ORDER if lock else _ORDER, {"id": pk}).first()
    if row is None:
        return None
    items = tuple(_item_view(item) for item in conn.execute(_ITEMS, {"order_id": pk}))
    return _order_view(row, items, find_address(conn, row.id, seal), seal)


def load_order(conn: Connection, order_id: str, seal: BuyerSeal, *, lock: bool = False) -> OrderView:
    """``find_order`` for actions on an order, which refuse an unknown id with a HostError."""
    order = find_order(conn, order_id, seal, lock=lock)
    if order is None:
        raise HostError(f"no Commerce order {order_id}")
    return order


def all_orders(conn: Connection, seal: BuyerSeal) -> list[OrderView]:
    items: defaultdict[int, list[OrderItemView]] = defaultdict(list)
    for item in conn.execute(_ALL_ITEMS):
        items[item.order_id].append(_item_view(item))
    rows = conn.execute(_ALL_ORDERS).all()
    addresses = find_addresses(conn, [row.id for row in rows], seal)
    return [_order_view(row, tuple(items[row.id]), addresses.get(row.id), seal) for row in rows]


def order_pk(order_id: str) -> int | None:
    return int(order_id) if order_id.isdigit() else None


def _item_view(row: Row[*tuple[Any, ...]]) -> OrderItemView:
    return OrderItemView(
        id=row.id,
        sku=row.sku,
        name=row.name,
        qty=row.qty,
        qty_shipped=row.qty_shipped,
        qty_canceled=row.qty_canceled,
        unit_price=row.unit_price,
    )


def _order_view(
    row: Row[*tuple[Any, ...]], items: tuple[OrderItemView, ...], address: Address | None, seal: BuyerSeal
) -> OrderView:
    buyer = seal.open(row.buyer)
    return OrderView(
        id=str(row.id),
        increment_id=row.increment_id,
        store_view=row.store_view,
        state=row.state,
        status=row.status,
        customer_id=None if row.customer_id is None else str(row.customer_id),
        customer_email=buyer.get("email"),
        customer_name=buyer.get("name"),
        currency=row.currency,
        grand_total=row.grand_total,
        amazon_order_id=row.amazon_order_id,
        stock_deducted=row.stock_deducted,
        created_at=row.created_at,
        updated_at=row.updated_at,
        items=items,
        shipping_address=address,
    )
