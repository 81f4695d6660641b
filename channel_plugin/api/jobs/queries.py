"""``storeJob(id)`` and ``storeJobs(storeId)``: how a background sync or retry is getting on."""

from __future__ import annotations

import strawberry

from channel_plugin.api.context import Info
from channel_plugin.api.jobs.types import StoreJob
from channel_plugin.api.stores.queries import store_or_error


@strawberry.type
class JobsQuery:
    @strawberry.field(
        description="A job started by syncStore or retryOrderImport on this server; null when unknown "
        "(another process started it, or it finished long ago)."
    )
    def store_job(self, info: Info, id: strawberry.ID) -> StoreJob | None:
        job = info.context.runtime.jobs.get(str(id))
        return StoreJob.of(job) if job is not None else None

    @strawberry.field(description="Running jobs and the last finished ones, newest first; one store's when given.")
    def store_jobs(self, info: Info, store_id: strawberry.ID | None = None) -> list[StoreJob]:
        pk = store_or_error(info, store_id).id if store_id is not None else None
        return [StoreJob.of(job) for job in info.context.runtime.jobs.recent(pk)]
