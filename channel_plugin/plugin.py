"""The plugin object a host loads (entry point ``commerce.plugins``): lifecycle hooks in, engine calls out."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import pluggy

from channel_plugin.amazon.blocking import SpApiClients
from channel_plugin.amazon.client import MarketplaceClient
from channel_plugin.clock import utcnow
from channel_plugin.domain.model import AmazonOrder, CommerceOrderDraft, Shipment
from channel_plugin.domain.settings import OrderSettings
from channel_plugin.engine import admin, fulfillment, sync
from channel_plugin.engine.runtime import Runtime
from channel_plugin.errors import ValidationError
from channel_plugin.hookspecs import hookimpl
from channel_plugin.links import order_url_problem
from channel_plugin.storage.crypto import BuyerDataCipher
from channel_plugin.storage.db import Database
from channel_plugin.storage.migrate import upgrade
from channel_plugin.storage.stores import StoreRecord

log = logging.getLogger("channel_plugin")

CONFIG_KEYS = {
    "database_url": "CHANNEL_PLUGIN_DATABASE_URL",
    "encryption_key": "CHANNEL_PLUGIN_ENCRYPTION_KEY",
}
ORDER_URL_KEY = "channel_plugin.commerce_order_url"
"""Host config key: the host admin's Commerce order URL template; wins over ``[links]`` in plugin.toml."""


class ChannelPlugin:
    """Holds the plugin's runtime once the host has started it; every hook delegates to the engine."""

    def __init__(self) -> None:
        self._runtime: Runtime | None = None
        self._commerce_order_url: str | None = None
        self.last_results: list[sync.StoreSyncResult] = []

    @property
    def runtime(self) -> Runtime:
        if self._runtime is None:
            raise RuntimeError(
                "the Amazon order channel is not started: the host must fire commerce_startup(host) first"
            )
        return self._runtime

    def configure(
        self,
        *,
        db: Database,
        pm: pluggy.PluginManager,
        cipher: BuyerDataCipher,
        clock: Callable[[], datetime] = utcnow,
        marketplace_for: Callable[[StoreRecord], MarketplaceClient] | None = None,
        default_settings: OrderSettings | None = None,
        cron_interval_seconds: int = 300,
        migrate: bool = True,
    ) -> Runtime:
        if migrate:
            upgrade(db)
        self._runtime = Runtime(
            db=db,
            pm=pm,
            cipher=cipher,
            clock=clock,
            marketplace_for=marketplace_for or SpApiClients(cipher),
            default_settings=default_settings or OrderSettings(),
            cron_interval_seconds=cron_interval_seconds,
        )
        return self._runtime

    @hookimpl
    def commerce_startup(self, host: Any) -> None:
        if self._runtime is not None:
            return
        config: Mapping[str, str] = getattr(host, "config", None) or {}
        values = {}
        for key, env in CONFIG_KEYS.items():
            value = config.get(f"channel_plugin.{key}") or os.environ.get(env)
            if not value:
                raise ValidationError(
                    f"channel_plugin.{key}", f"is required (host config key or the {env} environment variable)"
                )
            values[key] = value
        order_url = config.get(ORDER_URL_KEY)
        if order_url is not None and (problem := order_url_problem(order_url)) is not None:
            raise ValidationError(ORDER_URL_KEY, problem)
        self._commerce_order_url = order_url
        pm = getattr(host, "pm", None)
        if pm is None:
            raise ValidationError("host.pm", "the host object must expose its plugin manager as `pm`")
        self.configure(
            db=Database(values["database_url"]), pm=pm, cipher=BuyerDataCipher.from_config(values["encryption_key"])
        )

    @hookimpl
    def commerce_cron(self, now: datetime) -> None:
        self.last_results = sync.run_cron(self.runtime, now)

    def sync_now(
        self,
        *,
        since: datetime | None = None,
        store_ids: list[int] | None = None,
        progress: sync.Progress | None = None,
    ) -> list[sync.StoreSyncResult]:
        """A cron cycle on demand (``channel-plugin sync``); ``since`` re-reads Amazon from then on (a backfill)."""
        self.last_results = sync.run_cron(self.runtime, since=since, store_ids=store_ids, progress=progress)
        return self.last_results

    @hookimpl
    def commerce_shipment_created(self, order_id: str, shipment: Shipment) -> None:
        fulfillment.on_shipment_created(self.runtime, order_id, shipment)

    @hookimpl
    def commerce_order_canceled(self, order_id: str) -> None:
        admin.on_host_canceled(self.runtime, order_id)

    @hookimpl
    def commerce_product_saved(self, sku: str) -> None:
        admin.on_catalog_change(self.runtime, sku)

    @hookimpl
    def commerce_stock_changed(self, sku: str) -> None:
        admin.on_catalog_change(self.runtime, sku)

    @hookimpl
    def commerce_asgi_apps(self) -> Mapping[str, Any]:
        """The GraphQL API and the admin dashboard, mounted where the manifest says (``[graphql] path``,
        ``[dashboard] path``); introspection off. The API comes first: its path may lie under the dashboard's."""
        from channel_plugin.api.app import create_app
        from channel_plugin.dashboard.app import create_dashboard_app
        from channel_plugin.dashboard.mounts import mounted_apps
        from channel_plugin.manifest import load_manifest

        manifest = load_manifest()
        order_url = self._commerce_order_url or manifest.commerce_order_url
        return mounted_apps(
            api=create_app(self.runtime, path="/", commerce_order_url=order_url),
            api_path=manifest.graphql_path,
            dashboard=create_dashboard_app(graphql_url=manifest.graphql_path.rstrip("/") + "/"),
            dashboard_path=manifest.dashboard_path,
        )

    @hookimpl(trylast=True)
    def channel_build_order(self, order: AmazonOrder, draft: CommerceOrderDraft) -> CommerceOrderDraft:
        return draft


plugin = ChannelPlugin()
