"""The reference host (on the plugin's database) at the exactly-once boundary: it stores each draft's external
reference, answers commerce_find_orders and commerce_order_shipments, and an interrupted import leaves nothing
behind in it, so a retry creates the order exactly once."""

from __future__ import annotations

import pytest

from channel_plugin import hookimpl
from channel_plugin.domain.model import CommerceOrderDraft, CommerceOrderRef
from channel_plugin.testing import make_order


def test_the_reference_host_finds_orders_and_shipments_by_what_the_plugin_knows(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    order = make_order(items=[("MUG", 2)])
    sb.amazon.put_order(order)
    sb.sync()
    view = sb.order(order["orderId"])
    reference = f"amazon:{sb.store.id}:{order['orderId']}"
    found = sb.pm.hook.commerce_find_orders(references=[reference, f"amazon:{sb.store.id}:111-0000000-0000000"])
    assert found == {
        reference: CommerceOrderRef(view.commerce_order_id, view.commerce_increment_id, "processing", "processing")
    }
    shipment = sb.host.ship(view.commerce_order_id, "UPS", "1Z1", items={"MUG": 1})
    [listed] = sb.pm.hook.commerce_order_shipments(order_ids=[view.commerce_order_id])[view.commerce_order_id]
    assert (listed.id, listed.tracking_number, listed.items) == (shipment.id, "1Z1", shipment.items)


def test_no_integrator_can_change_the_external_reference(make_sandbox):
    class Renaming:
        @hookimpl
        def channel_build_order(self, order, draft: CommerceOrderDraft) -> None:
            draft.external_reference = "mine"

    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    sb.pm.register(Renaming())
    order = make_order(items=[("MUG", 1)])
    sb.amazon.put_order(order)
    sb.sync()
    assert sb.pm.hook.commerce_find_orders(references=["mine"]) == {}
    assert sb.pm.hook.commerce_find_orders(references=[f"amazon:{sb.store.id}:{order['orderId']}"])


@pytest.mark.parametrize("batch", [True, False], ids=["batch", "single"])
def test_an_interrupted_import_on_the_plugins_database_leaves_nothing_and_is_created_once(make_sandbox, batch):
    """The host's writes join the plugin's transaction: a crash after them rolls them back with it."""
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    fail = {"left": 1}

    class FailingAfterCreate:
        @hookimpl(wrapper=True)
        def commerce_create_orders(self, drafts):
            result = yield
            if fail["left"]:
                fail["left"] -= 1
                raise ConnectionError("lost the database after the host wrote the order")
            return result

        @hookimpl(wrapper=True)
        def commerce_create_order(self, draft):
            result = yield
            if fail["left"]:
                fail["left"] -= 1
                raise ConnectionError("lost the database after the host wrote the order")
            return result

    if not batch:
        services = sb.pm.unregister(name="reference_host")
        services.commerce_create_orders = None  # a host without the page-sized service
        sb.pm.register(services, name="reference_host")
    sb.pm.register(FailingAfterCreate())
    order = make_order(items=[("MUG", 2)])
    sb.amazon.put_order(order)
    sb.sync()
    sb.sync()
    view = sb.order(order["orderId"])
    assert view.import_state == "IMPORTED", view.notes
    assert [o.id for o in sb.host.orders()] == [view.commerce_order_id]
    assert sb.host.salable_qty("MUG") == 3
