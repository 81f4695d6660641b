"""Cancels in batches: every pending cancel of a store goes out in one order-acknowledgement feed per cycle, the
plugin follows the feed until Amazon has processed it, and each cancel ends accepted or refused as Amazon's
processing report says; through the Sandbox (real SP-API client, fake SP-API server) on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from job_polling import finished_job
from starlette.testclient import TestClient

from channel_plugin.amazon.cancellation import FEED_TYPE
from channel_plugin.engine.cancellations import CLAIM_LEASE
from channel_plugin.storage import cancellations as store_cancels
from channel_plugin.storage.tables import amazon_feeds
from channel_plugin.testing import make_order

REFUSAL = "The order has already shipped from the buyer's point of view."
PROBLEM = "{ amazonOrder(amazonOrderId: $id) { status problems { code message } commerceOrder { status } } }"


def imported_orders(sb, count, sku="MUG"):
    orders = [make_order(items=[(sku, 1)]) for _ in range(count)]
    sb.amazon.put_orders(orders)
    sb.sync()
    ids = [o["orderId"] for o in orders]
    assert {sb.order(i).import_state for i in ids} == {"IMPORTED"}
    return ids


def test_fifty_queued_cancels_go_out_as_one_feed_while_new_orders_import_in_the_same_cycle(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 100}])
    ids = imported_orders(sb, 50)
    refused = set(ids[::10])
    for order_id in refused:
        sb.amazon.refuse_cancel(order_id, REFUSAL)
    for order_id in ids:
        sb.cancel(order_id, "NoInventory")
    fresh = make_order(items=[("MUG", 1)])
    sb.amazon.put_order(fresh)

    [result] = sb.sync()
    assert result.error is None and result.cancellations.submitted == 50
    assert sb.amazon_server.calls["createFeed"] == 1 and sb.amazon_server.calls["createFeedDocument"] == 1
    assert sb.order(fresh["orderId"]).import_state == "IMPORTED"
    assert sb.amazon.cancellations == []  # Amazon has not processed the feed yet

    [result] = sb.sync()
    assert (result.cancellations.accepted, result.cancellations.rejected) == (45, 5)
    assert sb.amazon_server.calls["createFeed"] == 1  # nothing left to send
    assert sorted(i for i, _ in sb.amazon.cancellations) == sorted(set(ids) - refused)
    for order_id in ids:
        view = sb.order(order_id)
        if order_id in refused:
            assert view.status == "UNSHIPPED" and view.history[-1].kind == "CANCEL_REJECTED"
            [problem] = view.problems
            assert (problem.code, problem.message) == ("CANCEL_REJECTED", f"18028: {REFUSAL}")
            assert REFUSAL in view.notes and "was canceled already" in view.notes
        else:
            assert view.status == "CANCELED" and view.problems == ()
            assert view.history[-1].message == "Amazon accepted the cancellation."

    sb.sync()  # a settled feed is not asked about again, and the refused orders stay as Amazon has them
    assert sb.amazon_server.calls["getFeed"] == 1 and sb.amazon_server.calls["getFeedDocument"] == 1
    assert {sb.order(i).status for i in refused} == {"UNSHIPPED"}


def refused_ids(sb, code):
    """The orders the All Orders list shows under the problems filter ``code``."""
    query = (
        "query($c: [OrderProblemCode!]) { amazonOrders(filter: { problems: $c }) { edges { node { amazonOrderId } } } }"
    )
    edges = sb.graphql(query, {"c": [code]})["data"]["amazonOrders"]["edges"]
    return [e["node"]["amazonOrderId"] for e in edges]


def test_a_refused_cancel_is_visible_in_graphql_and_cancelling_again_queues_it_afresh(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    [order_id] = imported_orders(sb, 1)
    sb.amazon.refuse_cancel(order_id, REFUSAL)
    sb.cancel(order_id, "NoInventory")
    sb.sync()
    sb.sync()
    query = "query($id: String!) " + PROBLEM
    order = sb.graphql(query, {"id": order_id})["data"]["amazonOrder"]
    assert order["status"] == "UNSHIPPED"
    assert order["problems"] == [{"code": "CANCEL_REJECTED", "message": f"18028: {REFUSAL}"}]
    assert order["commerceOrder"] == {"status": "canceled"}  # the host canceled it before Amazon answered
    assert refused_ids(sb, "CANCEL_REJECTED") == [order_id]
    assert refused_ids(sb, "SHIPMENT_REJECTED") == []
    sb.cancel(order_id, "BuyerCanceled")  # the admin tries again; the problem is gone while Amazon decides
    assert sb.graphql(query, {"id": order_id})["data"]["amazonOrder"]["problems"] == []
    assert sb.order(order_id).status == "CANCELED"


def test_amazon_refusing_the_whole_feed_refuses_each_cancel_with_its_message(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    ids = imported_orders(sb, 2)
    for order_id in ids:
        sb.cancel(order_id, "NoInventory")
    sb.amazon_server.faults.fail_next(400, operation="createFeed", body='{"errors": [{"code": "InvalidInput"}]}')
    [result] = sb.sync()
    assert result.cancellations.rejected == 2
    for order_id in ids:
        [problem] = sb.order(order_id).problems
        assert problem.message.startswith("Amazon refused the cancellation feed: createFeed: 400 InvalidInput")
        assert sb.order(order_id).status == "UNSHIPPED"


def test_a_feed_that_could_not_be_sent_goes_out_on_the_next_cycle(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    [order_id] = imported_orders(sb, 1)
    sb.cancel(order_id, "NoInventory")
    sb.amazon_server.faults.fail_next(503, operation="createFeed", times=8)
    [result] = sb.sync()
    assert result.error is None and result.cancellations.submitted == 0
    sb.sync()
    sb.sync()
    assert sb.amazon.cancellations == [(order_id, "NoInventory")]
    assert sb.order(order_id).history[-1].message == "Amazon accepted the cancellation."


def test_a_feed_amazon_drops_unprocessed_is_sent_again(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    [order_id] = imported_orders(sb, 1)
    sb.cancel(order_id, "NoInventory")
    sb.sync()
    [feed] = sb.amazon_server.feeds.feeds.values()
    feed.status = "CANCELLED"  # Amazon cancelled the feed before processing it
    sb.sync()  # sees it ended without a report: the cancel goes back to the queue, and out in a new feed
    assert sb.amazon_server.calls["createFeed"] == 2
    sb.sync()
    assert sb.amazon.cancellations == [(order_id, "NoInventory")]


def test_one_pending_cancel_is_claimed_for_one_feed_only(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    [order_id] = imported_orders(sb, 1)
    sb.cancel(order_id, "NoInventory")
    now = sb.clock.now()
    claim = {"store_id": sb.store.id, "feed_type": FEED_TYPE, "now": now, "lease": CLAIM_LEASE, "limit": 10}
    with sb.db.transaction() as conn:
        first = store_cancels.claim(conn, **claim)
    with sb.db.transaction() as conn:
        second = store_cancels.claim(conn, **claim)
        feeds = conn.execute(amazon_feeds.select()).fetchall()
    assert first is not None and [r.amazon_order_id for r in first[1]] == [order_id]
    assert second is None and len(feeds) == 1


def test_a_claim_left_by_a_crashed_worker_expires_and_the_cancel_goes_out(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    [order_id] = imported_orders(sb, 1)
    sb.cancel(order_id, "NoInventory")
    with sb.db.transaction() as conn:  # a worker claims the cancel, then dies before createFeed
        store_cancels.claim(
            conn, store_id=sb.store.id, feed_type=FEED_TYPE, now=sb.clock.now(), lease=CLAIM_LEASE, limit=10
        )
    sb.sync()
    assert sb.amazon_server.calls["createFeed"] == 0  # the claim still holds
    sb.clock.advance(CLAIM_LEASE.total_seconds())
    sb.sync()
    assert sb.amazon_server.calls["createFeed"] == 1
    sb.sync()
    assert sb.amazon.cancellations == [(order_id, "NoInventory")]


def test_the_fake_servers_admin_switch_refuses_an_orders_cancel(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    [order_id] = imported_orders(sb, 1)
    with TestClient(sb.amazon_server.app) as fake:
        assert fake.post(f"/_fake/orders/{order_id}/refuse-cancel", json={"message": REFUSAL}).json() == {"ok": True}
        assert fake.post("/_fake/orders/nope/refuse-cancel", json={"message": REFUSAL}).status_code == 404
        assert fake.post(f"/_fake/orders/{order_id}/refuse-cancel", json={}).status_code == 400
        sb.cancel(order_id, "NoInventory")
        sb.sync()
        assert list(fake.get("/_fake/state").json()["feeds"].values()) == ["IN_QUEUE"]
        sb.sync()
        assert list(fake.get("/_fake/state").json()["feeds"].values()) == ["DONE"]
    assert sb.order(order_id).problems[0].message == f"18028: {REFUSAL}"


@pytest.mark.parametrize("status", ["Shipped", "Canceled"])
def test_amazon_refuses_to_cancel_an_order_it_has_moved_on(make_sandbox, status):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    [order_id] = imported_orders(sb, 1)
    sb.cancel(order_id, "NoInventory")
    sb.sync()
    sb.amazon.set_status(order_id, status)
    sb.clock.advance(timedelta(minutes=1).total_seconds())
    sb.sync()
    problems = sb.order(order_id).problems
    if status == "Shipped":
        assert [p.code for p in problems] == ["CANCEL_REJECTED"] and "SHIPPED" in problems[0].message
    else:
        assert problems == () and sb.order(order_id).status == "CANCELED"


def test_amazon_down_while_following_a_feed_leaves_it_open_for_the_next_cycle(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    [order_id] = imported_orders(sb, 1)
    sb.cancel(order_id, "NoInventory")
    sb.sync()
    sb.amazon_server.faults.fail_next(503, operation="getFeed", times=8)
    [result] = sb.sync()
    assert result.error is None and result.cancellations.accepted == 0
    [result] = sb.sync()
    assert result.cancellations.accepted == 1
    assert sb.order(order_id).history[-1].message == "Amazon accepted the cancellation."


def test_an_unreadable_processing_report_is_never_taken_for_everything_accepted(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    [order_id] = imported_orders(sb, 1)
    sb.amazon.refuse_cancel(order_id, REFUSAL)
    sb.cancel(order_id, "NoInventory")
    sb.sync()
    sb.clock.advance(60)
    [feed] = sb.amazon_server.feeds.feeds.values()
    sb.amazon_server.feeds.look(feed.feed_id)
    sb.amazon_server.feeds.results[feed.result_document_id] = "<html>Service Unavailable</html>"
    [result] = sb.sync()
    assert (result.cancellations.accepted, result.cancellations.rejected) == (0, 0)
    assert sb.order(order_id).history[-1].kind == "CANCELED"


def test_sync_store_reports_the_cancels_it_sent_and_settled(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    kept, refused = imported_orders(sb, 2)
    sb.amazon.refuse_cancel(refused, REFUSAL)
    sb.cancel(kept, "NoInventory")
    sb.cancel(refused, "NoInventory")

    def sync_now() -> dict[str, object]:
        job = sb.graphql("mutation { syncStore(storeId: 1) { job { id } } }")["data"]["syncStore"]["job"]
        outcome = finished_job(sb, job["id"])["sync"]
        return {k: outcome[k] for k in ("cancelsSent", "cancelsAccepted", "cancelsRejected", "error")}

    assert sync_now() == {
        "cancelsSent": 2,
        "cancelsAccepted": 0,
        "cancelsRejected": 0,
        "error": None,
    }
    sb.clock.advance(300)
    assert sync_now() == {
        "cancelsSent": 0,
        "cancelsAccepted": 1,
        "cancelsRejected": 1,
        "error": None,
    }


def test_a_refused_cancel_is_announced_to_integrators_and_counted_in_the_banner(make_sandbox):
    from channel_plugin import hookimpl

    class Watcher:
        def __init__(self) -> None:
            self.seen: list[tuple[str, str, str, str]] = []

        @hookimpl
        def channel_amazon_call_refused(self, order, call, message):
            self.seen.append((order.amazon_order_id, call.operation, str(call.problem), message))

    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}], store_name="Mugs EU")
    watcher = Watcher()
    sb.pm.register(watcher)
    refused_id, accepted_id = imported_orders(sb, 2)
    sb.amazon.refuse_cancel(refused_id, REFUSAL)
    sb.cancel(refused_id, "NoInventory")
    sb.cancel(accepted_id, "NoInventory")
    sb.sync()
    sb.sync()
    assert watcher.seen == [(refused_id, "createFeed", "CANCEL_REJECTED", f"18028: {REFUSAL}")]
    banner = [m for m in sb.system_messages() if "cancellation" in m]
    assert banner == [
        "Amazon refused 1 cancellation(s): those orders are still open on Amazon. "
        "See Amazon's reason on the order page: Mugs EU"
    ]
    messages = sb.graphql("{ systemMessages { text storeNames } }")["data"]["systemMessages"]
    assert {"text": banner[0], "storeNames": ["Mugs EU"]} in messages
    sb.cancel(refused_id, "BuyerCanceled")  # tried again: no longer refused while Amazon decides
    assert not [m for m in sb.system_messages() if "cancellation" in m]
