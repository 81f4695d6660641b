"""``orderVolume``: orders per purchase day and import state, the dashboard's "do imports keep up" chart."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import strawberry
from graphql import GraphQLError

from channel_plugin.api.context import Info
from channel_plugin.api.orders.types import ImportState
from channel_plugin.api.stores.queries import store_or_error
from channel_plugin.domain import enums
from channel_plugin.storage.order_stats import daily_counts

MAX_DAYS = 366


@strawberry.type(description="How many orders purchased on one UTC day are in one import state now.")
class DailyOrderCount:
    day: date
    import_state: ImportState  # type: ignore[valid-type]
    count: int


@strawberry.type(description="Orders per purchase day over a window that ends today (the plugin's clock, UTC).")
class OrderVolume:
    since: date = strawberry.field(description="The window's first day.")
    until: date = strawberry.field(description="The window's last day: today.")
    counts: list[DailyOrderCount] = strawberry.field(
        description="Only days and states with orders; a missing day had none."
    )


@strawberry.type
class OrderVolumeQuery:
    @strawberry.field(
        description=f"A store's orders per purchase day and import state for the last `days` days "
        f"(1..{MAX_DAYS}), today included."
    )
    def order_volume(self, info: Info, store_id: strawberry.ID, days: int = 30) -> OrderVolume:
        if not 1 <= days <= MAX_DAYS:
            raise GraphQLError(
                f"days must be between 1 and {MAX_DAYS}, got {days}.", extensions={"code": "BAD_USER_INPUT"}
            )
        store = store_or_error(info, store_id)
        until = info.context.runtime.clock().astimezone(UTC).date()
        since = until - timedelta(days=days - 1)
        with info.context.runtime.db.transaction(write=False) as conn:
            rows = daily_counts(conn, store.id, datetime.combine(since, time(), tzinfo=UTC))
        counts = [
            DailyOrderCount(day=day, import_state=enums.ImportState(state), count=number)
            for day, state, number in rows
            if day <= until
        ]
        return OrderVolume(since=since, until=until, counts=counts)
