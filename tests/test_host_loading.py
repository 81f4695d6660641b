"""How a real host meets the plugin: entry point, manifest, commerce_startup with its configuration."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib.metadata import entry_points

import pluggy
import pytest
from sqlalchemy import inspect

from channel_plugin import hookspecs
from channel_plugin.domain.settings import OrderSettings
from channel_plugin.errors import ValidationError
from channel_plugin.host import ReferenceHost
from channel_plugin.manager import get_plugin_manager
from channel_plugin.plugin import ChannelPlugin, plugin
from channel_plugin.storage.crypto import generate_key
from channel_plugin.storage.db import Database
from channel_plugin.storage.stores import add_store


def test_the_entry_point_names_the_plugin_object():
    [ep] = [ep for ep in entry_points(group="commerce.plugins") if ep.name == "amazon_order_channel"]
    assert ep.load() is plugin


def test_get_plugin_manager_loads_it_and_its_hooks_match_the_specs():
    pm = get_plugin_manager()
    assert pm.get_plugin("amazon_order_channel") is plugin
    assert [impl.plugin for impl in pm.hook.commerce_cron.get_hookimpls()] == [plugin]


def _host(tmp_path, config):
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    channel = ChannelPlugin()
    pm.register(channel)
    db = Database(f"sqlite:///{tmp_path / 'host.db'}")
    host = ReferenceHost(db, pm, config=config)
    host.create_schema()
    host.register()
    return host, channel, db


@pytest.mark.parametrize("missing", ["channel_plugin.database_url", "channel_plugin.encryption_key"])
def test_startup_without_configuration_names_the_missing_key(tmp_path, monkeypatch, missing):
    monkeypatch.delenv("CHANNEL_PLUGIN_DATABASE_URL", raising=False)
    monkeypatch.delenv("CHANNEL_PLUGIN_ENCRYPTION_KEY", raising=False)
    config = {
        "channel_plugin.database_url": f"sqlite:///{tmp_path / 'p.db'}",
        "channel_plugin.encryption_key": generate_key(),
    }
    del config[missing]
    host, _channel, _ = _host(tmp_path, config)
    with pytest.raises(ValidationError) as err:
        host.start()
    assert err.value.field == missing


def test_a_bad_encryption_key_is_refused_at_startup(tmp_path):
    host, _, _ = _host(
        tmp_path,
        {"channel_plugin.database_url": f"sqlite:///{tmp_path / 'p.db'}", "channel_plugin.encryption_key": "not-a-key"},
    )
    with pytest.raises(ValidationError) as err:
        host.start()
    assert err.value.field == "encryption_key"


def test_startup_migrates_and_a_store_without_amazon_credentials_fails_alone(tmp_path):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    host, channel, _ = _host(
        tmp_path, {"channel_plugin.database_url": url, "channel_plugin.encryption_key": generate_key()}
    )
    host.start()
    db = channel.runtime.db
    assert "amazon_orders" in inspect(db.engine).get_table_names()
    from datetime import UTC, datetime

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
    host, channel, _ = _host(
        tmp_path, {"channel_plugin.database_url": url, "channel_plugin.encryption_key": generate_key()}
    )
    host.start()
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
