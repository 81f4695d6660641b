"""The bounded thread pool every blocking step of a request runs in, so the event loop only moves bytes.

The token check and the whole GraphQL execution (validation, the cost check, every resolver's SQL and host calls)
run in worker threads. The pool is sized from the database's connection pool: a request holds at most one
connection at a time, so with fewer threads than connections a burst waits for a thread instead of failing on
SQLAlchemy's pool timeout while holding one. A request that waits too long for a thread, or arrives while too
many already wait, is answered 503 with Retry-After at once rather than left to hang.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import queue
import threading
from collections.abc import Callable
from typing import TypeVar

import anyio
from sqlalchemy.pool import QueuePool
from starlette.responses import JSONResponse

from channel_plugin.storage.db import Database

T = TypeVar("T")

JOB_CONNECTIONS = 2  # kept free for background jobs (``engine.jobs``)
MAX_WAITING = 200
QUEUE_SECONDS = 10.0
RETRY_AFTER_SECONDS = 2
IDLE_SECONDS = 10.0


class ServerBusy(Exception):
    """Every worker thread was taken for longer than a request may wait: answered with 503."""


def request_threads(db: Database) -> int:
    """Threads for requests: the connections the pool can open, less those kept for background jobs."""
    pool = db.engine.pool
    if isinstance(pool, QueuePool):
        return max(1, pool.size() + max(pool._max_overflow, 0) - JOB_CONNECTIONS)
    return 8  # pools without a bound (NullPool, StaticPool) open a connection per checkout


class WorkerPool:
    """Runs blocking calls in ``threads`` daemon threads; excess calls queue, briefly and boundedly.

    Daemon threads of its own rather than anyio's or an executor's: those are joined when the interpreter exits,
    so one request stuck in a host call would keep ``serve`` alive after SIGTERM. A request abandoned at shutdown
    leaves its thread to die with the process, and its transaction rolls back with the connection.
    """

    def __init__(self, threads: int, *, max_waiting: int = MAX_WAITING, queue_seconds: float = QUEUE_SECONDS) -> None:
        self.threads = threads
        self.max_waiting = max_waiting
        self.queue_seconds = queue_seconds
        self._loop: object = None
        self._slots = anyio.CapacityLimiter(threads)
        self._calls: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._live = 0  # threads running
        self._idle = 0  # of those, waiting for a call and not yet promised one

    async def run(self, func: Callable[..., T], *args: object) -> T:
        """``func(*args)`` in a worker thread; raises ServerBusy when no thread frees up in time."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            # A limiter's waiters belong to one event loop; a test client starts a loop per request.
            self._loop = loop
            self._slots = anyio.CapacityLimiter(self.threads)
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
            done: asyncio.Future[T] = loop.create_future()
            context = contextvars.copy_context()  # as anyio does: the request's context variables, in its thread
            self._submit(lambda: context.run(_settle, loop, done, func, args))
            return await done
        finally:
            slots.release()

    def _submit(self, call: Callable[[], None]) -> None:
        """Hand the call to an idle thread, or start one: threads come with load and leave after
        ``IDLE_SECONDS`` without work, so an app that is dropped (a test's, a host's) leaves none behind."""
        with self._lock:
            if self._idle > 0:
                self._idle -= 1  # promised to this call
            elif self._live < self.threads:
                self._live += 1
                threading.Thread(target=self._work, name="channel-api", daemon=True).start()
            self._calls.put(call)

    def _work(self) -> None:
        while True:
            try:
                call = self._calls.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    if self._idle > 0 and self._calls.empty():
                        self._idle -= 1
                        self._live -= 1
                        return
                continue  # this thread was promised to a call: it is on its way
            call()
            with self._lock:
                self._idle += 1


def _settle(
    loop: asyncio.AbstractEventLoop, done: asyncio.Future[T], func: Callable[..., T], args: tuple[object, ...]
) -> None:
    """Runs in a worker thread: the call, then its outcome handed to the waiting request on its loop."""
    try:
        result = func(*args)
    except BaseException as exc:  # raised again in the request that waits for it
        _hand_over(loop, _fail, done, exc)
    else:
        _hand_over(loop, _succeed, done, result)


def _hand_over(loop: asyncio.AbstractEventLoop, settle: Callable[..., None], *args: object) -> None:
    with contextlib.suppress(RuntimeError):  # the loop has closed (the server stopped): nobody waits any more
        loop.call_soon_threadsafe(settle, *args)


def _succeed(done: asyncio.Future[T], result: T) -> None:
    if not done.cancelled():  # the request was abandoned (shutdown): nobody waits for the result
        done.set_result(result)


def _fail(done: asyncio.Future[T], error: BaseException) -> None:
    if not done.cancelled():
        done.set_exception(error)


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
