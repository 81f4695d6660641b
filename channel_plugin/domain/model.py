"""The plain records that cross the plugin's boundaries: Amazon orders in, Commerce drafts out.

They are frozen where the plugin hands them to integrators (a hook can read an order but not change what was
stored) and mutable where a hook is meant to adjust them (the Commerce order draft). Integrators import them from
``channel_plugin.types``. Every field carries an attribute docstring (the string right below it): that is what
``docs/hooks.md`` prints for it, and a test fails when a field a hook can reach has none.
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
    OrderProblemCode,
)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of money in one currency, exact (never a float)."""

    amount: Decimal
    """The amount in the currency's main unit (``Decimal("12.99")``), as Amazon gave it."""
    currency: str
    """The ISO 4217 currency code, such as ``USD`` or ``EUR``."""


@dataclass(frozen=True, slots=True)
class Address:
    """A shipping address: Amazon's, or the one an admin corrected it to. Buyer data: never log it."""

    name: str | None = None
    """The recipient's name."""
    company: str | None = None
    """The recipient's company, when the address is a business one."""
    line1: str | None = None
    """The first address line (street and number)."""
    line2: str | None = None
    """The second address line, when there is one."""
    line3: str | None = None
    """The third address line, when there is one."""
    city: str | None = None
    """The city or town."""
    region: str | None = None
    """The state, county or region."""
    postal_code: str | None = None
    """The postal or ZIP code."""
    country_code: str | None = None
    """The ISO 3166-1 alpha-2 country code, upper case (``US``, ``GB``)."""
    phone: str | None = None
    """The recipient's phone number, when Amazon shares it."""


@dataclass(frozen=True, slots=True)
class Buyer:
    """Who bought an Amazon order. Personal data: encrypted at rest, erased 30 days after delivery, never logged.

    Fulfilled-by-Amazon orders usually arrive without any of it.
    """

    name: str | None = None
    """The buyer's name, when Amazon gives it."""
    email: str | None = None
    """The buyer's email, usually Amazon's anonymised relay address (``...@marketplace.amazon.com``)."""
    company: str | None = None
    """The buyer's company, for business orders."""

    def __repr__(self) -> str:
        return "Buyer(<redacted>)"


@dataclass(frozen=True, slots=True)
class OrderItem:
    """One line of an Amazon order, as Amazon describes it (before any SKU mapping)."""

    order_item_id: str
    """Amazon's id of the line, unique within the order; shipment confirmations name it."""
    seller_sku: str
    """The seller SKU the listing was sold under; ``channel_resolve_sku`` maps it to a catalog SKU."""
    quantity_ordered: int
    """Units the buyer ordered (1 or more)."""
    quantity_shipped: int = 0
    """Units Amazon reports as shipped so far."""
    asin: str | None = None
    """Amazon's product id (ASIN), when given."""
    title: str | None = None
    """The listing's title, when given."""
    item_price: Money | None = None
    """The price of one unit, when Amazon gives it (it may be missing on pending orders)."""


@dataclass(frozen=True, slots=True)
class AmazonOrder:
    """One Amazon order as Amazon last described it, independent of which API version delivered it.

    Read-only for hooks; its ``shipping_address`` is an admin's correction when there is one.
    """

    amazon_order_id: str
    """Amazon's order id (``111-1234567-1234567``)."""
    purchase_date: datetime
    """When the buyer placed the order, timezone-aware UTC."""
    last_update_date: datetime
    """When Amazon last changed the order, timezone-aware UTC."""
    status: AmazonOrderStatus
    """The order's status (Amazon's, or COMPLETED / ERROR, the plugin's own)."""
    fulfillment_channel: FulfillmentChannel
    """Who ships it: the merchant (MERCHANT) or Amazon (AMAZON, FBA)."""
    items: tuple[OrderItem, ...]
    """The order's lines, in Amazon's order."""
    marketplace_id: str | None = None
    """The Amazon marketplace it was sold on (``ATVPDKIKX0DER`` is amazon.com)."""
    grand_total: Money | None = None
    """What the buyer was charged in all, when Amazon gives it."""
    buyer: Buyer = field(default_factory=Buyer)
    """Who bought it; empty for most FBA orders."""
    shipping_address: Address | None = None
    """Where it ships; None for most FBA orders."""
    ship_service_level: str | None = None
    """Amazon's shipping service level (``Standard``, ``Expedited``, ...)."""
    ship_by: datetime | None = None
    """The latest ship date Amazon set, timezone-aware UTC."""
    deliver_by: datetime | None = None
    """The latest delivery date Amazon promised the buyer, timezone-aware UTC."""

    def __repr__(self) -> str:
        return (
            f"AmazonOrder({self.amazon_order_id}, {self.status.value}, {self.fulfillment_channel.value}, "
            f"{len(self.items)} items)"
        )


@dataclass(frozen=True, slots=True)
class StoreInfo:
    """What an integrator's hook learns about the Amazon store an order belongs to (never its credentials)."""

    id: int
    """The plugin's id of the store (``storeId`` in the GraphQL API)."""
    name: str
    """The store's name, as the merchant set it."""
    seller_id: str
    """The Amazon seller (merchant) id."""
    marketplace_id: str
    """The Amazon marketplace the store sells on."""
    region: str
    """The SP-API region: ``NA``, ``EU`` or ``FE``."""
    website: str
    """The host website the store's orders are placed in."""


@dataclass(frozen=True, slots=True)
class Product:
    """A catalog product as the host describes it to the plugin."""

    sku: str
    """The catalog SKU."""
    name: str
    """The product's name; the Commerce order line gets it."""
    enabled: bool = True
    """False when the product may not be sold: its orders are blocked with PRODUCT_DISABLED."""
    manage_stock: bool = True
    """False when the host does not count its stock: it is always in stock and never reserved."""


@dataclass(frozen=True, slots=True)
class StoreView:
    """A host store view, one of the places a Commerce order can be placed in."""

    code: str
    """The store view's code (what ``importStoreView`` and the drafts' ``store_view`` hold)."""
    name: str
    """Its name, for the admin."""
    website: str
    """The code of the website it belongs to."""
    is_default: bool = False
    """True for its website's default store view."""


@dataclass(frozen=True, slots=True)
class OrderStatusOption:
    """A host order status and the state it belongs to (processing, complete, canceled, closed, ...)."""

    code: str
    """The status code (``processing``, ``ready_to_ship``)."""
    label: str
    """Its label, for the admin."""
    state: str
    """The host order state it belongs to (``new``, ``processing``, ``complete``, ``canceled``, ``closed``)."""


@dataclass(slots=True)
class DraftItem:
    """One line of a Commerce order draft, made from one Amazon order line."""

    sku: str
    """The catalog SKU (after ``channel_resolve_sku`` and any admin match)."""
    name: str
    """The product's name."""
    qty: int
    """Units ordered."""
    unit_price: Decimal
    """The price of one unit, in the draft's currency (0 when Amazon gave none)."""
    seller_sku: str
    """The Amazon seller SKU the line was sold under."""
    order_item_id: str
    """Amazon's id of the line."""
    qty_shipped: int = 0
    """Units already shipped when the order is created (Amazon's ``quantityShipped``), which the host records as
    shipped and never ships again. The FBA completion: an FBA order is created once Amazon has shipped it, with
    every unit here, and the plugin then completes it. For a merchant-fulfilled order it is usually 0 (the host
    ships), more only when units were shipped outside the host before the import."""


@dataclass(slots=True)
class CommerceOrderDraft:
    """What the plugin asks the host to create. ``channel_build_order`` implementations may change any field but
    ``external_reference``, which the host stores with the order so that ``commerce_find_orders`` can find it."""

    amazon_order_id: str
    """The Amazon order it is created for."""
    store_view: str
    """The host store view to place it in (the ``importStoreView`` setting)."""
    currency: str
    """The ISO 4217 currency of every amount in the draft."""
    grand_total: Decimal
    """What the buyer was charged in all (Amazon's total; the sum of the lines when Amazon gave none)."""
    items: list[DraftItem]
    """The order's lines."""
    increment_id: str | None = None
    """The order number to use; None lets the host number it (the ``orderNumberSource`` setting: AMAZON sets the
    Amazon order id)."""
    customer_id: str | None = None
    """The host customer to place it for (the NEW_ACCOUNT setting); None for a guest order."""
    customer_email: str | None = None
    """The buyer's email. Buyer data."""
    customer_name: str | None = None
    """The buyer's name, or the recipient's when Amazon gave no buyer name. Buyer data."""
    shipping_address: Address | None = None
    """Where to ship (an admin's correction when there is one); None for most FBA orders. Buyer data."""
    status: str | None = None
    """The processing status to give the order (the custom ``processingOrderStatus``); None for the host's
    default."""
    deduct_stock: bool = True
    """True when the order takes the merchant's stock (merchant-fulfilled); False for FBA orders."""
    reservation_reference: str | None = None
    """The reservation made while the order was pending, to release in the same step so its units become the
    order's own deduction; None when nothing was reserved."""
    shipping_method: str | None = None
    """The shipping method code (``amazon_<ship service level>``)."""
    payment_method: str = "amazon"
    """The payment method code; Amazon has collected the payment."""
    comment: str | None = None
    """A comment for the order's history (``Amazon order <id>``)."""
    external_reference: str | None = None
    """``amazon:<store id>:<Amazon order id>``, set by the plugin on every draft (and restored after
    ``channel_build_order``): store it with the Commerce order and answer ``commerce_find_orders`` for it, so an
    order the host committed in an attempt the plugin never finished is adopted instead of created twice."""


@dataclass(frozen=True, slots=True)
class CommerceOrderRef:
    """A Commerce order the host created: its answer to ``commerce_create_order``."""

    id: str
    """The host's id of the order: what later hooks (``commerce_cancel_order``, ...) receive as ``order_id``."""
    increment_id: str
    """The order number the merchant sees."""
    status: str
    """The order's status code."""
    state: str = "processing"
    """The order's state (``processing`` for a new order)."""


@dataclass(frozen=True, slots=True)
class ShipmentItem:
    """Units of one catalog product in a shipment or a package."""

    sku: str
    """The catalog SKU."""
    qty: int
    """Units shipped (1 or more)."""
    transparency_codes: tuple[str, ...] = ()
    """Amazon Transparency codes of these units (one per unit of a product enrolled in Transparency), sent with
    the shipment confirmation; empty when the product has none."""


@dataclass(frozen=True, slots=True)
class ShipmentPackage:
    """One box of a shipment, with its own tracking number (and carrier, when not the shipment's)."""

    tracking_number: str
    """The box's tracking number."""
    items: tuple[ShipmentItem, ...]
    """What the box holds."""
    carrier: str | None = None
    """The box's carrier code, when it is not the shipment's."""
    shipping_method: str | None = None
    """The box's ship method (the carrier's service, e.g. "Ground"), when it is not the shipment's."""


@dataclass(frozen=True, slots=True)
class Shipment:
    """A host shipment, handed to ``commerce_shipment_created``. Without ``packages`` it is one package."""

    id: str
    """The host's id of the shipment; the same shipment reported twice is recorded once."""
    carrier: str
    """The host's carrier code (``ups``, ``fedex``, ``custom``, ...), mapped to Amazon's carrier codes."""
    tracking_number: str
    """The tracking number (of the first package, when there are several)."""
    items: tuple[ShipmentItem, ...]
    """Every unit the shipment holds, by catalog SKU."""
    shipped_at: datetime
    """When it shipped, timezone-aware UTC."""
    carrier_title: str | None = None
    """The carrier's name, sent to Amazon as "Other" when Amazon doesn't know the carrier code."""
    packages: tuple[ShipmentPackage, ...] = ()
    """The boxes, when it went out in several; empty for one box described by the fields above."""
    shipping_method: str | None = None
    """The ship method (the carrier's service, e.g. "Ground" or "Next Day Air"), sent to Amazon when known."""

    def boxes(self) -> tuple[ShipmentPackage, ...]:
        return self.packages or (ShipmentPackage(self.tracking_number, self.items, self.carrier, self.shipping_method),)


@dataclass(frozen=True, slots=True)
class Blocker:
    """Why one item (or the whole order) cannot be imported now, as ``channel_order_blocked`` reports it."""

    kind: BlockerKind
    """What kind of problem it is."""
    seller_sku: str | None
    """The Amazon seller SKU of the failing item; None when the problem is the whole order's."""
    message: str
    """What is wrong and what to do, for the merchant."""


@dataclass(frozen=True, slots=True)
class BlockerRecord:
    """A stored blocker, as ``channel_blocker_resolved`` and the Sandbox see it."""

    id: int
    """The plugin's id of the blocker."""
    kind: BlockerKind
    """What kind of problem it was."""
    seller_sku: str | None
    """The Amazon seller SKU of the item; None when the problem was the whole order's."""
    message: str
    """The last message recorded for it."""
    first_seen: datetime
    """When it was first found, timezone-aware UTC."""
    last_checked: datetime
    """When it was last checked, timezone-aware UTC."""
    attempts: int
    """How many import attempts found it."""
    resolved_at: datetime | None = None
    """When it stopped holding; None while it is open."""


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    """One line of an order's history; an outcome found again unchanged counts here instead of adding a line."""

    at: datetime
    """When the outcome was first recorded."""
    kind: str
    """What happened (RECEIVED, STATUS, BLOCKED, IMPORTED, ...)."""
    message: str
    """What happened, in words."""
    count: int = 1
    """How many times the outcome was found (a blocked order is re-checked every cycle)."""
    last_at: datetime | None = None
    """When it was last found; None means only once, at ``at``."""


@dataclass(frozen=True, slots=True)
class OrderProblem:
    """Something Amazon refused for the order, which a person must look at (the import itself went through)."""

    code: OrderProblemCode
    """What was refused (today CANCEL_REJECTED: Amazon would not cancel the order)."""
    message: str
    """Amazon's own words for the refusal."""
    at: datetime
    """When Amazon's refusal was recorded here."""


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
    problems: tuple[OrderProblem, ...] = ()
