"""The ready-made hook modules of hooks/: SKU rules and the blocked-order webhook."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from channel_plugin.domain.enums import AmazonOrderStatus, BlockerKind, FulfillmentChannel
from channel_plugin.domain.model import (
    Address,
    AmazonOrder,
    Blocker,
    BlockerRecord,
    Buyer,
    Money,
    OrderItem,
    StoreInfo,
)
from channel_plugin.errors import ValidationError
from channel_plugin.manager import DISABLED_PLUGINS_ENV, get_plugin_manager
from channel_plugin.manifest import import_hook_module

HOOKS = Path(__file__).resolve().parent.parent / "hooks"
sku_rules = import_hook_module(HOOKS / "sku_rules.py")
webhook = import_hook_module(HOOKS / "blocked_order_webhook.py")

STORE = StoreInfo(1, "EU store", "A1SELLER", "A1PM8ILGBN9Z4D", "eu", "base")
PURCHASED = datetime(2026, 1, 5, 12, 30, tzinfo=UTC)
NAME, EMAIL, STREET, COMPANY, PHONE, POSTCODE = PERSONAL = (
    "Jane Roe",
    "jane.roe@example.com",
    "1 Hidden Lane",
    "Roe Holdings",
    "+44 20 7946 0000",
    "SW1A 1AA",
)
ORDER = AmazonOrder(
    amazon_order_id="902-3159896-1390916",
    purchase_date=PURCHASED,
    last_update_date=PURCHASED,
    status=AmazonOrderStatus.UNSHIPPED,
    fulfillment_channel=FulfillmentChannel.MERCHANT,
    items=(OrderItem("1", "ABC-FBA", 2, item_price=Money(Decimal("9.99"), "EUR")),),
    marketplace_id="A1PM8ILGBN9Z4D",
    grand_total=Money(Decimal("19.98"), "EUR"),
    buyer=Buyer(name=NAME, email=EMAIL, company=COMPANY),
    shipping_address=Address(name=NAME, line1=STREET, city="London", postal_code=POSTCODE, phone=PHONE),
)
BLOCKERS = [
    Blocker(BlockerKind.PRODUCT_NOT_FOUND, "ABC-FBA", "No product with SKU ABC-FBA"),
    Blocker(BlockerKind.OUT_OF_STOCK, "XYZ", "XYZ: 2 ordered, 0 salable"),
]
URL = "https://hooks.example.com/amazon"


# --- sku_rules --------------------------------------------------------------------------------


RULES = {
    "map": {"LEGACY-1": "CAT-1", "ABC": "CAT-ABC"},
    "strip_suffixes": ["-FBA", "-AMZ", "-FBA-EU"],
    "strip_prefixes": ["AMZ-"],
}


@pytest.mark.parametrize(
    ("config", "seller_sku", "expected"),
    [
        (RULES, "LEGACY-1", "CAT-1"),  # exact map first
        (RULES, "ABC", "CAT-ABC"),
        (RULES, "XYZ-FBA", "XYZ"),  # suffix
        (RULES, "XYZ-FBA-EU", "XYZ"),  # the longest suffix wins, whatever the listed order
        (RULES, "AMZ-XYZ", "XYZ"),  # prefix
        (RULES, "AMZ-XYZ-AMZ", "XYZ"),  # one suffix and one prefix
        (RULES, "ABC-FBA", "CAT-ABC"),  # the stripped SKU is mapped too
        (RULES, "XYZ", None),  # no rule applies: fall through
        (RULES, "-FBA", None),  # never strips a whole SKU away
        (RULES, "xyz-fba", None),  # case matters by default
        (RULES, "legacy-1", None),
        ({**RULES, "case_insensitive": True}, "xyz-fba", "xyz"),
        ({**RULES, "case_insensitive": True}, "legacy-1", "CAT-1"),
        ({**RULES, "case_insensitive": True}, "amz-abc-Fba", "CAT-ABC"),
        ({}, "ABC-FBA", None),  # empty config maps nothing
    ],
)
def test_sku_rules(config: dict[str, Any], seller_sku: str, expected: str | None) -> None:
    assert sku_rules.create_plugin(config).channel_resolve_sku(seller_sku=seller_sku) == expected


def test_sku_rules_answer_through_the_manager(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DISABLED_PLUGINS_ENV, raising=False)
    pm = get_plugin_manager(entry_points=False)
    pm.register(sku_rules.create_plugin(RULES), name="sku_rules")
    assert pm.hook.channel_resolve_sku(store=STORE, seller_sku="XYZ-AMZ") == "XYZ"
    assert pm.hook.channel_resolve_sku(store=STORE, seller_sku="XYZ") is None


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ({"map": ["A", "B"]}, "map"),
        ({"map": {"A": 1}}, "map"),
        ({"map": {"A": ""}}, "map"),
        ({"map": {"abc": "X", "ABC": "Y"}, "case_insensitive": True}, "map"),
        ({"strip_suffixes": "-FBA"}, "strip_suffixes"),
        ({"strip_suffixes": ["-FBA", ""]}, "strip_suffixes"),
        ({"strip_prefixes": [3]}, "strip_prefixes"),
        ({"case_insensitive": "yes"}, "case_insensitive"),
        ({"strip_suffix": ["-FBA"]}, "strip_suffix"),
    ],
)
def test_sku_rules_reject_bad_config(config: dict[str, Any], key: str) -> None:
    with pytest.raises(ValidationError) as caught:
        sku_rules.create_plugin(config)
    assert caught.value.field == key


# --- blocked_order_webhook --------------------------------------------------------------------


class Receiver:
    """A MockTransport handler that answers from a script and keeps every request."""

    def __init__(self, *answers: int | type[httpx.TransportError]) -> None:
        self.answers: Iterator[int | type[httpx.TransportError]] = iter(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = next(self.answers, 200)
        if isinstance(answer, int):
            return httpx.Response(answer)
        raise answer("receiver unreachable", request=request)

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]


def make(receiver: Receiver, **options: Any) -> Any:
    """A notifier that does not wait between retries, so the retry tests run instantly."""
    transport = httpx.MockTransport(receiver)
    return webhook.BlockedOrderWebhook(URL, transport=transport, backoff_seconds=0, **options)


def test_blocked_payload_shape() -> None:
    receiver = Receiver()
    make(receiver).channel_order_blocked(order=ORDER, blockers=BLOCKERS)
    [request] = receiver.requests
    assert request.method == "POST"
    assert str(request.url) == URL
    assert request.headers["content-type"] == "application/json"
    assert webhook.SIGNATURE_HEADER not in request.headers
    assert receiver.bodies() == [
        {
            "event": "order_blocked",
            "amazon_order_id": "902-3159896-1390916",
            "status": "UNSHIPPED",
            "purchase_date": "2026-01-05T12:30:00+00:00",
            "blockers": [
                {"kind": "PRODUCT_NOT_FOUND", "seller_sku": "ABC-FBA", "message": BLOCKERS[0].message},
                {"kind": "OUT_OF_STOCK", "seller_sku": "XYZ", "message": "XYZ: 2 ordered, 0 salable"},
            ],
        }
    ]


def test_resolved_payload_shape() -> None:
    receiver = Receiver()
    at = datetime(2026, 1, 6, 8, 0, tzinfo=UTC)
    message = "XYZ: 2 ordered, 0 salable"
    resolved = BlockerRecord(7, BlockerKind.OUT_OF_STOCK, "XYZ", message, PURCHASED, PURCHASED, 3, resolved_at=at)
    make(receiver).channel_blocker_resolved(order=ORDER, blocker=resolved)
    assert receiver.bodies() == [
        {
            "event": "blocker_resolved",
            "amazon_order_id": "902-3159896-1390916",
            "status": "UNSHIPPED",
            "purchase_date": "2026-01-05T12:30:00+00:00",
            "blocker": {
                "kind": "OUT_OF_STOCK",
                "seller_sku": "XYZ",
                "message": "XYZ: 2 ordered, 0 salable",
                "resolved_at": "2026-01-06T08:00:00+00:00",
            },
        }
    ]


def test_signature_verifies_against_the_raw_body() -> None:
    receiver = Receiver()
    make(receiver, secret="s3cret").channel_order_blocked(order=ORDER, blockers=BLOCKERS)
    [request] = receiver.requests
    expected = "sha256=" + hmac.new(b"s3cret", request.content, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request.headers[webhook.SIGNATURE_HEADER], expected)
    forged = "sha256=" + hmac.new(b"guess", request.content, hashlib.sha256).hexdigest()
    assert not hmac.compare_digest(request.headers[webhook.SIGNATURE_HEADER], forged)


@pytest.mark.parametrize(
    "send",
    [
        lambda plugin: plugin.channel_order_blocked(order=ORDER, blockers=BLOCKERS),
        lambda plugin: plugin.channel_blocker_resolved(
            order=ORDER,
            blocker=BlockerRecord(1, BlockerKind.HOST_ERROR, None, "refused", PURCHASED, PURCHASED, 1),
        ),
    ],
    ids=["blocked", "resolved"],
)
def test_no_buyer_data_leaves_us(send: Callable[[Any], None], caplog: pytest.LogCaptureFixture) -> None:
    receiver = Receiver(500, 500, 500)
    send(make(receiver))
    sent = b"".join(r.content + str(r.headers).encode() + str(r.url).encode() for r in receiver.requests)
    for value in PERSONAL:
        assert value.encode() not in sent
        assert value not in caplog.text


def test_a_5xx_is_retried_until_accepted(caplog: pytest.LogCaptureFixture) -> None:
    receiver = Receiver(500, 503, 200)
    make(receiver).channel_order_blocked(order=ORDER, blockers=BLOCKERS)
    assert len(receiver.requests) == 3
    assert len({r.content for r in receiver.requests}) == 1
    assert caplog.records == []


def test_a_persistent_failure_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    receiver = Receiver(500, 500, 500, 500)
    with caplog.at_level(logging.WARNING):
        make(receiver).channel_order_blocked(order=ORDER, blockers=BLOCKERS)
    assert len(receiver.requests) == webhook.ATTEMPTS
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert record.getMessage() == "Webhook for Amazon order 902-3159896-1390916 not delivered: HTTP 500"


def test_connection_errors_are_retried_then_logged(caplog: pytest.LogCaptureFixture) -> None:
    receiver = Receiver(httpx.ConnectError, httpx.ReadTimeout, httpx.ConnectError)
    make(receiver).channel_order_blocked(order=ORDER, blockers=BLOCKERS)
    assert len(receiver.requests) == 3
    assert caplog.messages == ["Webhook for Amazon order 902-3159896-1390916 not delivered: ConnectError"]


def test_a_4xx_is_not_retried(caplog: pytest.LogCaptureFixture) -> None:
    receiver = Receiver(401)
    make(receiver).channel_order_blocked(order=ORDER, blockers=BLOCKERS)
    assert len(receiver.requests) == 1
    assert caplog.messages == ["Webhook for Amazon order 902-3159896-1390916 refused: HTTP 401"]


def test_idle_when_url_is_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DISABLED_PLUGINS_ENV, raising=False)
    receiver = Receiver()
    pm = get_plugin_manager(entry_points=False)
    pm.register(webhook.create_plugin({"url": "", "secret": "s"}, httpx.MockTransport(receiver)))
    assert pm.hook.channel_order_blocked(order=ORDER, blockers=BLOCKERS) == []
    assert receiver.requests == []


def test_create_plugin_wires_config_and_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DISABLED_PLUGINS_ENV, raising=False)
    receiver = Receiver()
    config = {"url": URL, "secret": "k", "timeout_seconds": 2}
    pm = get_plugin_manager(entry_points=False)
    pm.register(webhook.create_plugin(config, httpx.MockTransport(receiver)))
    pm.hook.channel_order_blocked(order=ORDER, blockers=BLOCKERS)
    [request] = receiver.requests
    assert request.headers[webhook.SIGNATURE_HEADER].startswith("sha256=")
    assert request.extensions["timeout"] == {"connect": 2.0, "read": 2.0, "write": 2.0, "pool": 2.0}


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ({"url": "ftp://example.com"}, "url"),
        ({"url": 5}, "url"),
        ({"url": URL, "secret": 1234}, "secret"),
        ({"url": URL, "timeout_seconds": 0}, "timeout_seconds"),
        ({"url": URL, "timeout_seconds": "5"}, "timeout_seconds"),
        ({"url": URL, "timeout_seconds": True}, "timeout_seconds"),
        ({"url": URL, "retries": 3}, "retries"),
    ],
)
def test_webhook_rejects_bad_config(config: dict[str, Any], key: str) -> None:
    with pytest.raises(ValidationError) as caught:
        webhook.create_plugin(config)
    assert caught.value.field == key


def test_a_bad_secret_is_not_echoed() -> None:
    with pytest.raises(ValidationError) as caught:
        webhook.create_plugin({"url": URL, "secret": 987654321})
    assert "987654321" not in str(caught.value)
