"""An integrator may override a single host service with tryfirst; the host's batch form must not bypass it."""

from __future__ import annotations

from channel_plugin import hookimpl
from channel_plugin.testing import make_order


class CallLog:
    """Wrappers around both forms of the host services: they see which form the plugin called, answer nothing."""

    def __init__(self):
        self.called = []

    def _saw(self, name):
        self.called.append(name)
        return (yield)

    @hookimpl(wrapper=True)
    def commerce_find_product(self, sku, store_view):
        return (yield from self._saw("commerce_find_product"))

    @hookimpl(wrapper=True)
    def commerce_find_products(self, skus, store_view):
        return (yield from self._saw("commerce_find_products"))

    @hookimpl(wrapper=True)
    def commerce_salable_qty(self, sku, store_view):
        return (yield from self._saw("commerce_salable_qty"))

    @hookimpl(wrapper=True)
    def commerce_salable_qtys(self, skus, store_view):
        return (yield from self._saw("commerce_salable_qtys"))

    @hookimpl(wrapper=True)
    def commerce_create_order(self, draft):
        return (yield from self._saw("commerce_create_order"))

    @hookimpl(wrapper=True)
    def commerce_create_orders(self, drafts):
        return (yield from self._saw("commerce_create_orders"))


def test_the_hosts_batch_services_are_used_when_nobody_overrides(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}, {"sku": "CUP", "qty": 5}])
    calls = CallLog()
    sb.pm.register(calls)
    orders = [make_order(items=[("MUG", 1)]), make_order(items=[("CUP", 1), ("MUG", 1)])]
    for order in orders:
        sb.amazon.put_order(order)
    sb.sync()
    assert all(sb.order(o["orderId"]).import_state == "IMPORTED" for o in orders)
    assert sorted(set(calls.called)) == ["commerce_create_orders", "commerce_find_products", "commerce_salable_qtys"]
    assert len(calls.called) == 3  # one call of each per page, however many orders and SKUs


def test_a_tryfirst_salable_qty_override_is_honoured(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 50}])
    calls = CallLog()

    class HoldBackStock:
        """Keeps 45 units for the web shop: Amazon may only sell 5."""

        @hookimpl(tryfirst=True)
        def commerce_salable_qty(self, sku, store_view):
            return 5 if sku == "MUG" else None

    sb.pm.register(HoldBackStock())
    sb.pm.register(calls)
    small, large = make_order(items=[("MUG", 5)]), make_order(items=[("MUG", 6)])
    for order in (small, large):
        sb.amazon.put_order(order)
    sb.sync()
    assert sb.order(small["orderId"]).import_state == "IMPORTED"
    assert sb.order(large["orderId"]).blockers[0].kind == "OUT_OF_STOCK"
    assert "commerce_salable_qty" in calls.called and "commerce_salable_qtys" not in calls.called
    assert "commerce_find_products" in calls.called  # the products' lookup, not overridden, stays page-sized


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


class BatchOverride:
    """A plugin that answers both forms of a host service (so its batch form is the one used) with garbage."""

    def __init__(self, **answers):
        self.answers = answers

    @hookimpl(tryfirst=True)
    def commerce_find_product(self, sku, store_view):
        return None

    @hookimpl(tryfirst=True)
    def commerce_find_products(self, skus, store_view):
        return self.answers.get("find_products")

    @hookimpl(tryfirst=True)
    def commerce_salable_qty(self, sku, store_view):
        return None

    @hookimpl(tryfirst=True)
    def commerce_salable_qtys(self, skus, store_view):
        return self.answers.get("salable_qtys")


def test_a_batch_product_lookup_answering_garbage_blocks_with_a_clear_message(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    sb.pm.register(BatchOverride(find_products=["MUG"]))
    order = make_order(items=[("MUG", 1)])
    sb.amazon.put_order(order)
    sb.sync()
    [blocker] = sb.order(order["orderId"]).blockers
    assert blocker.kind == "HOST_ERROR"
    assert "commerce_find_products returned ['MUG'] (list)" in blocker.message


def test_a_batch_stock_answer_of_the_wrong_type_blocks_with_a_clear_message(make_sandbox):
    from channel_plugin.domain.model import Product

    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    sb.pm.register(BatchOverride(find_products={"MUG": Product("MUG", "Mug")}, salable_qtys={"MUG": "lots"}))
    order = make_order(items=[("MUG", 1)])
    sb.amazon.put_order(order)
    sb.sync()
    [blocker] = sb.order(order["orderId"]).blockers
    assert blocker.kind == "HOST_ERROR"
    assert "'lots' (str) as the salable quantity of 'MUG'" in blocker.message
    assert sb.host.salable_qty("MUG") == 5


def test_a_batch_create_answering_garbage_falls_back_to_one_by_one(make_sandbox, caplog):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])

    class ShortBatch:
        @hookimpl(tryfirst=True)
        def commerce_create_order(self, draft):
            return None

        @hookimpl(tryfirst=True)
        def commerce_create_orders(self, drafts):
            return ["not enough answers"]

    sb.pm.register(ShortBatch())
    orders = [make_order(items=[("MUG", 1)]) for _ in range(2)]
    for order in orders:
        sb.amazon.put_order(order)
    sb.sync()
    assert all(sb.order(o["orderId"]).import_state == "IMPORTED" for o in orders)
    assert "creating the page's orders one by one" in caplog.text
    assert sb.host.salable_qty("MUG") == 3
