"""A host written from the README alone, run against the installed wheel from outside any checkout.

It loads the plugin through its ``commerce.plugins`` entry point, starts it with its own configuration, mounts
``commerce_asgi_apps()`` in its own Starlette app and POSTs a query to the manifest's GraphQL path exactly as the
manifest spells it (no trailing slash). Exit code 0 when data comes back; otherwise the reason, and 1.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import httpx
import pluggy
from starlette.applications import Starlette
from starlette.routing import Mount

import channel_plugin
from channel_plugin.manager import get_plugin_manager
from channel_plugin.manifest import load_manifest
from channel_plugin.storage.crypto import generate_key


@dataclass
class Host:
    """All the plugin asks of a host at start-up: its configuration and its plugin manager."""

    pm: pluggy.PluginManager
    config: dict[str, str] = field(default_factory=dict)


def fail(message: str) -> NoReturn:
    print(f"host check: {message}", file=sys.stderr)
    raise SystemExit(1)


def main() -> None:
    where = Path(channel_plugin.__file__).resolve()
    if "site-packages" not in where.parts:
        fail(f"channel_plugin was imported from {where}, not from the installed wheel")
    url = f"sqlite:///{Path.cwd() / 'host-check.db'}"
    pm = get_plugin_manager()
    if pm.get_plugin("amazon_order_channel") is None:
        fail("the commerce.plugins entry point amazon_order_channel did not load")
    host = Host(pm, {"channel_plugin.database_url": url, "channel_plugin.encryption_key": generate_key()})
    pm.hook.commerce_startup(host=host)

    cli = shutil.which("channel-plugin") or fail("the channel-plugin console script is not on PATH")
    made = subprocess.run(
        [str(cli), "token", "create", "--db", url, "--scope", "read"], capture_output=True, text=True, check=False
    )
    if made.returncode != 0:
        fail(f"token create failed: {made.stderr.strip()}")
    token = made.stdout.strip()

    manifest = load_manifest()
    apps: dict[str, Any] = {}
    for mapping in pm.hook.commerce_asgi_apps():
        apps.update(mapping)
    app = Starlette(routes=[Mount(path, app=asgi) for path, asgi in apps.items()])
    asyncio.run(_query(app, manifest.graphql_path, manifest.dashboard_path, token))


async def _query(app: Starlette, graphql_path: str, dashboard_path: str, token: str) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://host.test") as client:
        response = await client.post(
            graphql_path, json={"query": "{ amazonStores { id name } }"}, headers={"Authorization": f"Bearer {token}"}
        )
        operations = await client.get(dashboard_path.rstrip("/") + "/operations.graphql")
    if response.status_code != 200:
        fail(f"POST {graphql_path} answered {response.status_code}: {response.text[:200]}")
    body = response.json()
    if body != {"data": {"amazonStores": []}}:
        fail(f"POST {graphql_path} answered {body}")
    if operations.status_code != 200 or "query" not in operations.text:
        fail(f"the dashboard's operations answered {operations.status_code} with {len(operations.text)} characters")
    print(f"host check: POST {graphql_path} (no trailing slash) answered {body}; dashboard operations served")


if __name__ == "__main__":
    main()
