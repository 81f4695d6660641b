"""Amazon order payloads (Orders API v2026-01-01, or v0 handed in by hosts and tests) read into ``AmazonOrder``.

Tolerant where Amazon is loose (numbers as strings, "true" for booleans, missing optional blocks, FBA orders with no
buyer or address); strict where a mistake would cost money or stock (ids, statuses, quantities, amounts,
currencies, dates): those raise ``OrderDataError`` naming the field, so the order is recorded as
INVALID_ORDER_DATA instead of being imported wrong.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from channel_plugin.domain.enums import FulfillmentChannel, parse_amazon_status
from channel_plugin.domain.model import Address, AmazonOrder, Buyer, Money, OrderItem
from channel_plugin.errors import OrderDataError

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_PLACES = Decimal("0.0001")
_V2026_ADDRESS = (
    "name",
    "companyName",
    "addressLine1",
    "addressLine2",
    "addressLine3",
    "city",
    "stateOrRegion",
    "postalCode",
    "countryCode",
    "phone",
)
_V0_ADDRESS = (
    "Name",
    "CompanyName",
    "AddressLine1",
    "AddressLine2",
    "AddressLine3",
    "City",
    "StateOrRegion",
    "PostalCode",
    "CountryCode",
    "Phone",
)
_CHANNELS = {
    "MERCHANT": FulfillmentChannel.MERCHANT,
    "MFN": FulfillmentChannel.MERCHANT,
    "AMAZON": FulfillmentChannel.AMAZON,
    "AFN": FulfillmentChannel.AMAZON,
}


def _unit_price(line_total: Decimal, qty: int) -> Decimal:
    """v0 prices a line (unit x quantity); the domain keeps unit prices, to the 4 places storage holds."""
    return (line_total / qty).quantize(_PLACES, ROUND_HALF_UP) if qty else line_total


def order_id_of(payload: Any) -> str | None:
    """The Amazon order id of a payload in either shape, or None when there is none to record it under."""
    if not isinstance(payload, Mapping):
        return None
    value = payload.get("orderId", payload.get("AmazonOrderId"))
    return value.strip() if isinstance(value, str) and value.strip() else None


def merge_v0_items(order: Any, *item_pages: Any) -> dict[str, Any]:
    """A v0 order header with the ``OrderItems`` of its getOrderItems pages, ready for ``parse_order``.

    v0 getOrders/getOrder carry no items, and an order without items must not import. Pages naming another order are
    refused, since attaching someone else's items would ship and charge the wrong goods.
    """
    if not isinstance(order, Mapping):
        raise OrderDataError(f"an order must be a JSON object, got {type(order).__name__}")
    order_id = order_id_of(order)
    existing = order.get("OrderItems", [])
    if not isinstance(existing, list):
        raise OrderDataError("OrderItems must be a list", order_id, "OrderItems")
    items = list(existing)
    for index, page in enumerate(item_pages):
        field = f"getOrderItems[{index}]"
        if not isinstance(page, Mapping):
            raise OrderDataError(f"{field} must be a JSON object, got {type(page).__name__}", order_id, field)
        page_order = order_id_of(page)
        if page_order is not None and page_order != order_id:
            message = f"{field}.AmazonOrderId is {page_order!r}, not this order's {order_id!r}"
            raise OrderDataError(message, order_id, f"{field}.AmazonOrderId")
        page_items = page.get("OrderItems")
        if not isinstance(page_items, list):
            raise OrderDataError(f"{field}.OrderItems must be a list", order_id, f"{field}.OrderItems")
        items.extend(page_items)
    return {**order, "OrderItems": items}


def parse_order(payload: Any) -> AmazonOrder:
    """Read one order payload in either API shape."""
    if not isinstance(payload, Mapping):
        raise OrderDataError(f"an order must be a JSON object, got {type(payload).__name__}")
    if "AmazonOrderId" in payload:
        return _V0(payload).order()
    return _V2026(payload).order()


class _Reader:
    """Field access that reports the path of whatever is wrong."""

    def __init__(self, payload: Mapping[str, Any], id_key: str) -> None:
        self.payload = payload
        self.order_id = order_id_of(payload)
        if self.order_id is None:
            raise OrderDataError(f"{id_key} is missing or empty", None, id_key)

    def fail(self, field: str, message: str) -> OrderDataError:
        return OrderDataError(f"{field} {message}", self.order_id, field)

    def obj(self, value: Any, field: str) -> Mapping[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.fail(field, f"must be an object, got {type(value).__name__}")
        return value

    def text(self, value: Any, field: str, *, required: bool = False) -> str | None:
        if value is None or value == "":
            if required:
                raise self.fail(field, "is missing")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(field, f"must be a string, got {type(value).__name__}")
        return str(value)

    def when(self, value: Any, field: str, *, required: bool = False) -> datetime | None:
        if value is None or value == "":
            if required:
                raise self.fail(field, "is missing")
            return None
        if not isinstance(value, str):
            raise self.fail(field, f"must be an ISO 8601 date-time, got {value!r}")
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
        except ValueError:
            raise self.fail(field, f"is not an ISO 8601 date-time: {value!r}") from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)

    def quantity(self, value: Any, field: str, *, required: bool = False) -> int:
        if value is None or value == "":
            if required:
                raise self.fail(field, "is missing")
            return 0
        try:
            number = Decimal(str(value)) if not isinstance(value, bool) else None
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number != number.to_integral_value():
            raise self.fail(field, f"must be a whole number, got {value!r}")
        if number < 0:
            raise self.fail(field, f"must not be negative, got {value!r}")
        return int(number)

    def money(self, value: Any, field: str, amount_key: str, currency_key: str) -> Money | None:
        block = self.obj(value, field)
        if not block:
            return None
        raw_amount = block.get(amount_key)
        try:
            amount = Decimal(str(raw_amount)) if not isinstance(raw_amount, bool | type(None)) else None
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite():
            raise self.fail(f"{field}.{amount_key}", f"is not a decimal amount: {raw_amount!r}")
        if amount < 0:
            raise self.fail(f"{field}.{amount_key}", f"must not be negative, got {raw_amount!r}")
        if amount != amount.quantize(_PLACES):
            raise self.fail(f"{field}.{amount_key}", f"has more than 4 decimal places: {raw_amount!r}")
        currency = block.get(currency_key)
        if not isinstance(currency, str) or not _CURRENCY.match(currency):
            raise self.fail(f"{field}.{currency_key}", f"is not an ISO 4217 currency code: {currency!r}")
        return Money(amount, currency)

    def channel(self, value: Any, field: str) -> FulfillmentChannel:
        if value is None or value == "":
            return FulfillmentChannel.MERCHANT
        channel = _CHANNELS.get(str(value).upper())
        if channel is None:
            raise self.fail(field, f"is not a fulfillment channel: {value!r} (expected MERCHANT/MFN or AMAZON/AFN)")
        return channel

    def status(self, value: Any, field: str) -> Any:
        if not isinstance(value, str) or not value:
            raise self.fail(field, "is missing")
        try:
            return parse_amazon_status(value)
        except ValueError as exc:
            raise self.fail(field, f"is invalid: {exc}") from None

    def address(self, raw: Any, field: str, keys: tuple[str, ...]) -> Address | None:
        """Both APIs carry the same address under different key names (``keys`` in ``Address`` field order)."""
        block = self.obj(raw, field)
        if not block:
            return None
        return Address(*(self.text(block.get(key), f"{field}.{key}") for key in keys))

    def check_currencies(self, total: Money | None, items: tuple[OrderItem, ...]) -> None:
        currencies = {m.currency for m in [total, *(i.item_price for i in items)] if m is not None}
        if len(currencies) > 1:
            raise self.fail("currency", f"mixes currencies {sorted(currencies)} in one order")


class _V2026(_Reader):
    def __init__(self, payload: Mapping[str, Any]) -> None:
        super().__init__(payload, "orderId")

    def order(self) -> AmazonOrder:
        p = self.payload
        fulfillment = self.obj(p.get("fulfillment"), "fulfillment")
        sales = self.obj(p.get("salesChannel"), "salesChannel")
        buyer = self.obj(p.get("buyer"), "buyer")
        recipient = self.obj(p.get("recipient"), "recipient")
        proceeds = self.obj(p.get("proceeds"), "proceeds")
        raw_items = p.get("orderItems")
        if not isinstance(raw_items, list) or not raw_items:
            raise self.fail("orderItems", "must be a non-empty list")
        items = tuple(self._item(i, raw) for i, raw in enumerate(raw_items))
        total = self.money(proceeds.get("grandTotal"), "proceeds.grandTotal", "amount", "currencyCode")
        self.check_currencies(total, items)
        ship_by = self.obj(fulfillment.get("shipByWindow"), "fulfillment.shipByWindow")
        deliver_by = self.obj(fulfillment.get("deliverByWindow"), "fulfillment.deliverByWindow")
        assert self.order_id is not None
        return AmazonOrder(
            amazon_order_id=self.order_id,
            purchase_date=self.when(p.get("createdTime"), "createdTime", required=True),  # type: ignore[arg-type]
            last_update_date=self.when(p.get("lastUpdatedTime"), "lastUpdatedTime", required=True),  # type: ignore[arg-type]
            status=self.status(fulfillment.get("fulfillmentStatus"), "fulfillment.fulfillmentStatus"),
            fulfillment_channel=self.channel(fulfillment.get("fulfilledBy"), "fulfillment.fulfilledBy"),
            items=items,
            marketplace_id=self.text(sales.get("marketplaceId"), "salesChannel.marketplaceId"),
            grand_total=total,
            buyer=Buyer(
                name=self.text(buyer.get("buyerName"), "buyer.buyerName"),
                email=self.text(buyer.get("buyerEmail"), "buyer.buyerEmail"),
                company=self.text(buyer.get("buyerCompanyName"), "buyer.buyerCompanyName"),
            ),
            shipping_address=self.address(
                recipient.get("deliveryAddress"), "recipient.deliveryAddress", _V2026_ADDRESS
            ),
            ship_service_level=self.text(
                fulfillment.get("fulfillmentServiceLevel"), "fulfillment.fulfillmentServiceLevel"
            ),
            ship_by=self.when(ship_by.get("latestDateTime"), "fulfillment.shipByWindow.latestDateTime"),
            deliver_by=self.when(deliver_by.get("latestDateTime"), "fulfillment.deliverByWindow.latestDateTime"),
        )

    def _item(self, index: int, raw: Any) -> OrderItem:
        field = f"orderItems[{index}]"
        item = self.obj(raw, field)
        product = self.obj(item.get("product"), f"{field}.product")
        price = self.obj(product.get("price"), f"{field}.product.price")
        fulfillment = self.obj(item.get("fulfillment"), f"{field}.fulfillment")
        return OrderItem(
            order_item_id=self.text(item.get("orderItemId"), f"{field}.orderItemId", required=True),  # type: ignore[arg-type]
            seller_sku=self.text(product.get("sellerSku"), f"{field}.product.sellerSku", required=True),  # type: ignore[arg-type]
            quantity_ordered=self.quantity(item.get("quantityOrdered"), f"{field}.quantityOrdered", required=True),
            quantity_shipped=self.quantity(
                fulfillment.get("quantityFulfilled"), f"{field}.fulfillment.quantityFulfilled"
            ),
            asin=self.text(product.get("asin"), f"{field}.product.asin"),
            title=self.text(product.get("title"), f"{field}.product.title"),
            item_price=self.money(price.get("unitPrice"), f"{field}.product.price.unitPrice", "amount", "currencyCode"),
        )


class _V0(_Reader):
    def __init__(self, payload: Mapping[str, Any]) -> None:
        super().__init__(payload, "AmazonOrderId")

    def order(self) -> AmazonOrder:
        p = self.payload
        buyer = self.obj(p.get("BuyerInfo"), "BuyerInfo")
        raw_items = p.get("OrderItems")
        if not isinstance(raw_items, list) or not raw_items:
            raise self.fail("OrderItems", "must be a non-empty list (v0 orders need their getOrderItems items)")
        items = tuple(self._item(i, raw) for i, raw in enumerate(raw_items))
        total = self.money(p.get("OrderTotal"), "OrderTotal", "Amount", "CurrencyCode")
        self.check_currencies(total, items)
        assert self.order_id is not None
        return AmazonOrder(
            amazon_order_id=self.order_id,
            purchase_date=self.when(p.get("PurchaseDate"), "PurchaseDate", required=True),  # type: ignore[arg-type]
            last_update_date=self.when(p.get("LastUpdateDate"), "LastUpdateDate", required=True),  # type: ignore[arg-type]
            status=self.status(p.get("OrderStatus"), "OrderStatus"),
            fulfillment_channel=self.channel(p.get("FulfillmentChannel"), "FulfillmentChannel"),
            items=items,
            marketplace_id=self.text(p.get("MarketplaceId"), "MarketplaceId"),
            grand_total=total,
            buyer=Buyer(
                name=self.text(buyer.get("BuyerName"), "BuyerInfo.BuyerName"),
                email=self.text(buyer.get("BuyerEmail"), "BuyerInfo.BuyerEmail"),
                company=self.text(buyer.get("BuyerCompanyName"), "BuyerInfo.BuyerCompanyName"),
            ),
            shipping_address=self.address(p.get("ShippingAddress"), "ShippingAddress", _V0_ADDRESS),
            ship_service_level=self.text(p.get("ShipServiceLevel"), "ShipServiceLevel"),
            ship_by=self.when(p.get("LatestShipDate"), "LatestShipDate"),
            deliver_by=self.when(p.get("LatestDeliveryDate"), "LatestDeliveryDate"),
        )

    def _item(self, index: int, raw: Any) -> OrderItem:
        field = f"OrderItems[{index}]"
        item = self.obj(raw, field)
        qty = self.quantity(item.get("QuantityOrdered"), f"{field}.QuantityOrdered", required=True)
        line = self.money(item.get("ItemPrice"), f"{field}.ItemPrice", "Amount", "CurrencyCode")
        unit = Money(_unit_price(line.amount, qty), line.currency) if line else None
        return OrderItem(
            order_item_id=self.text(item.get("OrderItemId"), f"{field}.OrderItemId", required=True),  # type: ignore[arg-type]
            seller_sku=self.text(item.get("SellerSKU"), f"{field}.SellerSKU", required=True),  # type: ignore[arg-type]
            quantity_ordered=qty,
            quantity_shipped=self.quantity(item.get("QuantityShipped"), f"{field}.QuantityShipped"),
            asin=self.text(item.get("ASIN"), f"{field}.ASIN"),
            title=self.text(item.get("Title"), f"{field}.Title"),
            item_price=unit,
        )
