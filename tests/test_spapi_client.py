"""The SP-API client on its own, against the fake SP-API server in-process, with a manual clock."""

from __future__ import annotations

import asyncio
import gzip
import logging
from datetime import timedelta

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from channel_plugin.amazon.cancellation import (
    CONTENT_TYPE,
    FEED_TYPE,
    CancelMessage,
    acknowledgement_feed,
    processing_report,
    refusals_in,
)
from channel_plugin.amazon.client import AmazonRejected, AmazonUnavailable, FeedStatus
from channel_plugin.amazon.fake_server import FakeAmazon
from channel_plugin.amazon.lwa import LwaCredentials, LwaError
from channel_plugin.amazon.marketplace import FakeMarketplace
from channel_plugin.amazon.spapi import RetryPolicy, SpApiClient
from channel_plugin.amazon.timing import ManualTimer
from channel_plugin.clock import ManualClock
from channel_plugin.testing import make_order

SECRET = "super-secret-client-secret"
REFRESH = "Atzr|the-refresh-token"
CREDS = {"client_id": "amzn1.application-oa2-client.test", "client_secret": SECRET, "refresh_token": REFRESH}


class Rig:
    def __init__(self, **client_options):
        self.clock = ManualClock()
        self.marketplace = FakeMarketplace(self.clock)
        self.fake = FakeAmazon(self.marketplace, credentials=CREDS)
        self.timer = ManualTimer(self.clock)
        options = {"retry": RetryPolicy(), "seed": 1, **client_options}
        self.client = SpApiClient(
            LwaCredentials(**options.pop("credentials", CREDS)),
            marketplace_id="ATVPDKIKX0DER",
            seller_id="A2SELLER",
            endpoint="https://sellingpartnerapi-na.amazon.com",
            timer=self.timer,
            transport=httpx.ASGITransport(app=self.fake.app),
            **options,
        )

    def search(self, token=None):
        now = self.clock.now()
        return self.client.search_orders(
            marketplace_ids=["ATVPDKIKX0DER"],
            last_updated_after=now - timedelta(days=1),
            last_updated_before=now - timedelta(minutes=2),
            pagination_token=token,
        )


def run(coro):
    return asyncio.run(coro)


def test_one_access_token_serves_many_calls_until_shortly_before_it_expires():
    rig = Rig()

    async def scenario():
        for _ in range(5):
            await rig.search()
        assert rig.fake.token_grants == 1
        rig.clock.advance(3600 - 61)
        await rig.search()
        assert rig.fake.token_grants == 1
        rig.clock.advance(2)  # now within a minute of expiry: refreshed before Amazon could refuse it
        await rig.search()
        assert rig.fake.token_grants == 2
        assert rig.fake.calls["searchOrders"] == 7

    run(scenario())


def test_an_expired_403_refreshes_the_token_once_and_the_call_goes_through():
    rig = Rig()

    async def scenario():
        await rig.search()
        rig.fake.faults.expire_access_tokens()
        page = await rig.search()
        assert page.orders == []
        assert rig.fake.token_grants == 2 and rig.fake.calls["searchOrders"] == 3

    run(scenario())


def test_refused_credentials_raise_without_revealing_them(caplog):
    rig = Rig(credentials={**CREDS, "refresh_token": "Atzr|revoked"})
    caplog.set_level(logging.DEBUG)
    with pytest.raises(LwaError) as err:
        run(rig.search())
    assert "invalid_grant" in str(err.value)
    for text in (str(err.value), repr(rig.client.tokens), caplog.text):
        assert SECRET not in text and "revoked" not in text
    assert "super" not in repr(LwaCredentials(**CREDS))


def test_the_bucket_spaces_calls_so_amazon_never_has_to_throttle():
    rig = Rig()

    async def scenario():
        for _ in range(26):
            await rig.search()

    run(scenario())
    assert rig.fake.calls["searchOrders"] == 26 and rig.fake.throttled["searchOrders"] == 0
    # 20 from the burst, then one per 1/0.0056 s
    assert rig.timer.slept == pytest.approx(6 / 0.0056, rel=0.01)


def test_the_rate_amazon_reports_retunes_the_bucket():
    async def orders(request):
        return JSONResponse({"orders": []}, headers={"x-amzn-RateLimit-Limit": "2.5"})

    app = Starlette(routes=[Route("/orders/2026-01-01/orders", orders)])
    rig = Rig()
    lwa = rig.fake.app
    transport = _Router({"/auth/o2/token": lwa, "": app})
    rig.client = SpApiClient(LwaCredentials(**CREDS), marketplace_id="M", timer=rig.timer, transport=transport, seed=1)
    run(rig.search())
    assert rig.client.limits.bucket("searchOrders").rate == 2.5


def test_429_and_5xx_are_retried_with_capped_jittered_backoff():
    rig = Rig(retry=RetryPolicy(attempts=6, base_seconds=1, cap_seconds=4))
    rig.fake.faults.fail_next(429, operation="searchOrders", times=2)
    rig.fake.faults.fail_next(503, operation="searchOrders", times=2)
    rig.marketplace.put_order(make_order())
    rig.clock.advance(300)
    page = run(rig.search())
    assert len(page.orders) == 1
    assert rig.fake.calls["searchOrders"] == 5
    # Amazon's bucket is empty after a 429: each later call waits for a refill, plus four backoffs within the cap
    backoff = rig.timer.slept - 4 / 0.0056
    assert 0 < backoff <= 4 * 4


def test_amazon_down_through_every_retry_is_unavailable_not_a_crash():
    rig = Rig(retry=RetryPolicy(attempts=3))
    rig.fake.faults.fail_next(500, operation="searchOrders", times=3)
    with pytest.raises(AmazonUnavailable, match="gave up after 3 attempts"):
        run(rig.search())


def test_a_4xx_is_not_retried_and_carries_amazons_message():
    rig = Rig()
    now = rig.clock.now()
    with pytest.raises(AmazonRejected) as err:
        run(
            rig.client.search_orders(
                marketplace_ids=["ATVPDKIKX0DER"], last_updated_after=now - timedelta(hours=1), last_updated_before=now
            )
        )
    assert err.value.status == 400 and "2 minutes" in str(err.value)
    assert rig.fake.calls["searchOrders"] == 1


def test_a_slow_page_times_out_and_is_retried():
    rig = Rig(retry=RetryPolicy(attempts=2, timeout_seconds=0.05))
    rig.fake.faults.slow_seconds = 0.5
    with pytest.raises(AmazonUnavailable, match="TimeoutError"):
        run(rig.search())
    rig.fake.faults.slow_seconds = 0
    assert run(rig.search()).orders == []


def test_get_order_returns_the_order_or_none():
    rig = Rig()
    order = make_order()
    rig.marketplace.put_order(order)
    assert run(rig.client.get_order(order["orderId"]))["orderId"] == order["orderId"]
    assert run(rig.client.get_order("000-0000000-0000000")) is None


def test_a_confirmation_sent_again_edits_the_package_instead_of_adding_one():
    rig = Rig()
    order = make_order(items=[("MUG", 2)])
    rig.marketplace.put_order(order)
    package = {
        "packageReferenceId": "17",
        "carrierCode": "UPS",
        "trackingNumber": "1Z1",
        "shipDate": "2026-01-15T12:00:00Z",
        "orderItems": [{"orderItemId": order["orderItems"][0]["orderItemId"], "quantity": 2}],
    }
    run(rig.client.confirm_shipment(order["orderId"], package))
    run(rig.client.confirm_shipment(order["orderId"], {**package, "trackingNumber": "1Z2"}))
    [(_, kept)] = rig.marketplace.confirmations
    assert kept["trackingNumber"] == "1Z2"
    assert rig.marketplace.payload(order["orderId"])["fulfillment"]["fulfillmentStatus"] == "SHIPPED"


def test_a_confirmation_amazon_refuses_is_rejected_for_good():
    rig = Rig()
    order = make_order()
    rig.marketplace.put_order(order)
    with pytest.raises(AmazonRejected, match="packageReferenceId must be a positive number"):
        run(
            rig.client.confirm_shipment(
                order["orderId"],
                {
                    "packageReferenceId": "shipment-1",
                    "carrierCode": "UPS",
                    "trackingNumber": "1Z1",
                    "shipDate": "2026-01-15T12:00:00Z",
                    "orderItems": [{"orderItemId": "1", "quantity": 1}],
                },
            )
        )


def test_a_feed_is_followed_until_amazon_has_processed_it_and_its_report_names_the_refusals():
    rig = Rig()
    kept, refused = make_order(), make_order()
    rig.marketplace.put_orders([kept, refused])
    rig.marketplace.refuse_cancel(refused["orderId"], "The buyer already received the order.")
    document = acknowledgement_feed(
        "A2SANDBOXSELLER",
        [CancelMessage(7, kept["orderId"], "NoInventory"), CancelMessage(8, refused["orderId"], "BuyerCanceled")],
    )
    feed_id = run(rig.client.create_feed(FEED_TYPE, document, CONTENT_TYPE))
    assert run(rig.client.get_feed(feed_id)) == FeedStatus("IN_QUEUE", None)
    assert rig.marketplace.cancellations == []
    rig.clock.advance(60)
    status = run(rig.client.get_feed(feed_id))
    assert status.processing_status == "DONE" and status.finished
    report = run(rig.client.get_feed_document(status.result_document_id))
    assert refusals_in(report) == {8: "18028: The buyer already received the order."}
    assert rig.marketplace.cancellations == [(kept["orderId"], "NoInventory")]
    assert rig.marketplace.payload(refused["orderId"])["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED"


def test_a_gzipped_processing_report_is_unzipped():
    report = processing_report("A2SANDBOXSELLER", 1, {1: ("18028", "Not cancelable")})

    async def amazon(scope, receive, send):
        if scope["path"].endswith("/report.gz"):
            response = Response(gzip.compress(report.encode()), media_type="application/octet-stream")
        else:
            response = JSONResponse(
                {"feedDocumentId": "doc-1", "url": "http://fake/report.gz", "compressionAlgorithm": "GZIP"}
            )
        await response(scope, receive, send)

    rig = Rig()
    transport = _Router({"/auth/o2/token": rig.fake.app, "": amazon})
    client = SpApiClient(LwaCredentials(**CREDS), marketplace_id="M", timer=rig.timer, transport=transport, seed=1)
    assert refusals_in(run(client.get_feed_document("doc-1"))) == {1: "18028: Not cancelable"}


class _Router(httpx.AsyncBaseTransport):
    """Sends each path prefix to its own ASGI app (the LWA endpoint and a stub SP-API)."""

    def __init__(self, apps):
        self._transports = {prefix: httpx.ASGITransport(app=app) for prefix, app in apps.items()}

    async def handle_async_request(self, request):
        for prefix, transport in self._transports.items():
            if prefix and request.url.path.startswith(prefix):
                return await transport.handle_async_request(request)
        return await self._transports[""].handle_async_request(request)


@pytest.mark.parametrize(
    ("extra", "line_extra", "refusal"),
    [
        ({"shippingMethod": 7}, {}, "shippingMethod must be a string"),
        ({}, {"transparencyCodes": "AZ:T1"}, "transparencyCodes must be a list of strings"),
    ],
)
def test_the_fake_refuses_malformed_ship_methods_and_transparency_codes(extra, line_extra, refusal):
    rig = Rig()
    order = make_order()
    rig.marketplace.put_order(order)
    line = {"orderItemId": order["orderItems"][0]["orderItemId"], "quantity": 1, **line_extra}
    package = {
        "packageReferenceId": "1",
        "carrierCode": "UPS",
        "trackingNumber": "1Z1",
        "shipDate": "2026-01-15T12:00:00Z",
        "orderItems": [line],
        **extra,
    }
    with pytest.raises(AmazonRejected, match=refusal):
        run(rig.client.confirm_shipment(order["orderId"], package))
    assert rig.marketplace.confirmations == []
