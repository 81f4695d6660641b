"""Import blockers: every kind, one per failing item, re-checked on cron, on catalog events and on a SKU match."""

from __future__ import annotations

from channel_plugin import HostError, hookimpl
from channel_plugin.testing import make_order

MESSAGE = (
    "Your Amazon store(s) has orders that cannot be imported into Commerce. "
    "See Recent Orders in the store dashboard(s): Sandbox US"
)


def put_and_sync(sandbox, *orders):
    for order in orders:
        sandbox.amazon.put_order(order)
    sandbox.sync()


def kinds(view):
    return sorted((b.kind.value, b.seller_sku) for b in view.blockers)


def test_unknown_sku_blocks_and_creating_the_product_imports_at_once(make_sandbox):
    sb = make_sandbox()
    order = make_order(items=[("MUG", 1)])
    put_and_sync(sb, order)
    view = sb.order(order["orderId"])
    assert view.import_state == "BLOCKED"
    assert kinds(view) == [("PRODUCT_NOT_FOUND", "MUG")]
    assert "MUG" in view.blockers[0].message
    assert sb.system_messages() == [MESSAGE]
    sb.host.add_product("MUG", qty=3)  # the host fires commerce_product_saved: no cron needed
    view = sb.order(order["orderId"])
    assert view.import_state == "IMPORTED"
    assert view.blockers == ()
    assert sb.system_messages() == []


def test_disabled_product_blocks_until_enabled(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "LAMP", "qty": 3, "enabled": False}])
    order = make_order(items=[("LAMP", 1)])
    put_and_sync(sb, order)
    assert kinds(sb.order(order["orderId"])) == [("PRODUCT_DISABLED", "LAMP")]
    sb.host.set_enabled("LAMP", True)
    assert sb.order(order["orderId"]).import_state == "IMPORTED"


def test_out_of_stock_blocks_until_stock_arrives(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 1}])
    order = make_order(items=[("MUG", 3)])
    put_and_sync(sb, order)
    view = sb.order(order["orderId"])
    assert kinds(view) == [("OUT_OF_STOCK", "MUG")]
    assert "1 salable" in view.blockers[0].message and "needs 3" in view.blockers[0].message
    sb.host.set_stock("MUG", 2)
    assert sb.order(order["orderId"]).import_state == "BLOCKED"
    sb.host.set_stock("MUG", 3)
    assert sb.order(order["orderId"]).import_state == "IMPORTED"
    assert sb.host.salable_qty("MUG") == 0


def test_products_without_stock_management_never_block_on_stock(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "POSTER", "qty": 0, "manage_stock": False}])
    order = make_order(items=[("POSTER", 7)])
    put_and_sync(sb, order)
    assert sb.order(order["orderId"]).import_state == "IMPORTED"


def test_one_blocker_per_failing_item(make_sandbox):
    sb = make_sandbox(
        catalog=[{"sku": "OK", "qty": 5}, {"sku": "OFF", "qty": 5, "enabled": False}, {"sku": "LOW", "qty": 0}]
    )
    order = make_order(items=[("OK", 1), ("OFF", 1), ("LOW", 1), ("GONE", 1)])
    put_and_sync(sb, order)
    view = sb.order(order["orderId"])
    assert kinds(view) == [("OUT_OF_STOCK", "LOW"), ("PRODUCT_DISABLED", "OFF"), ("PRODUCT_NOT_FOUND", "GONE")]
    assert sb.host.salable_qty("OK") == 5  # a blocked order takes nothing


def test_invalid_order_data_blocker(make_sandbox):
    sb = make_sandbox()
    bad = make_order(items=[("MUG", 1)])
    bad["orderItems"][0]["quantityOrdered"] = -2
    put_and_sync(sb, bad)
    view = sb.order(bad["orderId"])
    assert (view.status, view.import_state) == ("ERROR", "BLOCKED")
    assert kinds(view) == [("INVALID_ORDER_DATA", None)]
    assert "quantityOrdered" in view.blockers[0].message and "negative" in view.blockers[0].message


def test_host_error_blocker_and_retry(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])

    class PickyHost:
        @hookimpl(tryfirst=True)
        def commerce_create_order(self, draft):
            raise HostError("payment method 'amazon' is not enabled on this website")

    picky = PickyHost()
    sb.pm.register(picky)
    order = make_order(items=[("MUG", 1)])
    put_and_sync(sb, order)
    view = sb.order(order["orderId"])
    assert kinds(view) == [("HOST_ERROR", None)]
    assert "payment method 'amazon' is not enabled" in view.blockers[0].message
    assert sb.host.salable_qty("MUG") == 5
    sb.pm.unregister(picky)
    sb.retry([order["orderId"]])
    assert sb.order(order["orderId"]).import_state == "IMPORTED"


def test_unexpected_host_exception_marks_the_order_failed_and_keeps_the_message(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])

    class BrokenHost:
        @hookimpl(tryfirst=True)
        def commerce_create_order(self, draft):
            raise RuntimeError("connection to the ERP reset")

    broken = BrokenHost()
    sb.pm.register(broken)
    ok_order = make_order(items=[("MUG", 1)])
    order = make_order(items=[("MUG", 1)])
    put_and_sync(sb, order)
    view = sb.order(order["orderId"])
    assert view.import_state == "FAILED"
    assert "connection to the ERP reset" in view.error_message
    sb.pm.unregister(broken)
    put_and_sync(sb, ok_order)  # the next cron retries FAILED orders
    assert sb.order(order["orderId"]).import_state == "IMPORTED"
    assert sb.order(ok_order["orderId"]).import_state == "IMPORTED"


def test_blockers_are_rechecked_on_every_cron(make_sandbox):
    sb = make_sandbox()
    order = make_order(items=[("MUG", 1)])
    put_and_sync(sb, order)
    first = sb.order(order["orderId"]).blockers[0]
    sb.sync()
    sb.sync()
    again = sb.order(order["orderId"]).blockers[0]
    assert again.id == first.id
    assert again.attempts == first.attempts + 2
    assert again.last_checked > first.last_checked
    assert again.first_seen == first.first_seen


def test_matching_a_sku_retries_every_order_blocked_on_it(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG-BLUE", "qty": 10}])
    orders = [make_order(items=[("AMZ-MUG-1", 2)]) for _ in range(3)]
    unrelated = make_order(items=[("OTHER", 1)])
    put_and_sync(sb, *orders, unrelated)
    assert {sb.order(o["orderId"]).import_state.value for o in orders} == {"BLOCKED"}
    result = sb.match_product("AMZ-MUG-1", "MUG-BLUE")
    assert result.imported == 3
    for o in orders:
        view = sb.order(o["orderId"])
        assert view.import_state == "IMPORTED"
        assert [i.sku for i in sb.host.order(view.commerce_order_id).items] == ["MUG-BLUE"]
    assert sb.order(unrelated["orderId"]).import_state == "BLOCKED"
    assert sb.host.salable_qty("MUG-BLUE") == 4


def test_matching_to_a_missing_product_is_refused(make_sandbox):
    import pytest

    from channel_plugin.errors import ValidationError

    sb = make_sandbox()
    with pytest.raises(ValidationError) as err:
        sb.match_product("AMZ-1", "NOPE")
    assert (err.value.field, err.value.code) == ("product_sku", "NOT_FOUND")


def test_system_message_names_every_store_and_clears_itself(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 0}])
    a, b = make_order(items=[("MUG", 1)]), make_order(items=[("MUG", 1)])
    put_and_sync(sb, a, b)
    assert sb.system_messages() == [MESSAGE]
    sb.host.set_stock("MUG", 1)
    assert sb.system_messages() == [MESSAGE]
    sb.host.set_stock("MUG", 1)
    assert sb.system_messages() == []
