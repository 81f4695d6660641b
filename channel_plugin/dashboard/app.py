"""The dashboard as an ASGI app: the page shell for every dashboard URL, its static files, and the operations.

Every URL under the mount answers with the same shell so that a copied link (``.../stores/1/orders?status=...``)
reloads into the same view; the page's own router reads the path. The Content-Security-Policy keeps every
request the page makes on this origin: no CDN, no third-party call, whatever a future change adds.
"""

from __future__ import annotations

import html

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from channel_plugin.dashboard.operations import operations_document
from channel_plugin.packaged import packaged

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)
_HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def create_dashboard_app(*, graphql_url: str) -> Starlette:
    """The dashboard, mountable anywhere; ``graphql_url`` is where the page POSTs (same origin).

    The shell, the operations and the static folder are read now, so an incomplete install fails when the host
    mounts the dashboard instead of serving a page that never loads.
    """
    shell = packaged("dashboard/static/index.html").read_text(encoding="utf-8")
    document = operations_document()

    async def page(request: Request) -> Response:
        base = request.scope.get("root_path", "").rstrip("/") + "/"
        body = shell.replace("{{BASE}}", html.escape(base)).replace("{{GRAPHQL_URL}}", html.escape(graphql_url))
        return HTMLResponse(body, headers=_HEADERS)

    async def operations(request: Request) -> Response:
        return PlainTextResponse(document, headers=_HEADERS, media_type="application/graphql")

    return Starlette(
        routes=[
            Route("/operations.graphql", operations, methods=["GET"]),
            Mount("/static", app=StaticFiles(packages=[("channel_plugin.dashboard", "static")]), name="static"),
            Route("/{path:path}", page, methods=["GET"]),
        ]
    )


def with_dashboard(api: Starlette, *, graphql_url: str, path: str = "/dashboard") -> Starlette:
    """The API app with the dashboard mounted beside it (``channel-plugin demo``)."""

    async def to_slash(request: Request) -> Response:
        return RedirectResponse(path + "/")

    return Starlette(
        routes=[
            Route(path, to_slash, methods=["GET"]),
            Mount(path, app=create_dashboard_app(graphql_url=graphql_url)),
            Mount("", app=api),
        ]
    )
