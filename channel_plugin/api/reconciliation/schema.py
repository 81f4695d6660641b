"""``reconciliation(storeId, days)`` and ``reconcileStore(storeId, days)``: what each re-read day found, and a
re-read on demand."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import strawberry
from graphql import GraphQLError

from channel_plugin.api.context import Info
from channel_plugin.api.errors import UserError, UserErrorCode
from channel_plugin.api.stores.queries import parse_store_id, store_or_error
from channel_plugin.engine.reconcile import MAX_DAYS, ReconcileError, reconcile_store_id
from channel_plugin.storage.reconciliation import DayReport, reports


@strawberry.type(description="One UTC day re-read from Amazon by reconciliation.")
class ReconciliationDay:
    day: date = strawberry.field(description="The UTC day whose Amazon updates were re-read.")
    ran_at: datetime = strawberry.field(description="When the pass that wrote this report ran.")
    on_amazon: int = strawberry.field(description="Orders Amazon listed as last updated that day.")
    stored: int = strawberry.field(description="Of those, orders the plugin holds.")
    imported: int = strawberry.field(description="Of those, orders imported into Commerce.")
    blocked: int = strawberry.field(description="Of those, orders blocked from import.")
    found_late: int = strawberry.field(
        description="Orders the pass stored or updated: missed or stale until then (Amazon showed them late)."
    )

    @classmethod
    def of(cls, report: DayReport) -> ReconciliationDay:
        return cls(
            day=report.day,
            ran_at=report.ran_at,
            on_amazon=report.on_amazon,
            stored=report.stored,
            imported=report.imported,
            blocked=report.blocked,
            found_late=report.found_late,
        )


@strawberry.type
class ReconcileStorePayload:
    reports: list[ReconciliationDay] | None
    errors: list[UserError]


@strawberry.type
class ReconciliationQuery:
    @strawberry.field(
        description=f"The last reports of a store's reconciliation, newest day first (days: 1 to {MAX_DAYS})."
    )
    def reconciliation(self, info: Info, store_id: strawberry.ID, days: int = 7) -> list[ReconciliationDay]:
        if not 1 <= days <= MAX_DAYS:
            raise GraphQLError(
                f"days: must be between 1 and {MAX_DAYS}, not {days}.", extensions={"code": "INVALID", "field": "days"}
            )
        store = store_or_error(info, store_id)
        since = info.context.runtime.clock().date() - timedelta(days=days - 1)
        with info.context.runtime.db.transaction(write=False) as conn:
            return [ReconciliationDay.of(r) for r in reports(conn, store.id, since=since)]


@strawberry.type
class ReconciliationMutation:
    @strawberry.mutation(
        description=f"Re-read the last `days` UTC days (1 to {MAX_DAYS}, today included) from Amazon now, import "
        "what is missing or stale, and report each day."
    )
    def reconcile_store(self, info: Info, store_id: strawberry.ID, days: int = 1) -> ReconcileStorePayload:
        pk = parse_store_id(store_id)
        if pk is None:
            error = UserError(field="storeId", code=UserErrorCode.NOT_FOUND, message=f"No store {store_id!r}.")
            return ReconcileStorePayload(reports=None, errors=[error])
        try:
            found = reconcile_store_id(info.context.runtime, pk, days)
        except ReconcileError as exc:
            code = UserErrorCode.NOT_FOUND if exc.code == "NOT_FOUND" else UserErrorCode.INVALID
            error = UserError(field=exc.field, code=code, message=exc.message)
            return ReconcileStorePayload(reports=None, errors=[error])
        return ReconcileStorePayload(reports=[ReconciliationDay.of(r) for r in found], errors=[])
