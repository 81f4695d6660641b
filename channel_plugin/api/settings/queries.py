"""``orderSettings`` and ``orderStatuses``."""

from __future__ import annotations

import strawberry

from channel_plugin.api.context import Info
from channel_plugin.api.settings.types import OrderSettings, OrderStatus, StoreView
from channel_plugin.api.stores.queries import store_or_error
from channel_plugin.domain.settings import FORBIDDEN_PROCESSING_STATES
from channel_plugin.storage.stores import load_settings


@strawberry.type
class SettingsQuery:
    @strawberry.field(description="A store's order settings.")
    def order_settings(self, info: Info, store_id: strawberry.ID) -> OrderSettings:
        store = store_or_error(info, store_id)
        with info.context.runtime.db.transaction(write=False) as conn:
            return OrderSettings.of(load_settings(conn, store.id))

    @strawberry.field(
        description="The host's order statuses; by default only those a new order may start in "
        "(the choices for processingOrderStatus: not complete, canceled or closed)."
    )
    def order_statuses(self, info: Info, for_processing: bool = True) -> list[OrderStatus]:
        statuses = info.context.runtime.hooks.order_statuses()
        return [
            OrderStatus(code=s.code, label=s.label, state=s.state)
            for s in statuses
            if not for_processing
            or (s.state not in FORBIDDEN_PROCESSING_STATES and s.code not in FORBIDDEN_PROCESSING_STATES)
        ]

    @strawberry.field(description="The host's store views (for importStoreView), each with its website.")
    def store_views(self, info: Info) -> list[StoreView]:
        views = info.context.runtime.hooks.store_views()
        return [StoreView(code=v.code, name=v.name, website=v.website, is_default=v.is_default) for v in views]
