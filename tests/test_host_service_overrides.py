"""An integrator may override a single host service with tryfirst; the host's batch form must not bypass it."""

from __future__ import annotations

from channel_plugin import hookimpl
from channel_plugin.engine.services import use_batch
from channel_plugin.testing import make_order


def test_the_hosts_batch_services_are_used_when_nobody_overrides(make_sandbox):
    sb = make_sandbox()
    for single, batch in [
        ("commerce_find_product", "commerce_find_products"),
        ("commerce_salable_qty", "commerce_salable_qtys"),
        ("commerce_create_order", "commerce_create_orders"),
    ]:
        assert use_batch(sb.pm, single, batch), batch


def test_a_tryfirst_salable_qty_override_is_honoured(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 50}])

    class HoldBackStock:
        """Keeps 45 units for the web shop: Amazon may only sell 5."""

        @hookimpl(tryfirst=True)
        def commerce_salable_qty(self, sku, store_view):
            return 5 if sku == "MUG" else None

    sb.pm.register(HoldBackStock())
    assert not use_batch(sb.pm, "commerce_salable_qty", "commerce_salable_qtys")
    small, large = make_order(items=[("MUG", 5)]), make_order(items=[("MUG", 6)])
    for order in (small, large):
        sb.amazon.put_order(order)
    sb.sync()
    assert sb.order(small["orderId"]).import_state == "IMPORTED"
    assert sb.order(large["orderId"]).blockers[0].kind == "OUT_OF_STOCK"


def test_a_tryfirst_create_order_override_is_honoured(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    seen = []

    class Audit:
        @hookimpl(tryfirst=True)
        def commerce_create_order(self, draft):
            seen.append(draft.amazon_order_id)  # returning None lets the host create it

    sb.pm.register(Audit())
    order = make_order(items=[("MUG", 1)])
    sb.amazon.put_order(order)
    sb.sync()
    assert seen == [order["orderId"]]
    assert sb.order(order["orderId"]).import_state == "IMPORTED"
