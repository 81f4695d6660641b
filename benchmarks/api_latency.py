"""API latency: p50 of an ``amazonOrders`` page of 50 (with items) over HTTP, per filter, at the first page and at
cursor depth N/2, against a GraphQL floor measured in the same run.

    python benchmarks/api_latency.py [--orders 1000000] [--samples 30]

The floor is the same HTTP and GraphQL stack (uvicorn, Starlette, strawberry with its caches) answering the same
selection for 50 orders held in memory: what any page costs before a single row is read. The ratio per filter and
depth is what to compare across machines (target: at most 1.5).
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import sqlite3
import statistics
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import strawberry
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.extensions import ParserCache, ValidationCache

from channel_plugin.api.app import create_app
from channel_plugin.api.orders.filters import AmazonOrderSortField
from channel_plugin.api.orders.pagination import encode_cursor
from channel_plugin.storage.buyer_search import name_tokens
from channel_plugin.testing import Sandbox

PAGE = 50
SECONDS_APART = 30
SELECTION = """edges { cursor node { amazonOrderId purchaseDate status fulfillmentChannel buyerName
  grandTotal { amount currency } importState notes items { sellerSku quantityOrdered itemPrice { amount currency } } } }
  pageInfo { hasNextPage endCursor }"""
FIRST_NAMES = ["Ada", "Alan", "Grace", "Edsger", "Barbara", "Ken", "Radia", "Donald", "Frances", "John"]
LAST_NAMES = ["Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Thompson", "Perlman", "Knuth", "Allen", "Backus"]
STATUSES = ["UNSHIPPED"] * 5 + ["SHIPPED", "COMPLETED", "PENDING", "CANCELED"]
STATES = {
    "UNSHIPPED": "IMPORTED",
    "SHIPPED": "IMPORTED",
    "COMPLETED": "IMPORTED",
    "PENDING": "WAITING",
    "CANCELED": "SKIPPED",
}


def seed(sandbox: Sandbox, count: int) -> datetime:
    """N orders with two items each, written straight into the plugin's tables (the import is not measured here)."""
    cipher = sandbox.runtime.cipher
    names = [f"{first} {last} {n}" for n in range(50) for first in FIRST_NAMES for last in LAST_NAMES]
    sealed = {name: (cipher.encrypt({"buyer": [name, None, None]}), name_tokens(cipher, name)) for name in names}
    rng = random.Random(1)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    url = sandbox.db.url.database
    raw = sqlite3.connect(str(url), isolation_level=None)
    raw.execute("PRAGMA synchronous=OFF")
    stamp = lambda d: d.strftime("%Y-%m-%d %H:%M:%S.%f")  # noqa: E731  (SQLAlchemy's SQLite format)
    now = stamp(datetime.now(UTC))
    for base in range(0, count, 20_000):
        orders, items = [], []
        for n in range(base, min(base + 20_000, count)):
            status = rng.choice(STATUSES)
            name = rng.choice(names)
            blob, tokens = sealed[name]
            when = start + timedelta(seconds=n * SECONDS_APART)
            total = rng.randint(500, 50_000) * 100
            orders.append(
                (
                    n + 1,
                    sandbox.store.id,
                    f"{100 + n % 900:03d}-{n:07d}-{n % 9_999_999:07d}",
                    "ATVPDKIKX0DER",
                    stamp(when),
                    stamp(when),
                    status,
                    "AMAZON" if n % 10 == 0 else "MERCHANT",
                    "USD",
                    total,
                    blob,
                    tokens,
                    STATES[status],
                    "Imported.",
                    now,
                    now,
                )
            )
            items += [
                (n + 1, f"{n}-1", f"SKU-{n % 2000}", 1, total // 2),
                (n + 1, f"{n}-2", f"SKU-{n % 777}", 2, total // 4),
            ]
        raw.execute("BEGIN")
        raw.executemany(
            "INSERT INTO amazon_orders (id, store_id, amazon_order_id, marketplace_id, purchase_date, "
            "last_update_date, status, fulfillment_channel, currency, grand_total, buyer_data, "
            "buyer_name_tokens, import_state, notes, created_at, updated_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            orders,
        )
        raw.executemany(
            "INSERT INTO amazon_order_items (order_id, order_item_id, seller_sku, quantity_ordered, "
            "quantity_shipped, item_price, currency) VALUES (?,?,?,?,0,?,'USD')",
            items,
        )
        raw.execute("COMMIT")
    raw.execute("ANALYZE")
    raw.close()
    return start


FILTERS: dict[str, dict[str, Any]] = {
    "none": {},
    "purchaseDate": {},  # set from the seeded range: its middle half
    "orderNumber": {"orderNumber": "150-0000050-0000050"},
    "buyerName": {"buyerName": "grace hopper"},
    "total": {"total": {"from": "100.5", "to": "200"}},
    "status": {"status": ["UNSHIPPED"]},
    "importState": {"importState": ["IMPORTED"]},
    "fulfillmentChannel": {"fulfillmentChannel": "AMAZON"},
}


def serve(app: Any) -> tuple[str, Callable[[], None]]:
    listener = socket.create_server(("127.0.0.1", 0))
    # Accepted connections inherit this: without it a response written in two parts waits 40 ms for an ACK.
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)

    def stop() -> None:
        server.should_exit = True
        thread.join(10)

    return f"http://127.0.0.1:{listener.getsockname()[1]}/graphql", stop


def p50(client: httpx.Client, url: str, body: dict[str, Any], samples: int, headers: dict[str, str]) -> float:
    times = []
    for _ in range(samples + 3):
        started = time.perf_counter()
        response = client.post(url, json=body, headers=headers)
        times.append(time.perf_counter() - started)
        data = response.json()
        assert "errors" not in data, json.dumps(data)[:500]
    return statistics.median(times[3:]) * 1000


@strawberry.type
class FloorMoney:
    amount: Decimal
    currency: str


@strawberry.type
class FloorItem:
    seller_sku: str
    quantity_ordered: int
    item_price: FloorMoney


@strawberry.type
class FloorOrder:
    amazon_order_id: str
    purchase_date: datetime
    status: str
    fulfillment_channel: str
    buyer_name: str
    grand_total: FloorMoney
    import_state: str
    notes: str
    items: list[FloorItem]


@strawberry.type
class FloorEdge:
    cursor: str
    node: FloorOrder


@strawberry.type
class FloorPageInfo:
    has_next_page: bool
    end_cursor: str


@strawberry.type
class FloorConnection:
    edges: list[FloorEdge]
    page_info: FloorPageInfo


_MONEY = FloorMoney(amount=Decimal("12.50"), currency="USD")
_EDGES = [
    FloorEdge(
        cursor=f"c{n}",
        node=FloorOrder(
            amazon_order_id=f"111-{n:07d}-0000000",
            purchase_date=datetime.now(UTC),
            status="UNSHIPPED",
            fulfillment_channel="MERCHANT",
            buyer_name="Ada Lovelace",
            grand_total=_MONEY,
            import_state="IMPORTED",
            notes="Imported.",
            items=[FloorItem(seller_sku="SKU-1", quantity_ordered=1, item_price=_MONEY)] * 2,
        ),
    )
    for n in range(PAGE)
]


@strawberry.type
class FloorQuery:
    @strawberry.field
    def amazon_orders(self, first: int = 10) -> FloorConnection:
        return FloorConnection(edges=_EDGES[:first], page_info=FloorPageInfo(has_next_page=True, end_cursor="c49"))


def floor_app() -> Any:
    """The same selection answered from 50 orders in memory, through the same stack (uvicorn, Starlette, strawberry
    with its parser and validation caches)."""
    schema = strawberry.Schema(
        FloorQuery, extensions=[lambda: ParserCache(maxsize=256), lambda: ValidationCache(maxsize=256)]
    )
    view: Any = GraphQL(schema, graphql_ide=None)
    return Starlette(routes=[Route("/graphql", endpoint=view, methods=["POST"])])


def depth_cursor(
    sandbox: Sandbox, url: str, client: httpx.Client, headers: dict[str, str], flt: dict[str, Any], count: int
) -> str | None:
    """The cursor N/2 results deep, read straight from the index (walking there page by page would take hours)."""
    from sqlalchemy import text

    body = {
        "query": "query($f: AmazonOrderFilter) { amazonOrders(filter: $f, first: 1) { totalCount } }",
        "variables": {"f": flt},
    }
    total = client.post(url, json=body, headers=headers).json()["data"]["amazonOrders"]["totalCount"]
    if total < 2 * PAGE or flt:
        return None if total < 2 * PAGE else _filtered_cursor(client, url, headers, flt, total)
    with sandbox.db.engine.connect() as conn:
        row = conn.execute(
            text("SELECT id, purchase_date FROM amazon_orders ORDER BY purchase_date DESC, id DESC LIMIT 1 OFFSET :k"),
            {"k": total // 2},
        ).one()
    when = datetime.fromisoformat(row.purchase_date).replace(tzinfo=UTC)
    return encode_cursor(AmazonOrderSortField.PURCHASE_DATE, True, [when], row.id)


def _filtered_cursor(client: httpx.Client, url: str, headers: dict[str, str], flt: dict[str, Any], total: int) -> str:
    """For filters, hop through pages of 100 towards the middle (bounded: at most 200 hops, then stop there)."""
    query = (
        "query($f: AmazonOrderFilter, $a: String) { amazonOrders(filter: $f, first: 100, after: $a) "
        "{ pageInfo { endCursor } } }"
    )
    after = None
    for _ in range(min(total // 2 // 100, 200)):
        page = client.post(url, json={"query": query, "variables": {"f": flt, "a": after}}, headers=headers).json()
        after = page["data"]["amazonOrders"]["pageInfo"]["endCursor"]
    return after or ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args(argv)
    if args.orders < 1000:
        parser.error("--orders must be at least 1000")
    with Sandbox() as sandbox:
        started = time.perf_counter()
        start = seed(sandbox, args.orders)
        span = timedelta(seconds=args.orders * SECONDS_APART)
        FILTERS["purchaseDate"] = {
            "purchaseDate": {"from": (start + span / 4).isoformat(), "to": (start + span * 3 / 4).isoformat()}
        }
        print(f"seeded {args.orders:,} orders in {time.perf_counter() - started:.0f} s")
        url, stop = serve(create_app(sandbox.runtime))
        floor_url, stop_floor = serve(floor_app())
        headers = {"Authorization": f"Bearer {sandbox.token('read')}"}
        query = (
            "query($f: AmazonOrderFilter, $a: String) "
            f"{{ amazonOrders(filter: $f, first: {PAGE}, after: $a) {{ {SELECTION} }} }}"
        )
        floor_query = f"{{ amazonOrders(first: {PAGE}) {{ {SELECTION} }} }}"
        # Without TCP_NODELAY every POST (headers and body in two writes) waits out the 40 ms delayed ACK.
        transport = httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
        with httpx.Client(timeout=60, transport=transport) as client:
            floor = p50(client, floor_url, {"query": floor_query}, args.samples, {})
            print(f"floor (same stack, 50 in-memory orders): p50 {floor:.2f} ms")
            print(f"{'filter':<20} {'first page':>12} {'ratio':>7} {'depth N/2':>12} {'ratio':>7}")
            for name, flt in FILTERS.items():
                first = p50(client, url, {"query": query, "variables": {"f": flt, "a": None}}, args.samples, headers)
                cursor = depth_cursor(sandbox, url, client, headers, flt, args.orders)
                deep = (
                    p50(client, url, {"query": query, "variables": {"f": flt, "a": cursor}}, args.samples, headers)
                    if cursor
                    else float("nan")
                )
                print(f"{name:<20} {first:>9.2f} ms {first / floor:>7.2f} {deep:>9.2f} ms {deep / floor:>7.2f}")
        stop()
        stop_floor()
    return 0


if __name__ == "__main__":
    sys.exit(main())
