"""Import blockers as GraphQL types, and the per-order outcome of a retry; the enums are the domain's own."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.relay import PageInfo

from channel_plugin.domain import enums

BlockerKind = strawberry.enum(enums.BlockerKind)
AmazonOrderStatus = strawberry.enum(enums.AmazonOrderStatus)
ImportState = strawberry.enum(enums.ImportState)


@strawberry.type(description="Why one item of an Amazon order could not become part of a Commerce order.")
class ImportBlocker:
    id: strawberry.ID
    kind: BlockerKind  # type: ignore[valid-type]
    seller_sku: str | None
    message: str
    first_seen: datetime
    last_checked: datetime
    attempts: int = strawberry.field(description="How many times the order was checked while this blocker held.")
    resolved_at: datetime | None = strawberry.field(description="Null while the blocker is open.")
    amazon_order_id: str
    store_id: strawberry.ID

    @classmethod
    def of(cls, row: Any) -> ImportBlocker:
        """From a row of ``import_blockers`` joined with its order's ``amazon_order_id``."""
        return cls(
            id=strawberry.ID(str(row.id)),
            kind=enums.BlockerKind(row.kind),
            seller_sku=row.seller_sku,
            message=row.message,
            first_seen=row.first_seen,
            last_checked=row.last_checked,
            attempts=row.attempts,
            resolved_at=row.resolved_at,
            amazon_order_id=row.amazon_order_id,
            store_id=strawberry.ID(str(row.store_id)),
        )


@strawberry.type
class ImportBlockerEdge:
    cursor: str
    node: ImportBlocker


@strawberry.type(description="Import blockers, newest first.")
class ImportBlockerConnection:
    edges: list[ImportBlockerEdge]
    page_info: PageInfo
    count_total: strawberry.Private[Any]

    @strawberry.field(description="Every blocker matching the arguments, over all pages (counted only when asked).")
    def total_count(self) -> int:
        total: int = self.count_total()
        return total


@strawberry.type(description="Open blockers grouped by seller SKU and kind: what to fix to release the most orders.")
class BlockedSku:
    seller_sku: str | None = strawberry.field(description="Null for blockers about the order as a whole.")
    kind: BlockerKind  # type: ignore[valid-type]
    orders: int = strawberry.field(description="How many orders this blocks.")
    earliest_ship_by: datetime | None = strawberry.field(description="The earliest ship-by time of those orders.")


@strawberry.type(description="An Amazon order after an admin action: its status, import state, notes and blockers.")
class OrderImportResult:
    amazon_order_id: str
    status: AmazonOrderStatus  # type: ignore[valid-type]
    import_state: ImportState  # type: ignore[valid-type]
    notes: str | None = strawberry.field(description="The order's last action.")
    commerce_order_id: str | None
    blockers: list[ImportBlocker] = strawberry.field(description="Its open blockers (empty once imported).")
