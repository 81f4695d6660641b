"""The demo data set: a small catalog and Amazon orders in every state, run through two cron cycles."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from channel_plugin.testing import Sandbox, make_order

SYNC_EVERY_SECONDS = 15

CATALOG: list[dict[str, Any]] = [
    {"sku": "MUG-BLUE", "qty": 40, "name": "Blue enamel mug"},
    {"sku": "MUG-RED", "qty": 1, "name": "Red enamel mug"},
    {"sku": "TEE-M", "qty": 25, "name": "Organic tee, M"},
    {"sku": "TEE-L", "qty": 0, "name": "Organic tee, L"},
    {"sku": "POSTER-A2", "qty": 0, "manage_stock": False, "name": "Poster A2 (print on demand)"},
    {"sku": "LAMP-OLD", "qty": 5, "enabled": False, "name": "Desk lamp (discontinued)"},
]


def seed_orders(sandbox: Sandbox) -> dict[str, str]:
    """Orders covering every row of the creation table; returns a label per Amazon order id."""
    start = sandbox.clock.now() - timedelta(days=2)
    labels: dict[str, str] = {}

    def put(label: str, **kwargs: Any) -> None:
        kwargs.setdefault("purchase_date", start + timedelta(minutes=len(labels) * 7))
        order = make_order(**kwargs)
        sandbox.amazon.put_order(order)
        labels[order["orderId"]] = label

    put("merchant, unshipped", items=[("MUG-BLUE", 2, "14.90"), ("TEE-M", 1, "24.00")], buyer_name="Ada Lovelace")
    put("merchant, pending (reserved)", status="PENDING", items=[("TEE-M", 3, "24.00")], buyer_name="Alan Turing")
    put("merchant, pending availability", status="PENDING_AVAILABILITY", items=[("MUG-BLUE", 1, "14.90")])
    put("merchant, print on demand", items=[("POSTER-A2", 2, "9.50")], buyer_name="Grace Hopper")
    put("merchant, last unit", items=[("MUG-RED", 1, "14.90")], buyer_name="Edsger Dijkstra")
    put("merchant, out of stock", items=[("MUG-RED", 1, "14.90")], buyer_name="Barbara Liskov")
    put("merchant, unknown SKU", items=[("MUG-GREEN-FBA", 1, "14.90")], buyer_name="Ken Thompson")
    put("merchant, disabled product", items=[("LAMP-OLD", 1, "39.00")], buyer_name="Radia Perlman")
    put("merchant, size L sold out", items=[("TEE-L", 2, "24.00")], buyer_name="Donald Knuth")
    put("merchant, canceled before import", status="CANCELED", items=[("TEE-M", 1, "24.00")])
    put("Amazon-fulfilled, shipped", fulfilled_by="AMAZON", status="SHIPPED", items=[("TEE-M", 1, "24.00")])
    put("Amazon-fulfilled, unshipped", fulfilled_by="AMAZON", status="UNSHIPPED", items=[("MUG-BLUE", 1, "14.90")])
    sandbox.amazon.put_order({"orderId": "999-0000000-0000001", "createdTime": "yesterday", "orderItems": []})
    labels["999-0000000-0000001"] = "unreadable payload"
    return labels


def run_demo(echo: Callable[[str], None], *, database_url: str | None = None) -> None:
    """One sandbox, two cron cycles, a shipment and a match, narrated."""
    with Sandbox(catalog=CATALOG, store_name="Demo Store US", database_url=database_url) as sandbox:
        labels = seed_orders(sandbox)
        sandbox.sync()
        echo("After the first sync:")
        _table(sandbox, labels, echo)
        for message in sandbox.system_messages():
            echo(f"\nSystem message: {message}")

        echo("\nThe merchant matches MUG-GREEN-FBA to MUG-BLUE, and ships the first order with UPS...")
        sandbox.match_product("MUG-GREEN-FBA", "MUG-BLUE")
        first = next(iter(labels))
        view = sandbox.order(first)
        assert view is not None and view.commerce_order_id is not None
        sandbox.host.ship(view.commerce_order_id, "UPS", "1Z999AA10123456784")
        sandbox.sync()
        echo("\nAfter the second sync:")
        _table(sandbox, labels, echo)
        echo(f"\nSalable MUG-BLUE: {sandbox.host.salable_qty('MUG-BLUE')}, TEE-M: {sandbox.host.salable_qty('TEE-M')}")
        remaining = sandbox.system_messages()
        echo("\nSystem message: " + (remaining[0] if remaining else "(none)"))


def demo_app(sandbox: Sandbox) -> Any:
    """The GraphQL API (with GraphiQL) at /graphql and the admin dashboard at /dashboard/, as the demo serves them."""
    from channel_plugin.api.app import create_app
    from channel_plugin.dashboard.app import with_dashboard

    return with_dashboard(create_app(sandbox.runtime, introspection=True, graphiql=True), graphql_url="/graphql")


def serve_demo(echo: Callable[[str], None], *, port: int, database_url: str | None) -> None:
    """Seed, sync once, then serve the API with GraphiQL on 127.0.0.1 while a sync runs every few seconds."""
    import socket
    import sys
    import threading

    import uvicorn

    with Sandbox(catalog=CATALOG, store_name="Demo Store US", database_url=database_url) as sandbox:
        labels = seed_orders(sandbox)
        sandbox.sync()
        echo("Demo data after the first sync:")
        _table(sandbox, labels, echo)
        listener = socket.create_server(("127.0.0.1", port))
        # Accepted connections inherit this: without it a response written in two parts waits 40 ms for an ACK.
        listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        actual = listener.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(demo_app(sandbox), log_level="warning"))
        stop = threading.Event()
        sync_lock = threading.Lock()

        def cron() -> None:
            while not stop.wait(SYNC_EVERY_SECONDS):
                with sync_lock:
                    sandbox.sync()

        threading.Thread(target=cron, name="demo-sync", daemon=True).start()
        echo(f"\nGraphQL: http://127.0.0.1:{actual}/graphql")
        token = sandbox.token("write")
        echo(f"Token: {token}")
        echo(f"Dashboard: http://127.0.0.1:{actual}/dashboard/#token={token}")
        echo("(GraphiQL opens at that URL; send the token as 'Authorization: Bearer <token>'. Ctrl-C stops.)")
        sys.stdout.flush()
        try:
            server.run(sockets=[listener])
        finally:
            stop.set()


def _table(sandbox: Sandbox, labels: dict[str, str], echo: Callable[[str], None]) -> None:
    echo(f"  {'Amazon order':<21} {'case':<33} {'status':<19} {'import':<9} notes")
    for order_id, label in labels.items():
        view = sandbox.order(order_id)
        if view is None:
            echo(f"  {order_id:<21} {label:<33} (not stored)")
            continue
        echo(f"  {order_id:<21} {label:<33} {view.status.value:<19} {view.import_state.value:<9} {view.notes}")
