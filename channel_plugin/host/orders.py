"""Commerce orders: created from the plugin's drafts, canceled and completed (reading them is order_reads).

Creation is the hot path (a benchmark pushes tens of thousands of orders through it), so a whole page of drafts
is created with a fixed handful of prebuilt, set-based statements however many drafts it holds: lock every
product the page needs, look up the explicit increment ids it uses, take the new order ids, insert the orders,
insert their items, take the converted reservations, and one batch of stock changes. Every draft is checked,
in page order and against what the drafts before it took, before the first write, so a refused draft leaves
nothing behind even if the caller chose to swallow its HostError.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Integer, String, TypeDecorator, bindparam, insert, literal_column, select, update
from sqlalchemy.types import NullType

from channel_plugin.domain.model import CommerceOrderDraft, CommerceOrderRef
from channel_plugin.errors import HostError
from channel_plugin.host import catalog
from channel_plugin.host.addresses import address_row, insert_addresses
from channel_plugin.host.customers import StoreViews
from channel_plugin.host.dialects import OrderIds, insert_or_ignore
from channel_plugin.host.order_reads import load_order, order_pk
from channel_plugin.host.schema import (
    CANCELED,
    COMPLETE,
    DEFAULT_STATUS,
    FINAL_STATES,
    PROCESSING,
    order_items,
    orders,
)
from channel_plugin.host.sealing import BuyerSeal
from channel_plugin.host.statuses import StatusRegistry
from channel_plugin.host.views import OrderView, ProductView

INCREMENT_ID_DIGITS = 9

# The default increment id: the order id zero-padded to nine digits, never truncated when it is longer.
_padded = f"{{:0{INCREMENT_ID_DIGITS}d}}".format

# Constants live in the statement rather than in every row's parameters: an executemany binds (and converts)
# each parameter of each row, which is most of what a page of orders costs in Python.
_INSERT_ITEMS = insert(order_items).values(qty_canceled=literal_column("0", Integer))
_USED_INCREMENT_IDS = select(orders.c.increment_id).where(
    orders.c.increment_id.in_(bindparam("increment_ids", expanding=True))
)
_EXISTING_ORDERS = select(orders.c.id).where(orders.c.id.in_(bindparam("ids", expanding=True)))
_SET_STATE = (
    update(orders)
    .where(orders.c.id == bindparam("b_id"))
    .values(state=bindparam("b_state"), status=bindparam("b_status"), updated_at=bindparam("b_now"))
)
_COMPLETE_OPEN = (
    update(orders)
    .where(orders.c.id == bindparam("b_id"), orders.c.state.not_in(sorted(FINAL_STATES)))
    .values(state=COMPLETE, status=bindparam("b_status"), updated_at=bindparam("b_now"))
)
_CANCEL_ITEMS = (
    update(order_items)
    .where(order_items.c.id == bindparam("b_id"))
    .values(qty_canceled=order_items.c.qty_canceled + bindparam("b_qty"))
)


class _Converted(TypeDecorator[Any]):
    """A parameter already converted by its column type's bind processor, bound as it is (no cast, no processor).

    An order's two timestamps are one value for the whole page: converting it once instead of twice per row
    is a tenth of what creating a page of orders costs on SQLite.
    """

    impl = NullType
    cache_ok = True


# index in the page, draft, status, customer primary key, units per SKU
_Plan = tuple[int, CommerceOrderDraft, str, int | None, dict[str, int]]


class Orders:
    def __init__(
        self,
        statuses: StatusRegistry,
        store_views: StoreViews,
        clock: Callable[[], datetime],
        seal: BuyerSeal,
        *,
        is_sqlite: bool,
    ) -> None:
        self._seal = seal
        self._statuses = statuses
        self._store_views = store_views
        self._clock = clock
        self._order_ids = OrderIds(is_sqlite=is_sqlite)
        # A duplicate increment id that slipped past the check (a concurrent importer, or a default increment
        # id equal to an explicit one) inserts nothing rather than aborting the caller's unit of work. No
        # RETURNING: a plain executemany is the cheapest way in, and its row count says whether all went in.
        self._insert_orders = (
            insert_or_ignore(orders, ["increment_id"], is_sqlite=is_sqlite)
            .values(
                state=literal_column(f"'{PROCESSING}'", String),
                created_at=bindparam("now", type_=_Converted()),
                updated_at=bindparam("now", type_=_Converted()),
            )
            .execution_options(preserve_rowcount=True)
        )  # psycopg's executemany row count is dropped without it
        self._convert_time: Callable[[Any], Any] | None = None

    def create(self, conn: Connection, draft: CommerceOrderDraft) -> CommerceOrderRef:
        """Create one order: ``create_many`` with one draft, raising its HostError when refused."""
        (result,) = self.create_many(conn, [draft])
        if isinstance(result, HostError):
            raise result
        return result

    def create_many(self, conn: Connection, drafts: Sequence[CommerceOrderDraft]) -> list[CommerceOrderRef | HostError]:
        """Create every acceptable draft; one entry per draft, in order: its order, or the HostError refusing it.

        The outcome is the one creating the drafts one by one in this order would give: a draft sees the stock
        the accepted drafts before it took and the increment ids they used, and a refused draft takes nothing.
        Each draft's reservation reference is released in the same step, so its reserved units become the order's
        own deduction and are never counted twice. Nothing here runs SQL per draft.
        """
        results: list[CommerceOrderRef | HostError | None] = [None] * len(drafts)
        candidates: list[tuple[int, CommerceOrderDraft, str, dict[str, int]]] = []
        skus: set[str] = set()
        explicit: set[str] = set()
        refused_statuses: dict[str, str | None] = {}  # a status the registry lacks is looked up once per call
        for index, draft in enumerate(drafts):
            status = draft.status or DEFAULT_STATUS[PROCESSING]
            try:
                if status not in refused_statuses:
                    refused_statuses[status] = self._opening_status_problem(conn, status)
                if (problem := refused_statuses[status]) is not None:
                    raise HostError(problem)
                self._store_views.website_of(draft.store_view)
                units = _units_by_sku(draft)
            except HostError as refusal:
                results[index] = refusal
                continue
            candidates.append((index, draft, status, units))
            skus.update(units)
            if draft.increment_id is not None:
                explicit.add(draft.increment_id)
        if not candidates:
            return results  # type: ignore[return-value]  # every entry is a refusal

        stock = catalog.lock_products(conn, skus)
        used: set[str] = set()
        if explicit:
            used.update(conn.execute(_USED_INCREMENT_IDS, {"increment_ids": sorted(explicit)}).scalars())
        # Stock left for the next draft, of the stock-managed products only.
        on_hand = {sku: product.qty for sku, product in stock.items() if product.manage_stock}
        accepted: list[_Plan] = []
        for index, draft, status, units in candidates:
            try:
                _check_sellable(units, stock, on_hand, deduct=draft.deduct_stock)
                customer_pk = _customer_pk(draft.customer_id)
                increment_id = draft.increment_id
                if increment_id is not None:
                    if increment_id in used:
                        raise _already_used(increment_id)
                    used.add(increment_id)
            except HostError as refusal:
                results[index] = refusal
                continue
            if draft.deduct_stock:
                for sku, qty in units.items():
                    if sku in on_hand:
                        on_hand[sku] -= qty
            accepted.append((index, draft, status, customer_pk, units))
        if accepted:
            sold = {sku: left - stock[sku].qty for sku, left in on_hand.items() if left != stock[sku].qty}
            self._write(conn, accepted, stock, sold, results)
        return results  # type: ignore[return-value]  # every entry is now a refusal or a created order

    def _sealed_buyer(self, draft: CommerceOrderDraft) -> str | None:
        if draft.customer_email is None and draft.customer_name is None:
            return None
        return self._seal.seal({"email": draft.customer_email, "name": draft.customer_name})

    def _write(
        self,
        conn: Connection,
        accepted: list[_Plan],
        stock: dict[str, ProductView],
        sold: dict[str, int],
        results: list[CommerceOrderRef | HostError | None],
    ) -> None:
        """Insert the accepted drafts' orders and items, take their reservations and deduct what they sold."""
        now = self._time_converter(conn)(self._clock())
        ids = self._order_ids.take(conn, len(accepted))
        increment_ids = []
        rows = []
        for order_id, (_, draft, status, customer_pk, _) in zip(ids, accepted, strict=True):
            increment_id = _padded(order_id) if draft.increment_id is None else draft.increment_id
            increment_ids.append(increment_id)
            rows.append(
                {
                    "id": order_id,
                    "increment_id": increment_id,
                    "store_view": draft.store_view,
                    "status": status,
                    "customer_id": customer_pk,
                    "buyer": self._sealed_buyer(draft),
                    "currency": draft.currency,
                    "grand_total": draft.grand_total,
                    "amazon_order_id": draft.amazon_order_id,
                    "external_reference": draft.external_reference,
                    "stock_deducted": draft.deduct_stock,
                    "now": now,
                }
            )
        all_in = conn.execute(self._insert_orders, rows).rowcount == len(rows)
        # Rare: an increment id was taken after the check (a concurrent importer, or a default increment id equal
        # to an explicit one); the ids are this call's own, so they tell which rows went in.
        inserted = set(ids) if all_in else set(conn.execute(_EXISTING_ORDERS, {"ids": ids}).scalars())

        items = []
        addresses = []
        references = set()
        for order_id, increment_id, (index, draft, status, _, units) in zip(ids, increment_ids, accepted, strict=True):
            if order_id not in inserted:
                results[index] = _already_used(increment_id)
                if draft.deduct_stock:
                    for sku, qty in units.items():
                        if sku in sold:
                            sold[sku] += qty
                continue
            results[index] = CommerceOrderRef(
                id=str(order_id), increment_id=increment_id, status=status, state=PROCESSING
            )
            for item in draft.items:
                items.append(
                    {
                        "order_id": order_id,
                        "sku": item.sku,
                        "name": item.name or stock[item.sku].name,
                        "qty": item.qty,
                        "qty_shipped": item.qty_shipped,
                        "unit_price": item.unit_price,
                    }
                )
            if draft.shipping_address is not None:
                addresses.append(address_row(order_id, draft.shipping_address, self._seal))
            if draft.reservation_reference:
                references.add(draft.reservation_reference)
        insert_addresses(conn, addresses)
        if not items:
            return
        conn.execute(_INSERT_ITEMS, items)
        released = catalog.take_many_reservations(conn, sorted(references))
        catalog.adjust(conn, qty_delta=sold, reserved_delta={sku: -qty for sku, qty in released.items()})

    def _time_converter(self, conn: Connection) -> Callable[[Any], Any]:
        """What binding a timestamp column does to a value on this connection's dialect, done once per page."""
        if self._convert_time is None:
            column_type = orders.c.created_at.type
            self._convert_time = column_type.dialect_impl(conn.dialect).bind_processor(conn.dialect) or (
                lambda value: value
            )
        return self._convert_time

    def cancel(self, conn: Connection, order_id: str) -> list[str] | None:
        """Cancel what has not shipped and put its stock back; None when the order was already canceled.

        :return: the SKUs whose stock went up, so an admin cancel can announce them.
        """
        order = load_order(conn, order_id, self._seal, lock=True)
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
        """One conditional UPDATE in the common case; the order is only read to explain a refusal."""
        pk = order_pk(order_id)
        if (
            pk is not None
            and conn.execute(
                _COMPLETE_OPEN, {"b_id": pk, "b_status": DEFAULT_STATUS[COMPLETE], "b_now": self._clock()}
            ).rowcount
            == 1
        ):
            return
        order = load_order(conn, order_id, self._seal, lock=True)
        if order.state == COMPLETE:
            return
        if order.state in FINAL_STATES:
            raise HostError(f"order {order.increment_id} is {order.state} and cannot be completed")
        self._set_state(conn, order, COMPLETE)

    def _opening_status_problem(self, conn: Connection, status: str) -> str | None:
        """Why a new order cannot start in ``status``, or None when it can."""
        state = self._statuses.state_of(conn, status)
        if state is None:
            return f"unknown order status {status}"
        if state in FINAL_STATES:
            return f"order status {status} belongs to the {state} state; a new order cannot start there"
        return None

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


def _units_by_sku(draft: CommerceOrderDraft) -> dict[str, int]:
    """Units per SKU: two Amazon lines may resolve to one catalog product; stock is checked per product."""
    if not draft.items:
        raise HostError("an order needs at least one item")
    units: dict[str, int] = {}
    for item in draft.items:
        if item.qty < 1 or not 0 <= item.qty_shipped <= item.qty:
            raise HostError(f"invalid quantities for {item.sku}: {item.qty} ordered, {item.qty_shipped} shipped")
        units[item.sku] = units.get(item.sku, 0) + item.qty
    return units


def _check_sellable(
    units: dict[str, int], stock: dict[str, ProductView], on_hand: dict[str, int], *, deduct: bool
) -> None:
    """``on_hand`` is what the accepted drafts before this one left of each stock-managed product."""
    problems = []
    for sku, qty in units.items():
        product = stock.get(sku)
        if product is None:
            problems.append(f"no product with SKU {sku}")
        elif not product.enabled:
            problems.append(f"product {sku} is disabled")
        elif deduct and product.manage_stock and on_hand[sku] < qty:
            problems.append(f"not enough stock for {sku}: {qty} ordered, {on_hand[sku]} on hand")
    if problems:
        raise HostError("; ".join(problems))


def _already_used(increment_id: str) -> HostError:
    return HostError(f"increment id {increment_id} is already used by another order")


def _customer_pk(customer_id: str | None) -> int | None:
    if customer_id is None:
        return None
    if not customer_id.isdigit():
        raise HostError(f"no customer {customer_id}")
    return int(customer_id)
