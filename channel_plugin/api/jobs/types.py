"""``StoreJob``: a background job's handle and progress, which a client polls with ``storeJob(id)``."""

from __future__ import annotations

from datetime import datetime

import strawberry

from channel_plugin.engine.importer import PageResult
from channel_plugin.engine.jobs import Job, JobKind, JobState
from channel_plugin.engine.sync import StoreSyncResult as SyncOutcome

StoreJobKind = strawberry.enum(JobKind, name="StoreJobKind", description="SYNC: syncStore; RETRY: retryOrderImport.")
StoreJobState = strawberry.enum(
    JobState,
    name="StoreJobState",
    description="RUNNING until it ends: SUCCEEDED, FAILED (see error), or ABANDONED when the server stopped "
    "first (what was read is stored; the next sync carries on).",
)


@strawberry.type(description="What one sync of a store did: orders from Amazon plus blocked orders re-checked.")
class StoreSyncResult:
    received: int = strawberry.field(description="Orders Amazon sent.")
    imported: int = strawberry.field(description="Commerce orders created.")
    blocked: int
    failed: int
    invalid: int = strawberry.field(description="Order data from Amazon that could not be read.")
    confirmations_sent: int = strawberry.field(description="Shipment confirmations Amazon accepted.")
    cancels_sent: int = strawberry.field(description="Cancels sent to Amazon in this sync's feed (one per sync).")
    cancels_accepted: int = strawberry.field(description="Earlier cancels Amazon's processing report accepted.")
    cancels_rejected: int = strawberry.field(
        description="Cancels Amazon refused: those orders now have the problem CANCEL_REJECTED."
    )
    completed: int = strawberry.field(description="Shipped orders completed in Commerce.")
    error: str | None = strawberry.field(description="Why the sync stopped, if it did (also on the store).")

    @classmethod
    def of(cls, result: SyncOutcome) -> StoreSyncResult:
        counts = PageResult()
        counts.add(result.pulled)
        counts.add(result.rechecked)
        return cls(
            received=counts.received,
            imported=counts.imported,
            blocked=counts.blocked,
            failed=counts.failed,
            invalid=counts.invalid,
            confirmations_sent=result.confirmations_sent,
            cancels_sent=result.cancellations.submitted,
            cancels_accepted=result.cancellations.accepted,
            cancels_rejected=result.cancellations.rejected,
            completed=result.completed,
            error=result.error,
        )


@strawberry.type(
    description="A background job of this API process: poll storeJob(id) until state is no longer RUNNING."
)
class StoreJob:
    id: strawberry.ID
    store_id: strawberry.ID
    kind: StoreJobKind  # type: ignore[valid-type]
    state: StoreJobState  # type: ignore[valid-type]
    started_at: datetime
    finished_at: datetime | None
    pages_read: int = strawberry.field(
        description="SYNC: pages of Amazon's searchOrders stored so far; RETRY: pages of 100 orders re-checked."
    )
    orders_read: int = strawberry.field(description="Orders read from Amazon (SYNC) or re-checked (RETRY) so far.")
    orders_total: int | None = strawberry.field(
        description="Orders a RETRY re-checks in all; null for a SYNC (Amazon says how many only at the end)."
    )
    imported: int = strawberry.field(description="Commerce orders created so far.")
    blocked: int = strawberry.field(description="Orders found blocked so far.")
    sync: StoreSyncResult | None = strawberry.field(description="A finished SYNC's whole outcome.")
    error: str | None = strawberry.field(description="Why the job failed or stopped.")

    @classmethod
    def of(cls, job: Job) -> StoreJob:
        return cls(
            id=strawberry.ID(job.id),
            store_id=strawberry.ID(str(job.store_id)),
            kind=job.kind,
            state=job.state,
            started_at=job.started_at,
            finished_at=job.finished_at,
            pages_read=job.pages,
            orders_read=job.orders,
            orders_total=job.total,
            imported=job.counts.imported,
            blocked=job.counts.blocked,
            sync=StoreSyncResult.of(job.result) if job.result is not None else None,
            error=job.error,
        )
