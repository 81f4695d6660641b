"""The live fake SP-API server as a client that ignores our SP-API client sees it: admin endpoints and quotas."""

from __future__ import annotations

from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from channel_plugin.amazon.fake_server import FakeAmazon
from channel_plugin.amazon.marketplace import FakeMarketplace
from channel_plugin.clock import ManualClock
from channel_plugin.testing import make_order


@pytest.fixture
def fake():
    clock = ManualClock()
    amazon = FakeAmazon(FakeMarketplace(clock))
    client = TestClient(amazon.app)
    token = client.post(
        "/auth/o2/token",
        data={"grant_type": "refresh_token", "refresh_token": "r", "client_id": "c", "client_secret": "s"},
    ).json()["access_token"]
    client.headers["x-amz-access-token"] = token
    return clock, amazon, client


def search(client, clock, **params):
    query = {
        "marketplaceIds": "ATVPDKIKX0DER",
        "lastUpdatedAfter": (clock.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "lastUpdatedBefore": (clock.now() - timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        **params,
    }
    return client.get("/orders/2026-01-01/orders", params=query)


def test_orders_added_and_changed_through_the_admin_endpoint_are_served_after_two_minutes(fake):
    clock, _, client = fake
    order = make_order(items=[("MUG", 1)])
    assert client.put("/_fake/orders", json=order).json() == {"orderId": order["orderId"]}
    assert search(client, clock).json()["orders"] == []  # the 2-minute rule
    clock.advance(150)
    assert client.post(f"/_fake/orders/{order['orderId']}/status", json={"status": "Canceled"}).status_code == 200
    assert search(client, clock).json()["orders"] == []  # the change restarted its 2 minutes
    clock.advance(150)
    [served] = search(client, clock).json()["orders"]
    assert served["fulfillment"]["fulfillmentStatus"] == "CANCELLED"


@pytest.mark.parametrize(
    ("path", "body", "status", "words"),
    [
        ("/_fake/orders", [1, 2], 400, "one order as a JSON object"),
        ("/_fake/orders/111-0000000-0000000/status", {"status": "SHIPPED"}, 404, "no order"),
        ("/_fake/faults", {"throttle_rate": 2}, 400, "throttle_rate must be a number in range"),
        ("/_fake/faults", {"fail_next": [{"operation": "getOrder"}]}, 400, "fail_next takes"),
        ("/_fake/faults", {"reject_pagination_tokens": "x"}, 400, "reject_pagination_tokens must be a count"),
    ],
)
def test_bad_admin_input_gets_a_specific_error(fake, path, body, status, words):
    _, _, client = fake
    answer = client.post(path, json=body)
    assert answer.status_code == status and words in answer.json()["error"]


def test_an_order_cannot_be_backdated_into_the_future(fake):
    clock, _, client = fake
    later = (clock.now() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    answer = client.put(f"/_fake/orders?updatedAt={later}", json=make_order())
    assert answer.status_code == 400 and "future" in answer.json()["error"]


def test_a_client_that_ignores_the_quota_gets_amazons_429(fake):
    clock, amazon, client = fake
    answers = [search(client, clock).status_code for _ in range(21)]
    assert answers == [200] * 20 + [429]
    assert amazon.throttled["searchOrders"] == 1
    clock.advance(1 / 0.0056)
    assert search(client, clock).status_code == 200
    state = client.get("/_fake/state").json()
    assert state["calls"]["searchOrders"] == 22 and state["throttled"] == {"searchOrders": 1}


def test_a_call_without_a_valid_access_token_is_denied(fake):
    clock, _, client = fake
    client.headers["x-amz-access-token"] = "Atza|forged"
    answer = search(client, clock)
    assert answer.status_code == 403 and answer.json()["errors"][0]["code"] == "Unauthorized"


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"marketplaceIds": ""}, "marketplaceIds is required"),
        ({"lastUpdatedAfter": "yesterday"}, "lastUpdatedAfter must be an ISO 8601 date-time"),
        ({"paginationToken": "not-a-token"}, "invalid pagination token"),
    ],
)
def test_a_search_amazon_would_refuse_gets_its_invalid_input_message(fake, params, words):
    clock, _, client = fake
    answer = search(client, clock, **params)
    assert answer.status_code == 400
    [error] = answer.json()["errors"]
    assert error["code"] == "InvalidInput" and words in error["message"]
