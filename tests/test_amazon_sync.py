"""Issue 3's acceptance through the Sandbox: the real SP-API client against the fake SP-API server."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from channel_plugin.amazon.ratelimit import USAGE_PLANS
from channel_plugin.storage.stores import get_watermark
from channel_plugin.storage.tables import amazon_orders, sync_errors
from channel_plugin.testing import make_order


def test_a_thousand_orders_over_eleven_pages_survive_throttling_errors_an_expired_token_and_changes(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 100_000}])
    rng = random.Random(7)
    orders = [make_order(items=[("MUG", 1)], status=rng.choice(["PENDING", "UNSHIPPED"])) for _ in range(1000)]
    for order in orders:
        sb.amazon.put_order(order)
    sb.amazon.page_size = 95  # 1,000 orders -> 11 pages
    faults = sb.amazon_server.faults
    faults.throttle_rate, faults.error_rate = 0.10, 0.02
    faults.reseed(4)  # reproducible, and on this run both a 429 and a 500 come up
    ids = [o["orderId"] for o in orders]
    changes = iter(range(0, 1000, 37))

    def between_pages(page: int) -> None:
        if page == 5:
            faults.expire_access_tokens()
        for _ in range(3):  # Amazon keeps changing orders while the client pages through them
            index = next(changes, None)
            if index is not None:
                sb.amazon.set_status(ids[index], "CANCELED" if index % 2 else "UNSHIPPED")

    sb.amazon_server.on_page_served = between_pages
    started = sb.clock.now()
    [first] = sb.sync()
    assert first.error is None
    assert sb.amazon_server.pages_served >= 11
    sb.amazon_server.on_page_served = None
    [second] = sb.sync()
    assert second.error is None

    with sb.db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(amazon_orders)).scalar_one() == 1000
    expected = {"UNSHIPPED": ("UNSHIPPED", "IMPORTED"), "PENDING": ("PENDING", "WAITING")}
    commerce_ids = []
    for order_id in ids:
        view = sb.order(order_id)
        final = sb.amazon.payload(order_id)["fulfillment"]["fulfillmentStatus"]
        if final == "CANCELLED":
            assert view.status == "CANCELED" and view.import_state in ("SKIPPED", "IMPORTED"), order_id
            if view.commerce_order_id:
                assert sb.host.order(view.commerce_order_id).state == "canceled"
        else:
            assert (view.status.value, view.import_state.value) == expected[final], order_id
        if view.commerce_order_id:
            commerce_ids.append(view.commerce_order_id)
    assert len(commerce_ids) == len(set(commerce_ids)) == len(sb.host.orders())

    assert faults.injected[429] >= 1 and faults.injected[500] >= 1
    assert sb.amazon_server.throttled["searchOrders"] == 0  # the client's bucket kept it within Amazon's quota
    elapsed = (sb.clock.now() - started).total_seconds()
    # the first grant, one refresh after the forced expiry, and one per hour of (virtual) waiting on the bucket
    assert sb.amazon_server.token_grants <= 2 + elapsed // 3540
    rate, burst = USAGE_PLANS["searchOrders"]
    assert sb.amazon_server.calls["searchOrders"] <= burst + rate * elapsed


def test_an_order_that_search_sees_only_after_its_window_closed_is_imported_by_the_next_window(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    sb.sync()
    with sb.db.transaction(write=False) as conn:
        closed_at = get_watermark(conn, sb.store.id)
    late = make_order(items=[("MUG", 1)])
    sb.amazon.put_order(late, updated_at=closed_at - timedelta(minutes=1))  # changed then, searchable only now
    sb.sync()
    assert sb.order(late["orderId"]).import_state == "IMPORTED"
    with sb.db.transaction(write=False) as conn:
        assert get_watermark(conn, sb.store.id) > closed_at


def test_a_backfill_rereads_a_past_window_without_duplicates(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 50}])
    orders = [make_order(items=[("MUG", 1)]) for _ in range(5)]
    for order in orders:
        sb.amazon.put_order(order)
    sb.sync()
    with sb.db.transaction(write=False) as conn:
        watermark = get_watermark(conn, sb.store.id)
    results = sb.plugin.sync_now(since=sb.clock.now() - timedelta(days=3))
    assert [r.error for r in results] == [None]
    assert results[0].pulled.received == 0 and results[0].pulled.unchanged == 5
    assert len(sb.host.orders()) == 5
    with sb.db.transaction(write=False) as conn:
        assert get_watermark(conn, sb.store.id) >= watermark


def test_a_shipment_in_two_packages_sends_two_confirmations_and_a_503_is_retried(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": s, "qty": 5} for s in ("MUG", "TEE", "CAP")])
    order = make_order(items=[("MUG", 1), ("TEE", 2), ("CAP", 1)])
    sb.amazon.put_order(order)
    sb.sync()
    view = sb.order(order["orderId"])
    sb.host.ship(
        view.commerce_order_id,
        "ups",
        "1ZA",
        packages=[{"tracking": "1ZA", "items": {"MUG": 1, "TEE": 2}}, {"tracking": "1ZB", "items": {"CAP": 1}}],
    )
    sb.amazon_server.faults.fail_next(503, operation="confirmShipment")
    sb.sync()
    assert sb.amazon_server.calls["confirmShipment"] == 3
    item_ids = {line["product"]["sellerSku"]: line["orderItemId"] for line in order["orderItems"]}
    sent = [payload for _, payload in sb.amazon.confirmations]
    assert [(p["carrierCode"], p["trackingNumber"]) for p in sent] == [("UPS", "1ZA"), ("UPS", "1ZB")]
    assert {i["orderItemId"]: i["quantity"] for i in sent[0]["orderItems"]} == {item_ids["MUG"]: 1, item_ids["TEE"]: 2}
    assert sent[1]["orderItems"] == [{"orderItemId": item_ids["CAP"], "quantity": 1}]
    assert len({p["packageReferenceId"] for p in sent}) == 2
    assert sb.order(order["orderId"]).status == "COMPLETED"


def ship_and_confirm(sb, carrier, tracking, *, restart=False):
    """Import a one-line order, ship it in the host, (restart,) sync: the order and the one confirmation sent."""
    order = make_order(items=[("MUG", 2)])
    sb.amazon.put_order(order)
    sb.sync()
    sb.host.ship(sb.order(order["orderId"]).commerce_order_id, carrier, tracking)
    if restart:
        sb.restart()
    sb.sync()
    [(_, payload)] = sb.amazon.confirmations
    return order, payload


def test_a_restart_between_enqueue_and_send_loses_no_confirmation(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    order, payload = ship_and_confirm(sb, "fedex", "7777", restart=True)
    assert (payload["carrierCode"], payload["trackingNumber"]) == ("FedEx", "7777")
    assert sb.order(order["orderId"]).status == "COMPLETED"


def test_an_unknown_carrier_is_sent_as_other_with_its_name(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    _, payload = ship_and_confirm(sb, "Bob's Bikes Courier", "B-1")
    assert (payload["carrierCode"], payload["carrierName"]) == ("Other", "Bob's Bikes Courier")


def test_a_page_that_is_not_json_fails_that_run_only_and_the_next_run_imports_everything(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    order = make_order(items=[("MUG", 1)])
    sb.amazon.put_order(order)
    sb.amazon_server.faults.fail_next(200, operation="searchOrders", body='{"orders": [{"orderId": ')
    [failed] = sb.sync()
    assert "searchOrders answered with a body that is not valid JSON" in failed.error
    assert sb.order(order["orderId"]) is None
    [ok] = sb.sync()
    assert ok.error is None and sb.order(order["orderId"]).import_state == "IMPORTED"


def test_a_page_without_orders_is_reported_on_the_run(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    sb.amazon.put_order(make_order(items=[("MUG", 1)]))
    sb.amazon_server.faults.fail_next(200, operation="searchOrders", body='{"pagination": {}}')
    [failed] = sb.sync()
    assert failed.error.endswith("searchOrders answered without an `orders` list")
    stores = sb.graphql("{ amazonStores { lastSyncResult lastSyncError active } }")["data"]["amazonStores"]
    assert stores == [{"lastSyncResult": "ERROR", "lastSyncError": failed.error, "active": True}]


def test_an_order_with_a_negative_quantity_is_invalid_and_the_rest_of_the_page_imports(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    good = [make_order(items=[("MUG", 1)]) for _ in range(2)]
    bad = make_order(items=[("MUG", 1)])
    bad["orderItems"][0]["quantityOrdered"] = -2
    for order in (good[0], bad, good[1]):
        sb.amazon.put_order(order)
    [result] = sb.sync()
    assert result.error is None and result.pulled.invalid == 1
    assert [sb.order(o["orderId"]).import_state for o in good] == ["IMPORTED", "IMPORTED"]
    view = sb.order(bad["orderId"])
    [blocker] = view.blockers
    assert blocker.kind == "INVALID_ORDER_DATA" and "quantity" in blocker.message.lower()


def test_a_pagination_token_amazon_no_longer_accepts_restarts_the_window(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 500}])
    orders = [make_order(items=[("MUG", 1)]) for _ in range(25)]
    for order in orders:
        sb.amazon.put_order(order)
    sb.amazon.page_size = 10
    sb.amazon_server.faults.reject_pagination_tokens()
    [result] = sb.sync()
    assert result.error is None
    assert all(sb.order(o["orderId"]).import_state == "IMPORTED" for o in orders)
    assert len(sb.host.orders()) == 25
    assert sb.amazon_server.faults.injected[400] == 1
    assert sb.amazon_server.pages_served == 4  # page 1, then the restarted window's three


def test_throttling_through_every_retry_fails_the_run_but_never_switches_the_store_off(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    order = make_order(items=[("MUG", 1)])
    sb.amazon.put_order(order)
    sb.amazon_server.faults.fail_next(429, operation="searchOrders", times=8)
    [failed] = sb.sync()
    assert "429" in failed.error and sb.order(order["orderId"]) is None
    [ok] = sb.sync()
    assert ok.error is None and sb.order(order["orderId"]).import_state == "IMPORTED"


def test_an_order_that_could_not_be_stored_is_fetched_again_with_get_order(make_sandbox, monkeypatch):
    from channel_plugin.storage import orders as order_store

    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    poison = make_order(items=[("MUG", 1)])
    original = order_store.order_columns

    def failing_columns(order, cipher, **kwargs):
        if order.amazon_order_id == poison["orderId"]:
            raise ValueError("storage refused this order")
        return original(order, cipher, **kwargs)

    monkeypatch.setattr(order_store, "order_columns", failing_columns)
    sb.amazon.put_order(poison)
    [first] = sb.sync()
    assert first.pulled.failed == 1 and sb.order(poison["orderId"]) is None
    monkeypatch.setattr(order_store, "order_columns", original)
    sb.sync()
    assert sb.order(poison["orderId"]).import_state == "IMPORTED"
    assert sb.amazon_server.calls["getOrder"] == 1
    with sb.db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(sync_errors)).scalar_one() == 0


def test_a_store_with_refused_credentials_fails_alone_and_says_why(make_sandbox):
    from channel_plugin.testing import SANDBOX_CREDENTIALS

    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    revoked = sb.add_store(
        "Sandbox DE",
        marketplace_id="A1PA6795UKMFR9",
        region="EU",
        credentials={**SANDBOX_CREDENTIALS, "refresh_token": "Atzr|revoked"},
    )
    order = make_order(items=[("MUG", 1)])
    sb.amazon.put_order(order)
    results = {r.store_id: r for r in sb.sync()}
    assert results[sb.store.id].error is None
    assert sb.order(order["orderId"]).import_state == "IMPORTED"
    assert "Login with Amazon refused the store's credentials (invalid_grant" in results[revoked.id].error
    assert "revoked" not in results[revoked.id].error
    stores = sb.graphql("{ amazonStores { name lastSyncResult active } }")["data"]["amazonStores"]
    assert {s["name"]: (s["lastSyncResult"], s["active"]) for s in stores} == {
        "Sandbox US": ("OK", True),
        "Sandbox DE": ("ERROR", True),
    }


@pytest.mark.parametrize(
    ("packages", "words"),
    [
        ([], "at least one package"),
        ([{"items": {"MUG": 1}}], "package 1 needs a tracking number"),
        ([{"tracking": "1Z1", "items": {}}], "package 1 needs items"),
        ([{"tracking": "1Z1", "items": {"MUG": 1}}, {"tracking": "1Z2", "items": {"MUG": 5}}], "cannot ship 6 units"),
    ],
)
def test_bad_packages_are_refused_and_nothing_is_shipped_or_queued(make_sandbox, packages, words):
    from channel_plugin.errors import HostError

    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    order = make_order(items=[("MUG", 2)])
    sb.amazon.put_order(order)
    sb.sync()
    commerce_id = sb.order(order["orderId"]).commerce_order_id
    with pytest.raises(HostError, match=words):
        sb.host.ship(commerce_id, "ups", "1Z1", packages=packages)
    sb.sync()
    assert sb.amazon.confirmations == [] and sb.order(order["orderId"]).status == "UNSHIPPED"
    assert sb.host.order(commerce_id).state == "processing"
