"""A second Commerce host, written as an outside team would from README.md and docs/hooks.md: its orders, stock and
shipments live in its own SQLite file, and every host service commits on its own, never inside the plugin's
transaction.

Switches reproduce what such a host does to the plugin in production:
- ``fail_after_commit`` / ``timeout_after_commit``: the next N order creations commit, then raise (RuntimeError /
  TimeoutError), as a host whose response is lost after its commit;
- ``kill_after_commit``: the process is killed (SIGKILL) right after an order commits, before the plugin commits;
- ``lose_shipment_hooks``: a shipment commits and ``commerce_shipment_created`` never fires (the host died).

``OwnDbHost`` answers the single-order services; ``BatchOwnDbHost`` adds the page-sized ``commerce_create_orders``.
"""

from __future__ import annotations

import os
import signal
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pluggy

from channel_plugin import hookimpl
from channel_plugin.domain.model import (
    CommerceOrderDraft,
    CommerceOrderRef,
    OrderStatusOption,
    Product,
    Shipment,
    ShipmentItem,
    StoreView,
)
from channel_plugin.errors import HostError

SCHEMA = """
CREATE TABLE IF NOT EXISTS products (sku TEXT PRIMARY KEY, name TEXT NOT NULL, enabled INTEGER NOT NULL,
    manage_stock INTEGER NOT NULL, qty INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS reservations (reference TEXT NOT NULL, sku TEXT NOT NULL, qty INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT);
CREATE TABLE IF NOT EXISTS orders (id INTEGER PRIMARY KEY, increment_id TEXT NOT NULL, external_reference TEXT,
    status TEXT NOT NULL, state TEXT NOT NULL, currency TEXT NOT NULL, grand_total TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS order_items (order_id INTEGER NOT NULL, sku TEXT NOT NULL, qty INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS shipments (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, carrier TEXT NOT NULL,
    tracking TEXT NOT NULL, shipped_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS shipment_items (shipment_id INTEGER NOT NULL, sku TEXT NOT NULL, qty INTEGER NOT NULL);
"""


@dataclass(frozen=True)
class HostOrder:
    id: str
    increment_id: str
    external_reference: str | None
    state: str
    items: dict[str, int]


class OwnDbHost:
    """The host services and a small admin surface, over the host's own SQLite file."""

    def __init__(self, path: Path, pm: pluggy.PluginManager, clock: Callable[[], datetime]) -> None:
        self.path = path
        self.pm = pm
        self.clock = clock
        self.fail_after_commit = 0
        self.timeout_after_commit = 0
        self.kill_after_commit = False
        self.lose_shipment_hooks = False
        self.created_calls = 0

    # --- the host's own storage --------------------------------------------------------------------------------

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One host transaction, committed (durably) before the caller gets an answer."""
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()

    def create_schema(self) -> None:
        conn = sqlite3.connect(self.path)
        conn.executescript(SCHEMA)
        conn.close()

    def register(self) -> None:
        self.pm.register(self, name="own_db_host")

    def run_cron(self, now: datetime | None = None) -> None:
        self.pm.hook.commerce_cron(now=now or self.clock())

    # --- admin actions: commit, then fire the lifecycle hook -----------------------------------------------------

    def add_product(
        self, sku: str, qty: int = 0, enabled: bool = True, manage_stock: bool = True, name: str | None = None
    ) -> None:
        with self._tx() as conn:
            conn.execute("INSERT INTO products VALUES (?, ?, ?, ?, ?)", (sku, name or sku, enabled, manage_stock, qty))
        self.pm.hook.commerce_product_saved(sku=sku)

    def set_stock(self, sku: str, qty: int) -> None:
        with self._tx() as conn:
            conn.execute("UPDATE products SET qty = ? WHERE sku = ?", (qty, sku))
        self.pm.hook.commerce_stock_changed(sku=sku)

    def ship(self, order_id: str, carrier: str, tracking: str, items: Mapping[str, int] | None = None) -> Shipment:
        """Ship ``items`` (all of the order when None); with ``lose_shipment_hooks`` the hook never fires."""
        now = self.clock()
        with self._tx() as conn:
            lines = items or dict(
                conn.execute("SELECT sku, qty FROM order_items WHERE order_id = ?", (int(order_id),)).fetchall()
            )
            shipment_id = conn.execute(
                "INSERT INTO shipments (order_id, carrier, tracking, shipped_at) VALUES (?, ?, ?, ?)",
                (int(order_id), carrier, tracking, now.isoformat()),
            ).lastrowid
            conn.executemany(
                "INSERT INTO shipment_items VALUES (?, ?, ?)", [(shipment_id, s, q) for s, q in lines.items()]
            )
        shipment = Shipment(
            id=str(shipment_id),
            carrier=carrier,
            tracking_number=tracking,
            items=tuple(ShipmentItem(s, q) for s, q in lines.items()),
            shipped_at=now,
        )
        if not self.lose_shipment_hooks:
            self.pm.hook.commerce_shipment_created(order_id=order_id, shipment=shipment)
        return shipment

    # --- reading -------------------------------------------------------------------------------------------------

    def orders(self) -> list[HostOrder]:
        conn = sqlite3.connect(self.path)
        try:
            rows = conn.execute("SELECT id, increment_id, external_reference, state FROM orders ORDER BY id").fetchall()
            items = conn.execute("SELECT order_id, sku, qty FROM order_items").fetchall()
        finally:
            conn.close()
        return [
            HostOrder(str(pk), inc, ref, state, {sku: qty for oid, sku, qty in items if oid == pk})
            for pk, inc, ref, state in rows
        ]

    def order(self, order_id: str) -> HostOrder | None:
        return next((o for o in self.orders() if o.id == order_id), None)

    def salable_qty(self, sku: str) -> int:
        with self._tx() as conn:
            qty = _salable(conn, sku)
        if qty is None:
            raise HostError(f"no product {sku}")
        return qty

    # --- host services -------------------------------------------------------------------------------------------

    @hookimpl
    def commerce_find_product(self, sku: str, store_view: str) -> Product | None:
        with self._tx() as conn:
            row = conn.execute("SELECT sku, name, enabled, manage_stock FROM products WHERE sku = ?", (sku,)).fetchone()
        return None if row is None else Product(row[0], row[1], bool(row[2]), bool(row[3]))

    @hookimpl
    def commerce_salable_qty(self, sku: str, store_view: str) -> int | None:
        with self._tx() as conn:
            return _salable(conn, sku)

    @hookimpl
    def commerce_reserve(self, sku: str, qty: int, reference: str) -> bool | None:
        with self._tx() as conn:
            salable = _salable(conn, sku)
            if salable is None or salable < qty:
                return False
            conn.execute("INSERT INTO reservations VALUES (?, ?, ?)", (reference, sku, qty))
        return True

    @hookimpl
    def commerce_release(self, reference: str) -> int | None:
        with self._tx() as conn:
            (units,) = conn.execute(
                "SELECT COALESCE(SUM(qty), 0) FROM reservations WHERE reference = ?", (reference,)
            ).fetchone()
            conn.execute("DELETE FROM reservations WHERE reference = ?", (reference,))
        return int(units)

    @hookimpl
    def commerce_find_or_create_customer(self, store_view: str, email: str, name: str | None) -> str | None:
        with self._tx() as conn:
            conn.execute("INSERT OR IGNORE INTO customers (email, name) VALUES (?, ?)", (email, name))
            (pk,) = conn.execute("SELECT id FROM customers WHERE email = ?", (email,)).fetchone()
        return str(pk)

    @hookimpl
    def commerce_create_order(self, draft: CommerceOrderDraft) -> CommerceOrderRef | None:
        with self._tx() as conn:
            ref = _insert_order(conn, draft)
        self._after_commit()
        return ref

    @hookimpl
    def commerce_find_orders(self, references: Sequence[str]) -> Mapping[str, CommerceOrderRef] | None:
        marks = ",".join("?" * len(references))
        with self._tx() as conn:
            rows = conn.execute(
                "SELECT external_reference, id, increment_id, status, state FROM orders "
                f"WHERE external_reference IN ({marks}) ORDER BY id",
                list(references),
            ).fetchall()
        found: dict[str, CommerceOrderRef] = {}
        for ref, pk, inc, status, state in rows:
            found.setdefault(ref, CommerceOrderRef(str(pk), inc, status, state))
        return found

    @hookimpl
    def commerce_order_shipments(self, order_ids: Sequence[str]) -> Mapping[str, Sequence[Shipment]] | None:
        marks = ",".join("?" * len(order_ids))
        with self._tx() as conn:
            shipments = conn.execute(
                f"SELECT id, order_id, carrier, tracking, shipped_at FROM shipments WHERE order_id IN ({marks})",
                [int(i) for i in order_ids],
            ).fetchall()
            lines = conn.execute("SELECT shipment_id, sku, qty FROM shipment_items").fetchall()
        found: dict[str, list[Shipment]] = {}
        for pk, order_id, carrier, tracking, shipped_at in shipments:
            items = tuple(ShipmentItem(sku, qty) for sid, sku, qty in lines if sid == pk)
            found.setdefault(str(order_id), []).append(
                Shipment(str(pk), carrier, tracking, items, datetime.fromisoformat(shipped_at))
            )
        return found

    @hookimpl
    def commerce_cancel_order(self, order_id: str) -> bool | None:
        with self._tx() as conn:
            for sku, qty in conn.execute("SELECT sku, qty FROM order_items WHERE order_id = ?", (int(order_id),)):
                conn.execute("UPDATE products SET qty = qty + ? WHERE sku = ? AND manage_stock", (qty, sku))
            conn.execute("UPDATE orders SET state = 'canceled', status = 'canceled' WHERE id = ?", (int(order_id),))
        return True

    @hookimpl
    def commerce_complete_order(self, order_id: str) -> bool | None:
        with self._tx() as conn:
            conn.execute("UPDATE orders SET state = 'complete', status = 'complete' WHERE id = ?", (int(order_id),))
        return True

    @hookimpl
    def commerce_order_statuses(self) -> Sequence[OrderStatusOption] | None:
        return [
            OrderStatusOption("processing", "Processing", "processing"),
            OrderStatusOption("complete", "Complete", "complete"),
            OrderStatusOption("canceled", "Canceled", "canceled"),
        ]

    @hookimpl
    def commerce_store_views(self) -> Sequence[StoreView] | None:
        return [StoreView("default", "Default Store View", "base", is_default=True)]

    def _after_commit(self) -> None:
        """The switches: what goes wrong between the host's commit and the plugin hearing the answer."""
        self.created_calls += 1
        if self.kill_after_commit:
            os.kill(os.getpid(), signal.SIGKILL)
        if self.fail_after_commit:
            self.fail_after_commit -= 1
            raise RuntimeError("connection reset after the order was committed")
        if self.timeout_after_commit:
            self.timeout_after_commit -= 1
            raise TimeoutError("the host answered too late; the order was committed")


class BatchOwnDbHost(OwnDbHost):
    """The same host with the page-sized services: one host transaction (and one answer) for the whole page."""

    @hookimpl
    def commerce_find_products(self, skus: Sequence[str], store_view: str) -> Mapping[str, Product] | None:
        found = {sku: self.commerce_find_product(sku, store_view) for sku in skus}
        return {sku: product for sku, product in found.items() if product is not None}

    @hookimpl
    def commerce_salable_qtys(self, skus: Sequence[str], store_view: str) -> Mapping[str, int] | None:
        with self._tx() as conn:
            found = {sku: _salable(conn, sku) for sku in skus}
        return {sku: qty for sku, qty in found.items() if qty is not None}

    @hookimpl
    def commerce_create_orders(self, drafts: Sequence[CommerceOrderDraft]) -> Sequence[CommerceOrderRef | HostError]:
        results: list[CommerceOrderRef | HostError] = []
        with self._tx() as conn:
            for draft in drafts:
                conn.execute("SAVEPOINT draft")
                try:
                    results.append(_insert_order(conn, draft))
                except HostError as refusal:
                    conn.execute("ROLLBACK TO draft")
                    results.append(refusal)
                conn.execute("RELEASE draft")
        self._after_commit()
        return results


def _salable(conn: sqlite3.Connection, sku: str) -> int | None:
    row = conn.execute("SELECT qty, manage_stock FROM products WHERE sku = ?", (sku,)).fetchone()
    if row is None:
        return None
    (reserved,) = conn.execute("SELECT COALESCE(SUM(qty), 0) FROM reservations WHERE sku = ?", (sku,)).fetchone()
    return int(row[0]) - int(reserved)


def _insert_order(conn: sqlite3.Connection, draft: CommerceOrderDraft) -> CommerceOrderRef:
    if draft.reservation_reference:
        conn.execute("DELETE FROM reservations WHERE reference = ?", (draft.reservation_reference,))
    for item in draft.items:
        row = conn.execute("SELECT qty, manage_stock FROM products WHERE sku = ?", (item.sku,)).fetchone()
        if row is None:
            raise HostError(f"no product {item.sku}")
        if draft.deduct_stock and row[1]:
            if row[0] < item.qty:
                raise HostError(f"{item.sku} is out of stock")
            conn.execute("UPDATE products SET qty = qty - ? WHERE sku = ?", (item.qty, item.sku))
    status = draft.status or "processing"
    pk = conn.execute(
        "INSERT INTO orders (increment_id, external_reference, status, state, currency, grand_total) "
        "VALUES ('', ?, ?, 'processing', ?, ?)",
        (draft.external_reference, status, draft.currency, str(Decimal(draft.grand_total))),
    ).lastrowid
    increment_id = draft.increment_id or f"OWN{pk:06d}"
    conn.execute("UPDATE orders SET increment_id = ? WHERE id = ?", (increment_id, pk))
    conn.executemany("INSERT INTO order_items VALUES (?, ?, ?)", [(pk, item.sku, item.qty) for item in draft.items])
    return CommerceOrderRef(str(pk), increment_id, status, "processing")
