"""The API served by a real uvicorn on 127.0.0.1: nothing one request does holds up another.

The slow request here waits on an event the test sets only after the trivial query has answered, so "the trivial
query finished first" is checked as an order of events, never as a duration.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio
import httpx
import pytest
import uvicorn

from channel_plugin import hookimpl
from channel_plugin.api.app import create_app
from channel_plugin.api.workers import ServerBusy, WorkerPool
from channel_plugin.testing import Sandbox, make_order

TRIVIAL = "{ amazonStores { id name } }"
RETRY = """mutation($ids: [String!]) { retryOrderImport(storeId: "1", amazonOrderIds: $ids) {
  results { amazonOrderId importState } errors { code } } }"""
PATIENCE = 30.0  # only a hang ever waits this long


def fan_out(levels: int = 20) -> str:
    """952 bytes whose fragments each spread the previous one twice: the query that froze the server for 31 s."""
    fragments = ["fragment F0 on AmazonStore { id }"]
    fragments += [f"fragment F{n} on AmazonStore {{ ...F{n - 1} ...F{n - 1} }}" for n in range(1, levels + 1)]
    return f"{{ amazonStores {{ ...F{levels} }} }} " + " ".join(fragments)


class Served:
    def __init__(self, sb: Sandbox, app: Any) -> None:
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        while not self.server.started:
            assert self.thread.is_alive(), "uvicorn did not start"
            threading.Event().wait(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/graphql"
        self.headers = {"Authorization": f"Bearer {sb.token('write')}"}

    def post(self, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
        body = {"query": query, "variables": variables or {}}
        return httpx.post(self.url, json=body, headers=self.headers, timeout=PATIENCE)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(PATIENCE)


@pytest.fixture
def sb(make_sandbox: Any) -> Sandbox:
    return make_sandbox(catalog=[{"sku": "LAMP", "qty": 5}])


@pytest.fixture
def served(sb: Sandbox) -> Iterator[Served]:
    server = Served(sb, create_app(sb.runtime))
    yield server
    server.stop()


class SlowSkuRules:
    """An integrator's SKU hook that takes as long as the test wants: it returns once ``release`` is set."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    @hookimpl
    def channel_resolve_sku(self, store: Any, seller_sku: str) -> str | None:
        self.entered.set()
        assert self.release.wait(PATIENCE)
        return None


def test_the_fan_out_query_is_refused_while_trivial_queries_keep_answering(served: Served) -> None:
    with ThreadPoolExecutor(4) as pool:
        refusals = [pool.submit(served.post, fan_out()) for _ in range(3)]
        trivial = [served.post(TRIVIAL) for _ in range(5)]
        for response in (f.result() for f in refusals):
            body = response.json()
            assert response.status_code == 200 and body["data"] is None
            assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert [r.json()["data"]["amazonStores"][0]["id"] for r in trivial] == ["1"] * 5


def test_a_slow_resolver_does_not_delay_a_concurrent_trivial_query(sb: Sandbox, served: Served) -> None:
    order = make_order(items=[("AMZ-LAMP", 1)])
    sb.amazon.put_order(order)
    sb.sync()  # blocked: AMZ-LAMP is no catalog SKU
    slow = SlowSkuRules()
    sb.pm.register(slow, name="slow_sku_rules")
    finished: list[str] = []
    with ThreadPoolExecutor(1) as pool:
        retry = pool.submit(lambda: (served.post(RETRY, {"ids": [order["orderId"]]}), finished.append("retry"))[0])
        assert slow.entered.wait(PATIENCE)  # the retry is inside the hook, in the middle of its request
        answer = served.post(TRIVIAL)
        finished.append("trivial")
        slow.release.set()
        retried = retry.result().json()["data"]["retryOrderImport"]
    assert answer.json()["data"]["amazonStores"][0]["id"] == "1"
    assert finished == ["trivial", "retry"]
    assert retried["errors"] == [] and retried["results"][0]["importState"] == "BLOCKED"


def test_a_full_worker_pool_answers_503_instead_of_hanging(sb: Sandbox) -> None:
    server = Served(sb, create_app(sb.runtime, workers=WorkerPool(1, queue_seconds=0.2)))
    order = make_order(items=[("AMZ-LAMP", 1)])
    sb.amazon.put_order(order)
    sb.sync()
    slow = SlowSkuRules()
    sb.pm.register(slow, name="slow_sku_rules")
    try:
        with ThreadPoolExecutor(1) as pool:
            retry = pool.submit(served_post := server.post, RETRY, {"ids": [order["orderId"]]})
            assert slow.entered.wait(PATIENCE)
            busy = served_post(TRIVIAL)
            slow.release.set()
            assert retry.result().status_code == 200
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "2"
        assert busy.json()["errors"][0]["extensions"]["code"] == "SERVER_BUSY"
        assert server.post(TRIVIAL).json()["data"]["amazonStores"][0]["id"] == "1"  # free again
    finally:
        slow.release.set()
        server.stop()


def test_the_pool_refuses_at_once_when_too_many_already_wait() -> None:
    async def scenario() -> None:
        pool = WorkerPool(1, max_waiting=0, queue_seconds=PATIENCE)
        entered, gate = threading.Event(), threading.Event()

        def hold() -> None:
            entered.set()
            gate.wait(PATIENCE)

        async with anyio.create_task_group() as tg:
            tg.start_soon(pool.run, hold)
            while not entered.is_set():
                await anyio.sleep(0.01)
            with pytest.raises(ServerBusy):
                await pool.run(lambda: None)  # the one thread is taken and no one may queue: refused, not queued
            gate.set()
        assert await pool.run(lambda: 42) == 42

    anyio.run(scenario)


def test_the_pool_has_fewer_threads_than_the_database_has_connections(tmp_path: Any) -> None:
    from channel_plugin.api.workers import JOB_CONNECTIONS, request_threads
    from channel_plugin.storage.db import Database

    default = Database(f"sqlite:///{tmp_path / 'a.db'}")
    small = Database(f"sqlite:///{tmp_path / 'b.db'}", pool_size=2, max_overflow=0)
    try:
        assert request_threads(default) == 5 + 10 - JOB_CONNECTIONS  # SQLAlchemy's defaults, less the jobs' share
        assert request_threads(small) == 1
    finally:
        default.dispose()
        small.dispose()


def test_a_burst_larger_than_the_pool_queues_and_every_request_is_answered(served: Served) -> None:
    with ThreadPoolExecutor(32) as pool:  # more at once than the 13 worker threads
        answers = list(pool.map(lambda _: served.post(TRIVIAL), range(48)))
    assert {(r.status_code, r.json()["data"]["amazonStores"][0]["id"]) for r in answers} == {(200, "1")}


def test_worker_threads_leave_once_idle_so_a_dropped_app_leaves_none_behind(monkeypatch: Any) -> None:
    from channel_plugin.api import workers

    monkeypatch.setattr(workers, "IDLE_SECONDS", 0.05)

    def api_threads() -> int:
        return sum(1 for t in threading.enumerate() if t.name == "channel-api")

    before = api_threads()
    pool = WorkerPool(4)

    async def burst() -> list[int]:
        results: list[int] = []

        async def one(n: int) -> None:
            results.append(await pool.run(lambda: n))

        async with anyio.create_task_group() as tg:
            for n in range(8):
                tg.start_soon(one, n)
        return sorted(results)

    assert anyio.run(burst) == list(range(8))
    deadline = threading.Event()
    for _ in range(int(PATIENCE / 0.05)):
        if api_threads() == before:
            break
        deadline.wait(0.05)
    assert api_threads() == before
