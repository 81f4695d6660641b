"""Each channel_* hook, seen by a throwaway integrator plugin: arguments, once, and at the documented moment."""

from __future__ import annotations

from sqlalchemy import func, select

from channel_plugin import hookimpl
from channel_plugin.domain.model import AmazonOrder, Blocker, BlockerRecord, CommerceOrderDraft, CommerceOrderRef
from channel_plugin.storage.tables import amazon_orders
from channel_plugin.testing import make_order


class Recorder:
    """Records every notification, with whether the change was already committed when it fired."""

    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.calls = []

    def committed_state(self, amazon_order_id):
        # A fresh connection outside the unit of work only sees committed data.
        with self.sandbox.db.engine.connect() as conn:
            return conn.execute(
                select(amazon_orders.c.import_state, amazon_orders.c.status).where(
                    amazon_orders.c.amazon_order_id == amazon_order_id
                )
            ).first()

    @hookimpl
    def channel_order_received(self, order):
        self.calls.append(("received", order.amazon_order_id, self.committed_state(order.amazon_order_id)))
        assert isinstance(order, AmazonOrder)

    @hookimpl
    def channel_order_imported(self, order, commerce_order):
        assert isinstance(commerce_order, CommerceOrderRef)
        self.calls.append(
            (
                "imported",
                order.amazon_order_id,
                commerce_order.increment_id,
                self.committed_state(order.amazon_order_id),
            )
        )

    @hookimpl
    def channel_order_blocked(self, order, blockers):
        assert all(isinstance(b, Blocker) for b in blockers)
        self.calls.append(
            (
                "blocked",
                order.amazon_order_id,
                tuple(b.kind.value for b in blockers),
                self.committed_state(order.amazon_order_id),
            )
        )

    @hookimpl
    def channel_blocker_resolved(self, order, blocker):
        assert isinstance(blocker, BlockerRecord) and blocker.resolved_at is not None
        self.calls.append(("resolved", order.amazon_order_id, blocker.kind.value, blocker.seller_sku))

    @hookimpl
    def channel_status_changed(self, order, old, new):
        self.calls.append(
            ("status", order.amazon_order_id, old.value, new.value, self.committed_state(order.amazon_order_id))
        )

    def named(self, kind):
        return [c for c in self.calls if c[0] == kind]


def test_notifications_fire_once_after_commit_with_their_arguments(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    rec = Recorder(sb)
    sb.pm.register(rec)
    good = make_order(items=[("MUG", 1)])
    blocked = make_order(items=[("LAMP", 1)])
    for order in (good, blocked):
        sb.amazon.put_order(order)
    sb.sync()
    assert sorted(c[1] for c in rec.named("received")) == sorted([good["orderId"], blocked["orderId"]])
    assert all(c[2] is not None for c in rec.named("received")), "received fired before the order was committed"
    [imported] = rec.named("imported")
    assert imported[1:3] == (good["orderId"], "000000001")
    assert imported[3].import_state == "IMPORTED"
    [blocked_call] = rec.named("blocked")
    assert blocked_call[1:3] == (blocked["orderId"], ("PRODUCT_NOT_FOUND",))
    assert blocked_call[3].import_state == "BLOCKED"

    sb.sync()  # a re-check that finds the same blockers says nothing new
    assert len(rec.named("blocked")) == 1
    assert len(rec.named("received")) == 2  # nothing redelivered

    sb.host.add_product("LAMP", qty=1)
    assert rec.named("resolved") == [("resolved", blocked["orderId"], "PRODUCT_NOT_FOUND", "LAMP")]
    assert len(rec.named("imported")) == 2

    commerce_id = sb.order(good["orderId"]).commerce_order_id
    sb.host.ship(commerce_id, "UPS", "1Z1")
    sb.sync()
    statuses = [(c[1], c[2], c[3]) for c in rec.named("status")]
    assert statuses == [
        (good["orderId"], "UNSHIPPED", "SHIPPED"),
        (good["orderId"], "SHIPPED", "COMPLETED"),
    ]
    assert [c[4].status for c in rec.named("status")] == ["SHIPPED", "COMPLETED"]


def test_a_redelivered_unchanged_payload_fires_nothing(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    rec = Recorder(sb)
    sb.pm.register(rec)
    order = make_order(items=[("MUG", 1)])
    sb.amazon.put_order(order)
    sb.sync()
    from channel_plugin.engine.importer import import_page

    page = sb.amazon.payload(order["orderId"])
    result = import_page(sb.runtime, sb.store, [page, page])
    assert (result.received, result.unchanged) == (0, 1)  # the page's two copies are one order
    assert len(rec.named("received")) == 1
    assert len(rec.named("imported")) == 1


def test_a_rolled_back_import_notifies_nobody(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    rec = Recorder(sb)
    sb.pm.register(rec)

    from channel_plugin.engine import importer

    original = importer._persist

    def exploding_persist(*args, **kwargs):
        original(*args, **kwargs)
        raise OSError("disk full")

    importer._persist = exploding_persist
    try:
        result = importer.import_page(sb.runtime, sb.store, [make_order(items=[("MUG", 1)])])
    finally:
        importer._persist = original
    assert result.failed == 1
    assert rec.calls == []
    with sb.db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(amazon_orders)).scalar() == 0
    assert sb.host.orders() == []
    assert sb.host.salable_qty("MUG") == 5


def test_resolve_sku_changes_the_outcome(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    seen = []
    committed = Recorder(sb).committed_state

    class StripFba:
        @hookimpl
        def channel_resolve_sku(self, store, seller_sku):
            assert all(committed(o["orderId"]) is None for o in (mapped, direct))  # inside the unit of work
            seen.append((store.id, store.name, seller_sku))
            return seller_sku.removesuffix("-FBA") if seller_sku.endswith("-FBA") else None

    mapped = make_order(items=[("MUG-FBA", 2)])
    direct = make_order(items=[("MUG", 1)])
    sb.pm.register(StripFba())
    for order in (mapped, direct):
        sb.amazon.put_order(order)
    sb.sync()
    assert sorted(seen) == [(sb.store.id, "Sandbox US", "MUG"), (sb.store.id, "Sandbox US", "MUG-FBA")]
    view = sb.order(mapped["orderId"])
    assert view.import_state == "IMPORTED"
    assert [(i.sku, i.qty) for i in sb.host.order(view.commerce_order_id).items] == [("MUG", 2)]
    assert sb.host.salable_qty("MUG") == 2


def test_resolve_sku_returning_garbage_is_a_clear_host_error(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])

    class Broken:
        @hookimpl
        def channel_resolve_sku(self, store, seller_sku):
            return 42

    sb.pm.register(Broken())
    order = make_order(items=[("MUG", 1)])
    sb.amazon.put_order(order)
    sb.sync()
    view = sb.order(order["orderId"])
    assert view.import_state == "BLOCKED"
    [blocker] = view.blockers
    assert blocker.kind == "HOST_ERROR"
    assert "channel_resolve_sku returned 42 (int)" in blocker.message


def test_build_order_changes_the_draft_plain_and_as_a_wrapper(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}], settings={"order_status": "DEFAULT"})
    sb.host.add_status("amazon_prime", "Prime order", "processing")
    calls = []

    committed = Recorder(sb).committed_state

    class PrimeStatus:
        @hookimpl
        def channel_build_order(self, order, draft):
            # A decision hook runs inside the import's unit of work: nothing of this order is committed yet.
            assert committed(order.amazon_order_id) is None
            calls.append(("plain", order.amazon_order_id, draft.status))
            draft.status = "amazon_prime"

    class Comment:
        @hookimpl(wrapper=True)
        def channel_build_order(self, order, draft):
            result = yield
            assert isinstance(result, CommerceOrderDraft)
            calls.append(("wrapper", order.amazon_order_id, result.status))
            result.comment = "checked by integrator"
            return result

    sb.pm.register(PrimeStatus())
    sb.pm.register(Comment())
    order = make_order(items=[("MUG", 1)])
    sb.amazon.put_order(order)
    sb.sync()
    assert calls == [("plain", order["orderId"], None), ("wrapper", order["orderId"], "amazon_prime")]
    view = sb.order(order["orderId"])
    assert sb.host.order(view.commerce_order_id).status == "amazon_prime"


def test_build_order_returning_garbage_blocks_with_a_clear_message(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])

    class Garbage:
        @hookimpl(wrapper=True)
        def channel_build_order(self, order, draft):
            yield
            return {"sku": "MUG"}

    sb.pm.register(Garbage())
    order = make_order(items=[("MUG", 1)])
    sb.amazon.put_order(order)
    sb.sync()
    view = sb.order(order["orderId"])
    assert view.import_state == "BLOCKED"
    assert "channel_build_order returned dict" in view.blockers[0].message
    assert sb.host.orders() == []
    assert sb.host.salable_qty("MUG") == 5


def test_a_failing_notification_hook_does_not_undo_or_stop_the_import(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])

    class Grumpy:
        @hookimpl
        def channel_order_imported(self, order, commerce_order):
            raise RuntimeError("webhook down")

    sb.pm.register(Grumpy())
    orders = [make_order(items=[("MUG", 1)]) for _ in range(3)]
    for order in orders:
        sb.amazon.put_order(order)
    sb.sync()
    assert all(sb.order(o["orderId"]).import_state == "IMPORTED" for o in orders)
