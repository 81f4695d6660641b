"""The AmazonStore type: what a dashboard shows about a store (never its credentials)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from channel_plugin.storage.stores import StoreRecord


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
