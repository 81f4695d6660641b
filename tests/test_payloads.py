"""Amazon order payloads read into AmazonOrder: Amazon's sandbox cases, tolerant reading, strict refusals."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.dialects.sqlite.base import SQLiteDialect

import channel_plugin
from channel_plugin.amazon.payloads import merge_v0_items, order_id_of, parse_order
from channel_plugin.domain.enums import AmazonOrderStatus as S
from channel_plugin.domain.enums import FulfillmentChannel, parse_amazon_status
from channel_plugin.domain.model import AmazonOrder
from channel_plugin.errors import OrderDataError
from channel_plugin.storage.types import ExactMoney

# Amazon's models and sandbox cases ship inside the package (PROVENANCE.md there says where they came from).
MODELS = Path(channel_plugin.__file__).parent / "amazon" / "models"
V2026_CASES = MODELS / "orders_2026-01-01_sandbox_cases.json"
V0_CASES = MODELS / "ordersV0_sandbox_cases.json"


def _cases(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    cases: list[dict[str, Any]] = json.loads(path.read_text())["cases"]
    return [c for c in cases if str(c["status"]) == "200"]


def _v2026_orders() -> Iterator[Any]:
    for case in _cases(V2026_CASES):
        response = case["response"]
        for index, order in enumerate(response.get("orders", [])):
            yield pytest.param(order, id=f"{case['operationId']}-{case['index']}-orders[{index}]")
        if "order" in response:
            yield pytest.param(response["order"], id=f"{case['operationId']}-{case['index']}-order")


def _v0_order_items() -> list[dict[str, Any]]:
    for case in _cases(V0_CASES):
        if case["operationId"] == "getOrderItems":
            items: list[dict[str, Any]] = case["response"]["payload"]["OrderItems"]
            return items
    return []


def _v0_orders() -> Iterator[Any]:
    """Every order of the v0 getOrders/getOrder cases (``payload.Orders`` entries and ``payload`` objects)."""
    for case in _cases(V0_CASES):
        payload = case["response"].get("payload")
        if not isinstance(payload, dict):
            continue
        orders = payload.get("Orders", [payload] if "OrderStatus" in payload else [])
        for index, order in enumerate(orders):
            yield pytest.param(order, id=f"{case['operationId']}-{case['index']}-{index}")


def _with_items(order: dict[str, Any]) -> dict[str, Any]:
    """A v0 order with the getOrderItems sandbox items attached, priced in the order's own currency."""
    order = copy.deepcopy(order)
    items = copy.deepcopy(_v0_order_items())
    currency = (order.get("OrderTotal") or {}).get("CurrencyCode")
    if currency:
        for item in items:
            for value in item.values():
                if isinstance(value, dict) and "CurrencyCode" in value:
                    value["CurrencyCode"] = currency
    order["OrderItems"] = items
    return order


def _no_floats(order: AmazonOrder) -> None:
    amounts = [order.grand_total, *(i.item_price for i in order.items)]
    for money in amounts:
        if money is not None:
            assert type(money.amount) is Decimal
            assert money.amount.is_finite()


# ----------------------------------------------------------------------------------------------------
# Amazon's sandbox cases
# ----------------------------------------------------------------------------------------------------


def test_sandbox_cases_have_orders() -> None:
    assert len(list(_v2026_orders())) >= 6
    assert len(list(_v0_orders())) >= 6
    assert _v0_order_items()


@pytest.mark.parametrize("payload", list(_v2026_orders()))
def test_every_v2026_sandbox_order_parses(payload: dict[str, Any]) -> None:
    order = parse_order(payload)
    assert order.amazon_order_id == payload["orderId"]
    assert order.status is parse_amazon_status(payload["fulfillment"]["fulfillmentStatus"])
    assert order.purchase_date.tzinfo is not None
    assert order.purchase_date == datetime.fromisoformat(payload["createdTime"].replace("Z", "+00:00"))
    assert [i.seller_sku for i in order.items] == [i["product"]["sellerSku"] for i in payload["orderItems"]]
    assert [i.quantity_ordered for i in order.items] == [int(i["quantityOrdered"]) for i in payload["orderItems"]]
    if "grandTotal" in payload.get("proceeds", {}):
        assert order.grand_total is not None
        assert order.grand_total.amount == Decimal(payload["proceeds"]["grandTotal"]["amount"])
    _no_floats(order)


@pytest.mark.parametrize("payload", list(_v0_orders()))
def test_every_v0_sandbox_order_parses_with_its_items(payload: dict[str, Any]) -> None:
    order = parse_order(_with_items(payload))
    assert order.amazon_order_id == payload["AmazonOrderId"]
    assert order.status is parse_amazon_status(payload["OrderStatus"])
    expected_channel = (
        FulfillmentChannel.AMAZON if payload["FulfillmentChannel"] == "AFN" else FulfillmentChannel.MERCHANT
    )
    assert order.fulfillment_channel is expected_channel
    assert [i.seller_sku for i in order.items] == [i["SellerSKU"] for i in _v0_order_items()]
    if "OrderTotal" in payload:
        assert order.grand_total is not None
        assert order.grand_total.amount == Decimal(payload["OrderTotal"]["Amount"])
    _no_floats(order)


@pytest.mark.parametrize("payload", list(_v0_orders()))
def test_v0_order_without_items_is_refused(payload: dict[str, Any]) -> None:
    without_items = {k: v for k, v in payload.items() if k != "OrderItems"}
    with pytest.raises(OrderDataError) as caught:
        parse_order(without_items)
    assert caught.value.field == "OrderItems"
    assert caught.value.amazon_order_id == payload["AmazonOrderId"]
    assert "OrderItems" in str(caught.value)


def test_jpy_sandbox_order_amounts_are_exact() -> None:
    payload = next(
        p.values[0] for p in _v2026_orders() if p.values[0]["proceeds"]["grandTotal"]["currencyCode"] == "JPY"
    )
    order = parse_order(payload)
    assert order.grand_total is not None
    assert order.grand_total.amount == Decimal("19940")
    assert str(order.grand_total.amount) == "19940"
    assert order.grand_total.currency == "JPY"
    assert [i.item_price.amount for i in order.items if i.item_price] == [Decimal("5980"), Decimal("6980")]
    assert order.fulfillment_channel is FulfillmentChannel.AMAZON


# ----------------------------------------------------------------------------------------------------
# Builders
# ----------------------------------------------------------------------------------------------------


def v2026(**changes: Any) -> dict[str, Any]:
    order: dict[str, Any] = {
        "orderId": "111-0000001-0000001",
        "createdTime": "2026-01-15T11:00:00Z",
        "lastUpdatedTime": "2026-01-15T11:05:00Z",
        "salesChannel": {"marketplaceId": "ATVPDKIKX0DER"},
        "buyer": {"buyerName": "Jane Doe", "buyerEmail": "jane@marketplace.amazon.com"},
        "recipient": {"deliveryAddress": {"name": "Jane Doe", "city": "Seattle", "countryCode": "US"}},
        "proceeds": {"grandTotal": {"amount": "39.98", "currencyCode": "USD"}},
        "fulfillment": {"fulfillmentStatus": "UNSHIPPED", "fulfilledBy": "MERCHANT"},
        "orderItems": [
            {
                "orderItemId": "1",
                "quantityOrdered": 2,
                "product": {
                    "sellerSku": "SKU-1",
                    "price": {"unitPrice": {"amount": "19.99", "currencyCode": "USD"}},
                },
                "fulfillment": {"quantityFulfilled": 0},
            }
        ],
    }
    order.update(changes)
    return order


def v0(**changes: Any) -> dict[str, Any]:
    order: dict[str, Any] = {
        "AmazonOrderId": "902-0000001-0000001",
        "PurchaseDate": "2026-01-15T11:00:00Z",
        "LastUpdateDate": "2026-01-15T11:05:00Z",
        "OrderStatus": "Unshipped",
        "FulfillmentChannel": "MFN",
        "OrderTotal": {"CurrencyCode": "USD", "Amount": "50.00"},
        "OrderItems": [
            {
                "OrderItemId": "1",
                "SellerSKU": "SKU-1",
                "QuantityOrdered": 2,
                "QuantityShipped": 0,
                "ItemPrice": {"CurrencyCode": "USD", "Amount": "39.98"},
            },
            {
                "OrderItemId": "2",
                "SellerSKU": "SKU-2",
                "QuantityOrdered": 1,
                "ItemPrice": {"CurrencyCode": "USD", "Amount": "10.02"},
            },
        ],
    }
    order.update(changes)
    return order


def _item(order: dict[str, Any], index: int = 0) -> dict[str, Any]:
    item: dict[str, Any] = order["orderItems"][index]
    return item


def test_v2026_builder_parses() -> None:
    order = parse_order(v2026())
    assert order.status is S.UNSHIPPED
    assert order.fulfillment_channel is FulfillmentChannel.MERCHANT
    assert order.purchase_date == datetime(2026, 1, 15, 11, 0, tzinfo=UTC)
    assert order.items[0].quantity_ordered == 2
    assert order.buyer.name == "Jane Doe"
    assert order.shipping_address is not None
    assert order.shipping_address.city == "Seattle"


def test_v0_item_price_is_a_line_total_read_as_unit_price() -> None:
    order = parse_order(v0())
    assert [i.item_price.amount for i in order.items if i.item_price] == [Decimal("19.99"), Decimal("10.02")]
    assert [i.quantity_ordered for i in order.items] == [2, 1]
    assert order.grand_total is not None
    assert order.grand_total.amount == Decimal("50.00")
    assert order.status is S.UNSHIPPED
    _no_floats(order)


def test_v0_uneven_line_total_gives_a_storable_unit_price() -> None:
    payload = v0(
        OrderTotal={"CurrencyCode": "USD", "Amount": "10.00"},
        OrderItems=[
            {
                "OrderItemId": "1",
                "SellerSKU": "SKU-1",
                "QuantityOrdered": 3,
                "ItemPrice": {"CurrencyCode": "USD", "Amount": "10.00"},
            }
        ],
    )
    price = parse_order(payload).items[0].item_price
    assert price is not None
    assert abs(price.amount * 3 - Decimal("10.00")) <= Decimal("0.0003")
    ExactMoney().process_bind_param(price.amount, SQLiteDialect())  # must not refuse the amount


# ----------------------------------------------------------------------------------------------------
# order_id_of
# ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        pytest.param({"orderId": "111-1"}, "111-1", id="v2026"),
        pytest.param({"AmazonOrderId": "902-1"}, "902-1", id="v0"),
        pytest.param({"orderId": "  111-1  "}, "111-1", id="v2026-padded"),
        pytest.param({"orderId": ""}, None, id="empty"),
        pytest.param({"orderId": "   "}, None, id="blank"),
        pytest.param({"orderId": 1234}, None, id="number"),
        pytest.param({}, None, id="no-id"),
        pytest.param(["111-1"], None, id="list"),
        pytest.param("111-1", None, id="string"),
        pytest.param(None, None, id="none"),
    ],
)
def test_order_id_of(payload: Any, expected: str | None) -> None:
    assert order_id_of(payload) == expected


# ----------------------------------------------------------------------------------------------------
# statuses
# ----------------------------------------------------------------------------------------------------


def _all_model_statuses() -> list[str]:
    v2026_model = json.loads((MODELS / "orders_2026-01-01.json").read_text())
    v0_model = json.loads((MODELS / "ordersV0.json").read_text())
    return [
        *v2026_model["definitions"]["FulfillmentStatus"]["enum"],
        *v0_model["definitions"]["Order"]["properties"]["OrderStatus"]["enum"],
    ]


def test_every_status_amazon_publishes_is_understood() -> None:
    statuses = _all_model_statuses()
    assert len(statuses) >= 15
    for raw in statuses:
        assert parse_amazon_status(raw) in S


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("Unshipped", S.UNSHIPPED, id="v0-Unshipped"),
        pytest.param("UNSHIPPED", S.UNSHIPPED, id="v2026-UNSHIPPED"),
        pytest.param("PartiallyShipped", S.PARTIALLY_SHIPPED, id="v0-PartiallyShipped"),
        pytest.param("PARTIALLY_SHIPPED", S.PARTIALLY_SHIPPED, id="v2026-PARTIALLY_SHIPPED"),
        pytest.param("PendingAvailability", S.PENDING_AVAILABILITY, id="v0-PendingAvailability"),
        pytest.param("PENDING_AVAILABILITY", S.PENDING_AVAILABILITY, id="v2026-PENDING_AVAILABILITY"),
        pytest.param("CANCELLED", S.CANCELED, id="v2026-CANCELLED"),
        pytest.param("Canceled", S.CANCELED, id="v0-Canceled"),
        pytest.param("InvoiceUnconfirmed", S.INVOICE_UNCONFIRMED, id="v0-InvoiceUnconfirmed"),
        pytest.param("Shipped", S.SHIPPED, id="v0-Shipped"),
        pytest.param("Pending", S.PENDING, id="v0-Pending"),
        pytest.param("Unfulfillable", S.UNFULFILLABLE, id="v0-Unfulfillable"),
    ],
)
def test_parse_amazon_status_accepts_both_spellings(raw: str, expected: S) -> None:
    assert parse_amazon_status(raw) is expected


@pytest.mark.parametrize("raw", ["SHIPPING", "Delivered", "", "COMPLETED", "ERROR", "IN_TRANSIT"])
def test_parse_amazon_status_rejects_unknown(raw: str) -> None:
    with pytest.raises(ValueError, match="unknown Amazon order status"):
        parse_amazon_status(raw)


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        pytest.param("Unshipped", S.UNSHIPPED, id="Unshipped"),
        pytest.param("PartiallyShipped", S.PARTIALLY_SHIPPED, id="PartiallyShipped"),
        pytest.param("CANCELLED", S.CANCELED, id="CANCELLED"),
        pytest.param("Canceled", S.CANCELED, id="Canceled"),
    ],
)
def test_order_status_in_either_spelling_in_both_shapes(spelling: str, expected: S) -> None:
    payload = v2026()
    payload["fulfillment"]["fulfillmentStatus"] = spelling
    assert parse_order(payload).status is expected
    assert parse_order(v0(OrderStatus=spelling)).status is expected


# ----------------------------------------------------------------------------------------------------
# tolerant parsing
# ----------------------------------------------------------------------------------------------------


def test_quantities_as_strings() -> None:
    payload = v2026()
    _item(payload)["quantityOrdered"] = "2"
    _item(payload)["fulfillment"]["quantityFulfilled"] = "1"
    item = parse_order(payload).items[0]
    assert (item.quantity_ordered, item.quantity_shipped) == (2, 1)

    v0_payload = v0()
    v0_payload["OrderItems"][0]["QuantityOrdered"] = "2"
    assert parse_order(v0_payload).items[0].quantity_ordered == 2


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        pytest.param(19.99, Decimal("19.99"), id="float"),
        pytest.param(20, Decimal("20"), id="int"),
        pytest.param(0.0001, Decimal("0.0001"), id="smallest-float"),
        pytest.param("19940", Decimal("19940"), id="yen-string"),
    ],
)
def test_amounts_as_numbers_stay_exact(amount: Any, expected: Decimal) -> None:
    payload = v2026(proceeds={"grandTotal": {"amount": amount, "currencyCode": "USD"}})
    _item(payload)["product"]["price"]["unitPrice"]["amount"] = amount
    order = parse_order(payload)
    assert order.grand_total is not None
    assert order.grand_total.amount == expected
    assert order.items[0].item_price is not None
    assert order.items[0].item_price.amount == expected
    _no_floats(order)


def test_fba_order_without_buyer_or_recipient_imports() -> None:
    payload = v2026(fulfillment={"fulfillmentStatus": "SHIPPED", "fulfilledBy": "AMAZON"})
    del payload["buyer"]
    del payload["recipient"]
    order = parse_order(payload)
    assert order.fulfillment_channel is FulfillmentChannel.AMAZON
    assert order.status is S.SHIPPED
    assert order.buyer.name is None
    assert order.buyer.email is None
    assert order.shipping_address is None


def test_fba_v0_order_without_buyer_or_address_imports() -> None:
    order = parse_order(v0(FulfillmentChannel="AFN", OrderStatus="Shipped"))
    assert order.fulfillment_channel is FulfillmentChannel.AMAZON
    assert order.buyer.name is None
    assert order.shipping_address is None


def test_missing_fulfilled_by_means_merchant() -> None:
    payload = v2026(fulfillment={"fulfillmentStatus": "UNSHIPPED"})
    assert parse_order(payload).fulfillment_channel is FulfillmentChannel.MERCHANT
    v0_payload = v0()
    del v0_payload["FulfillmentChannel"]
    assert parse_order(v0_payload).fulfillment_channel is FulfillmentChannel.MERCHANT


def test_missing_optional_blocks_are_fine() -> None:
    payload = v2026()
    for key in ("salesChannel", "proceeds", "buyer", "recipient"):
        del payload[key]
    del _item(payload)["product"]["price"]
    del _item(payload)["fulfillment"]
    order = parse_order(payload)
    assert order.grand_total is None
    assert order.items[0].item_price is None
    assert order.items[0].quantity_shipped == 0
    assert order.marketplace_id is None


def test_dates_are_utc() -> None:
    order = parse_order(v2026(createdTime="2026-01-15T12:00:00+01:00"))
    assert order.purchase_date == datetime(2026, 1, 15, 11, 0, tzinfo=UTC)
    assert order.purchase_date.utcoffset() is not None
    assert order.purchase_date.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


# ----------------------------------------------------------------------------------------------------
# strict errors
# ----------------------------------------------------------------------------------------------------


def _mutate(fn: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    payload = v2026()
    fn(payload)
    return payload


def _set_unit(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(p: dict[str, Any]) -> None:
        _item(p)["product"]["price"]["unitPrice"][key] = value

    return change


def _set_total(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(p: dict[str, Any]) -> None:
        p["proceeds"]["grandTotal"][key] = value

    return change


def _set_qty(value: Any) -> Callable[[dict[str, Any]], None]:
    def change(p: dict[str, Any]) -> None:
        _item(p)["quantityOrdered"] = value

    return change


def _pop(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda p: p.pop(key)


def _put(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda p: p.update({key: value})


def _status(value: str) -> Callable[[dict[str, Any]], None]:
    return lambda p: p["fulfillment"].update(fulfillmentStatus=value)


def _no_seller_sku(p: dict[str, Any]) -> None:
    del _item(p)["product"]["sellerSku"]


UNIT = "orderItems[0].product.price.unitPrice"
TOTAL = "proceeds.grandTotal"
QTY = "orderItems[0].quantityOrdered"

STRICT_CASES = [
    pytest.param(_pop("orderId"), "orderId", "missing", id="missing-orderId"),
    pytest.param(_put("orderId", "  "), "orderId", "missing", id="blank-orderId"),
    pytest.param(_pop("createdTime"), "createdTime", "missing", id="missing-createdTime"),
    pytest.param(_put("createdTime", "yesterday"), "createdTime", "yesterday", id="date-yesterday"),
    pytest.param(_put("createdTime", 1736938800), "createdTime", "ISO 8601", id="date-epoch-number"),
    pytest.param(_pop("lastUpdatedTime"), "lastUpdatedTime", "missing", id="missing-lastUpdatedTime"),
    pytest.param(_status("SHIPPING"), "fulfillment.fulfillmentStatus", "SHIPPING", id="status-SHIPPING"),
    pytest.param(_status(""), "fulfillment.fulfillmentStatus", "missing", id="status-empty"),
    pytest.param(_set_qty(-1), QTY, "negative", id="quantity-negative"),
    pytest.param(_set_qty(1.5), QTY, "whole number", id="quantity-fractional"),
    pytest.param(_set_qty("1.5"), QTY, "whole number", id="quantity-fractional-string"),
    pytest.param(_set_qty("two"), QTY, "whole number", id="quantity-word"),
    pytest.param(_set_qty(None), QTY, "missing", id="quantity-missing"),
    pytest.param(_set_qty(True), QTY, "whole number", id="quantity-bool"),
    pytest.param(_set_unit("currencyCode", "DOLLARS"), f"{UNIT}.currencyCode", "DOLLARS", id="currency-DOLLARS"),
    pytest.param(_set_unit("currencyCode", "usd"), f"{UNIT}.currencyCode", "usd", id="currency-lowercase"),
    pytest.param(_set_total("currencyCode", None), f"{TOTAL}.currencyCode", "currency", id="currency-missing"),
    pytest.param(_set_unit("amount", "ten"), f"{UNIT}.amount", "ten", id="amount-ten"),
    pytest.param(_set_unit("amount", "NaN"), f"{UNIT}.amount", "NaN", id="amount-nan"),
    pytest.param(_set_unit("amount", None), f"{UNIT}.amount", "decimal", id="amount-missing"),
    pytest.param(_set_total("amount", "-5.00"), f"{TOTAL}.amount", "negative", id="amount-negative"),
    pytest.param(_set_unit("amount", -0.01), f"{UNIT}.amount", "negative", id="amount-negative-number"),
    pytest.param(_set_unit("amount", "19.99001"), f"{UNIT}.amount", "4 decimal places", id="amount-5-places"),
    pytest.param(_set_total("currencyCode", "EUR"), "currency", "mixes currencies", id="mixed-currencies"),
    pytest.param(_put("orderItems", []), "orderItems", "non-empty list", id="orderItems-empty"),
    pytest.param(_put("orderItems", {"0": {}}), "orderItems", "non-empty list", id="orderItems-object"),
    pytest.param(_pop("orderItems"), "orderItems", "non-empty list", id="orderItems-missing"),
    pytest.param(_no_seller_sku, "orderItems[0].product.sellerSku", "missing", id="item-without-sellerSku"),
    pytest.param(_put("orderItems", ["SKU-1"]), "orderItems[0]", "object", id="item-not-an-object"),
    pytest.param(_put("buyer", "Jane"), "buyer", "object", id="buyer-not-an-object"),
]


@pytest.mark.parametrize(("change", "field", "words"), STRICT_CASES)
def test_strict_errors_name_the_field(change: Callable[[dict[str, Any]], None], field: str, words: str) -> None:
    payload = _mutate(change)
    with pytest.raises(OrderDataError) as caught:
        parse_order(payload)
    error = caught.value
    assert error.field == field
    message = str(error)
    assert field in message
    assert words in message
    if field != "orderId":
        assert error.amazon_order_id == "111-0000001-0000001"


def test_mixed_currencies_message_names_both() -> None:
    payload = v2026(proceeds={"grandTotal": {"amount": "39.98", "currencyCode": "EUR"}})
    with pytest.raises(OrderDataError, match=r"EUR.*USD"):
        parse_order(payload)


def test_mixed_currencies_between_items() -> None:
    payload = v2026()
    del payload["proceeds"]
    second = copy.deepcopy(_item(payload))
    second["orderItemId"] = "2"
    second["product"]["price"]["unitPrice"]["currencyCode"] = "GBP"
    payload["orderItems"].append(second)
    with pytest.raises(OrderDataError) as caught:
        parse_order(payload)
    assert caught.value.field == "currency"


V0_STRICT_CASES = [
    pytest.param(lambda p: p.update(AmazonOrderId=""), "AmazonOrderId", id="empty-AmazonOrderId"),
    pytest.param(lambda p: p.pop("PurchaseDate"), "PurchaseDate", id="missing-PurchaseDate"),
    pytest.param(lambda p: p.update(PurchaseDate="yesterday"), "PurchaseDate", id="date-yesterday"),
    pytest.param(lambda p: p.update(OrderStatus="Shipping"), "OrderStatus", id="status-Shipping"),
    pytest.param(lambda p: p.update(OrderItems=[]), "OrderItems", id="OrderItems-empty"),
    pytest.param(
        lambda p: p["OrderItems"][0].update(QuantityOrdered=-1),
        "OrderItems[0].QuantityOrdered",
        id="qty-negative",
    ),
    pytest.param(
        lambda p: p["OrderItems"][0].update(QuantityOrdered=1.5),
        "OrderItems[0].QuantityOrdered",
        id="qty-1.5",
    ),
    pytest.param(lambda p: p["OrderItems"][1].pop("SellerSKU"), "OrderItems[1].SellerSKU", id="no-SellerSKU"),
    pytest.param(
        lambda p: p["OrderItems"][0]["ItemPrice"].update(Amount="ten"),
        "OrderItems[0].ItemPrice.Amount",
        id="amount-ten",
    ),
    pytest.param(
        lambda p: p["OrderTotal"].update(CurrencyCode="usd"),
        "OrderTotal.CurrencyCode",
        id="currency-lowercase",
    ),
    pytest.param(lambda p: p["OrderTotal"].update(CurrencyCode="EUR"), "currency", id="mixed-currencies"),
]


@pytest.mark.parametrize(("change", "field"), V0_STRICT_CASES)
def test_v0_strict_errors_name_the_field(change: Callable[[dict[str, Any]], None], field: str) -> None:
    payload = v0()
    change(payload)
    with pytest.raises(OrderDataError) as caught:
        parse_order(payload)
    assert caught.value.field == field
    assert field in str(caught.value)


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param([v2026()], id="list"),
        pytest.param("111-0000001-0000001", id="string"),
        pytest.param(None, id="null"),
        pytest.param(42, id="number"),
    ],
)
def test_payload_must_be_an_object(payload: Any) -> None:
    with pytest.raises(OrderDataError) as caught:
        parse_order(payload)
    assert "must be a JSON object" in str(caught.value)
    assert type(payload).__name__ in str(caught.value)
    assert caught.value.amazon_order_id is None


# ----------------------------------------------------------------------------------------------------
# merge_v0_items: a v0 header plus its getOrderItems pages
# ----------------------------------------------------------------------------------------------------


def _v0_header() -> dict[str, Any]:
    return {k: v for k, v in v0().items() if k != "OrderItems"}


def _items_page(*indexes: int, order_id: str | None = "902-0000001-0000001") -> dict[str, Any]:
    page: dict[str, Any] = {"OrderItems": [v0()["OrderItems"][i] for i in indexes]}
    if order_id is not None:
        page["AmazonOrderId"] = order_id
    return page


def test_merge_v0_items_joins_every_page_in_order() -> None:
    merged = merge_v0_items(_v0_header(), _items_page(0), _items_page(1, order_id=None))
    order = parse_order(merged)
    assert [i.seller_sku for i in order.items] == ["SKU-1", "SKU-2"]
    assert order.grand_total is not None
    assert order.grand_total.amount == Decimal("50.00")


def test_merge_v0_items_leaves_the_header_untouched() -> None:
    header = _v0_header()
    merge_v0_items(header, _items_page(0))
    assert "OrderItems" not in header


def test_merge_v0_items_without_pages_still_needs_items() -> None:
    with pytest.raises(OrderDataError) as caught:
        parse_order(merge_v0_items(_v0_header()))
    assert caught.value.field == "OrderItems"


@pytest.mark.parametrize(
    ("pages", "field"),
    [
        pytest.param(
            [_items_page(0, order_id="902-9999999-9999999")], "getOrderItems[0].AmazonOrderId", id="other-order"
        ),
        pytest.param([_items_page(0), ["SKU-1"]], "getOrderItems[1]", id="page-not-an-object"),
        pytest.param(
            [{"AmazonOrderId": "902-0000001-0000001"}], "getOrderItems[0].OrderItems", id="page-without-items"
        ),
    ],
)
def test_merge_v0_items_refuses_pages_that_do_not_belong(pages: list[Any], field: str) -> None:
    with pytest.raises(OrderDataError) as caught:
        merge_v0_items(_v0_header(), *pages)
    assert caught.value.field == field
    assert field in str(caught.value)
    assert caught.value.amazon_order_id == "902-0000001-0000001"


def test_merge_v0_items_refuses_items_that_are_not_a_list() -> None:
    with pytest.raises(OrderDataError) as caught:
        merge_v0_items(v0(OrderItems={"0": {}}), _items_page(0))
    assert caught.value.field == "OrderItems"
