"""The AmazonOrder node and what hangs off it; lists (items, blockers, ...) come from per-request DataLoaders."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry

from channel_plugin.api.context import Info
from channel_plugin.api.orders import loaders
from channel_plugin.domain import enums
from channel_plugin.domain import model as domain
from channel_plugin.domain.rules import lines_as_shipped
from channel_plugin.links import SELLER_CENTRAL_ORDER_URL, commerce_order_link
from channel_plugin.storage.buyer_search import buyer_display_name
from channel_plugin.storage.cancellations import CANCEL_REJECTED
from channel_plugin.storage.outbox import SHIPMENT_PROBLEMS

AmazonOrderStatus = strawberry.enum(enums.AmazonOrderStatus)
ImportState = strawberry.enum(enums.ImportState)
FulfillmentChannel = strawberry.enum(enums.FulfillmentChannel)
BlockerKind = strawberry.enum(enums.BlockerKind)
OrderProblemCode = strawberry.enum(enums.OrderProblemCode)


@strawberry.type(description="An exact amount of money: the amount is a decimal string, never a float.")
class Money:
    amount: Decimal
    currency: str

    @classmethod
    def of(cls, amount: Decimal | None, currency: str | None) -> Money | None:
        return cls(amount=amount, currency=currency) if amount is not None and currency else None


@strawberry.type(description="Where the order ships to (buyer data: null once erased, 30 days after delivery).")
class ShippingAddress:
    name: str | None
    company: str | None
    line1: str | None
    line2: str | None
    line3: str | None
    city: str | None
    region: str | None
    postal_code: str | None
    country_code: str | None
    phone: str | None

    @classmethod
    def of(cls, a: domain.Address) -> ShippingAddress:
        return cls(
            name=a.name,
            company=a.company,
            line1=a.line1,
            line2=a.line2,
            line3=a.line3,
            city=a.city,
            region=a.region,
            postal_code=a.postal_code,
            country_code=a.country_code,
            phone=a.phone,
        )


@strawberry.type(description="One line of an Amazon order.")
class AmazonOrderItem:
    order_item_id: str
    seller_sku: str
    asin: str | None
    title: str | None
    quantity_ordered: int
    quantity_shipped: int
    item_price: Money | None = strawberry.field(description="The unit price.")

    @classmethod
    def of(cls, i: domain.OrderItem) -> AmazonOrderItem:
        price = Money.of(i.item_price.amount, i.item_price.currency) if i.item_price else None
        return cls(
            order_item_id=i.order_item_id,
            seller_sku=i.seller_sku,
            asin=i.asin,
            title=i.title,
            quantity_ordered=i.quantity_ordered,
            quantity_shipped=i.quantity_shipped,
            item_price=price,
        )


@strawberry.type(description="A shipment the host made for the order, as confirmed to Amazon.")
class AmazonOrderTracking:
    commerce_shipment_id: str
    carrier: str
    tracking_number: str
    shipped_at: datetime
    package_reference_id: str = strawberry.field(
        description="The packageReferenceId confirmShipment sends for this package; a resend keeps it."
    )


@strawberry.type(description="Why an order cannot be imported yet (one per failing item); re-checked on every sync.")
class AmazonOrderBlocker:
    kind: BlockerKind  # type: ignore[valid-type]
    seller_sku: str | None
    message: str
    first_seen: datetime
    last_checked: datetime
    attempts: int
    resolved_at: datetime | None

    @classmethod
    def of(cls, b: domain.BlockerRecord) -> AmazonOrderBlocker:
        return cls(
            kind=b.kind,
            seller_sku=b.seller_sku,
            message=b.message,
            first_seen=b.first_seen,
            last_checked=b.last_checked,
            attempts=b.attempts,
            resolved_at=b.resolved_at,
        )


@strawberry.type(
    description="Something a person must look at: a call Amazon refused or the plugin stopped retrying. A "
    "shipment problem keeps the order from completing: fix the carrier or tracking and resend with "
    "resendShipmentConfirmation, which keeps the packageReferenceId."
)
class OrderProblem:
    code: OrderProblemCode  # type: ignore[valid-type]
    message: str = strawberry.field(description="Amazon's message, or the last failure when retries stopped.")
    at: datetime | None = strawberry.field(description="When Amazon's refusal was recorded (cancellations).")
    package_reference_id: str | None = strawberry.field(description="The package to resend (shipment problems).")
    attempts: int | None = strawberry.field(description="How many times the call was sent (shipment problems).")


@strawberry.type(description="One change in the order's life; the latest one is the order's notes.")
class OrderHistoryEvent:
    at: datetime = strawberry.field(description="When the outcome was first recorded.")
    kind: str
    message: str
    count: int = strawberry.field(
        description="How many times the outcome was found: a blocked order is re-checked every cycle, and an "
        "unchanged re-check counts here instead of adding an event."
    )
    last_at: datetime = strawberry.field(description="When the outcome was last found (`at` when found once).")


@strawberry.type(description="The Commerce order created from the Amazon order.")
class CommerceOrder:
    id: strawberry.ID
    increment_id: str
    left_as: strawberry.Private[str]
    order_pk: strawberry.Private[int]

    @strawberry.field(
        description="The Commerce order's state as this plugin last left it: processing once created, complete "
        "once completed, canceled once canceled (also when Amazon then refused the cancel). The host has no "
        "service that reports an order's current status, so a change made in the host alone is not seen here; "
        "the host's own order view is the authority."
    )
    def status(self, info: Info) -> str:
        if self.left_as == "processing" and any(
            p.code == CANCEL_REJECTED for p in loaders.problems(info).get(self.order_pk)
        ):
            return "canceled"  # every cancel cancels the Commerce order first, whatever Amazon answers
        return self.left_as


NODE_COLUMNS = (
    "id",
    "store_id",
    "amazon_order_id",
    "marketplace_id",
    "purchase_date",
    "last_update_date",
    "status",
    "fulfillment_channel",
    "currency",
    "grand_total",
    "ship_service_level",
    "ship_by",
    "deliver_by",
    "import_state",
    "commerce_order_id",
    "commerce_increment_id",
    "notes",
    "error_message",
    "shipped_at",
    "completed_at",
    "buyer_data_erased_at",
)
"""The amazon_orders columns a node is built from (not the buyer blob: the buyer loader reads it when asked)."""


@strawberry.type(description="An Amazon order as stored here, with its import bookkeeping.")
class AmazonOrder:
    id: strawberry.ID = strawberry.field(description="Unique across stores: <storeId>:<amazonOrderId>.")
    store_id: strawberry.ID
    amazon_order_id: str
    marketplace_id: str | None
    purchase_date: datetime
    last_update_date: datetime
    status: AmazonOrderStatus  # type: ignore[valid-type]
    fulfillment_channel: FulfillmentChannel  # type: ignore[valid-type]
    grand_total: Money | None
    ship_service_level: str | None
    ship_by: datetime | None
    deliver_by: datetime | None
    import_state: ImportState  # type: ignore[valid-type]
    notes: str | None = strawberry.field(description="The last action taken on the order.")
    error_message: str | None
    shipped_at: datetime | None
    completed_at: datetime | None
    buyer_data_erased_at: datetime | None = strawberry.field(
        description="When the buyer's name, email and address were erased (Amazon's data protection policy)."
    )
    commerce_order: CommerceOrder | None = strawberry.field(description="Null until the order is imported.")
    pk: strawberry.Private[int]

    @classmethod
    def of(cls, row: Mapping[Any, Any]) -> AmazonOrder:
        status = enums.AmazonOrderStatus(row["status"])
        commerce_id = row["commerce_order_id"]
        commerce = None
        if commerce_id is not None:
            state = {"COMPLETED": "complete", "CANCELED": "canceled"}.get(status.value, "processing")
            commerce = CommerceOrder(
                id=strawberry.ID(commerce_id),
                increment_id=row["commerce_increment_id"] or "",
                left_as=state,
                order_pk=row["id"],
            )
        return cls(
            id=strawberry.ID(f"{row['store_id']}:{row['amazon_order_id']}"),
            store_id=strawberry.ID(str(row["store_id"])),
            amazon_order_id=row["amazon_order_id"],
            marketplace_id=row["marketplace_id"],
            purchase_date=row["purchase_date"],
            last_update_date=row["last_update_date"],
            status=status,
            fulfillment_channel=enums.FulfillmentChannel(row["fulfillment_channel"]),
            grand_total=Money.of(row["grand_total"], row["currency"]),
            ship_service_level=row["ship_service_level"],
            ship_by=row["ship_by"],
            deliver_by=row["deliver_by"],
            import_state=enums.ImportState(row["import_state"]),
            notes=row["notes"],
            error_message=row["error_message"],
            shipped_at=row["shipped_at"],
            completed_at=row["completed_at"],
            buyer_data_erased_at=row["buyer_data_erased_at"],
            commerce_order=commerce,
            pk=row["id"],
        )

    @strawberry.field(
        description="The Commerce order in the host's admin when imported, else the order in Seller Central."
    )
    def order_link(self, info: Info) -> str:
        if self.commerce_order is None:
            return SELLER_CENTRAL_ORDER_URL.format(amazon_order_id=self.amazon_order_id)
        return commerce_order_link(
            info.context.commerce_order_url,
            order_id=str(self.commerce_order.id),
            increment_id=self.commerce_order.increment_id,
        )

    @strawberry.field(description="The buyer's name, else the recipient's (FBA orders may have neither).")
    def buyer_name(self, info: Info) -> str | None:
        buyer, address = loaders.buyers(info).get(self.pk)
        return buyer_display_name(buyer, address)

    @strawberry.field
    def buyer_email(self, info: Info) -> str | None:
        buyer, _ = loaders.buyers(info).get(self.pk)
        return buyer.email

    @strawberry.field
    def buyer_company(self, info: Info) -> str | None:
        buyer, _ = loaders.buyers(info).get(self.pk)
        return buyer.company

    @strawberry.field
    def shipping_address(self, info: Info) -> ShippingAddress | None:
        _, address = loaders.buyers(info).get(self.pk)
        return ShippingAddress.of(address) if address else None

    @strawberry.field(description="The lines; quantityShipped counts the host's shipments as soon as they are made.")
    def items(self, info: Info) -> list[AmazonOrderItem]:
        tracked: dict[str, int] = {}
        for shipment in loaders.tracking(info).get(self.pk):
            for item_id, units in shipment.units.items():
                tracked[item_id] = tracked.get(item_id, 0) + units
        lines = lines_as_shipped(loaders.items(info).get(self.pk), self.status, tracked)
        return [AmazonOrderItem.of(i) for i in lines]

    @strawberry.field
    def tracking(self, info: Info) -> list[AmazonOrderTracking]:
        return [
            AmazonOrderTracking(
                commerce_shipment_id=t.commerce_shipment_id,
                carrier=t.carrier,
                tracking_number=t.tracking_number,
                shipped_at=t.shipped_at,
                package_reference_id=t.package_reference_id,
            )
            for t in loaders.tracking(info).get(self.pk)
        ]

    @strawberry.field(description="The open blockers (an order is BLOCKED while it has any).")
    def blockers(self, info: Info) -> list[AmazonOrderBlocker]:
        return [AmazonOrderBlocker.of(b) for b in loaders.blockers(info).get(self.pk)]

    @strawberry.field(description="Open problems: calls to Amazon it refused or the plugin stopped retrying.")
    def problems(self, info: Info) -> list[OrderProblem]:
        shipments = [
            OrderProblem(
                code=SHIPMENT_PROBLEMS[c.state],
                message=c.message,
                at=None,
                package_reference_id=c.reference,
                attempts=c.attempts,
            )
            for c in loaders.stuck_shipments(info).get(self.pk)
        ]
        refused = [
            OrderProblem(code=p.code, message=p.message, at=p.at, package_reference_id=None, attempts=None)
            for p in loaders.problems(info).get(self.pk)
        ]
        return shipments + refused

    @strawberry.field(description="Every change, oldest first.")
    def history(self, info: Info) -> list[OrderHistoryEvent]:
        return [
            OrderHistoryEvent(at=e.at, kind=e.kind, message=e.message, count=e.count, last_at=e.last_at or e.at)
            for e in loaders.history(info).get(self.pk)
        ]
