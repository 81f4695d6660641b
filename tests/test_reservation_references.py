"""Reservations are referenced ``amazon:<store id>:<Amazon order id>``: two stores never share one.

The Sandbox's fake marketplace answers every store's search with the same orders, so a second store added to the
Sandbox's database holds the same Amazon order id as the first; syncing one store at a time lets Amazon cancel
the order in one store only.
"""

from __future__ import annotations

from sqlalchemy import select, update

from channel_plugin.storage.stores import StoreRecord
from channel_plugin.storage.tables import amazon_orders
from channel_plugin.testing import make_order


def second_store(sb) -> StoreRecord:
    return sb.add_store("Sandbox CA", marketplace_id="A2EUQ1WTGCTBG2")


def sync_only(sb, store: StoreRecord) -> None:
    sb.clock.advance(sb.runtime.cron_interval_seconds)
    [result] = sb.plugin.sync_now(store_ids=[store.id])
    assert result.error is None


def reservation(sb, store: StoreRecord, amazon_order_id: str) -> tuple[str | None, dict | None, str]:
    with sb.db.transaction(write=False) as conn:
        row = conn.execute(
            select(amazon_orders.c.reservation_reference, amazon_orders.c.reserved, amazon_orders.c.import_state).where(
                amazon_orders.c.store_id == store.id, amazon_orders.c.amazon_order_id == amazon_order_id
            )
        ).one()
    return row.reservation_reference, row.reserved, row.import_state


def test_two_stores_holding_the_same_order_id_reserve_and_release_independently(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 10}])
    other = second_store(sb)
    order = make_order(status="PENDING", items=[("MUG", 3)])
    oid = order["orderId"]
    sb.amazon.put_order(order)
    sb.sync()
    assert reservation(sb, sb.store, oid) == (f"amazon:{sb.store.id}:{oid}", {"MUG": 3}, "WAITING")
    assert reservation(sb, other, oid) == (f"amazon:{other.id}:{oid}", {"MUG": 3}, "WAITING")
    assert sb.host.salable_qty("MUG") == 4

    sb.amazon.set_status(oid, "CANCELED")
    sync_only(sb, sb.store)
    assert reservation(sb, sb.store, oid) == (None, None, "SKIPPED")
    assert sb.host.salable_qty("MUG") == 7  # the first store's 3 units, not the second store's
    assert reservation(sb, other, oid) == (f"amazon:{other.id}:{oid}", {"MUG": 3}, "WAITING")

    sync_only(sb, other)
    assert reservation(sb, other, oid) == (None, None, "SKIPPED")
    assert sb.host.salable_qty("MUG") == 10


def reserved_the_old_way(sb, amazon_order_id: str) -> str:
    """Move a stored reservation to the reference used before references named the store, as such an order has."""
    old = f"amazon:{amazon_order_id}"
    assert sb.pm.hook.commerce_release(reference=f"amazon:{sb.store.id}:{amazon_order_id}") == 3
    assert sb.pm.hook.commerce_reserve(sku="MUG", qty=3, reference=old)
    with sb.db.transaction() as conn:
        conn.execute(
            update(amazon_orders)
            .where(amazon_orders.c.amazon_order_id == amazon_order_id)
            .values(reservation_reference=old)
        )
    return old


def test_an_order_reserved_under_the_old_reference_is_still_released(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 10}])
    order = make_order(status="PENDING", items=[("MUG", 3)])
    sb.amazon.put_order(order)
    sb.sync()
    reserved_the_old_way(sb, order["orderId"])
    assert sb.host.salable_qty("MUG") == 7
    sb.amazon.set_status(order["orderId"], "CANCELED")
    sb.sync()
    assert sb.order(order["orderId"]).import_state == "SKIPPED"
    assert sb.host.salable_qty("MUG") == 10


def test_an_order_reserved_under_the_old_reference_imports_without_counting_its_units_twice(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 10}])
    order = make_order(status="PENDING", items=[("MUG", 3)])
    sb.amazon.put_order(order)
    sb.sync()
    old = reserved_the_old_way(sb, order["orderId"])
    sb.amazon.set_status(order["orderId"], "UNSHIPPED")
    sb.sync()
    assert sb.order(order["orderId"]).import_state == "IMPORTED"
    assert sb.host.salable_qty("MUG") == 7
    assert sb.pm.hook.commerce_release(reference=old) == 0  # the reservation became the order's own deduction
