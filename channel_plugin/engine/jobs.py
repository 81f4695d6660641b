"""Long admin actions run in the background and followed by polling: a store's sync, a retry of every blocked order.

A request must answer in milliseconds while a sync can read Amazon for minutes, so ``syncStore`` and a large
``retryOrderImport`` answer with a job at once; the job counts its progress page by page. A store has at most one
job of a kind running (asking again returns the running one), and at most ``MAX_RUNNING`` run at once: each holds
one database connection, kept free for it by the API's worker pool. Jobs live in the process that started them.

Stopping (SIGTERM) never leaves half a page: a job stops between pages, where everything read is committed and
the watermark has not moved past it, so the next sync reads the rest. A job stuck in a host or Amazon call past
the grace period is abandoned with the process (its threads are daemons; the open transaction rolls back).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum

from channel_plugin.engine.admin import PAGE
from channel_plugin.engine.dberrors import describe_error
from channel_plugin.engine.importer import PageResult, recheck
from channel_plugin.engine.runtime import Runtime
from channel_plugin.engine.sync import PageDone, StoreSyncResult, record_result, sync_inbound, sync_outbound
from channel_plugin.errors import ValidationError
from channel_plugin.storage.stores import StoreRecord

log = logging.getLogger("channel_plugin")

MAX_RUNNING = 2
STOP_GRACE_SECONDS = 3.0  # SIGTERM to exit: a page boundary is usually well within it
KEEP_FINISHED = 100


class JobKind(Enum):
    SYNC = "SYNC"
    RETRY = "RETRY"


class JobState(Enum):
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    ABANDONED = "ABANDONED"


@dataclass
class Job:
    """A background job as its poller sees it; ``Jobs`` hands out copies, never the one being updated."""

    id: str
    store_id: int
    kind: JobKind
    started_at: datetime
    total: int | None = None
    """Orders to re-check (a retry); unknown for a sync until Amazon's last page."""
    state: JobState = JobState.RUNNING
    pages: int = 0
    orders: int = 0
    counts: PageResult = field(default_factory=PageResult)
    result: StoreSyncResult | None = None
    error: str | None = None
    finished_at: datetime | None = None


class ServerStopping(Exception):
    """Raised between pages once the server is stopping: what was read is committed, the rest waits."""

    def __init__(self) -> None:
        super().__init__("the server stopped during this job; the next sync carries on after the last stored page")


class Jobs:
    """The process's background jobs: started by mutations, polled by ``storeJob``, stopped with the server."""

    def __init__(self, rt: Runtime, *, max_running: int = MAX_RUNNING) -> None:
        self.rt = rt
        self.max_running = max_running
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._threads: dict[str, threading.Thread] = {}
        self._stopping = threading.Event()
        self._deadline = 0.0

    def start_sync(self, store: StoreRecord) -> Job:
        return self._start(store, JobKind.SYNC, None, lambda job: self._sync(job, store))

    def start_retry(self, store: StoreRecord, pks: Sequence[int]) -> Job:
        ordered = sorted(set(pks))
        return self._start(store, JobKind.RETRY, len(ordered), lambda job: self._retry(job, store, ordered))

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            job = self._jobs.get(job_id)
            return _copy(job) if job is not None else None

    def recent(self, store_id: int | None = None) -> list[Job]:
        """Running jobs and the last finished ones, newest first."""
        with self._lock:
            jobs = [_copy(j) for j in self._jobs.values() if store_id is None or j.store_id == store_id]
        return sorted(jobs, key=lambda j: j.started_at, reverse=True)

    def shutdown(self, timeout: float = STOP_GRACE_SECONDS) -> None:
        """Ask every job to stop at its next page boundary and wait up to ``timeout`` seconds for them."""
        self.stop(timeout)
        self.wait()

    def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """No new jobs; running ones stop at their next page boundary, waited for until ``grace`` from the first
        call (``serve`` calls it on SIGTERM, so jobs stop while requests drain rather than after)."""
        with self._lock:
            if not self._stopping.is_set():
                self._deadline = time.monotonic() + grace
                self._stopping.set()

    def wait(self, timeout: float | None = None) -> None:
        """Wait for running jobs, up to ``timeout`` or else the stop's grace; those still running are ABANDONED."""
        deadline = time.monotonic() + timeout if timeout is not None else self._deadline
        with self._lock:
            threads = list(self._threads.items())
        for _, thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        with self._lock:
            for job_id, thread in threads:
                job = self._jobs[job_id]
                if thread.is_alive() and job.state is JobState.RUNNING:
                    self._finish(job, JobState.ABANDONED, str(ServerStopping()))

    def _start(self, store: StoreRecord, kind: JobKind, total: int | None, body: Callable[[Job], None]) -> Job:
        with self._lock:
            if self._stopping.is_set():
                raise ValidationError("store_id", "the server is stopping: start the job again once it is back", "BUSY")
            for job in self._jobs.values():
                if job.store_id == store.id and job.kind is kind and job.state is JobState.RUNNING:
                    return _copy(job)  # one at a time per store: the caller follows the one already running
            running = sum(1 for j in self._jobs.values() if j.state is JobState.RUNNING)
            if running >= self.max_running:
                raise ValidationError(
                    "store_id",
                    f"{running} background jobs are already running: try again when one has finished",
                    "BUSY",
                )
            job = Job(id=uuid.uuid4().hex, store_id=store.id, kind=kind, started_at=self.rt.clock(), total=total)
            self._jobs[job.id] = job
            self._forget_old()
            thread = threading.Thread(target=self._run, args=(job, body), name=f"channel-job-{job.id[:8]}", daemon=True)
            self._threads[job.id] = thread
            thread.start()
            return _copy(job)

    def _run(self, job: Job, body: Callable[[Job], None]) -> None:
        try:
            body(job)
        except ServerStopping as exc:
            with self._lock:
                self._finish(job, JobState.ABANDONED, str(exc))
        except Exception as exc:
            log.warning("store %s: background %s failed: %s", job.store_id, job.kind.value.lower(), type(exc).__name__)
            with self._lock:
                self._finish(job, JobState.FAILED, describe_error(exc))
        finally:
            with self._lock:
                self._threads.pop(job.id, None)

    def _sync(self, job: Job, store: StoreRecord) -> None:
        result = sync_inbound(self.rt, store, progress=lambda done: self._page_read(job, done))
        if not self._stopping.is_set():
            sync_outbound(self.rt, store, result)
        record_result(self.rt, result)
        with self._lock:
            job.result = result
            job.counts = PageResult()
            job.counts.add(result.pulled)
            job.counts.add(result.rechecked)
            if self._stopping.is_set():
                self._finish(job, JobState.ABANDONED, result.error)
            else:
                self._finish(job, JobState.FAILED if result.error else JobState.SUCCEEDED, result.error)

    def _page_read(self, job: Job, done: PageDone) -> None:
        with self._lock:
            job.pages = done.pages
            job.orders = done.orders
            job.counts = replace(job.counts, imported=done.imported, blocked=done.blocked)
        if self._stopping.is_set():
            raise ServerStopping

    def _retry(self, job: Job, store: StoreRecord, pks: list[int]) -> None:
        for start in range(0, len(pks), PAGE):
            if self._stopping.is_set():
                raise ServerStopping
            page = pks[start : start + PAGE]
            outcome = recheck(self.rt, store, page)
            with self._lock:
                job.pages += 1
                job.orders += len(page)
                job.counts.add(outcome)
        with self._lock:
            self._finish(job, JobState.SUCCEEDED, None)

    def _finish(self, job: Job, state: JobState, error: str | None) -> None:
        job.state = state
        job.error = error
        job.finished_at = self.rt.clock()

    def _forget_old(self) -> None:
        finished = [j for j in self._jobs.values() if j.state is not JobState.RUNNING]
        for job in sorted(finished, key=lambda j: j.started_at)[: max(0, len(finished) - KEEP_FINISHED)]:
            del self._jobs[job.id]


def _copy(job: Job) -> Job:
    return replace(job, counts=replace(job.counts))
