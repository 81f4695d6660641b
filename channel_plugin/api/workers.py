"""The bounded thread pool every blocking step of a request runs in, so the event loop only moves bytes.

The token check and the whole GraphQL execution (validation, the cost check, every resolver's SQL and host calls)
run in worker threads. The pool is sized from the database's connection pool: a request holds at most one
connection at a time, so with fewer threads than connections a burst waits for a thread instead of failing on
SQLAlchemy's pool timeout while holding one. A request that waits too long for a thread, or arrives while too
many already wait, is answered 503 with Retry-After at once rather than left to hang.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread
from sqlalchemy.pool import QueuePool
from starlette.responses import JSONResponse

from channel_plugin.storage.db import Database

T = TypeVar("T")

JOB_CONNECTIONS = 2  # kept free for background jobs (``engine.jobs``)
MAX_WAITING = 200
QUEUE_SECONDS = 10.0
RETRY_AFTER_SECONDS = 2


class ServerBusy(Exception):
    """Every worker thread was taken for longer than a request may wait: answered with 503."""


def request_threads(db: Database) -> int:
    """Threads for requests: the connections the pool can open, less those kept for background jobs."""
    pool = db.engine.pool
    if isinstance(pool, QueuePool):
        return max(1, pool.size() + max(pool._max_overflow, 0) - JOB_CONNECTIONS)
    return 8  # pools without a bound (NullPool, StaticPool) open a connection per checkout


class WorkerPool:
    """Runs blocking calls in at most ``threads`` worker threads; excess calls queue, briefly and boundedly."""

    def __init__(self, threads: int, *, max_waiting: int = MAX_WAITING, queue_seconds: float = QUEUE_SECONDS) -> None:
        self.threads = threads
        self.max_waiting = max_waiting
        self.queue_seconds = queue_seconds
        self._loop: object = None
        self._slots = anyio.CapacityLimiter(threads)
        self._runner = anyio.CapacityLimiter(threads)

    async def run(self, func: Callable[..., T], *args: object) -> T:
        """``func(*args)`` in a worker thread; raises ServerBusy when no thread frees up in time."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            # A limiter's waiters belong to one event loop; a test client starts a loop per request.
            self._loop = loop
            self._slots = anyio.CapacityLimiter(self.threads)
            self._runner = anyio.CapacityLimiter(self.threads)
        slots = self._slots
        if slots.available_tokens == 0 and slots.statistics().tasks_waiting >= self.max_waiting:
            raise ServerBusy
        acquired = False
        with anyio.move_on_after(self.queue_seconds):
            await slots.acquire()
            acquired = True
        if not acquired:
            raise ServerBusy
        try:
            # The runner has as many tokens as there are slots, so it never makes a slot holder wait; it keeps
            # these threads out of anyio's default limiter, which Starlette shares with everything else.
            return await anyio.to_thread.run_sync(func, *args, limiter=self._runner)
        finally:
            slots.release()


def busy_response() -> JSONResponse:
    return JSONResponse(
        {
            "data": None,
            "errors": [
                {
                    "message": "The server is busy: try again in a few seconds.",
                    "extensions": {"code": "SERVER_BUSY"},
                }
            ],
        },
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )
