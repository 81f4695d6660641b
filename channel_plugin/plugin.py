"""What a host loads (entry point ``commerce.plugins``): a launcher that gives every host its own plugin instance.

The entry point is one object per process, but a process may run several hosts (two plugin managers, or a host
restarted by a test): each ``commerce_startup(host)`` creates a fresh ``ChannelPlugin`` bound to that host's
database and manager, and ``commerce_shutdown()`` releases it, so nothing one host started leaks into another.
"""

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


INSTANCE_NAME = "amazon_order_channel.instance"
"""The name a host's own plugin instance is registered under on its manager (``pm.get_plugin(INSTANCE_NAME)``)."""


class ChannelPlugin:
    """One host's plugin: holds the runtime once started; every hook delegates to the engine.

    The launcher creates one per ``commerce_startup``; the Sandbox, the embedded server and the demo create and
    register their own and call ``configure`` with what they already hold.
    """

    def __init__(self) -> None:
        self._runtime: Runtime | None = None
        self._pm: pluggy.PluginManager | None = None
        self._release: list[Callable[[], None]] = []
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
        self._pm = pm
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

    def start(self, host: Any) -> Runtime:
        """Configure from the host's ``config`` (or the environment), owning the database and SP-API clients it
        opens: ``commerce_shutdown`` releases them."""
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
        cipher = BuyerDataCipher.from_config(values["encryption_key"])
        db = Database(values["database_url"])
        clients = SpApiClients(cipher)
        self._release = [clients.close, db.dispose]
        try:
            return self.configure(db=db, pm=pm, cipher=cipher, marketplace_for=clients)
        except BaseException:
            self._close()
            raise

    @hookimpl
    def commerce_shutdown(self) -> None:
        """Release what ``start`` opened and leave the host's manager, so a later startup begins afresh."""
        pm, self._runtime, self._pm = self._pm, None, None
        self._close()
        if pm is not None and pm.is_registered(self):
            pm.unregister(self)

    def _close(self) -> None:
        release, self._release = self._release, []
        for close in release:
            close()

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


class ChannelLauncher:
    """The entry point object: starts one ``ChannelPlugin`` per host and registers it on that host's manager.

    It holds no state of its own (a host's instance is found on its manager), so any number of hosts in one
    process stay apart. Registering during ``commerce_startup`` is safe: pluggy calls a copy of the hook's
    implementations, so the new instance is not called for the startup that created it.
    """

    @hookimpl
    def commerce_startup(self, host: Any) -> None:
        """Start this host's instance; a second startup before ``commerce_shutdown`` raises RuntimeError."""
        pm = getattr(host, "pm", None)
        if pm is None:
            raise ValidationError("host.pm", "the host object must expose its plugin manager as `pm`")
        if pm.get_plugin(INSTANCE_NAME) is not None:
            raise RuntimeError(
                "the Amazon order channel is already started on this host: fire commerce_shutdown() before "
                "starting it again"
            )
        instance = ChannelPlugin()
        instance.start(host)
        pm.register(instance, name=INSTANCE_NAME)


plugin = ChannelLauncher()
"""What ``commerce.plugins`` -> ``channel_plugin.plugin:plugin`` loads."""
