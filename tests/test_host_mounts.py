"""A host mounts commerce_asgi_apps() as given, in its own Starlette app, and sets where its orders live."""

from __future__ import annotations

from typing import Any

import pluggy
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from channel_plugin import hookspecs
from channel_plugin.api.app import create_app
from channel_plugin.errors import ValidationError
from channel_plugin.host import ReferenceHost
from channel_plugin.plugin import INSTANCE_NAME, ORDER_URL_KEY, ChannelLauncher, ChannelPlugin
from channel_plugin.storage.crypto import generate_key
from channel_plugin.storage.db import Database
from channel_plugin.storage.tokens import create_token
from channel_plugin.testing import make_order

STORES = {"query": "{ amazonStores { id } }"}
LINK = "query($id: String!) { amazonOrder(amazonOrderId: $id) { orderLink commerceOrder { id incrementId } } }"


def started_host(tmp_path: Any, **config: str) -> tuple[ReferenceHost, ChannelPlugin]:
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    pm.register(ChannelLauncher())
    host = ReferenceHost(
        Database(f"sqlite:///{tmp_path / 'host.db'}"),
        pm,
        config={
            "channel_plugin.database_url": f"sqlite:///{tmp_path / 'plugin.db'}",
            "channel_plugin.encryption_key": generate_key(),
            **config,
        },
    )
    host.create_schema()
    host.register()
    host.start()
    channel = pm.get_plugin(INSTANCE_NAME)
    assert isinstance(channel, ChannelPlugin)
    return host, channel


def host_app(host: ReferenceHost) -> TestClient:
    """What a host writes: one Mount per entry of the mapping, in the order it came."""
    [apps] = host.pm.hook.commerce_asgi_apps()
    return TestClient(Starlette(routes=[Mount(path, app=app) for path, app in apps.items()]))


def bearer(channel: ChannelPlugin) -> dict[str, str]:
    from datetime import UTC, datetime

    with channel.runtime.db.transaction() as conn:
        token, _ = create_token(conn, "read", datetime.now(UTC))
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("path", ["/amazon/graphql", "/amazon/graphql/"])
def test_the_api_answers_post_with_and_without_the_trailing_slash(tmp_path, path):
    host, channel = started_host(tmp_path)
    response = host_app(host).post(path, json=STORES, headers=bearer(channel), follow_redirects=False)
    assert response.status_code == 200
    assert response.json() == {"data": {"amazonStores": []}}


def test_without_a_token_the_bare_path_is_the_apis_401_not_the_dashboards_405(tmp_path):
    host, _ = started_host(tmp_path)
    assert host_app(host).post("/amazon/graphql", json=STORES).status_code == 401


def test_the_dashboard_still_serves_its_pages_and_operations_beside_the_api(tmp_path):
    host, _ = started_host(tmp_path)
    client = host_app(host)
    page = client.get("/amazon/stores/1/orders")
    assert page.status_code == 200 and 'content="/amazon/graphql/"' in page.text
    operations = client.get("/amazon/operations.graphql")
    assert operations.status_code == 200 and "query" in operations.text
    assert client.get("/amazon/static/js/views/orders.js").status_code == 200


def test_a_dashboard_mounted_first_still_hands_the_api_its_path(tmp_path):
    host, channel = started_host(tmp_path)
    [apps] = host.pm.hook.commerce_asgi_apps()
    client = TestClient(Starlette(routes=[Mount(path, app=app) for path, app in reversed(apps.items())]))
    for path in ("/amazon/graphql", "/amazon/graphql/"):
        assert client.post(path, json=STORES, headers=bearer(channel)).json() == {"data": {"amazonStores": []}}


def test_an_unknown_placeholder_in_the_host_config_fails_startup_naming_the_key(tmp_path):
    with pytest.raises(ValidationError) as err:
        started_host(tmp_path, **{ORDER_URL_KEY: "/admin/orders/{entity_id}"})
    assert err.value.field == ORDER_URL_KEY and "{entity_id}" in err.value.message


def imported_order(make_sandbox: Any) -> tuple[Any, str]:
    sb = make_sandbox(catalog=[{"sku": "SKU-1", "qty": 5}])
    order = make_order(items=[("SKU-1", 1)])
    sb.amazon.put_order(order)
    sb.sync()
    return sb, order["orderId"]


def order_link(sb: Any, amazon_order_id: str, **options: Any) -> tuple[str, dict[str, str]]:
    client = TestClient(create_app(sb.runtime, **options))
    body = client.post(
        "/graphql",
        json={"query": LINK, "variables": {"id": amazon_order_id}},
        headers={"Authorization": f"Bearer {sb.token('read')}"},
    ).json()
    order = body["data"]["amazonOrder"]
    return order["orderLink"], order["commerceOrder"]


def test_order_link_defaults_to_the_admin_url_of_before(make_sandbox):
    sb, amazon_order_id = imported_order(make_sandbox)
    link, commerce = order_link(sb, amazon_order_id)
    assert link == f"/admin/sales/order/view/order_id/{commerce['id']}/"


def test_order_link_follows_the_hosts_template(make_sandbox):
    sb, amazon_order_id = imported_order(make_sandbox)
    template = "https://shop.example/admin/orders/{increment_id}?id={order_id}"
    link, commerce = order_link(sb, amazon_order_id, commerce_order_url=template)
    assert link == f"https://shop.example/admin/orders/{commerce['incrementId']}?id={commerce['id']}"
