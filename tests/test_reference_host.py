"""The reference host against its contract, on a SQLite file and on a fresh PostgreSQL database."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pluggy
import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import OperationalError

from channel_plugin import hookspecs
from channel_plugin.domain.model import (
    CommerceOrderDraft,
    CommerceOrderRef,
    DraftItem,
    Product,
    Shipment,
    StoreView,
)
from channel_plugin.errors import HostError
from channel_plugin.hookspecs import hookimpl
from channel_plugin.host import ReferenceHost
from channel_plugin.host.schema import SEED_STATUSES, metadata, products, reservations
from channel_plugin.storage.db import Database

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
STORE_VIEWS = [
    StoreView("default", "Default Store View", "base", True),
    StoreView("fr", "French Store View", "base", False),
    StoreView("eu", "EU Store View", "eu", True),
]


# --- fixtures -----------------------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(
    request: pytest.FixtureRequest, tmp_path: Path, fresh_postgres_schema: Callable[..., AbstractContextManager[str]]
) -> Iterator[Database]:
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'host.db'}")
        yield database
        metadata.drop_all(database.engine)
        database.dispose()
        return
    with fresh_postgres_schema() as url:
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
    reference = ReferenceHost(db, pm, clock=Clock(), store_views=STORE_VIEWS, config={"channel_plugin.x": "1"})
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
            self.committed_qty[sku] = conn.execute(select(products.c.qty).where(products.c.sku == sku)).scalar_one()

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


# --- wiring -------------------------------------------------------------------------------------------------


def test_every_host_service_is_implemented_with_the_spec_argument_names(
    host: ReferenceHost, pm: pluggy.PluginManager
) -> None:
    specs = [name for name, _ in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("commerce_")]
    services = [getattr(pm.hook, name) for name in specs if getattr(pm.hook, name).spec.opts["firstresult"]]
    assert len(services) == 17
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
    assert ref == CommerceOrderRef(id=ref.id, increment_id="000000001", status="processing", state="processing")
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


def test_without_stock_deduction_only_the_reservation_goes(host: ReferenceHost, pm: pluggy.PluginManager) -> None:
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


def test_amazon_increment_id_and_duplicate_refused(host: ReferenceHost, pm: pluggy.PluginManager, db: Database) -> None:
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
    first = pm.hook.commerce_find_or_create_customer(store_view="default", email="Ann@Example.com", name="Ann")
    again = pm.hook.commerce_find_or_create_customer(store_view="fr", email="ann@example.com", name=None)
    other_site = pm.hook.commerce_find_or_create_customer(store_view="eu", email="ann@example.com", name="Ann")
    assert first == again != other_site
    assert [(c.id, c.website, c.email, c.name) for c in host.customers()] == [
        (first, "base", "ann@example.com", "Ann"),
        (other_site, "eu", "ann@example.com", "Ann"),
    ]
    with pytest.raises(HostError, match="no store view mars"):
        pm.hook.commerce_find_or_create_customer(store_view="mars", email="ann@example.com", name=None)


def test_guest_and_customer_orders(host: ReferenceHost, pm: pluggy.PluginManager) -> None:
    host.add_product("A", qty=5)
    customer_id = pm.hook.commerce_find_or_create_customer(store_view="default", email="b@example.com", name="B")
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


def test_cancel_refuses_fully_shipped_and_complete_orders(host: ReferenceHost, pm: pluggy.PluginManager) -> None:
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


def test_service_cancel_and_complete(host: ReferenceHost, pm: pluggy.PluginManager, recorder: Recorder) -> None:
    host.add_product("A", qty=10)
    ref = create(pm, ("A", 4))
    recorder.calls.clear()
    assert pm.hook.commerce_cancel_order(order_id=ref.id) is True
    assert pm.hook.commerce_cancel_order(order_id=ref.id) is True  # idempotent: Amazon may cancel after the admin
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


def test_order_creation_is_a_handful_of_statements(host: ReferenceHost, pm: pluggy.PluginManager, db: Database) -> None:
    """One order goes through the batch path: lock, take an id, insert order and items, adjust stock."""
    host.add_product("A", qty=100)
    host.add_product("B", qty=100)
    create(pm, ("A", 1))  # warm the status cache, as every order after the first finds it
    assert count_statements(db, lambda: create(pm, ("A", 1), ("B", 2))) <= 5
    assert pm.hook.commerce_reserve(sku="A", qty=1, reference="r")
    assert count_statements(db, lambda: create(pm, ("A", 1), ("B", 2), reservation_reference="r")) <= 6
    assert count_statements(db, lambda: create(pm, ("A", 1), ("B", 2), deduct_stock=False)) <= 4
    assert count_statements(db, lambda: create(pm, ("A", 1), increment_id="X-1")) <= 6
    assert count_statements(db, lambda: pm.hook.commerce_salable_qty(sku="A", store_view="default")) == 1
    assert count_statements(db, lambda: pm.hook.commerce_find_product(sku="A", store_view="default")) == 1


# --- batch services: find_products, salable_qtys, create_orders ---------------------------------------------


def create_all(pm: pluggy.PluginManager, drafts: list[CommerceOrderDraft]) -> list[CommerceOrderRef | HostError]:
    results: list[CommerceOrderRef | HostError] = list(pm.hook.commerce_create_orders(drafts=drafts))
    assert len(results) == len(drafts)
    return results


def outcome(result: CommerceOrderRef | HostError) -> CommerceOrderRef | str:
    """A result as something ``==`` can compare: the order, or the refusal's message."""
    return str(result) if isinstance(result, HostError) else result


def reservations_left(db: Database) -> list[tuple[str, str, int]]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(reservations.c.reference, reservations.c.sku, reservations.c.qty).order_by(
                reservations.c.reference, reservations.c.sku, reservations.c.qty
            )
        )
        return [(reference, sku, qty) for reference, sku, qty in rows]


def host_state(host: ReferenceHost, db: Database, skus: list[str]) -> tuple[object, ...]:
    """Everything order creation can change: orders with items, stock and reservations."""
    return (host.orders(), [host.product(sku) for sku in skus], reservations_left(db))


@pytest.fixture
def twin(
    db: Database, tmp_path: Path, fresh_postgres_schema: Callable[..., AbstractContextManager[str]]
) -> Iterator[tuple[ReferenceHost, pluggy.PluginManager, Database]]:
    """A second, independent host on a fresh database of the same backend as ``db``."""

    def build(other: Database) -> tuple[ReferenceHost, pluggy.PluginManager, Database]:
        manager = pluggy.PluginManager("commerce")
        manager.add_hookspecs(hookspecs)
        reference = ReferenceHost(other, manager, clock=Clock(), store_views=STORE_VIEWS)
        reference.create_schema()
        reference.register()
        return reference, manager, other

    if db.is_sqlite:
        other = Database(f"sqlite:///{tmp_path / 'twin.db'}")
        yield build(other)
        other.dispose()
        return
    with fresh_postgres_schema() as url:
        other = Database(url)
        yield build(other)
        other.dispose()


def test_a_batch_gives_what_creating_the_drafts_one_by_one_gives(
    host: ReferenceHost,
    pm: pluggy.PluginManager,
    db: Database,
    twin: tuple[ReferenceHost, pluggy.PluginManager, Database],
) -> None:
    twin_host, twin_pm, twin_db = twin
    for reference, manager in ((host, pm), (twin_host, twin_pm)):
        reference.add_product("A", qty=5)
        reference.add_product("B", qty=3)
        reference.add_product("FREE", qty=0, manage_stock=False)
        reference.add_product("OFF", qty=9, enabled=False)
        reference.add_status("amazon_ready", "Amazon: ready", "processing")
        assert manager.hook.commerce_reserve(sku="A", qty=2, reference="r1")
        assert manager.hook.commerce_reserve(sku="B", qty=1, reference="r2")
        assert manager.hook.commerce_reserve(sku="A", qty=1, reference="r3")
        assert manager.hook.commerce_find_or_create_customer(store_view="default", email="c@example.com", name="C")
        create(manager, ("A", 1), increment_id="EXISTING-1", deduct_stock=False)
    drafts = [
        draft(("A", 2), reservation_reference="r1"),
        draft(("GHOST", 1)),
        draft(("A", 2), ("B", 1), increment_id="AMZ-1"),
        draft(("A", 2), reservation_reference="r3"),  # 1 left: the drafts before took 4
        draft(("B", 1), increment_id="AMZ-1"),  # used by an earlier draft of the batch
        draft(("A", 1), ("FREE", 5), deduct_stock=False),
        draft(("OFF", 1)),
        draft(("B", 1), status="teleported"),
        draft(("A", 1), increment_id="EXISTING-1"),  # used by an order from before
        draft(("A", 1), ("A", 1)),  # two lines, one product: 2 units against 1 left
        draft(("A", 1), status="amazon_ready", customer_id="1"),
        draft(("B", 2), reservation_reference="r2", store_view="fr"),
        draft(),
        draft(("A", 1), store_view="mars"),
        draft(("B", 1), deduct_stock=False, increment_id="AMZ-2"),
        draft(("A", 1), deduct_stock=False, customer_id="abc"),
        draft(("A", 1)),  # nothing left
    ]

    one_by_one: list[CommerceOrderRef | str] = []
    for each in drafts:
        try:
            one_by_one.append(pm.hook.commerce_create_order(draft=each))
        except HostError as refusal:
            one_by_one.append(str(refusal))
    batch = [outcome(result) for result in create_all(twin_pm, drafts)]

    assert batch == one_by_one
    assert [isinstance(result, CommerceOrderRef) for result in batch] == [
        True, False, True, False, False, True, False, False, False, False, True, True, False, False, True, False,
        False,
    ]  # fmt: skip
    assert batch[3] == "not enough stock for A: 2 ordered, 1 on hand"
    assert batch[4] == "increment id AMZ-1 is already used by another order"
    assert batch[8] == "increment id EXISTING-1 is already used by another order"
    assert batch[16] == "not enough stock for A: 1 ordered, 0 on hand"
    skus = ["A", "B", "FREE", "OFF"]
    assert host_state(twin_host, twin_db, skus) == host_state(host, db, skus)
    a, b = twin_host.product("A"), twin_host.product("B")
    assert a is not None and (a.qty, a.reserved) == (0, 1)  # r3's draft was refused, so r3 still holds
    assert b is not None and (b.qty, b.reserved) == (0, 0)
    assert reservations_left(twin_db) == [("r3", "A", 1)]


def test_a_refused_draft_in_the_middle_of_a_batch_leaves_nothing_behind(
    host: ReferenceHost, pm: pluggy.PluginManager, db: Database
) -> None:
    host.add_product("A", qty=10)
    host.add_product("B", qty=10)
    assert pm.hook.commerce_reserve(sku="B", qty=2, reference="refused")
    first, refused, last = create_all(
        pm,
        [
            draft(("A", 1), amazon_order_id="first"),
            draft(("B", 2), ("GHOST", 1), reservation_reference="refused", increment_id="R-1"),
            draft(("B", 3), amazon_order_id="last"),
        ],
    )
    assert isinstance(refused, HostError) and str(refused) == "no product with SKU GHOST"
    assert isinstance(first, CommerceOrderRef) and isinstance(last, CommerceOrderRef)
    assert (first.increment_id, last.increment_id) == ("000000001", "000000002")
    orders = host.orders()
    assert [(o.amazon_order_id, [(i.sku, i.qty) for i in o.items]) for o in orders] == [
        ("first", [("A", 1)]),
        ("last", [("B", 3)]),
    ]
    b = host.product("B")
    assert b is not None and (b.qty, b.reserved) == (7, 2)  # the refused draft's reservation still holds
    assert reservations_left(db) == [("refused", "B", 2)]
    assert create(pm, ("A", 1), increment_id="R-1").increment_id == "R-1"  # its increment id was never taken


def test_a_batch_never_oversells_across_its_drafts(host: ReferenceHost, pm: pluggy.PluginManager) -> None:
    host.add_product("A", qty=5)
    results = create_all(
        pm,
        [
            draft(("A", 2)),
            draft(("A", 2)),
            draft(("A", 2)),  # 1 left
            draft(("A", 4), deduct_stock=False),  # takes nothing, so is not limited by stock
            draft(("A", 1)),
            draft(("A", 1)),
        ],
    )
    assert [outcome(r) if isinstance(r, HostError) else "created" for r in results] == [
        "created",
        "created",
        "not enough stock for A: 2 ordered, 1 on hand",
        "created",
        "created",
        "not enough stock for A: 1 ordered, 0 on hand",
    ]
    assert host.salable_qty("A") == 0
    product = host.product("A")
    assert product is not None and product.qty == 0


def test_concurrent_batches_never_oversell(host: ReferenceHost, pm: pluggy.PluginManager, db: Database) -> None:
    """Two importers' batches, each in its own unit of work, compete for the same product."""
    host.add_product("A", qty=10)
    created: list[int] = []
    errors: list[BaseException] = []

    def importer() -> None:
        try:
            with db.transaction():
                results = create_all(pm, [draft(("A", 2)) for _ in range(4)])
            created.append(sum(isinstance(r, CommerceOrderRef) for r in results))
        except BaseException as exc:  # pragma: no cover - reported by the assertion below
            errors.append(exc)

    workers = [threading.Thread(target=importer) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert sorted(created) == [1, 4]
    product = host.product("A")
    assert product is not None and product.qty == 0
    assert len({o.increment_id for o in host.orders()}) == 5


def test_a_batch_converts_each_created_drafts_reservation(host: ReferenceHost, pm: pluggy.PluginManager) -> None:
    host.add_product("A", qty=10)
    host.add_product("B", qty=10)
    assert pm.hook.commerce_reserve(sku="A", qty=3, reference="r1")
    assert pm.hook.commerce_reserve(sku="B", qty=1, reference="r1")
    assert pm.hook.commerce_reserve(sku="A", qty=2, reference="r2")
    assert pm.hook.commerce_reserve(sku="B", qty=2, reference="r4")
    assert pm.hook.commerce_reserve(sku="A", qty=1, reference="other")
    results = create_all(
        pm,
        [
            draft(("A", 3), ("B", 1), reservation_reference="r1"),
            draft(("A", 20), reservation_reference="r2"),  # refused: r2 stays
            draft(("B", 2), reservation_reference="r4", deduct_stock=False),  # only the reservation goes
        ],
    )
    assert [isinstance(r, CommerceOrderRef) for r in results] == [True, False, True]
    a, b = host.product("A"), host.product("B")
    assert a is not None and (a.qty, a.reserved) == (7, 3)
    assert b is not None and (b.qty, b.reserved) == (9, 0)
    assert pm.hook.commerce_release(reference="r1") == 0
    assert pm.hook.commerce_release(reference="r4") == 0
    assert pm.hook.commerce_release(reference="r2") == 2
    assert pm.hook.commerce_release(reference="other") == 1


def test_duplicate_increment_ids_within_a_batch_and_against_existing_orders(
    host: ReferenceHost, pm: pluggy.PluginManager
) -> None:
    host.add_product("A", qty=5)
    create(pm, ("A", 1), increment_id="X-0")
    results = create_all(
        pm,
        [
            draft(("A", 1), increment_id="X-1"),
            draft(("A", 1), increment_id="X-1"),
            draft(("A", 9), increment_id="X-2"),  # refused for stock, so X-2 stays free...
            draft(("A", 1), increment_id="X-2"),  # ...for this one
            draft(("A", 1), increment_id="X-0"),
            draft(("A", 1)),
        ],
    )
    assert [outcome(r) if isinstance(r, HostError) else r.increment_id for r in results] == [
        "X-1",
        "increment id X-1 is already used by another order",
        "not enough stock for A: 9 ordered, 3 on hand",
        "X-2",
        "increment id X-0 is already used by another order",
        "000000004",
    ]
    assert [o.increment_id for o in host.orders()] == ["X-0", "X-1", "X-2", "000000004"]
    assert host.salable_qty("A") == 1


def test_a_default_increment_id_taken_by_an_explicit_one_refuses_only_that_draft(
    host: ReferenceHost, pm: pluggy.PluginManager
) -> None:
    """The INSERT's own conflict check, behind the look-up of explicit ids, refuses without aborting anything."""
    host.add_product("A", qty=10)
    create(pm, ("A", 1), increment_id="000000003")  # order id 1
    results = create_all(pm, [draft(("A", 1)), draft(("A", 2)), draft(("A", 3))])  # order ids 2, 3, 4
    assert [outcome(r) if isinstance(r, HostError) else r.increment_id for r in results] == [
        "000000002",
        "increment id 000000003 is already used by another order",
        "000000004",
    ]
    assert [(o.increment_id, [i.qty for i in o.items]) for o in host.orders()] == [
        ("000000003", [1]),
        ("000000002", [1]),
        ("000000004", [3]),
    ]
    assert host.salable_qty("A") == 5  # the refused draft's 2 units were not taken


def test_create_orders_takes_the_same_statements_for_10_drafts_as_for_100(
    host: ReferenceHost, pm: pluggy.PluginManager, db: Database
) -> None:
    skus = [f"P{n}" for n in range(20)]
    for sku in skus:
        host.add_product(sku, qty=1000)
    create(pm, ("P0", 1))  # warm the status cache

    def page(size: int, tag: str, **overrides: Any) -> list[CommerceOrderDraft]:
        return [
            draft((skus[n % 20], 1), (skus[(n + 7) % 20], 2), amazon_order_id=f"{tag}-{n}", **overrides)
            for n in range(size)
        ]

    def reserved_page(size: int, tag: str) -> list[CommerceOrderDraft]:
        drafts = [
            draft(
                (skus[n % 20], 1),
                (skus[(n + 7) % 20], 2),
                increment_id=f"{tag}-{n}",
                reservation_reference=f"amazon:{tag}:{n}",
            )
            for n in range(size)
        ]
        for each in drafts:
            for item in each.items:
                assert pm.hook.commerce_reserve(sku=item.sku, qty=item.qty, reference=each.reservation_reference)
        return drafts

    def statements(drafts: list[CommerceOrderDraft]) -> int:
        results: list[object] = []
        count = count_statements(db, lambda: results.extend(create_all(pm, drafts)))
        assert all(isinstance(r, CommerceOrderRef) for r in results)
        return count

    # lock, take ids, insert orders, insert items, adjust stock
    assert statements(page(10, "a")) == statements(page(100, "b")) == 5
    # ... and look up the explicit increment ids, take the reservations
    assert statements(reserved_page(10, "c")) == statements(reserved_page(100, "d")) == 7
    assert statements(page(100, "e", deduct_stock=False)) == 4  # nothing to adjust
    assert count_statements(db, lambda: create_all(pm, [])) == 0
    assert count_statements(db, lambda: create_all(pm, [draft(("GHOST", 1)), draft()])) == 1  # the lock only
    assert reservations_left(db) == []
    assert len(host.orders()) == 1 + 10 + 100 + 10 + 100 + 100


def test_find_products_and_salable_qtys_answer_for_present_skus_in_one_statement(
    host: ReferenceHost, pm: pluggy.PluginManager, db: Database
) -> None:
    host.add_product("A", qty=10, name="Alpha")
    host.add_product("OFF", qty=4, enabled=False)
    host.add_product("FREE", qty=0, manage_stock=False)
    host.add_product("LOW", qty=5)
    assert pm.hook.commerce_reserve(sku="A", qty=3, reference="r")
    assert pm.hook.commerce_reserve(sku="LOW", qty=5, reference="r")
    host.set_stock("LOW", 2)  # below what is reserved

    found = pm.hook.commerce_find_products(skus=["A", "FREE", "GHOST", "OFF"], store_view="default")
    assert found == {
        "A": Product(sku="A", name="Alpha", enabled=True, manage_stock=True),
        "FREE": Product(sku="FREE", name="FREE", enabled=True, manage_stock=False),
        "OFF": Product(sku="OFF", name="OFF", enabled=False, manage_stock=True),
    }
    for sku, product in found.items():
        assert pm.hook.commerce_find_product(sku=sku, store_view="default") == product
    salable = pm.hook.commerce_salable_qtys(skus=["A", "GHOST", "LOW", "OFF"], store_view="default")
    assert salable == {"A": 7, "LOW": 0, "OFF": 4}
    for sku, qty in salable.items():
        assert pm.hook.commerce_salable_qty(sku=sku, store_view="default") == qty

    skus = [f"S{n}" for n in range(50)] + ["A"]
    assert count_statements(db, lambda: pm.hook.commerce_find_products(skus=skus, store_view="default")) == 1
    assert count_statements(db, lambda: pm.hook.commerce_salable_qtys(skus=skus, store_view="default")) == 1
    assert pm.hook.commerce_find_products(skus=[], store_view="default") == {}
    assert pm.hook.commerce_salable_qtys(skus=[], store_view="default") == {}
    assert count_statements(db, lambda: pm.hook.commerce_find_products(skus=[], store_view="default")) == 0
    assert count_statements(db, lambda: pm.hook.commerce_salable_qtys(skus=[], store_view="default")) == 0


@pytest.fixture
def pg_db(fresh_postgres_schema: Callable[..., AbstractContextManager[str]]) -> Iterator[Database]:
    """PostgreSQL only: SQLite serialises writers with BEGIN IMMEDIATE instead of row locks."""
    with fresh_postgres_schema() as url:
        database = Database(url)
        yield database
        database.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "read_salable",
    [
        pytest.param(lambda pm: pm.hook.commerce_salable_qty(sku="A", store_view="default"), id="one"),
        pytest.param(lambda pm: pm.hook.commerce_salable_qtys(skus=["A"], store_view="default")["A"], id="many"),
    ],
)
def test_salable_qty_locks_the_row_until_the_unit_of_work_ends(
    pg_db: Database, pm: pluggy.PluginManager, read_salable: Callable[[pluggy.PluginManager], int]
) -> None:
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
        assert read_salable(pm) == 1
        worker = threading.Thread(target=other_importer)
        worker.start()
        worker.join()
    assert outcome == ["blocked"]
    other_importer()
    assert outcome == ["blocked", "got the lock"]
