"""Products, stock on hand and reservations.

Every function takes the caller's connection: the caller (a host service or an admin action) owns the unit
of work, so a reservation or a deduction commits or rolls back with whatever asked for it. Statements are
built once at import; a call only binds parameters.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, Row, bindparam, delete, insert, or_, select, update

from channel_plugin.errors import HostError
from channel_plugin.host.schema import products, reservations
from channel_plugin.host.views import ProductView

_COLUMNS = (
    products.c.sku,
    products.c.name,
    products.c.enabled,
    products.c.manage_stock,
    products.c.qty,
    products.c.reserved,
)
_FIND = select(*_COLUMNS).where(products.c.sku == bindparam("sku"))
_FIND_MANY = select(*_COLUMNS).where(products.c.sku.in_(bindparam("skus", expanding=True)))
_SALABLE = select(products.c.qty - products.c.reserved).where(products.c.sku == bindparam("sku"))
# SQLite renders no FOR UPDATE; there BEGIN IMMEDIATE has already serialised every writer.
_SALABLE_LOCKED = _SALABLE.with_for_update()
_SALABLE_MANY_LOCKED = (
    select(products.c.sku, products.c.qty - products.c.reserved)
    .where(products.c.sku.in_(bindparam("skus", expanding=True)))
    .order_by(products.c.sku)
    .with_for_update()
)
# Sorted so that two transactions locking overlapping SKUs take the locks in one order and cannot deadlock.
_LOCK_MANY = (
    select(*_COLUMNS)
    .where(products.c.sku.in_(bindparam("skus", expanding=True)))
    .order_by(products.c.sku)
    .with_for_update()
)
_INSERT = insert(products)
_SET_STOCK = update(products).where(products.c.sku == bindparam("b_sku")).values(qty=bindparam("b_qty"))
_SET_ENABLED = update(products).where(products.c.sku == bindparam("b_sku")).values(enabled=bindparam("b_enabled"))
_ADJUST = (
    update(products)
    .where(products.c.sku == bindparam("b_sku"))
    .values(qty=products.c.qty + bindparam("b_qty"), reserved=products.c.reserved + bindparam("b_reserved"))
)
# The salable check and the increment are one statement, so no other writer can slip in between them.
_RESERVE = (
    update(products)
    .where(
        products.c.sku == bindparam("b_sku"),
        or_(~products.c.manage_stock, products.c.qty - products.c.reserved >= bindparam("b_qty")),
    )
    .values(reserved=products.c.reserved + bindparam("b_qty"))
)
_INSERT_RESERVATION = insert(reservations)
_TAKE_RESERVATIONS = (
    delete(reservations)
    .where(reservations.c.reference == bindparam("reference"))
    .returning(reservations.c.sku, reservations.c.qty)
)
_TAKE_MANY_RESERVATIONS = (
    delete(reservations)
    .where(reservations.c.reference.in_(bindparam("references", expanding=True)))
    .returning(reservations.c.sku, reservations.c.qty)
)


def find(conn: Connection, sku: str) -> ProductView | None:
    row = conn.execute(_FIND, {"sku": sku}).first()
    return None if row is None else _view(row)


def find_many(conn: Connection, skus: Iterable[str]) -> dict[str, ProductView]:
    """The named products in one statement; unknown SKUs are simply absent."""
    wanted = list(skus)
    if not wanted:
        return {}
    return {row[0]: _view(row) for row in conn.execute(_FIND_MANY, {"skus": wanted}).all()}


def salable(conn: Connection, sku: str, *, lock: bool) -> int | None:
    """Stock on hand less open reservations, or None for an unknown SKU.

    With ``lock`` the row stays locked (PostgreSQL) until the caller's unit of work ends, so what the caller
    decides from this number still holds when it writes.
    """
    value = conn.execute(_SALABLE_LOCKED if lock else _SALABLE, {"sku": sku}).scalar()
    return None if value is None else max(0, int(value))


def salable_many_locked(conn: Connection, skus: Iterable[str]) -> dict[str, int]:
    """``salable`` with ``lock`` for many SKUs in one statement, locked in SKU order; unknown SKUs are absent."""
    wanted = sorted(set(skus))
    if not wanted:
        return {}
    rows = conn.execute(_SALABLE_MANY_LOCKED, {"skus": wanted}).all()
    return {sku: max(0, int(value)) for sku, value in rows}


def lock_products(conn: Connection, skus: Iterable[str]) -> dict[str, ProductView]:
    """The named products, locked until the unit of work ends; unknown SKUs are simply absent."""
    wanted = sorted(set(skus))
    if not wanted:
        return {}
    return {row[0]: _view(row) for row in conn.execute(_LOCK_MANY, {"skus": wanted}).all()}


def add(conn: Connection, *, sku: str, name: str, qty: int, enabled: bool, manage_stock: bool) -> None:
    if qty < 0:
        raise HostError(f"stock for {sku} cannot be negative ({qty})")
    if find(conn, sku) is not None:
        raise HostError(f"a product with SKU {sku} already exists")
    conn.execute(
        _INSERT,
        {
            "sku": sku,
            "name": name,
            "qty": qty,
            "reserved": 0,
            "enabled": enabled,
            "manage_stock": manage_stock,
        },
    )


def set_stock(conn: Connection, sku: str, qty: int) -> None:
    """Set stock on hand; it may go below what is reserved, which only makes the product unsalable."""
    if qty < 0:
        raise HostError(f"stock for {sku} cannot be negative ({qty})")
    _require_one_row(conn.execute(_SET_STOCK, {"b_sku": sku, "b_qty": qty}).rowcount, sku)


def set_enabled(conn: Connection, sku: str, enabled: bool) -> None:
    _require_one_row(conn.execute(_SET_ENABLED, {"b_sku": sku, "b_enabled": enabled}).rowcount, sku)


def reserve(conn: Connection, sku: str, qty: int, reference: str) -> bool:
    """Reserve only what is salable, so reservations never exceed stock for a stock-managed product."""
    if qty < 1:
        raise HostError(f"cannot reserve {qty} units of {sku}")
    if conn.execute(_RESERVE, {"b_sku": sku, "b_qty": qty}).rowcount != 1:
        return False
    conn.execute(_INSERT_RESERVATION, {"reference": reference, "sku": sku, "qty": qty})
    return True


def take_reservations(conn: Connection, reference: str) -> Counter[str]:
    """Delete the reference's reservations and return units per SKU; the caller must then lower ``reserved``.

    Split from ``release`` so that order creation can fold the lowering into its own stock deduction batch.
    """
    taken: Counter[str] = Counter()
    for sku, qty in conn.execute(_TAKE_RESERVATIONS, {"reference": reference}):
        taken[sku] += qty
    return taken


def take_many_reservations(conn: Connection, references: Iterable[str]) -> Counter[str]:
    """``take_reservations`` for several references in one statement: units per SKU over all of them."""
    taken: Counter[str] = Counter()
    wanted = list(references)
    if wanted:
        for sku, qty in conn.execute(_TAKE_MANY_RESERVATIONS, {"references": wanted}):
            taken[sku] += qty
    return taken


def release(conn: Connection, reference: str) -> int:
    taken = take_reservations(conn, reference)
    adjust(conn, reserved_delta={sku: -qty for sku, qty in taken.items()})
    return sum(taken.values())


def adjust(
    conn: Connection,
    *,
    qty_delta: Mapping[str, int] | None = None,
    reserved_delta: Mapping[str, int] | None = None,
) -> None:
    """Apply stock and reservation changes to several products in one batch."""
    qty_delta = qty_delta or {}
    reserved_delta = reserved_delta or {}
    params = [
        {"b_sku": sku, "b_qty": qty_delta.get(sku, 0), "b_reserved": reserved_delta.get(sku, 0)}
        for sku in sorted(qty_delta.keys() | reserved_delta.keys())
    ]
    if params:
        conn.execute(_ADJUST, params)


def _require_one_row(rowcount: int, sku: str) -> None:
    if rowcount != 1:
        raise HostError(f"no product with SKU {sku}")


def _view(row: Row[*tuple[Any, ...]]) -> ProductView:
    """``row`` holds ``_COLUMNS``, which are ProductView's fields in order."""
    return ProductView(*row)
