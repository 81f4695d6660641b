"""The integrator test harness: the reference host, a fake Amazon marketplace and the plugin, wired in-process.

    with Sandbox(catalog=[{"sku": "ABC", "qty": 5}]) as sandbox:
        sandbox.amazon.put_order(make_order(items=[("ABC", 2)]))
        sandbox.sync()
        assert sandbox.order(...).import_state == "IMPORTED"

Everything runs on a fresh database (a temporary SQLite file, or a fresh schema in the PostgreSQL database named by
``database_url``) and nothing listens on a port: the store's real SP-API client talks to the fake SP-API server
(``sandbox.amazon_server``, with its ``faults``) through an in-process transport, and waiting (rate limits,
backoff) moves the sandbox clock instead of sleeping.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

import httpx
import pluggy
from sqlalchemy import text

from channel_plugin import hookspecs
from channel_plugin.amazon.blocking import SpApiClients
from channel_plugin.amazon.fake_server import FakeAmazon
from channel_plugin.amazon.marketplace import FakeMarketplace
from channel_plugin.amazon.spapi import SpApiClient
from channel_plugin.amazon.timing import ManualTimer
from channel_plugin.clock import ManualClock
from channel_plugin.domain.enums import CancelReason
from channel_plugin.domain.model import StoredOrderView
from channel_plugin.domain.settings import OrderSettings, coerce_settings
from channel_plugin.engine import admin
from channel_plugin.engine.importer import PageResult
from channel_plugin.engine.reconcile import reconcile_store_id
from channel_plugin.engine.runtime import Runtime
from channel_plugin.engine.sync import StoreSyncResult
from channel_plugin.host import ReferenceHost
from channel_plugin.plugin import ChannelPlugin
from channel_plugin.sandbox_database import migrated_postgres_schema, migrated_sqlite
from channel_plugin.storage.crypto import BuyerDataCipher, generate_key
from channel_plugin.storage.db import Database
from channel_plugin.storage.migrate import upgrade
from channel_plugin.storage.reconciliation import DayReport
from channel_plugin.storage.stores import StoreRecord, add_store
from channel_plugin.storage.tokens import create_token
from channel_plugin.storage.views import order_view, system_messages

__all__ = ["HostFactory", "Sandbox", "SandboxHost", "make_order"]

SANDBOX_CREDENTIALS = {
    "client_id": "amzn1.application-oa2-client.sandbox",
    "client_secret": "sandbox-client-secret",
    "refresh_token": "Atzr|sandbox-refresh-token",
}

_order_numbers = itertools.count(1)


def make_order(
    order_id: str | None = None,
    *,
    status: str = "UNSHIPPED",
    items: Sequence[tuple[str, int] | tuple[str, int, str]] = (("SKU-1", 1),),
    fulfilled_by: str = "MERCHANT",
    purchase_date: datetime | None = None,
    currency: str = "USD",
    buyer_name: str | None = "Jane Doe",
    buyer_email: str | None = "jane.doe@marketplace.amazon.com",
    ship_to: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """An order in Orders API v2026-01-01 shape; items are (seller SKU, quantity[, unit price])."""
    number = next(_order_numbers)
    order_id = order_id or f"111-{number:07d}-{uuid.uuid4().int % 10_000_000:07d}"
    when = (purchase_date or datetime(2026, 1, 15, 11, 0)).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = []
    total = Decimal(0)
    for index, item in enumerate(items):
        sku, qty = item[0], item[1]
        price = str(item[2]) if len(item) > 2 else "10.00"
        total += qty * Decimal(price)
        lines.append(
            {
                "orderItemId": f"{order_id.replace('-', '')}{index}",
                "quantityOrdered": qty,
                "product": {
                    "sellerSku": sku,
                    "asin": f"B0{index:08d}",
                    "title": f"Product {sku}",
                    "price": {"unitPrice": {"amount": str(price), "currencyCode": currency}},
                },
                "fulfillment": {"quantityFulfilled": 0, "quantityUnfulfilled": qty},
            }
        )
    order: dict[str, Any] = {
        "orderId": order_id,
        "createdTime": when,
        "lastUpdatedTime": when,
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": "ATVPDKIKX0DER"},
        "fulfillment": {
            "fulfillmentStatus": status,
            "fulfilledBy": fulfilled_by,
            "fulfillmentServiceLevel": "STANDARD",
        },
        "proceeds": {"grandTotal": {"amount": str(total), "currencyCode": currency}},
        "orderItems": lines,
    }
    if fulfilled_by == "MERCHANT":
        order["buyer"] = {k: v for k, v in (("buyerName", buyer_name), ("buyerEmail", buyer_email)) if v}
        order["recipient"] = {
            "deliveryAddress": dict(
                ship_to
                or {
                    "name": buyer_name or "Recipient",
                    "addressLine1": "1 Main St",
                    "city": "Seattle",
                    "stateOrRegion": "WA",
                    "postalCode": "98101",
                    "countryCode": "US",
                    "phone": "+1 206 555 0100",
                }
            )
        }
    return order


class SandboxHost(Protocol):
    """What the Sandbox itself needs of a host; the tests that drive it use the rest of its admin surface."""

    def create_schema(self) -> None: ...

    def register(self) -> None: ...

    def add_product(
        self, sku: str, qty: int = 0, enabled: bool = True, manage_stock: bool = True, name: str | None = None
    ) -> None: ...

    def run_cron(self, now: datetime | None = None) -> None: ...


HostFactory = Callable[[Database, pluggy.PluginManager, ManualClock], SandboxHost]
"""Builds the Sandbox's host from the plugin's database (which a host with its own storage ignores), the plugin
manager and the sandbox clock."""


class Sandbox:
    """The reference host, the fake marketplace and the plugin on a fresh database, with one Amazon store.

    ``host``: a factory for another host instead of the reference host, e.g. one whose orders live in its own
    database; ``sandbox.host`` is then what it built.
    """

    def __init__(
        self,
        catalog: Iterable[Mapping[str, Any]] = (),
        settings: Mapping[str, Any] | None = None,
        integrated_at: datetime | None = None,
        database_url: str | None = None,
        *,
        start: datetime | None = None,
        store_name: str = "Sandbox US",
        encryption_key: str | None = None,
        host: HostFactory | None = None,
    ) -> None:
        self.clock = ManualClock(start)
        self._host_factory = host
        self._catalog = [dict(p) for p in catalog]
        self._settings = coerce_settings(settings or {})
        self._integrated_at = integrated_at or self.clock.now() - timedelta(days=30)
        self._database_url = database_url
        self._store_name = store_name
        self.encryption_key = encryption_key or generate_key()
        self._tmp: Path | None = None
        self._schema: str | None = None
        self.pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self.plugin = ChannelPlugin()
        self.amazon = FakeMarketplace(self.clock)
        self.amazon_server = FakeAmazon(self.amazon, credentials=SANDBOX_CREDENTIALS)
        self.timer = ManualTimer(self.clock)
        self._clients: SpApiClients | None = None
        self._client: Any = None
        self._write_token: str | None = None

    def __enter__(self) -> Sandbox:
        self.db = self._open_database()
        # Any: the reference host (the documented ``sandbox.host``) unless a ``host`` factory built another.
        cipher = BuyerDataCipher([self.encryption_key])
        self.host: Any = (
            ReferenceHost(self.db, self.pm, clock=self.clock, cipher=cipher)
            if self._host_factory is None
            else self._host_factory(self.db, self.pm, self.clock)
        )
        self.host.create_schema()
        self.host.register()
        self.runtime: Runtime = self._start_plugin(cipher)
        self.store: StoreRecord = self.add_store(self._store_name, integrated_at=self._integrated_at)
        if self._settings != OrderSettings():
            self.update_settings(**self._settings.as_dict())
        for product in self._catalog:
            self.host.add_product(**product)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self.runtime.jobs.shutdown()  # a background sync must not outlive its database
        if self._client is not None:
            self._client.close()
        if self._clients is not None:
            self._clients.close()
        if self._schema is not None:
            with self.db.engine.connect() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{self._schema}" CASCADE'))
                conn.commit()
        self.db.dispose()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def _start_plugin(self, cipher: BuyerDataCipher) -> Runtime:
        self.pm.register(self.plugin, name="amazon_order_channel")
        self._clients = SpApiClients(
            cipher, timer=self.timer, transport=httpx.ASGITransport(app=self.amazon_server.app), seed=0
        )
        return self.plugin.configure(
            db=self.db,
            pm=self.pm,
            cipher=cipher,
            clock=self.clock,
            marketplace_for=self._clients,
            default_settings=self._settings,
            migrate=False,  # _open_database hands over a migrated database
        )

    def add_store(
        self,
        name: str,
        *,
        marketplace_id: str = "ATVPDKIKX0DER",
        region: str = "NA",
        integrated_at: datetime | None = None,
        credentials: Mapping[str, str] | None = None,
    ) -> StoreRecord:
        """Another Amazon store of the sandbox's seller (the first is ``sandbox.store``), for multi-store tests;
        it integrates when the first did unless told otherwise, with the sandbox's LWA credentials by default."""
        with self.db.transaction() as conn:
            return add_store(
                conn,
                name=name,
                seller_id="A2SANDBOXSELLER",
                marketplace_id=marketplace_id,
                region=region,
                website="base",
                integrated_at=integrated_at or self.store.integrated_at,
                settings=OrderSettings(),
                now=self.clock.now(),
                credentials=self.runtime.cipher.encrypt(dict(credentials or SANDBOX_CREDENTIALS)),
            )

    def restart(self) -> None:
        """Start the plugin afresh on the same database, as a new host process would: nothing it held in memory
        (SP-API clients, access tokens, rate buckets) survives, and nothing it stored is lost."""
        if self._clients is not None:
            self._clients.close()
        if self._client is not None:
            self._client.close()
            self._client = None
        self.pm.unregister(self.plugin)
        cipher = self.runtime.cipher
        self.plugin = ChannelPlugin()
        self.runtime = self._start_plugin(cipher)

    def _open_database(self) -> Database:
        """A fresh, migrated database: copies of a per-process template, so Alembic runs once per process."""
        if self._database_url is None:
            self._tmp = Path(tempfile.mkdtemp(prefix="channel-sandbox-"))
            return migrated_sqlite(self._tmp / "sandbox.db")
        if self._database_url.startswith("sqlite"):
            db = Database(self._database_url)
            upgrade(db)  # the caller's own file, perhaps not empty: migrate it in place
            return db
        self._schema = f"sandbox_{uuid.uuid4().hex[:12]}"
        return migrated_postgres_schema(self._database_url, self._schema)

    @property
    def schema(self) -> str | None:
        """The PostgreSQL schema this sandbox lives in (None on SQLite): what another process needs to join it."""
        return self._schema

    def sync(self) -> list[StoreSyncResult]:
        """One cron cycle, after moving the clock on by the cron interval (so all orders put so far are visible)."""
        now = self.clock.advance(self.runtime.cron_interval_seconds)
        self.host.run_cron(now)
        return self.plugin.last_results

    def reconcile(self, days: int = 1) -> list[DayReport]:
        """Re-read the last ``days`` UTC days from Amazon now (no clock move), as the daily pass does; newest first."""
        return reconcile_store_id(self.runtime, self.store.id, days)

    @property
    def amazon_client(self) -> SpApiClient | None:
        """The store's SP-API client once a sync has used it: its ``calls``, ``limits`` and ``tokens``."""
        return self._clients.client(self.store.id) if self._clients else None

    def update_settings(self, **settings: Any) -> OrderSettings:
        return admin.update_settings(self.runtime, self.store.id, settings)

    def order(self, amazon_order_id: str) -> StoredOrderView | None:
        with self.db.transaction(write=False) as conn:
            return order_view(conn, self.store.id, amazon_order_id, self.runtime.cipher)

    def system_messages(self) -> list[str]:
        with self.db.transaction(write=False) as conn:
            return system_messages(conn)

    def retry(self, amazon_order_ids: Sequence[str] | None = None) -> PageResult:
        return admin.retry_orders(self.runtime, self.store.id, amazon_order_ids)

    def match_product(self, seller_sku: str, product_sku: str) -> PageResult:
        return admin.match_product(self.runtime, self.store.id, seller_sku, product_sku)

    def cancel(self, amazon_order_id: str, reason: CancelReason | str = CancelReason.NO_INVENTORY) -> None:
        admin.cancel_order(self.runtime, self.store.id, amazon_order_id, reason)

    def token(self, scope: str = "write") -> str:
        """A fresh API token with the ``"read"`` or ``"write"`` scope."""
        with self.db.transaction() as conn:
            token, _ = create_token(conn, scope, self.clock.now(), label="sandbox")
        return token

    def graphql(self, query: str, variables: Mapping[str, Any] | None = None, token: str | None = None) -> Any:
        """POST through the real ASGI app: a write token when ``token`` is None, no Authorization header when
        it is ``""``, else ``Bearer <token>``. Returns the decoded JSON body, whatever the status."""
        if self._client is None:
            from starlette.testclient import TestClient

            from channel_plugin.api.app import create_app

            self._client = TestClient(create_app(self.runtime, introspection=True))
        if token is None:
            token = self._write_token = self._write_token or self.token("write")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self._client.post(
            "/graphql", json={"query": query, "variables": dict(variables or {})}, headers=headers
        )
        return response.json()
