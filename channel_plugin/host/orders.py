"""Commerce orders: created from the plugin's draft, canceled and completed (reading them is order_reads).

Creation is the hot path (a benchmark pushes tens of thousands of orders through it), so it is a fixed handful
of prebuilt statements: lock and check the products, insert the order, insert its items, take the reservation,
and one batch of stock changes. Every check runs before the first write, so a HostError leaves nothing behind
even if the caller chose to swallow it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, String, bindparam, func, insert, select, true, update
from sqlalchemy.sql.dml import ReturningInsert

from channel_plugin.domain.model import CommerceOrderDraft, CommerceOrderRef
from channel_plugin.errors import HostError
from channel_plugin.host import catalog
from channel_plugin.host.customers import StoreViews
from channel_plugin.host.dialects import insert_or_ignore, next_order_id, zero_padded
from channel_plugin.host.order_reads import load_order
from channel_plugin.host.schema import (
    CANCELED,
    COMPLETE,
    DEFAULT_STATUS,
    FINAL_STATES,
    PROCESSING,
    order_items,
    orders,
)
from channel_plugin.host.statuses import StatusRegistry
from channel_plugin.host.views import OrderView, ProductView

INCREMENT_ID_DIGITS = 9

_INSERT_ITEMS = insert(order_items)
_SET_STATE = (
    update(orders)
    .where(orders.c.id == bindparam("b_id"))
    .values(state=bindparam("b_state"), status=bindparam("b_status"), updated_at=bindparam("b_now"))
)
_CANCEL_ITEMS = (
    update(order_items)
    .where(order_items.c.id == bindparam("b_id"))
    .values(qty_canceled=order_items.c.qty_canceled + bindparam("b_qty"))
)
_DRAFT_FIELDS = (
    "store_view",
    "state",
    "status",
    "customer_id",
    "customer_email",
    "customer_name",
    "currency",
    "grand_total",
    "amazon_order_id",
    "stock_deducted",
    "created_at",
    "updated_at",
)


class Orders:
    def __init__(
        self,
        statuses: StatusRegistry,
        store_views: StoreViews,
        clock: Callable[[], datetime],
        *,
        is_sqlite: bool,
    ) -> None:
        self._statuses = statuses
        self._store_views = store_views
        self._clock = clock
        self._insert_order = _order_insert(is_sqlite=is_sqlite)

    def create(self, conn: Connection, draft: CommerceOrderDraft) -> CommerceOrderRef:
        """Create the order; a reservation reference's reserved units become this order's own deduction."""
        status = draft.status or DEFAULT_STATUS[PROCESSING]
        self._check_opening_status(conn, status)
        self._store_views.website_of(draft.store_view)
        wanted = _units_by_sku(draft)
        stock = catalog.lock_products(conn, wanted)
        _check_sellable(wanted, stock, deduct=draft.deduct_stock)

        now = self._clock()
        row = conn.execute(
            self._insert_order,
            {
                "increment_id": draft.increment_id,
                "store_view": draft.store_view,
                "state": PROCESSING,
                "status": status,
                "customer_id": _customer_pk(draft.customer_id),
                "customer_email": draft.customer_email,
                "customer_name": draft.customer_name,
                "currency": draft.currency,
                "grand_total": draft.grand_total,
                "amazon_order_id": draft.amazon_order_id,
                "stock_deducted": draft.deduct_stock,
                "created_at": now,
                "updated_at": now,
            },
        ).first()
        if row is None:
            raise HostError(f"increment id {draft.increment_id} is already used by another order")
        order_id, increment_id = row
        conn.execute(
            _INSERT_ITEMS,
            [
                {
                    "order_id": order_id,
                    "sku": item.sku,
                    "name": item.name or stock[item.sku].name,
                    "qty": item.qty,
                    "qty_shipped": item.qty_shipped,
                    "qty_canceled": 0,
                    "unit_price": item.unit_price,
                }
                for item in draft.items
            ],
        )
        released = (
            catalog.take_reservations(conn, draft.reservation_reference)
            if draft.reservation_reference
            else {}
        )
        sold = {sku: -qty for sku, qty in wanted.items() if draft.deduct_stock and stock[sku].manage_stock}
        catalog.adjust(conn, qty_delta=sold, reserved_delta={sku: -qty for sku, qty in released.items()})
        return CommerceOrderRef(id=str(order_id), increment_id=increment_id, status=status, state=PROCESSING)

    def cancel(self, conn: Connection, order_id: str) -> list[str] | None:
        """Cancel what has not shipped and put its stock back; None when the order was already canceled.

        :return: the SKUs whose stock went up, so an admin cancel can announce them.
        """
        order = load_order(conn, order_id, lock=True)
        if order.state == CANCELED:
            return None
        if order.state in FINAL_STATES:
            raise HostError(f"order {order.increment_id} is {order.state} and cannot be canceled")
        open_items = [item for item in order.items if item.qty_to_ship > 0]
        if not open_items:
            raise HostError(f"order {order.increment_id} is fully shipped and cannot be canceled")
        conn.execute(_CANCEL_ITEMS, [{"b_id": item.id, "b_qty": item.qty_to_ship} for item in open_items])
        restock: Counter[str] = Counter()
        if order.stock_deducted:
            for item in open_items:
                restock[item.sku] += item.qty_to_ship
            managed = catalog.lock_products(conn, restock)
            restock = Counter(
                {sku: qty for sku, qty in restock.items() if sku in managed and managed[sku].manage_stock}
            )
            catalog.adjust(conn, qty_delta=restock)
        self._set_state(conn, order, CANCELED)
        return sorted(restock)

    def complete(self, conn: Connection, order_id: str) -> None:
        order = load_order(conn, order_id, lock=True)
        if order.state == COMPLETE:
            return
        if order.state in FINAL_STATES:
            raise HostError(f"order {order.increment_id} is {order.state} and cannot be completed")
        self._set_state(conn, order, COMPLETE)

    def _check_opening_status(self, conn: Connection, status: str) -> None:
        state = self._statuses.state_of(conn, status)
        if state is None:
            raise HostError(f"unknown order status {status}")
        if state in FINAL_STATES:
            raise HostError(
                f"order status {status} belongs to the {state} state; a new order cannot start there"
            )

    def _set_state(self, conn: Connection, order: OrderView, state: str) -> None:
        conn.execute(
            _SET_STATE,
            {
                "b_id": int(order.id),
                "b_state": state,
                "b_status": DEFAULT_STATUS[state],
                "b_now": self._clock(),
            },
        )


def _order_insert(*, is_sqlite: bool) -> ReturningInsert[*tuple[Any, ...]]:
    """INSERT ... SELECT that allocates the id and derives the default increment id from it in one statement.

    A duplicate increment id (the AMAZON order number setting) inserts nothing, which ``create`` turns into a
    HostError instead of an IntegrityError that would abort the caller's transaction on PostgreSQL.
    """
    allocated = select(next_order_id(is_sqlite=is_sqlite).label("id")).subquery("allocated")
    increment_id = func.coalesce(
        bindparam("increment_id", type_=String),
        zero_padded(allocated.c.id, INCREMENT_ID_DIGITS, is_sqlite=is_sqlite),
    )
    values = select(
        allocated.c.id,
        increment_id,
        *(bindparam(name, type_=orders.c[name].type) for name in _DRAFT_FIELDS),
    ).where(true())  # SQLite needs a WHERE to tell the upsert's ON from a join's ON after INSERT ... SELECT
    return (
        insert_or_ignore(orders, ["increment_id"], is_sqlite=is_sqlite)
        .from_select(["id", "increment_id", *_DRAFT_FIELDS], values)
        .returning(orders.c.id, orders.c.increment_id)
    )


def _units_by_sku(draft: CommerceOrderDraft) -> Counter[str]:
    """Units per SKU: two Amazon lines may resolve to one catalog product; stock is checked per product."""
    if not draft.items:
        raise HostError("an order needs at least one item")
    units: Counter[str] = Counter()
    for item in draft.items:
        if item.qty < 1 or not 0 <= item.qty_shipped <= item.qty:
            raise HostError(
                f"invalid quantities for {item.sku}: {item.qty} ordered, {item.qty_shipped} shipped"
            )
        units[item.sku] += item.qty
    return units


def _check_sellable(wanted: Mapping[str, int], stock: Mapping[str, ProductView], *, deduct: bool) -> None:
    problems = []
    for sku, qty in wanted.items():
        product = stock.get(sku)
        if product is None:
            problems.append(f"no product with SKU {sku}")
        elif not product.enabled:
            problems.append(f"product {sku} is disabled")
        elif deduct and product.manage_stock and product.qty < qty:
            problems.append(f"not enough stock for {sku}: {qty} ordered, {product.qty} on hand")
    if problems:
        raise HostError("; ".join(problems))


def _customer_pk(customer_id: str | None) -> int | None:
    if customer_id is None:
        return None
    if not customer_id.isdigit():
        raise HostError(f"no customer {customer_id}")
    return int(customer_id)
