"""The reference host against its contract, on a SQLite file and on a fresh PostgreSQL database."""

from __future__ import annotations

import inspect
import os
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pluggy
import pytest
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from channel_plugin import hookspecs
from channel_plugin.domain.model import CommerceOrderDraft, CommerceOrderRef, DraftItem, Shipment, StoreView
from channel_plugin.errors import HostError
from channel_plugin.hookspecs import hookimpl
from channel_plugin.host import ReferenceHost
from channel_plugin.host.schema import SEED_STATUSES, metadata, products
from channel_plugin.storage.db import Database

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
STORE_VIEWS = [
    StoreView("default", "Default Store View", "base", True),
    StoreView("fr", "French Store View", "base", False),
    StoreView("eu", "EU Store View", "eu", True),
]


# --- fixtures -----------------------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'host.db'}")
        yield database
        metadata.drop_all(database.engine)
        database.dispose()
        return
    with fresh_postgres_database() as url:
        database = Database(url)
        yield database
        metadata.drop_all(database.engine)
        database.dispose()


@pytest.fixture
def pm() -> pluggy.PluginManager:
    manager = pluggy.PluginManager("commerce")
    manager.add_hookspecs(hookspecs)
    return manager


@dataclass
class Clock:
    current: datetime = START

    def __call__(self) -> datetime:
        return self.current


@pytest.fixture
def host(db: Database, pm: pluggy.PluginManager) -> ReferenceHost:
    reference = ReferenceHost(
        db, pm, clock=Clock(), store_views=STORE_VIEWS, config={"channel_plugin.x": "1"}
    )
    reference.create_schema()
    reference.register()
    return reference


@dataclass
class Recorder:
    """A throwaway plugin: records every lifecycle hook, with what a fresh connection saw at that moment."""

    db: Database
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    committed_qty: dict[str, int] = field(default_factory=dict)
    inside_transaction: list[bool] = field(default_factory=list)

    def _record(self, name: str, **kwargs: Any) -> None:
        self.calls.append((name, kwargs))
        self.inside_transaction.append(self.db.current() is not None)

    def _see_committed(self, sku: str) -> None:
        with self.db.engine.connect() as conn:
            self.committed_qty[sku] = conn.execute(
                select(products.c.qty).where(products.c.sku == sku)
            ).scalar_one()

    @hookimpl
    def commerce_startup(self, host: Any) -> None:
        self._record("startup", host=host)

    @hookimpl
    def commerce_cron(self, now: datetime) -> None:
        self._record("cron", now=now)

    @hookimpl
    def commerce_product_saved(self, sku: str) -> None:
        self._record("product_saved", sku=sku)
        self._see_committed(sku)

    @hookimpl
    def commerce_stock_changed(self, sku: str) -> None:
        self._record("stock_changed", sku=sku)
        self._see_committed(sku)

    @hookimpl
    def commerce_shipment_created(self, order_id: str, shipment: Shipment) -> None:
        self._record("shipment_created", order_id=order_id, shipment=shipment)

    @hookimpl
    def commerce_order_canceled(self, order_id: str) -> None:
        self._record("order_canceled", order_id=order_id)


@pytest.fixture
def recorder(db: Database, pm: pluggy.PluginManager) -> Recorder:
    plugin = Recorder(db)
    pm.register(plugin)
    return plugin


# --- helpers ------------------------------------------------------------------------------------------------


def draft(*lines: tuple[str, int], **overrides: Any) -> CommerceOrderDraft:
    items = [
        DraftItem(
            sku=sku,
            name=f"Product {sku}",
            qty=qty,
            unit_price=Decimal("9.90"),
            seller_sku=sku,
            order_item_id=sku,
        )
        for sku, qty in lines
    ]
    values: dict[str, Any] = {
        "amazon_order_id": "111-0000000-0000001",
        "store_view": "default",
        "currency": "EUR",
        "grand_total": Decimal("9.90") * sum(qty for _, qty in lines),
        "items": items,
    }
    values.update(overrides)
    return CommerceOrderDraft(**values)


def create(pm: pluggy.PluginManager, *lines: tuple[str, int], **overrides: Any) -> CommerceOrderRef:
    ref: CommerceOrderRef = pm.hook.commerce_create_order(draft=draft(*lines, **overrides))
    return ref


def count_statements(db: Database, action: Callable[[], object]) -> int:
    """Statements ``action`` executes, inside an already open transaction so BEGIN is not counted."""
    executed: list[str] = []

    def _count(*args: Any) -> None:
        executed.append(args[2])

    with db.transaction():
        event.listen(db.engine, "before_cursor_execute", _count)
        try:
            action()
        finally:
            event.remove(db.engine, "before_cursor_execute", _count)
    return len(executed)


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """The URL of a new, empty database, dropped afterwards; skips (fails under CI=true) without a server."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    name = f"hosttest_{secrets.token_hex(6)}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except OperationalError as exc:
        admin.dispose()
        reason = f"no PostgreSQL answers at {PG_ADMIN_URL}: {exc.orig}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        print(reason)
        pytest.skip(reason)
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


# --- wiring -------------------------------------------------------------------------------------------------


def test_every_host_service_is_implemented_with_the_spec_argument_names(
    host: ReferenceHost, pm: pluggy.PluginManager
) -> None:
    specs = [
        name for name, _ in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("commerce_")
    ]
    services = [getattr(pm.hook, name) for name in specs if getattr(pm.hook, name).spec.opts["firstresult"]]
    assert len(services) == 10
    for caller in services:
        (impl,) = caller.get_hookimpls()
        assert impl.plugin_name == "reference_host"
        assert impl.argnames == caller.spec.argnames


def test_start_and_cron_fire_with_the_host_and_its_time(host: ReferenceHost, recorder: Recorder) -> None:
    host.start()
    host.run_cron()
    host.run_cron(START + timedelta(minutes=5))
    assert recorder.calls == [
        ("startup", {"host": host}),
        ("cron", {"now": START}),
        ("cron", {"now": START + timedelta(minutes=5)}),
    ]
    assert host.config == {"channel_plugin.x": "1"}


def test_store_views_and_seeded_statuses(host: ReferenceHost, pm: pluggy.PluginManager) -> None:
    assert list(pm.hook.commerce_store_views()) == STORE_VIEWS
    host.create_schema()  # idempotent: the seeds are not inserted twice
    statuses = {option.code: option for option in pm.hook.commerce_order_statuses()}
    assert statuses == {option.code: option for option in SEED_STATUSES}
    assert statuses["ready_to_ship"].label == "Ready to ship"
    assert statuses["holded"].state == "holded"


def test_default_store_views(db: Database, pm: pluggy.PluginManager) -> None:
    views = ReferenceHost(db, pm).store_views
    assert [(view.code, view.website, view.is_default) for view in views] == [
        ("default", "base", True),
        ("fr", "base", False),
    ]


# --- catalog, stock and reservations ------------------------------------------------------------------------


def test_product_stock_and_reservation_arithmetic(host: ReferenceHost, pm: pluggy.PluginManager) -> None:
    host.add_product("A", qty=10, name="Alpha")
    product = pm.hook.commerce_find_product(sku="A", store_view="default")
    assert (product.sku, product.name, product.enabled, product.manage_stock) == ("A", "Alpha", True, True)
    assert pm.hook.commerce_find_product(sku="nope", store_view="default") is None
    assert pm.hook.commerce_salable_qty(sku="nope", store_view="default") is None

    assert pm.hook.commerce_reserve(sku="A", qty=3, reference="r1") is True
    assert pm.hook.commerce_reserve(sku="A", qty=2, reference="r1") is True
    assert pm.hook.commerce_reserve(sku="A", qty=1, reference="r2") is True
    assert pm.hook.commerce_salable_qty(sku="A", store_view="default") == 4
    view = host.product("A")
    assert view is not None and (view.qty, view.reserved, view.salable_qty) == (10, 6, 4)

    assert pm.hook.commerce_release(reference="r1") == 5
    assert pm.hook.commerce_release(reference="r1") == 0  # unknown or spent references are not an error
    assert host.salable_qty("A") == 9
    host.set_stock("A", 0)  # below what is reserved: unsalable, never negative
    assert host.salable_qty("A") == 0
    assert pm.hook.commerce_release(reference="r2") == 1
    assert host.salable_qty("A") == 0
    with pytest.raises(HostError, match="no product with SKU nope"):
        host.salable_qty("nope")


def test_reserve_refuses_beyond_salable_stock(host: ReferenceHost, pm: pluggy.PluginManager) -> None:
    host.add_product("A", qty=5)
    host.add_product("FREE", qty=0, manage_stock=False)
    assert pm.hook.commerce_reserve(sku="A", qty=6, reference="r1") is False
    assert pm.hook.commerce_reserve(sku="A", qty=5, reference="r1") is True
    assert pm.hook.commerce_reserve(sku="A", qty=1, reference="r2") is False
    assert pm.hook.commerce_reserve(sku="nope", qty=1, reference="r2") is False
    assert pm.hook.commerce_reserve(sku="FREE", qty=100, reference="r2") is True
    assert host.salable_qty("A") == 0
    assert pm.hook.commerce_release(reference="r1") == 5


def test_admin_catalog_refusals(host: ReferenceHost) -> None:
    host.add_product("A")
    with pytest.raises(HostError, match="already exists"):
        host.add_product("A")
    with pytest.raises(HostError, match="no product with SKU B"):
        host.set_stock("B", 1)
    with pytest.raises(HostError, match="no product with SKU B"):
        host.set_enabled("B", False)
    with pytest.raises(HostError, match="negative"):
        host.set_stock("A", -1)


# --- order creation -----------------------------------------------------------------------------------------


def test_create_order_deducts_stock(host: ReferenceHost, pm: pluggy.PluginManager) -> None:
    host.add_product("A", qty=10)
    host.add_product("FREE", qty=0, manage_stock=False)
    ref = create(pm, ("A", 2), ("FREE", 3), customer_email="buyer@example.com", customer_name="Ann Buyer")
    assert ref == CommerceOrderRef(
        id=ref.id, increment_id="000000001", status="processing", state="processing"
    )
    assert host.salable_qty("A") == 8
    assert host.salable_qty("FREE") == 0
    order = host.order(ref.id)
    assert order is not None
    assert (order.state, order.status, order.store_view, order.currency) == (
        "processing",
        "processing",
        "default",
        "EUR",
    )
    assert (order.customer_id, order.customer_email, order.customer_name) == (
        None,
        "buyer@example.com",
        "Ann Buyer",
    )
    assert order.grand_total == Decimal("49.50")
    assert order.amazon_order_id == "111-0000000-0000001"
    assert [(item.sku, item.qty, item.qty_shipped, item.name) for item in order.items] == [
        ("A", 2, 0, "Product A"),
        ("FREE", 3, 0, "Product FREE"),
    ]
    assert order.items[0].unit_price == Decimal("9.90")
    assert create(pm, ("A", 1)).increment_id == "000000002"
    assert [o.increment_id for o in host.orders()] == ["000000001", "000000002"]
    assert host.order("999") is None
    assert host.order("not-a-number") is None


def test_a_reservation_becomes_the_order_deduction_never_counted_twice(
    host: ReferenceHost, pm: pluggy.PluginManager
) -> None:
    host.add_product("A", qty=10)
    host.add_product("B", qty=4)
    assert pm.hook.commerce_reserve(sku="A", qty=3, reference="amazon:1:111")
    assert pm.hook.commerce_reserve(sku="B", qty=1, reference="amazon:1:111")
    assert pm.hook.commerce_reserve(sku="A", qty=2, reference="amazon:1:other")
    assert host.salable_qty("A") == 5

    create(pm, ("A", 3), ("B", 1), reservation_reference="amazon:1:111")

    a, b = host.product("A"), host.product("B")
    assert a is not None and (a.qty, a.reserved, a.salable_qty) == (7, 2, 5)
    assert b is not None and (b.qty, b.reserved, b.salable_qty) == (3, 0, 3)
    assert pm.hook.commerce_release(reference="amazon:1:111") == 0
    assert pm.hook.commerce_release(reference="amazon:1:other") == 2
    assert host.salable_qty("A") == 7


def test_without_stock_deduction_only_the_reservation_goes(
    host: ReferenceHost, pm: pluggy.PluginManager
) -> None:
    host.add_product("A", qty=1)
    assert pm.hook.commerce_reserve(sku="A", qty=1, reference="r")
    ref = create(pm, ("A", 5), deduct_stock=False, reservation_reference="r")
    view = host.product("A")
    assert view is not None and (view.qty, view.reserved) == (1, 0)
    pm.hook.commerce_cancel_order(order_id=ref.id)
    view = host.product("A")
    assert view is not None and view.qty == 1  # nothing was taken, so nothing comes back


def test_create_order_refusals_leave_nothing_behind(host: ReferenceHost, pm: pluggy.PluginManager) -> None:
    host.add_product("A", qty=2)
    host.add_product("OFF", qty=5, enabled=False)
    assert pm.hook.commerce_reserve(sku="A", qty=1, reference="r")
    refusals = [
        (draft(("GHOST", 1)), "no product with SKU GHOST"),
        (draft(("OFF", 1)), "product OFF is disabled"),
        (draft(("A", 3), reservation_reference="r"), "not enough stock for A: 3 ordered, 2 on hand"),
        (draft(("A", 1), store_view="mars"), "no store view mars"),
        (draft(("A", 1), status="teleported"), "unknown order status teleported"),
        (draft(("A", 1), status="complete"), "belongs to the complete state"),
        (draft(), "at least one item"),
    ]
    for bad, message in refusals:
        with pytest.raises(HostError, match=message):
            pm.hook.commerce_create_order(draft=bad)
    assert host.orders() == []
    view = host.product("A")
    assert view is not None and (view.qty, view.reserved) == (2, 1)


def test_amazon_increment_id_and_duplicate_refused(
    host: ReferenceHost, pm: pluggy.PluginManager, db: Database
) -> None:
    host.add_product("A", qty=5)
    ref = create(pm, ("A", 1), increment_id="111-0000000-0000001")
    assert ref.increment_id == "111-0000000-0000001"
    assert create(pm, ("A", 1)).increment_id == "000000002"
    with db.transaction() as conn:
        with pytest.raises(HostError, match="already used"):
            create(pm, ("A", 1), increment_id="111-0000000-0000001")
        assert conn.execute(text("SELECT 1")).scalar() == 1  # the unit of work survives the refusal
    assert host.salable_qty("A") == 3


def test_custom_status(host: ReferenceHost, pm: pluggy.PluginManager) -> None:
    host.add_product("A", qty=5)
    host.add_status("amazon_ready", "Amazon: ready", "processing")
    with pytest.raises(HostError, match="already exists"):
        host.add_status("amazon_ready", "Again", "processing")
    ref = create(pm, ("A", 1), status="amazon_ready")
    assert (ref.status, ref.state) == ("amazon_ready", "processing")
    order = host.order(ref.id)
    assert order is not None and (order.status, order.state) == ("amazon_ready", "processing")
    assert create(pm, ("A", 1), status="ready_to_ship").status == "ready_to_ship"
    codes = [option.code for option in pm.hook.commerce_order_statuses()]
    assert "amazon_ready" in codes


def test_a_status_added_by_another_process_is_found(
    host: ReferenceHost, db: Database, pm: pluggy.PluginManager
) -> None:
    host.add_product("A", qty=5)
    other = ReferenceHost(db, pluggy.PluginManager("commerce"))
    other.add_status("elsewhere", "Added elsewhere", "processing")
    assert create(pm, ("A", 1), status="elsewhere").status == "elsewhere"


# --- customers ----------------------------------------------------------------------------------------------


def test_find_or_create_customer_per_website(host: ReferenceHost, pm: pluggy.PluginManager) -> None:
    first = pm.hook.commerce_find_or_create_customer(
        store_view="default", email="Ann@Example.com", name="Ann"
    )
    again = pm.hook.commerce_find_or_create_customer(store_view="fr", email="ann@example.com", name=None)
    other_site = pm.hook.commerce_find_or_create_customer(
        store_view="eu", email="ann@example.com", name="Ann"
    )
    assert first == again != other_site
    assert [(c.id, c.website, c.email, c.name) for c in host.customers()] == [
        (first, "base", "ann@example.com", "Ann"),
        (other_site, "eu", "ann@example.com", "Ann"),
    ]
    with pytest.raises(HostError, match="no store view mars"):
        pm.hook.commerce_find_or_create_customer(store_view="mars", email="ann@example.com", name=None)


def test_guest_and_customer_orders(host: ReferenceHost, pm: pluggy.PluginManager) -> None:
    host.add_product("A", qty=5)
    customer_id = pm.hook.commerce_find_or_create_customer(
        store_view="default", email="b@example.com", name="B"
    )
    guest = host.order(create(pm, ("A", 1), customer_email="g@example.com").id)
    member = host.order(create(pm, ("A", 1), customer_id=customer_id, customer_email="b@example.com").id)
    assert guest is not None and guest.customer_id is None
    assert member is not None and member.customer_id == customer_id


# --- shipping, canceling, completing ------------------------------------------------------------------------


def test_ship_part_then_the_rest(host: ReferenceHost, pm: pluggy.PluginManager, recorder: Recorder) -> None:
    host.add_product("A", qty=10)
    host.add_product("B", qty=10)
    ref = create(pm, ("A", 3), ("B", 1))
    first = host.ship(ref.id, "UPS", "1Z1", {"A": 2})
    assert [(i.sku, i.qty) for i in first.items] == [("A", 2)]
    assert (first.carrier, first.tracking_number, first.shipped_at) == ("UPS", "1Z1", START)
    rest = host.ship(ref.id, "DHL", "JD2")
    assert sorted((i.sku, i.qty) for i in rest.items) == [("A", 1), ("B", 1)]
    order = host.order(ref.id)
    assert order is not None and [(i.sku, i.qty_shipped) for i in order.items] == [("A", 3), ("B", 1)]
    assert order.state == "processing"  # completion is the plugin's call, through commerce_complete_order
    assert host.salable_qty("A") == 7  # shipping never touches stock: the order already took it
    assert [call for call in recorder.calls if call[0] == "shipment_created"] == [
        ("shipment_created", {"order_id": ref.id, "shipment": first}),
        ("shipment_created", {"order_id": ref.id, "shipment": rest}),
    ]
    with pytest.raises(HostError, match="nothing left to ship"):
        host.ship(ref.id, "UPS", "1Z3")


def test_a_sku_on_two_lines_ships_across_both(host: ReferenceHost, pm: pluggy.PluginManager) -> None:
    host.add_product("A", qty=10)
    ref = create(pm, ("A", 1), ("A", 2))
    shipment = host.ship(ref.id, "UPS", "1Z1", {"A": 2})
    assert [(i.sku, i.qty) for i in shipment.items] == [("A", 2)]
    order = host.order(ref.id)
    assert order is not None and [i.qty_shipped for i in order.items] == [1, 1]


def test_ship_refusals(host: ReferenceHost, pm: pluggy.PluginManager, recorder: Recorder) -> None:
    host.add_product("A", qty=10)
    ref = create(pm, ("A", 2))
    with pytest.raises(HostError, match="cannot ship 3 units of A: 2 left to ship"):
        host.ship(ref.id, "UPS", "1Z1", {"A": 3})
    with pytest.raises(HostError, match="has no item B"):
        host.ship(ref.id, "UPS", "1Z1", {"B": 1})
    with pytest.raises(HostError, match="no Commerce order 999"):
        host.ship("999", "UPS", "1Z1")
    host.cancel(ref.id)
    with pytest.raises(HostError, match="is canceled and cannot be shipped"):
        host.ship(ref.id, "UPS", "1Z1")
    done = create(pm, ("A", 1))
    pm.hook.commerce_complete_order(order_id=done.id)
    with pytest.raises(HostError, match="is complete and cannot be shipped"):
        host.ship(done.id, "UPS", "1Z1")
    assert not [call for call in recorder.calls if call[0] == "shipment_created"]


def test_admin_cancel_returns_unshipped_stock(
    host: ReferenceHost, pm: pluggy.PluginManager, recorder: Recorder
) -> None:
    host.add_product("A", qty=10)
    host.add_product("B", qty=10)
    ref = create(pm, ("A", 3), ("B", 1))
    host.ship(ref.id, "UPS", "1Z1", {"A": 1, "B": 1})
    recorder.calls.clear()
    host.cancel(ref.id)
    assert (host.salable_qty("A"), host.salable_qty("B")) == (9, 9)
    order = host.order(ref.id)
    assert order is not None and (order.state, order.status) == ("canceled", "canceled")
    assert [(i.qty_shipped, i.qty_canceled) for i in order.items] == [(1, 2), (1, 0)]
    assert recorder.calls == [("order_canceled", {"order_id": ref.id}), ("stock_changed", {"sku": "A"})]
    assert recorder.committed_qty["A"] == 9
    with pytest.raises(HostError, match="already canceled"):
        host.cancel(ref.id)


def test_cancel_refuses_fully_shipped_and_complete_orders(
    host: ReferenceHost, pm: pluggy.PluginManager
) -> None:
    host.add_product("A", qty=10)
    shipped = create(pm, ("A", 1))
    host.ship(shipped.id, "UPS", "1Z1")
    with pytest.raises(HostError, match="fully shipped"):
        host.cancel(shipped.id)
    with pytest.raises(HostError, match="fully shipped"):
        pm.hook.commerce_cancel_order(order_id=shipped.id)
    assert pm.hook.commerce_complete_order(order_id=shipped.id) is True
    with pytest.raises(HostError, match="is complete and cannot be canceled"):
        host.cancel(shipped.id)
    assert host.salable_qty("A") == 9


def test_service_cancel_and_complete(
    host: ReferenceHost, pm: pluggy.PluginManager, recorder: Recorder
) -> None:
    host.add_product("A", qty=10)
    ref = create(pm, ("A", 4))
    recorder.calls.clear()
    assert pm.hook.commerce_cancel_order(order_id=ref.id) is True
    assert (
        pm.hook.commerce_cancel_order(order_id=ref.id) is True
    )  # idempotent: Amazon may cancel after the admin
    assert host.salable_qty("A") == 10
    assert recorder.calls == []  # the plugin asked; nobody is told
    with pytest.raises(HostError, match="is canceled and cannot be completed"):
        pm.hook.commerce_complete_order(order_id=ref.id)

    fba = create(pm, ("A", 2), deduct_stock=False, increment_id="FBA-1")
    assert pm.hook.commerce_complete_order(order_id=fba.id) is True
    assert pm.hook.commerce_complete_order(order_id=fba.id) is True
    order = host.order(fba.id)
    assert order is not None and (order.state, order.status) == ("complete", "complete")
    with pytest.raises(HostError, match="no Commerce order 999"):
        pm.hook.commerce_complete_order(order_id="999")


# --- lifecycle hooks and units of work ----------------------------------------------------------------------


def test_admin_actions_fire_their_hooks_after_commit(host: ReferenceHost, recorder: Recorder) -> None:
    host.add_product("A", qty=3)
    host.set_stock("A", 7)
    host.set_enabled("A", False)
    assert recorder.calls == [
        ("product_saved", {"sku": "A"}),
        ("stock_changed", {"sku": "A"}),
        ("product_saved", {"sku": "A"}),
    ]
    assert recorder.inside_transaction == [False, False, False]
    assert recorder.committed_qty == {"A": 7}  # a separate connection already saw the new stock


def test_admin_actions_refuse_to_run_inside_a_unit_of_work(host: ReferenceHost, db: Database) -> None:
    with db.transaction(), pytest.raises(RuntimeError, match=r"outside db\.transaction"):
        host.add_product("A", qty=1)
    assert host.product("A") is None


def test_services_roll_back_with_the_callers_unit_of_work(
    host: ReferenceHost, pm: pluggy.PluginManager, db: Database
) -> None:
    host.add_product("A", qty=10)
    existing = create(pm, ("A", 1))
    with pytest.raises(RuntimeError, match="import failed"), db.transaction():
        assert pm.hook.commerce_reserve(sku="A", qty=2, reference="r")
        pm.hook.commerce_find_or_create_customer(store_view="default", email="c@example.com", name="C")
        create(pm, ("A", 3), reservation_reference="r")
        pm.hook.commerce_cancel_order(order_id=existing.id)
        assert host.product("A") is not None
        raise RuntimeError("import failed")
    view = host.product("A")
    assert view is not None and (view.qty, view.reserved) == (9, 0)
    assert [order.id for order in host.orders()] == [existing.id]
    assert host.customers() == []
    order = host.order(existing.id)
    assert order is not None and order.state == "processing"


def test_order_creation_is_a_handful_of_statements(
    host: ReferenceHost, pm: pluggy.PluginManager, db: Database
) -> None:
    host.add_product("A", qty=100)
    host.add_product("B", qty=100)
    create(pm, ("A", 1))  # warm the status cache, as every order after the first finds it
    assert count_statements(db, lambda: create(pm, ("A", 1), ("B", 2))) <= 4
    assert pm.hook.commerce_reserve(sku="A", qty=1, reference="r")
    assert count_statements(db, lambda: create(pm, ("A", 1), ("B", 2), reservation_reference="r")) <= 5
    assert count_statements(db, lambda: create(pm, ("A", 1), ("B", 2), deduct_stock=False)) <= 3
    assert count_statements(db, lambda: pm.hook.commerce_salable_qty(sku="A", store_view="default")) == 1
    assert count_statements(db, lambda: pm.hook.commerce_find_product(sku="A", store_view="default")) == 1


@pytest.fixture
def pg_db() -> Iterator[Database]:
    """PostgreSQL only: SQLite serialises writers with BEGIN IMMEDIATE instead of row locks."""
    with fresh_postgres_database() as url:
        database = Database(url)
        yield database
        database.dispose()


@pytest.mark.postgres
def test_salable_qty_locks_the_row_until_the_unit_of_work_ends(pg_db: Database, pm: pluggy.PluginManager) -> None:
    db = pg_db
    host = ReferenceHost(db, pm, clock=Clock(), store_views=STORE_VIEWS)
    host.create_schema()
    host.register()
    host.add_product("A", qty=1)
    outcome: list[str] = []

    def other_importer() -> None:
        with db.engine.connect() as conn, conn.begin():
            conn.exec_driver_sql("SET LOCAL lock_timeout = '200ms'")
            try:
                conn.execute(select(products.c.qty).where(products.c.sku == "A").with_for_update())
                outcome.append("got the lock")
            except OperationalError:
                outcome.append("blocked")

    with db.transaction():
        assert pm.hook.commerce_salable_qty(sku="A", store_view="default") == 1
        worker = threading.Thread(target=other_importer)
        worker.start()
        worker.join()
    assert outcome == ["blocked"]
    other_importer()
    assert outcome == ["blocked", "got the lock"]
