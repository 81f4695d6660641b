"""``amazonStores`` and the store-id argument every other domain takes."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from sqlalchemy import select

from channel_plugin.api.context import Info
from channel_plugin.api.stores.types import AmazonStore
from channel_plugin.storage.stores import StoreRecord, get_store, list_stores
from channel_plugin.storage.tables import sync_state


def parse_store_id(value: strawberry.ID | str) -> int | None:
    """ASCII digits only: ``"¹".isdigit()`` is true and ``int("¹")`` fails, and Arabic-Indic digits would parse."""
    text = str(value)
    return int(text) if text.isascii() and text.isdecimal() and len(text) < 10 else None


def store_or_error(info: Info, store_id: strawberry.ID) -> StoreRecord:
    """For queries: an unknown store is an error the caller made, reported with the NOT_FOUND code."""
    pk = parse_store_id(store_id)
    store = None
    if pk is not None:
        with info.context.runtime.db.transaction(write=False) as conn:
            store = get_store(conn, pk)
    if store is None:
        raise GraphQLError(
            f"storeId: no Amazon store with id {store_id!r}.", extensions={"code": "NOT_FOUND", "field": "storeId"}
        )
    return store


@strawberry.type
class StoresQuery:
    @strawberry.field(description="Every integrated Amazon store, with its last sync.")
    def amazon_stores(self, info: Info) -> list[AmazonStore]:
        with info.context.runtime.db.transaction(write=False) as conn:
            stores = list_stores(conn)
            syncs = {r.store_id: (r.last_run_at, r.last_result, r.last_error) for r in conn.execute(select(sync_state))}
        return [AmazonStore.of(s, syncs.get(s.id, (None, None, None))) for s in stores]
