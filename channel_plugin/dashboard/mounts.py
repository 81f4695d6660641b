"""The mapping ``commerce_asgi_apps`` hands a host: the API and the dashboard, each mountable exactly as given.

A host mounts each entry with its own router (``Mount(path, app)`` in Starlette). When the API's path lies under
the dashboard's (``/amazon/graphql`` under ``/amazon``), a router sends ``POST /amazon/graphql`` (no slash) to the
dashboard mount, whose page only answers GET: a 405 on the address the manifest advertises. The dashboard therefore
hands its share of the API's path to the API, so both spellings reach it whichever mount the router tries first.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp, Receive, Scope, Send


class _ApiInsideDashboard:
    """The dashboard app, except that ``<api path>`` and ``<api path>/...`` under it go to the API."""

    def __init__(self, dashboard: ASGIApp, api: ASGIApp, relative: str) -> None:
        self.dashboard = dashboard
        self.api = api
        self.relative = relative

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            root = scope.get("root_path", "")
            path: str = scope["path"]
            route = path[len(root) :] if path.startswith(root) else path
            if route == self.relative or route.startswith(self.relative + "/"):
                # What a Mount of the API would have passed on: its path as root, and at least "/" below it.
                below = "/" if route == self.relative else ""
                await self.api({**scope, "root_path": root + self.relative, "path": path + below}, receive, send)
                return
        await self.dashboard(scope, receive, send)


def mounted_apps(*, api: ASGIApp, api_path: str, dashboard: ASGIApp, dashboard_path: str) -> Mapping[str, ASGIApp]:
    """Mount path -> app, the API first; the dashboard forwards the API's path when it lies under its own."""
    api_route, prefix = api_path.rstrip("/"), dashboard_path.rstrip("/")
    if api_route.startswith(prefix + "/"):
        dashboard = _ApiInsideDashboard(dashboard, api, api_route[len(prefix) :])
    return {api_path: api, dashboard_path: dashboard}
