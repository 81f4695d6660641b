"""How a real host meets the plugin: entry point, manifest, commerce_startup with its configuration, one plugin
instance per host, and commerce_shutdown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from importlib.metadata import entry_points
from typing import Any, ClassVar

import pluggy
import pytest
from sqlalchemy import inspect

from channel_plugin import hookspecs
from channel_plugin import plugin as plugin_module
from channel_plugin.amazon.marketplace import FakeMarketplace
from channel_plugin.clock import ManualClock
from channel_plugin.domain.enums import ImportState
from channel_plugin.domain.settings import OrderSettings
from channel_plugin.errors import ValidationError
from channel_plugin.host import ReferenceHost
from channel_plugin.manager import get_plugin_manager
from channel_plugin.plugin import INSTANCE_NAME, ChannelLauncher, ChannelPlugin, plugin
from channel_plugin.storage.crypto import generate_key
from channel_plugin.storage.db import Database
from channel_plugin.storage.stores import StoreRecord, add_store
from channel_plugin.testing import make_order


def test_the_entry_point_names_the_launcher():
    [ep] = [ep for ep in entry_points(group="commerce.plugins") if ep.name == "amazon_order_channel"]
    assert ep.load() is plugin
    assert isinstance(plugin, ChannelLauncher)


def test_get_plugin_manager_loads_the_launcher_and_a_started_host_gets_its_own_instance(tmp_path):
    pm = get_plugin_manager()
    assert pm.get_plugin("amazon_order_channel") is plugin
    assert pm.hook.commerce_cron.get_hookimpls() == []  # nothing runs before the host starts it
    host = ReferenceHost(Database(f"sqlite:///{tmp_path / 'host.db'}"), pm, config=_config(tmp_path / "p.db"))
    host.create_schema()
    host.register()
    host.start()
    instance = pm.get_plugin(INSTANCE_NAME)
    assert isinstance(instance, ChannelPlugin)
    assert [impl.plugin for impl in pm.hook.commerce_cron.get_hookimpls()] == [instance]
    host.stop()


def _config(path):
    return {"channel_plugin.database_url": f"sqlite:///{path}", "channel_plugin.encryption_key": generate_key()}


def _host(tmp_path, config, name="host"):
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    pm.register(ChannelLauncher(), name="amazon_order_channel")
    db = Database(f"sqlite:///{tmp_path / f'{name}.db'}")
    host = ReferenceHost(db, pm, config=config)
    host.create_schema()
    host.register()
    return host, db


def _instance(host: ReferenceHost) -> ChannelPlugin:
    instance = host.pm.get_plugin(INSTANCE_NAME)
    assert isinstance(instance, ChannelPlugin), "the host has no started plugin instance"
    return instance


@pytest.mark.parametrize("missing", ["channel_plugin.database_url", "channel_plugin.encryption_key"])
def test_startup_without_configuration_names_the_missing_key(tmp_path, monkeypatch, missing):
    monkeypatch.delenv("CHANNEL_PLUGIN_DATABASE_URL", raising=False)
    monkeypatch.delenv("CHANNEL_PLUGIN_ENCRYPTION_KEY", raising=False)
    config = {
        "channel_plugin.database_url": f"sqlite:///{tmp_path / 'p.db'}",
        "channel_plugin.encryption_key": generate_key(),
    }
    del config[missing]
    host, _ = _host(tmp_path, config)
    with pytest.raises(ValidationError) as err:
        host.start()
    assert err.value.field == missing


def test_a_bad_encryption_key_is_refused_at_startup(tmp_path):
    host, _ = _host(
        tmp_path,
        {"channel_plugin.database_url": f"sqlite:///{tmp_path / 'p.db'}", "channel_plugin.encryption_key": "not-a-key"},
    )
    with pytest.raises(ValidationError) as err:
        host.start()
    assert err.value.field == "encryption_key"


def test_startup_migrates_and_a_store_without_amazon_credentials_fails_alone(tmp_path):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    host, _ = _host(tmp_path, {"channel_plugin.database_url": url, "channel_plugin.encryption_key": generate_key()})
    host.start()
    channel = _instance(host)
    db = channel.runtime.db
    assert "amazon_orders" in inspect(db.engine).get_table_names()
    with db.transaction() as conn:
        add_store(
            conn,
            name="EU",
            seller_id="A1",
            marketplace_id="A1PA6795UKMFR9",
            region="EU",
            website="base",
            integrated_at=datetime(2026, 1, 1, tzinfo=UTC),
            settings=OrderSettings(),
            now=datetime.now(UTC),
        )
    host.run_cron()
    [result] = channel.last_results
    assert "store 1 (EU) has no Amazon credentials: add them with `channel-plugin store add`" in result.error


def test_the_host_mounts_the_api_the_plugin_hands_it(tmp_path):
    from starlette.applications import Starlette
    from starlette.routing import Mount
    from starlette.testclient import TestClient

    from channel_plugin.storage.tokens import create_token

    url = f"sqlite:///{tmp_path / 'p.db'}"
    host, _ = _host(tmp_path, {"channel_plugin.database_url": url, "channel_plugin.encryption_key": generate_key()})
    host.start()
    channel = _instance(host)
    [apps] = host.pm.hook.commerce_asgi_apps()
    assert list(apps) == ["/amazon/graphql", "/amazon"]
    path, app = "/amazon/graphql", apps["/amazon/graphql"]
    with channel.runtime.db.transaction() as conn:
        token, _ = create_token(conn, "read", datetime.now(UTC))
    client = TestClient(Starlette(routes=[Mount(path, app=app)]))
    body = client.post(
        path + "/", json={"query": "{ amazonStores { id } }"}, headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert body == {"data": {"amazonStores": []}}
    host_app = TestClient(Starlette(routes=[Mount(p, app=a) for p, a in apps.items()]))
    page = host_app.get("/amazon/stores/1")
    assert page.status_code == 200 and 'content="/amazon/graphql/"' in page.text and 'href="/amazon/"' in page.text


class _Marketplaces:
    """Stands in for the SP-API clients a started instance opens: each seller id has its own fake marketplace."""

    markets: ClassVar[dict[str, FakeMarketplace]] = {}
    closed: ClassVar[list[_Marketplaces]] = []

    def __init__(self, _cipher: Any) -> None:
        pass

    def __call__(self, store: StoreRecord) -> FakeMarketplace:
        return self.markets[store.seller_id]

    def close(self) -> None:
        self.closed.append(self)


@pytest.fixture
def marketplaces(monkeypatch):
    monkeypatch.setattr(_Marketplaces, "markets", {})
    monkeypatch.setattr(_Marketplaces, "closed", [])
    monkeypatch.setattr(plugin_module, "SpApiClients", _Marketplaces)
    return _Marketplaces


def _store_with_an_order(host: ReferenceHost, seller_id: str, sku: str, markets: dict[str, FakeMarketplace]) -> str:
    """One store on the host's plugin database, and one UNSHIPPED order for it on its own marketplace."""
    now = datetime.now(UTC)
    clock = ManualClock(now - timedelta(hours=1))
    market = markets[seller_id] = FakeMarketplace(clock)
    host.add_product(sku, qty=5)
    with _instance(host).runtime.db.transaction() as conn:
        add_store(
            conn,
            name=seller_id,
            seller_id=seller_id,
            marketplace_id="ATVPDKIKX0DER",
            region="NA",
            website="base",
            integrated_at=now - timedelta(days=30),
            settings=OrderSettings(),
            now=now,
        )
    order_id = market.put_order(make_order(items=[(sku, 1)], purchase_date=now - timedelta(hours=2)))
    clock.advance(7200)  # Amazon's clock ahead of the host's cron: the order is old enough to be searched
    return order_id


def _imported(host: ReferenceHost) -> dict[str, str | None]:
    """Amazon order id -> import state, read from the plugin database this host's instance uses."""
    from channel_plugin.storage.tables import amazon_orders

    with _instance(host).runtime.db.transaction(write=False) as conn:
        rows = conn.execute(amazon_orders.select()).mappings().all()
    return {r["amazon_order_id"]: r["import_state"] for r in rows}


def test_two_hosts_in_one_process_each_import_into_their_own_database(tmp_path, marketplaces):
    # The reference host joins the plugin's unit of work, so each host's tables sit in its plugin's database.
    first, _ = _host(tmp_path, _config(tmp_path / "host-1.db"), name="host-1")
    second, _ = _host(tmp_path, _config(tmp_path / "host-2.db"), name="host-2")
    first.start()
    second.start()
    assert _instance(first) is not _instance(second)
    order_1 = _store_with_an_order(first, "SELLER1", "MUG", marketplaces.markets)
    order_2 = _store_with_an_order(second, "SELLER2", "CUP", marketplaces.markets)

    first.run_cron()
    second.run_cron()

    assert _imported(first) == {order_1: ImportState.IMPORTED.value}
    assert _imported(second) == {order_2: ImportState.IMPORTED.value}
    assert [o.amazon_order_id for o in first.orders()] == [order_1]
    assert [o.amazon_order_id for o in second.orders()] == [order_2]
    first.stop()
    second.stop()


def test_a_host_starts_stops_and_starts_again_with_a_fresh_instance(tmp_path, marketplaces):
    host, _ = _host(tmp_path, _config(tmp_path / "host.db"))
    host.start()
    before = _instance(host)
    order_id = _store_with_an_order(host, "SELLER1", "MUG", marketplaces.markets)

    host.stop()
    assert host.pm.get_plugin(INSTANCE_NAME) is None
    assert not host.pm.is_registered(before)
    assert len(marketplaces.closed) == 1  # the SP-API clients it opened were closed
    with pytest.raises(RuntimeError, match="not started"):
        before.runtime  # noqa: B018 - reading it is the check
    host.run_cron()  # a stopped host's cron reaches no plugin
    assert _imported_after_restart(host) == {order_id: ImportState.IMPORTED.value}


def _imported_after_restart(host: ReferenceHost) -> dict[str, str | None]:
    host.start()
    host.run_cron()
    return _imported(host)


def test_a_second_startup_without_a_shutdown_is_refused_and_the_running_instance_stays(tmp_path, marketplaces):
    host, _ = _host(tmp_path, _config(tmp_path / "host.db"))
    host.start()
    running = _instance(host)
    with pytest.raises(RuntimeError, match=r"already started on this host: fire commerce_shutdown\(\)"):
        host.start()
    assert _instance(host) is running
    order_id = _store_with_an_order(host, "SELLER1", "MUG", marketplaces.markets)
    host.run_cron()
    assert _imported(host) == {order_id: ImportState.IMPORTED.value}
