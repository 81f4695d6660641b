"""The plain records that cross the plugin's boundaries: Amazon orders in, Commerce drafts out.

They are frozen where the plugin hands them to integrators (a hook can read an order but not change what was
stored) and mutable where a hook is meant to adjust them (the Commerce order draft).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from channel_plugin.domain.enums import (
    AmazonOrderStatus,
    BlockerKind,
    FulfillmentChannel,
    ImportState,
)


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class Address:
    name: str | None = None
    company: str | None = None
    line1: str | None = None
    line2: str | None = None
    line3: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country_code: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class Buyer:
    """Personal data: encrypted at rest, erased 30 days after delivery, never logged."""

    name: str | None = None
    email: str | None = None
    company: str | None = None

    def __repr__(self) -> str:
        return "Buyer(<redacted>)"


@dataclass(frozen=True, slots=True)
class OrderItem:
    order_item_id: str
    seller_sku: str
    quantity_ordered: int
    quantity_shipped: int = 0
    asin: str | None = None
    title: str | None = None
    item_price: Money | None = None


@dataclass(frozen=True, slots=True)
class AmazonOrder:
    """One Amazon order as Amazon last described it, independent of which API version delivered it."""

    amazon_order_id: str
    purchase_date: datetime
    last_update_date: datetime
    status: AmazonOrderStatus
    fulfillment_channel: FulfillmentChannel
    items: tuple[OrderItem, ...]
    marketplace_id: str | None = None
    grand_total: Money | None = None
    buyer: Buyer = field(default_factory=Buyer)
    shipping_address: Address | None = None
    ship_service_level: str | None = None
    ship_by: datetime | None = None
    deliver_by: datetime | None = None

    def __repr__(self) -> str:
        return (
            f"AmazonOrder({self.amazon_order_id}, {self.status.value}, {self.fulfillment_channel.value}, "
            f"{len(self.items)} items)"
        )


@dataclass(frozen=True, slots=True)
class StoreInfo:
    """What an integrator's hook learns about the Amazon store an order belongs to (never its credentials)."""

    id: int
    name: str
    seller_id: str
    marketplace_id: str
    region: str
    website: str


@dataclass(frozen=True, slots=True)
class Product:
    """A catalog product as the host describes it to the plugin."""

    sku: str
    name: str
    enabled: bool = True
    manage_stock: bool = True


@dataclass(frozen=True, slots=True)
class StoreView:
    code: str
    name: str
    website: str
    is_default: bool = False


@dataclass(frozen=True, slots=True)
class OrderStatusOption:
    """A host order status and the state it belongs to (processing, complete, canceled, closed, ...)."""

    code: str
    label: str
    state: str


@dataclass(slots=True)
class DraftItem:
    sku: str
    name: str
    qty: int
    unit_price: Decimal
    seller_sku: str
    order_item_id: str
    qty_shipped: int = 0


@dataclass(slots=True)
class CommerceOrderDraft:
    """What the plugin asks the host to create. ``channel_build_order`` implementations may change any field but
    ``external_reference``, which the host stores with the order so that ``commerce_find_orders`` can find it."""

    amazon_order_id: str
    store_view: str
    currency: str
    grand_total: Decimal
    items: list[DraftItem]
    increment_id: str | None = None
    customer_id: str | None = None
    customer_email: str | None = None
    customer_name: str | None = None
    shipping_address: Address | None = None
    status: str | None = None
    deduct_stock: bool = True
    reservation_reference: str | None = None
    shipping_method: str | None = None
    payment_method: str = "amazon"
    comment: str | None = None
    external_reference: str | None = None


@dataclass(frozen=True, slots=True)
class CommerceOrderRef:
    """The host's answer to ``commerce_create_order``."""

    id: str
    increment_id: str
    status: str
    state: str = "processing"


@dataclass(frozen=True, slots=True)
class ShipmentItem:
    sku: str
    qty: int


@dataclass(frozen=True, slots=True)
class ShipmentPackage:
    """One box of a shipment, with its own tracking number (and carrier, when not the shipment's)."""

    tracking_number: str
    items: tuple[ShipmentItem, ...]
    carrier: str | None = None


@dataclass(frozen=True, slots=True)
class Shipment:
    """A host shipment, handed to ``commerce_shipment_created``. Without ``packages`` it is one package."""

    id: str
    carrier: str
    tracking_number: str
    items: tuple[ShipmentItem, ...]
    shipped_at: datetime
    carrier_title: str | None = None
    packages: tuple[ShipmentPackage, ...] = ()

    def boxes(self) -> tuple[ShipmentPackage, ...]:
        return self.packages or (ShipmentPackage(self.tracking_number, self.items, self.carrier),)


@dataclass(frozen=True, slots=True)
class Blocker:
    kind: BlockerKind
    seller_sku: str | None
    message: str


@dataclass(frozen=True, slots=True)
class BlockerRecord:
    """A stored blocker, as ``channel_blocker_resolved`` and the Sandbox see it."""

    id: int
    kind: BlockerKind
    seller_sku: str | None
    message: str
    first_seen: datetime
    last_checked: datetime
    attempts: int
    resolved_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    at: datetime
    kind: str
    message: str


@dataclass(frozen=True, slots=True)
class StoredOrderView:
    """A stored Amazon order with its import bookkeeping: what the Sandbox's ``order()`` returns."""

    store_id: int
    amazon_order_id: str
    status: AmazonOrderStatus
    import_state: ImportState
    fulfillment_channel: FulfillmentChannel
    purchase_date: datetime
    last_update_date: datetime
    commerce_order_id: str | None
    commerce_increment_id: str | None
    notes: str | None
    history: tuple[HistoryEvent, ...]
    blockers: tuple[BlockerRecord, ...]
    items: tuple[OrderItem, ...]
    grand_total: Money | None
    buyer: Buyer
    shipping_address: Address | None
    error_message: str | None = None
