"""The Commerce order draft an Amazon order becomes, from the order settings (before ``channel_build_order``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from channel_plugin.domain.enums import FulfillmentChannel, OrderNumberSource, OrderStatusMode
from channel_plugin.domain.model import AmazonOrder, CommerceOrderDraft, DraftItem, Product
from channel_plugin.domain.rules import ItemNeed
from channel_plugin.domain.settings import OrderSettings


def external_reference(store_id: int, amazon_order_id: str) -> str:
    """The stable name of an Amazon order across the host boundary: the same for every attempt and every process."""
    return f"amazon:{store_id}:{amazon_order_id}"


def order_currency(order: AmazonOrder) -> str | None:
    if order.grand_total is not None:
        return order.grand_total.currency
    return next((i.item_price.currency for i in order.items if i.item_price), None)


def build_draft(
    order: AmazonOrder,
    needs: Sequence[ItemNeed],
    products: Mapping[str, Product | None],
    settings: OrderSettings,
    *,
    store_view: str,
    customer_id: str | None,
    reservation_reference: str | None,
    store_id: int,
) -> CommerceOrderDraft:
    """Every item priced from Amazon, the total Amazon charged, and the settings' numbering and status."""
    currency = order_currency(order)
    if currency is None:
        raise ValueError("the order carries no amounts, so no currency to create it in")
    items = []
    for need, item in zip(needs, order.items, strict=True):
        product = products[need.catalog_sku]
        assert product is not None
        items.append(
            DraftItem(
                sku=product.sku,
                name=product.name,
                qty=item.quantity_ordered,
                unit_price=item.item_price.amount if item.item_price else Decimal(0),
                seller_sku=item.seller_sku,
                order_item_id=item.order_item_id,
                qty_shipped=item.quantity_shipped,
            )
        )
    total = (
        order.grand_total.amount
        if order.grand_total is not None
        else sum((i.unit_price * i.qty for i in items), Decimal(0))
    )
    merchant = order.fulfillment_channel is FulfillmentChannel.MERCHANT
    return CommerceOrderDraft(
        amazon_order_id=order.amazon_order_id,
        store_view=store_view,
        currency=currency,
        grand_total=total,
        items=items,
        increment_id=order.amazon_order_id if settings.order_number_source is OrderNumberSource.AMAZON else None,
        customer_id=customer_id,
        customer_email=order.buyer.email,
        customer_name=order.buyer.name or (order.shipping_address.name if order.shipping_address else None),
        shipping_address=order.shipping_address,
        status=settings.processing_order_status if settings.order_status is OrderStatusMode.CUSTOM else None,
        deduct_stock=merchant,
        reservation_reference=reservation_reference if merchant else None,
        shipping_method=f"amazon_{(order.ship_service_level or 'standard').lower()}",
        comment=f"Amazon order {order.amazon_order_id}" + ("" if merchant else " (fulfilled by Amazon)"),
        external_reference=external_reference(store_id, order.amazon_order_id),
    )
