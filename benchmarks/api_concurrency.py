"""API concurrency: do slow requests delay fast ones? p50/p99 of fast requests and their throughput with one client
sending slow requests beside them, against the same fast load alone, measured in the same run.

    python benchmarks/api_concurrency.py [--orders 1000000] [--seconds 20] [--clients 8]

``--clients`` counts every client: one of them sends slow requests (a buyer-name search counting its matches over
every order), the others the dashboard's "Recent Orders" page; the baseline runs the same fast clients alone. The
clients run in a separate process, so the load generator never competes with the server for the interpreter lock.
Target: p99 of fast requests with the slow client at most 2x their p99 without it.
"""

from __future__ import annotations

import argparse
import multiprocessing
import socket
import statistics
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
from api_latency import seed, serve

from channel_plugin.api.app import create_app
from channel_plugin.testing import Sandbox

FAST = """{ amazonOrders(first: 10) { edges { node { amazonOrderId purchaseDate status buyerName
  grandTotal { amount currency } importState notes } } pageInfo { hasNextPage endCursor } } }"""
SLOW = """{ amazonOrders(first: 50, filter: {buyerName: "grace"}) { totalCount edges { node { amazonOrderId
  buyerName items { sellerSku quantityOrdered } } } } }"""


@dataclass(frozen=True)
class Load:
    url: str
    token: str
    fast_clients: int
    slow_client: bool
    seconds: float


def run_load(load: Load, results: Any) -> None:
    """In the client process: every client posts back to back until time is up, then reports its latencies."""
    stop_at = time.perf_counter() + load.seconds
    fast: list[list[float]] = [[] for _ in range(load.fast_clients)]
    slow: list[float] = []
    failures: list[str] = []

    def client(query: str, times: list[float]) -> None:
        transport = httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
        headers = {"Authorization": f"Bearer {load.token}"}
        with httpx.Client(timeout=120, transport=transport) as http:
            while time.perf_counter() < stop_at:
                started = time.perf_counter()
                response = http.post(load.url, json={"query": query}, headers=headers)
                elapsed = time.perf_counter() - started
                body = response.json()
                if response.status_code != 200 or "errors" in body:
                    failures.append(f"{response.status_code}: {str(body)[:200]}")
                    return
                times.append(elapsed)

    threads = [threading.Thread(target=client, args=(FAST, times)) for times in fast]
    if load.slow_client:
        threads.append(threading.Thread(target=client, args=(SLOW, slow)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(([t for times in fast for t in times], slow, failures))


def measure(load: Load) -> tuple[list[float], list[float]]:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    process = context.Process(target=run_load, args=(load, results))
    process.start()
    fast, slow, failures = results.get(timeout=load.seconds + 300)
    process.join()
    if failures:
        raise SystemExit(f"requests failed: {failures[:3]}")
    return fast, slow


def percentile(times: list[float], q: float) -> float:
    return statistics.quantiles(times, n=100, method="inclusive")[int(q) - 1] * 1000 if len(times) > 1 else 0.0


def report(name: str, fast: list[float], slow: list[float], seconds: float) -> tuple[float, float]:
    p50, p99 = percentile(fast, 50), percentile(fast, 99)
    line = f"{name:<22} fast p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  {len(fast) / seconds:7.1f} req/s"
    if slow:
        line += f"   slow: {len(slow)} requests, p50 {statistics.median(slow) * 1000:.0f} ms"
    print(line)
    return p99, len(fast) / seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=8, help="all clients, the slow one included (at least 2)")
    args = parser.parse_args(argv)
    if args.orders < 1000 or args.clients < 2:
        parser.error("--orders must be at least 1000 and --clients at least 2")
    with Sandbox() as sandbox:
        started = time.perf_counter()
        seed(sandbox, args.orders)
        print(f"seeded {args.orders:,} orders in {time.perf_counter() - started:.0f} s")
        url, stop = serve(create_app(sandbox.runtime))
        try:
            token = sandbox.token("read")
            fast_clients = args.clients - 1
            warm = Load(url, token, fast_clients, slow_client=True, seconds=2)
            measure(warm)  # caches, pool connections and worker threads, so neither run pays for them
            alone = Load(url, token, fast_clients, slow_client=False, seconds=args.seconds)
            beside = Load(url, token, fast_clients, slow_client=True, seconds=args.seconds)
            p99_alone, rate_alone = report(f"{fast_clients} fast clients", *measure(alone), args.seconds)
            p99_beside, rate_beside = report(f"{fast_clients} fast + 1 slow", *measure(beside), args.seconds)
            print(
                f"p99 ratio (with / without the slow client): {p99_beside / p99_alone:.2f} (target <= 2); "
                f"throughput ratio {rate_beside / rate_alone:.2f}"
            )
        finally:
            stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
