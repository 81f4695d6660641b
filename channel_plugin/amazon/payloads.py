"""Amazon order payloads (Orders API v2026-01-01, or v0 handed in by hosts and tests) read into ``AmazonOrder``.

Tolerant where Amazon is loose (numbers as strings, "true" for booleans, missing optional blocks, FBA orders with no
buyer or address); strict where a mistake would cost money or stock (ids, statuses, quantities, amounts,
currencies, dates): those raise ``OrderDataError`` naming the field, so the order is recorded as
INVALID_ORDER_DATA instead of being imported wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from channel_plugin.amazon import bounds as B
from channel_plugin.domain.enums import FulfillmentChannel, parse_amazon_status
from channel_plugin.domain.model import Address, AmazonOrder, Buyer, Money, OrderItem
from channel_plugin.errors import OrderDataError

_PLACES = Decimal(1).scaleb(-B.AMOUNT_PLACES)
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


# Bounds of the address fields, in ``Address`` field order (the host's address columns).
_ADDRESS_LIMITS = (
    B.NAME_LENGTH,
    B.NAME_LENGTH,
    B.NAME_LENGTH,
    B.NAME_LENGTH,
    B.NAME_LENGTH,
    B.NAME_LENGTH,
    B.NAME_LENGTH,
    B.POSTAL_CODE_LENGTH,
    B.COUNTRY_CODE_LENGTH,
    B.PHONE_LENGTH,
)


def order_id_of(payload: Any) -> str | None:
    """The Amazon order id of a payload in either shape, or None when there is none it could be recorded under
    (missing, empty, too long, or with characters a database refuses): such a payload becomes a sync error."""
    if not isinstance(payload, Mapping):
        return None
    value = payload.get("orderId", payload.get("AmazonOrderId"))
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    return value if len(value) <= B.ID_LENGTH and not B.CONTROL.search(value) else None


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
    """Read one order payload in either API shape.

    Whatever a payload holds, the only exception out of here is ``OrderDataError``: a reader's slip on a shape
    nobody foresaw (a nesting too deep, an arithmetic corner) must set one order aside, never stop its page.
    """
    if not isinstance(payload, Mapping):
        raise OrderDataError(f"an order must be a JSON object, got {type(payload).__name__}")
    try:
        if "AmazonOrderId" in payload:
            return _V0(payload).order()
        return _V2026(payload).order()
    except OrderDataError:
        raise
    except (ArithmeticError, ValueError, TypeError, RecursionError) as exc:
        message = f"the order data could not be read ({type(exc).__name__})"
        raise OrderDataError(message, order_id_of(payload)) from exc


class _Reader:
    """Field access that reports the path of whatever is wrong."""

    def __init__(self, payload: Mapping[str, Any], id_key: str) -> None:
        self.payload = payload
        self.order_id: str | None = None
        raw = payload.get(id_key)
        if raw is not None and not isinstance(raw, str):  # a number would be stored under a different id
            raise self.fail(id_key, f"must be a string, got {type(raw).__name__}")
        self.order_id = self.code(raw.strip() if raw else raw, id_key, B.ID_LENGTH, required=True)

    def fail(self, field: str, message: str) -> OrderDataError:
        return OrderDataError(f"{field} {message}", self.order_id, field)

    def obj(self, value: Any, field: str) -> Mapping[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.fail(field, f"must be an object, got {type(value).__name__}")
        return value

    def text(self, value: Any, field: str, limit: int, *, required: bool = False) -> str | None:
        """Free text (names, titles, addresses): may hold tabs and newlines, never other control characters.

        Errors never quote the value: it may be the buyer's."""
        if value is None or value == "":
            if required:
                raise self.fail(field, "is missing or empty")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(field, f"must be a string, got {type(value).__name__}")
        text = str(value)
        if len(text) > limit:
            raise self.fail(field, f"is {len(text)} characters long, over the bound of {limit}")
        if B.TEXT_CONTROL.search(text):
            raise self.fail(field, "holds a control character (NUL, escape) or an unpaired surrogate")
        return text

    def code(self, value: Any, field: str, limit: int, *, required: bool = False) -> str | None:
        """Ids, SKUs and codes: bounded like text, and without any control character at all."""
        text = self.text(value, field, limit, required=required)
        if text is not None and B.CONTROL.search(text):
            raise self.fail(field, "holds a control character")
        return text

    def when(self, value: Any, field: str, *, required: bool = False) -> datetime | None:
        if value is None or value == "":
            if required:
                raise self.fail(field, "is missing")
            return None
        if not isinstance(value, str):
            raise self.fail(field, f"must be an ISO 8601 date-time, got {B.shown(value)}")
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            parsed = parsed.astimezone(UTC)
        except (ValueError, OverflowError):
            raise self.fail(field, f"is not an ISO 8601 date-time: {B.shown(value)}") from None
        if not B.EARLIEST <= parsed < B.LATEST:
            bound = f"{B.EARLIEST:%Y-%m-%d} to {B.LATEST:%Y-%m-%d}"
            raise self.fail(field, f"is {parsed:%Y-%m-%d}, outside the bound of {bound}")
        return parsed

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
            raise self.fail(field, f"must be a whole number, got {B.shown(value)}")
        if number < 0:
            raise self.fail(field, f"must not be negative, got {B.shown(value)}")
        if number > B.MAX_QUANTITY:
            raise self.fail(field, f"is {B.shown(value)}, over the bound of {B.MAX_QUANTITY}")
        return int(number)

    def money(self, value: Any, field: str, amount_key: str, currency_key: str) -> Money | None:
        block = self.obj(value, field)
        if not block:
            return None
        raw_amount = block.get(amount_key)
        where = f"{field}.{amount_key}"
        # Plain decimal notation only: exponents ("1e30"), NaN and Infinity are not amounts Amazon writes.
        written = (
            str(raw_amount) if isinstance(raw_amount, str | int | float) and not isinstance(raw_amount, bool) else ""
        )
        if not B.PLAIN_DECIMAL.match(written):
            raise self.fail(where, f"is not a decimal amount: {B.shown(raw_amount)}")
        amount = Decimal(written)
        if amount < 0:
            raise self.fail(where, f"must not be negative, got {B.shown(raw_amount)}")
        if amount > B.MAX_AMOUNT:
            raise self.fail(where, f"is {B.shown(raw_amount)}, over the bound of {B.MAX_AMOUNT}")
        if amount != amount.quantize(_PLACES):
            raise self.fail(where, f"has more than {B.AMOUNT_PLACES} decimal places: {B.shown(raw_amount)}")
        currency = block.get(currency_key)
        if currency not in B.CURRENCIES:
            raise self.fail(f"{field}.{currency_key}", f"is not an ISO 4217 currency code: {B.shown(currency)}")
        return Money(amount, currency)

    def channel(self, value: Any, field: str) -> FulfillmentChannel:
        if value is None or value == "":
            return FulfillmentChannel.MERCHANT
        channel = _CHANNELS.get(value.upper()) if isinstance(value, str) else None
        if channel is None:
            expected = "expected MERCHANT/MFN or AMAZON/AFN"
            raise self.fail(field, f"is not a fulfillment channel: {B.shown(value)} ({expected})")
        return channel

    def status(self, value: Any, field: str) -> Any:
        if not isinstance(value, str) or not value:
            raise self.fail(field, "is missing")
        try:
            return parse_amazon_status(value)
        except ValueError:
            raise self.fail(field, f"is an unknown Amazon order status: {B.shown(value)}") from None

    def address(self, raw: Any, field: str, keys: tuple[str, ...]) -> Address | None:
        """Both APIs carry the same address under different key names (``keys`` in ``Address`` field order)."""
        block = self.obj(raw, field)
        if not block:
            return None
        return Address(
            *(
                self.text(block.get(key), f"{field}.{key}", limit)
                for key, limit in zip(keys, _ADDRESS_LIMITS, strict=True)
            )
        )

    def check_count(self, items: list[Any], field: str) -> None:
        if len(items) > B.MAX_ITEMS:
            raise self.fail(field, f"holds {len(items)} items, over the bound of {B.MAX_ITEMS}")

    def check_unique_items(self, items: tuple[OrderItem, ...], field: str) -> None:
        """Item ids key the stored items: a repeated one would fail the whole page's write, not just this order."""
        ids = [i.order_item_id for i in items]
        if len(set(ids)) != len(ids):
            raise self.fail(field, "repeats an order item id")

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
        self.check_count(raw_items, "orderItems")
        items = tuple(self._item(i, raw) for i, raw in enumerate(raw_items))
        self.check_unique_items(items, "orderItems")
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
            marketplace_id=self.code(sales.get("marketplaceId"), "salesChannel.marketplaceId", B.MARKETPLACE_LENGTH),
            grand_total=total,
            buyer=Buyer(
                name=self.text(buyer.get("buyerName"), "buyer.buyerName", B.NAME_LENGTH),
                email=self.text(buyer.get("buyerEmail"), "buyer.buyerEmail", B.NAME_LENGTH),
                company=self.text(buyer.get("buyerCompanyName"), "buyer.buyerCompanyName", B.NAME_LENGTH),
            ),
            shipping_address=self.address(
                recipient.get("deliveryAddress"), "recipient.deliveryAddress", _V2026_ADDRESS
            ),
            ship_service_level=self.code(
                fulfillment.get("fulfillmentServiceLevel"),
                "fulfillment.fulfillmentServiceLevel",
                B.SERVICE_LEVEL_LENGTH,
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
            order_item_id=self.code(item.get("orderItemId"), f"{field}.orderItemId", B.ID_LENGTH, required=True),  # type: ignore[arg-type]
            seller_sku=self.code(product.get("sellerSku"), f"{field}.product.sellerSku", B.SKU_LENGTH, required=True),  # type: ignore[arg-type]
            quantity_ordered=self.quantity(item.get("quantityOrdered"), f"{field}.quantityOrdered", required=True),
            quantity_shipped=self.quantity(
                fulfillment.get("quantityFulfilled"), f"{field}.fulfillment.quantityFulfilled"
            ),
            asin=self.code(product.get("asin"), f"{field}.product.asin", B.ASIN_LENGTH),
            title=self.text(product.get("title"), f"{field}.product.title", B.TITLE_LENGTH),
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
        self.check_count(raw_items, "OrderItems")
        items = tuple(self._item(i, raw) for i, raw in enumerate(raw_items))
        self.check_unique_items(items, "OrderItems")
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
            marketplace_id=self.code(p.get("MarketplaceId"), "MarketplaceId", B.MARKETPLACE_LENGTH),
            grand_total=total,
            buyer=Buyer(
                name=self.text(buyer.get("BuyerName"), "BuyerInfo.BuyerName", B.NAME_LENGTH),
                email=self.text(buyer.get("BuyerEmail"), "BuyerInfo.BuyerEmail", B.NAME_LENGTH),
                company=self.text(buyer.get("BuyerCompanyName"), "BuyerInfo.BuyerCompanyName", B.NAME_LENGTH),
            ),
            shipping_address=self.address(p.get("ShippingAddress"), "ShippingAddress", _V0_ADDRESS),
            ship_service_level=self.code(p.get("ShipServiceLevel"), "ShipServiceLevel", B.SERVICE_LEVEL_LENGTH),
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
            order_item_id=self.code(item.get("OrderItemId"), f"{field}.OrderItemId", B.ID_LENGTH, required=True),  # type: ignore[arg-type]
            seller_sku=self.code(item.get("SellerSKU"), f"{field}.SellerSKU", B.SKU_LENGTH, required=True),  # type: ignore[arg-type]
            quantity_ordered=qty,
            quantity_shipped=self.quantity(item.get("QuantityShipped"), f"{field}.QuantityShipped"),
            asin=self.code(item.get("ASIN"), f"{field}.ASIN", B.ASIN_LENGTH),
            title=self.text(item.get("Title"), f"{field}.Title", B.TITLE_LENGTH),
            item_price=unit,
        )
