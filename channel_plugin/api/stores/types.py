"""The AmazonStore type: what a dashboard shows about a store (never its credentials)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from channel_plugin.api.context import Info
from channel_plugin.api.orders.types import ImportState
from channel_plugin.domain import enums
from channel_plugin.storage.order_stats import import_state_counts
from channel_plugin.storage.stores import StoreRecord


@strawberry.type(description="How many of a store's orders are in one import state.")
class ImportStateCount:
    import_state: ImportState  # type: ignore[valid-type]
    count: int


@strawberry.type(description="One Amazon seller account on one marketplace, integrated with one Commerce website.")
class AmazonStore:
    id: strawberry.ID
    name: str
    seller_id: str
    marketplace_id: str
    region: str
    website: str
    integrated_at: datetime = strawberry.field(description="Orders purchased before this time are never imported.")
    active: bool
    last_sync_at: datetime | None
    last_sync_result: str | None = strawberry.field(description="OK or ERROR.")
    last_sync_error: str | None

    @strawberry.field(description="The store's orders per import state, every state listed (zero included).")
    def import_state_counts(self, info: Info) -> list[ImportStateCount]:
        with info.context.runtime.db.transaction(write=False) as conn:
            counts = import_state_counts(conn, [int(self.id)]).get(int(self.id), {})
        return [ImportStateCount(import_state=state, count=counts.get(state.value, 0)) for state in enums.ImportState]

    @classmethod
    def of(cls, store: StoreRecord, sync: tuple[datetime | None, str | None, str | None]) -> AmazonStore:
        return cls(
            id=strawberry.ID(str(store.id)),
            name=store.name,
            seller_id=store.seller_id,
            marketplace_id=store.marketplace_id,
            region=store.region,
            website=store.website,
            integrated_at=store.integrated_at,
            active=store.active,
            last_sync_at=sync[0],
            last_sync_result=sync[1],
            last_sync_error=sync[2],
        )
