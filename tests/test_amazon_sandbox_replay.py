"""The fake SP-API's ``--sandbox`` mode against Amazon's static sandbox cases, and the parser against their orders."""

from __future__ import annotations

import asyncio
import copy
import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

import channel_plugin
from channel_plugin.amazon.payloads import merge_v0_items, parse_order
from channel_plugin.amazon.sandbox_server import sandbox_app
from channel_plugin.domain.enums import parse_amazon_status
from channel_plugin.domain.model import AmazonOrder, Money
from channel_plugin.errors import OrderDataError

# Amazon's models and sandbox cases ship inside the package (PROVENANCE.md there says where they came from).
MODELS = Path(channel_plugin.__file__).parent / "amazon" / "models"
CASE_FILES = {
    "orders_2026-01-01": 8,
    "ordersV0": 31,
    "tokens_2021-03-01": 3,
    "feeds_2021-06-30": 12,
}
TOKEN = {"x-amz-access-token": "Atza|sandbox-test"}
SANDBOX_HOST = "https://sandbox.sellingpartnerapi-na.amazon.com"
# A stand-in for a path parameter the case leaves open (updateShipmentStatus's 204 case names no orderId).
ANY_PATH_VALUE = "902-0000000-0000000"


def _cases(name: str) -> list[dict[str, Any]]:
    path = MODELS / f"{name}_sandbox_cases.json"
    if not path.exists():
        return []
    cases: list[dict[str, Any]] = json.loads(path.read_text())["cases"]
    return cases


ALL_CASES = [(name, case) for name in CASE_FILES for case in _cases(name)]


def _case_id(name: str, case: dict[str, Any]) -> str:
    return f"{name}-{case['operationId']}-{case['status']}-{case['index']}"


@pytest.fixture(scope="module")
def app() -> Starlette:
    return sandbox_app(MODELS)


def _call(app: Starlette, method: str, url: str, **kwargs: Any) -> httpx.Response:
    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=SANDBOX_HOST) as c:
            return await c.request(method, url, **kwargs)

    return asyncio.run(send())


def _query_value(value: Any) -> str:
    """How Amazon's SDKs put a value in a query string: arrays comma-joined, booleans lower-case."""
    if isinstance(value, list):
        return ",".join(_query_value(v) for v in value)
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _replay(app: Starlette, case: dict[str, Any], headers: dict[str, str] = TOKEN) -> httpx.Response:
    parameters = {name: spec["value"] for name, spec in case["request"]["parameters"].items()}
    path = case["path"]
    for name in [part.split("}")[0] for part in path.split("{")[1:]]:
        path = path.replace(f"{{{name}}}", str(parameters.pop(name, ANY_PATH_VALUE)))
    kwargs: dict[str, Any] = {"headers": headers}
    if "body" in parameters:
        kwargs["json"] = parameters.pop("body")
    kwargs["params"] = {name: _query_value(value) for name, value in parameters.items()}
    return _call(app, case["method"], path, **kwargs)


# ----------------------------------------------------------------------------------------------------
# every static case replays
# ----------------------------------------------------------------------------------------------------


def test_case_counts() -> None:
    counts = {name: len(_cases(name)) for name in CASE_FILES}
    assert counts == CASE_FILES
    assert counts["ordersV0"] + counts["orders_2026-01-01"] == 31 + 8
    assert len(ALL_CASES) == 54
    assert all(case["kind"] == "static" for _, case in ALL_CASES)


@pytest.mark.parametrize(("name", "case"), [pytest.param(n, c, id=_case_id(n, c)) for n, c in ALL_CASES])
def test_every_static_case_replays(app: Starlette, name: str, case: dict[str, Any]) -> None:
    response = _replay(app, case)
    assert response.status_code == int(case["status"])
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["x-amzn-RequestId"]
    if case["status"] == "204" or case.get("response") is None:
        assert response.content == b""
    else:
        assert response.json() == case["response"]


def test_default_models_dir_finds_the_same_cases() -> None:
    response = _replay(sandbox_app(), _cases("ordersV0")[0])
    assert response.status_code == 200
    assert response.json() == _cases("ordersV0")[0]["response"]


def test_a_folder_without_cases_fails_at_start_up(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="CHANNEL_PLUGIN_AMAZON_MODELS"):
        sandbox_app(tmp_path)


def test_request_ids_are_fresh_and_rate_limits_published(app: Starlette) -> None:
    case = _cases("orders_2026-01-01")[0]
    first, second = _replay(app, case), _replay(app, case)
    assert first.headers["x-amzn-RequestId"] != second.headers["x-amzn-RequestId"]
    assert first.headers["x-amzn-RateLimit-Limit"] == "0.0056"


# ----------------------------------------------------------------------------------------------------
# matching
# ----------------------------------------------------------------------------------------------------

SEARCH = "/orders/2026-01-01/orders"
SEARCH_PAGE_2 = {
    "createdAfter": "2024-12-23T00:00:00Z",
    "marketplaceIds": "A1F83G8C2ARO7P",
    "includedData": "BUYER,RECIPIENT,PROCEEDS,EXPENSE,PROMOTION,CANCELLATION,FULFILLMENT,PACKAGES",
    "paginationToken": "9ZhB4RmVyc2lvbiAxLjAgb2YgdGhl",
}


def _first_order_id(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    order_id: str = response.json()["orders"][0]["orderId"]
    return order_id


def test_list_parameters_may_be_repeated_instead_of_comma_joined(app: Starlette) -> None:
    repeated = [(k, v) for k, joined in SEARCH_PAGE_2.items() for v in joined.split(",")]
    assert _first_order_id(_call(app, "GET", SEARCH, params=repeated, headers=TOKEN)) == "202-7654321-1098765"


def test_parameters_the_case_does_not_name_are_ignored(app: Starlette) -> None:
    params = {**SEARCH_PAGE_2, "maxResultsPerPage": "10", "fulfillmentStatuses": "SHIPPED"}
    assert _first_order_id(_call(app, "GET", SEARCH, params=params, headers=TOKEN)) == "202-7654321-1098765"


def test_the_most_specific_case_wins(app: Starlette) -> None:
    """Both v0 pages match a request carrying the NextToken; the page-2 case names it, so it wins."""
    page_1 = {"CreatedAfter": "TEST_CASE_200_NEXT_TOKEN", "MarketplaceIds": "ATVPDKIKX0DER"}
    first = _call(app, "GET", "/orders/v0/orders", params=page_1, headers=TOKEN).json()["payload"]
    token = first["NextToken"]
    second = _call(app, "GET", "/orders/v0/orders", params={**page_1, "NextToken": token}, headers=TOKEN)
    page_2_case = next(c for c in _cases("ordersV0") if "NextToken" in c["request"]["parameters"])
    assert second.json() == page_2_case["response"]
    assert "NextToken" not in second.json()["payload"]


def test_numbers_match_by_value(app: Starlette) -> None:
    params = {"feedTypes": "POST_PRODUCT_DATA", "pageSize": "10.0", "processingStatuses": "CANCELLED,DONE"}
    response = _call(app, "GET", "/feeds/2021-06-30/feeds", params=params, headers=TOKEN)
    assert response.status_code == 200
    assert response.json()["feeds"][0]["feedId"] == "FeedId1"


def test_a_body_is_compared_as_json_whatever_its_formatting(app: Starlette) -> None:
    body = {"inputFeedDocumentId": "3d4e42b5-1d6e-44e8-a89c-2abfca0625bb", "feedType": "POST_PRODUCT_DATA"}
    body["marketplaceIds"] = ["ATVPDKIKX0DER", "A1F83G8C2ARO7P"]  # type: ignore[assignment]
    content = json.dumps(body, indent=4, sort_keys=True)
    response = _call(app, "POST", "/feeds/2021-06-30/feeds", content=content, headers=TOKEN)
    assert (response.status_code, response.json()) == (202, {"feedId": "3485934"})


def _assert_no_match(response: httpx.Response) -> None:
    assert response.status_code == 400
    assert response.json() == {"errors": [{"code": "InvalidInput", "message": "Could not match input arguments"}]}
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["x-amzn-RequestId"]


@pytest.mark.parametrize(
    ("method", "url", "kwargs"),
    [
        pytest.param("GET", "/orders/2026-01-01/orders/111-0000000-0000000", {}, id="unknown-order-id"),
        pytest.param("GET", "/orders/v0/orders", {"params": {"MarketplaceIds": "ATVPDKIKX0DER"}}, id="missing-param"),
        pytest.param(
            "GET",
            SEARCH,
            {"params": {**SEARCH_PAGE_2, "marketplaceIds": "A1F83G8C2ARO7P,ATVPDKIKX0DER"}},
            id="list-with-an-extra-element",
        ),
        pytest.param("GET", "/orders/v0/orders/TEST_CASE_200/unknown", {}, id="unknown-path"),
        pytest.param("PUT", "/orders/v0/orders/TEST_CASE_200", {}, id="wrong-method"),
        pytest.param("POST", "/feeds/2021-06-30/feeds", {}, id="body-missing"),
        pytest.param("POST", "/feeds/2021-06-30/feeds", {"content": b"{not json"}, id="body-unreadable"),
        pytest.param(
            "POST",
            "/tokens/2021-03-01/restrictedDataToken",
            {"json": {"restrictedResources": [{"method": "GET", "path": "/orders/v0/orders/1/address"}]}},
            id="body-differs",
        ),
    ],
)
def test_unmatched_requests_are_refused_like_amazon(app: Starlette, method: str, url: str, kwargs: Any) -> None:
    _assert_no_match(_call(app, method, url, headers=TOKEN, **kwargs))


# ----------------------------------------------------------------------------------------------------
# access tokens
# ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers", [pytest.param({}, id="no-header"), pytest.param({"x-amz-access-token": ""}, id="empty")]
)
def test_sp_api_needs_an_access_token(app: Starlette, headers: dict[str, str]) -> None:
    response = _replay(app, _cases("orders_2026-01-01")[0], headers=headers)
    assert response.status_code == 403
    assert response.json() == {
        "errors": [{"code": "Unauthorized", "message": "Access to requested resource is denied.", "details": ""}]
    }


TOKEN_FORM = {"grant_type": "refresh_token", "refresh_token": "Atzr|r", "client_id": "amzn1.app", "client_secret": "s"}


def test_token_endpoint_issues_a_usable_access_token(app: Starlette) -> None:
    response = _call(app, "POST", "/auth/o2/token", data=TOKEN_FORM)
    assert response.status_code == 200
    token = response.json()
    assert token["access_token"].startswith("Atza|")
    assert (token["token_type"], token["expires_in"], token["refresh_token"]) == ("bearer", 3600, "Atzr|r")
    replayed = _replay(app, _cases("orders_2026-01-01")[0], headers={"x-amz-access-token": token["access_token"]})
    assert replayed.status_code == 200


@pytest.mark.parametrize("missing", ["refresh_token", "client_id", "client_secret", "grant_type"])
def test_token_endpoint_rejects_a_missing_field(app: Starlette, missing: str) -> None:
    form = {k: v for k, v in TOKEN_FORM.items() if k != missing}
    response = _call(app, "POST", "/auth/o2/token", data=form)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert missing in response.json()["error_description"]


def test_token_endpoint_rejects_other_grants(app: Starlette) -> None:
    response = _call(app, "POST", "/auth/o2/token", data={**TOKEN_FORM, "grant_type": "authorization_code"})
    assert (response.status_code, response.json()["error"]) == (400, "unsupported_grant_type")


# ----------------------------------------------------------------------------------------------------
# the client parses every 200 case of both orders models into the domain model without loss of money precision
# ----------------------------------------------------------------------------------------------------


def _orders_of(response: dict[str, Any]) -> list[dict[str, Any]]:
    if "orders" in response:
        return list(response["orders"])
    if "order" in response:
        return [response["order"]]
    payload = response.get("payload", {})
    if "Orders" in payload:
        return list(payload["Orders"])
    return [payload] if "OrderStatus" in payload else []


ORDER_CASES = [
    pytest.param(case, id=_case_id(name, case))
    for name in ("orders_2026-01-01", "ordersV0")
    for case in _cases(name)
    if case["status"] == "200" and _orders_of(case["response"])
]


def _exact(money: Money | None, amount: str, currency: str) -> None:
    """Equal as a Decimal and in its digits: "1599.90" must not come back as 1599.9 or 1599.899999."""
    assert money is not None
    assert money == Money(Decimal(amount), currency)
    assert str(money.amount) == amount


def _utc(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _check_v2026(order: AmazonOrder, payload: dict[str, Any]) -> None:
    assert order.status is parse_amazon_status(payload["fulfillment"]["fulfillmentStatus"])
    assert order.purchase_date == _utc(payload["createdTime"])
    total = payload["proceeds"]["grandTotal"]
    _exact(order.grand_total, total["amount"], total["currencyCode"])
    assert len(order.items) == len(payload["orderItems"])
    for item, raw in zip(order.items, payload["orderItems"], strict=True):
        assert (item.seller_sku, item.quantity_ordered) == (raw["product"]["sellerSku"], int(raw["quantityOrdered"]))
        unit = raw["product"]["price"]["unitPrice"]
        _exact(item.item_price, unit["amount"], unit["currencyCode"])


def _v0_items_case() -> dict[str, Any]:
    return next(c for c in _cases("ordersV0") if c["operationId"] == "getOrderItems" and c["status"] == "200")


def _v0_items_for(app: Starlette, header: dict[str, Any]) -> dict[str, Any]:
    """getOrderItems as replayed; Amazon records items for one order only, so others borrow them, in their currency."""
    page: dict[str, Any] = _replay(app, _v0_items_case()).json()["payload"]
    if page["AmazonOrderId"] == header["AmazonOrderId"]:
        return page
    page = copy.deepcopy(page) | {"AmazonOrderId": header["AmazonOrderId"]}
    currency = (header.get("OrderTotal") or {}).get("CurrencyCode", "USD")
    for item in page["OrderItems"]:
        for value in item.values():
            if isinstance(value, dict) and "CurrencyCode" in value:
                value["CurrencyCode"] = currency
    return page


def _check_v0(order: AmazonOrder, header: dict[str, Any], items: dict[str, Any]) -> None:
    assert order.status is parse_amazon_status(header["OrderStatus"])
    assert order.purchase_date == _utc(header["PurchaseDate"])
    if "OrderTotal" in header:
        _exact(order.grand_total, header["OrderTotal"]["Amount"], header["OrderTotal"]["CurrencyCode"])
    else:
        assert order.grand_total is None  # Pending orders carry no total yet
    assert len(order.items) == len(items["OrderItems"])
    for item, raw in zip(order.items, items["OrderItems"], strict=True):
        assert item.order_item_id == raw["OrderItemId"]
        # v0 prices the line; the domain keeps the unit price at storage's 4 places (10.00 comes back as 10.0000).
        line = raw["ItemPrice"]
        assert item.item_price is not None
        assert item.item_price.currency == line["CurrencyCode"]
        assert item.item_price.amount * int(raw["QuantityOrdered"]) == Decimal(line["Amount"])


def test_every_orders_200_case_holding_orders_is_covered() -> None:
    assert len(ORDER_CASES) == 3 + 3 + 3 + 2  # v2026 searchOrders, v2026 getOrder, v0 getOrders, v0 getOrder


@pytest.mark.parametrize("case", ORDER_CASES)
def test_client_parses_every_200_order_without_loss_of_money_precision(app: Starlette, case: dict[str, Any]) -> None:
    replayed = _replay(app, case)
    assert replayed.status_code == 200
    orders = _orders_of(replayed.json())
    assert orders
    for payload in orders:
        if "AmazonOrderId" in payload:
            items = _v0_items_for(app, payload)
            order = parse_order(merge_v0_items(payload, items))
            assert order.amazon_order_id == payload["AmazonOrderId"]
            _check_v0(order, payload, items)
        else:
            order = parse_order(payload)
            assert order.amazon_order_id == payload["orderId"]
            _check_v2026(order, payload)
        assert order.purchase_date.utcoffset() is not None
        assert order.purchase_date.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


def test_v0_items_of_another_order_are_refused(app: Starlette) -> None:
    iba = next(
        c for c in _cases("ordersV0") if c["request"]["parameters"].get("orderId") == {"value": "TEST_CASE_IBA_200"}
    )
    header = _orders_of(_replay(app, iba).json())[0]
    items = _replay(app, _v0_items_case()).json()["payload"]
    assert header["AmazonOrderId"] != items["AmazonOrderId"]
    with pytest.raises(OrderDataError) as caught:
        merge_v0_items(header, items)
    assert caught.value.field == "getOrderItems[0].AmazonOrderId"
    assert caught.value.amazon_order_id == header["AmazonOrderId"]
