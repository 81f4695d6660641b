"""A local stand-in for Amazon's static SP-API sandbox and its Login with Amazon token endpoint.

It replays the cases Amazon publishes in its models, so a client is tested against Amazon's own recorded requests and
responses rather than against payloads we wrote ourselves. Served by ``channel-plugin fake-amazon --sandbox``; the
app binds nothing itself.
"""

from __future__ import annotations

import json
import secrets
import uuid
from importlib.resources.abc import Traversable
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from channel_plugin.amazon.sandbox_cases import (
    SandboxCase,
    SandboxRequest,
    default_models_dir,
    load_cases,
    match_case,
)

TOKEN_PATH = "/auth/o2/token"
ACCESS_TOKEN_LIFETIME = 3600
# What Amazon's static sandbox answers when no recorded case fits the request.
NO_MATCH = {"errors": [{"code": "InvalidInput", "message": "Could not match input arguments"}]}
UNAUTHORIZED = {
    "errors": [{"code": "Unauthorized", "message": "Access to requested resource is denied.", "details": ""}]
}
_TOKEN_FIELDS = ("grant_type", "refresh_token", "client_id", "client_secret")


def sandbox_app(models_dir: Traversable | None = None) -> Starlette:
    """Load the cases once, so a missing models folder fails at start-up instead of on the first request."""
    cases = load_cases(models_dir or default_models_dir())

    async def replay(request: Request) -> Response:
        if not request.headers.get("x-amz-access-token"):
            return _json(403, UNAUTHORIZED)
        case = match_case(cases, await _sandbox_request(request))
        if case is None:
            return _json(400, NO_MATCH)
        return _replayed(case)

    return Starlette(
        routes=[
            Route(TOKEN_PATH, _token, methods=["POST"]),
            Route("/{path:path}", replay, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
        ]
    )


async def _token(request: Request) -> Response:
    """LWA's refresh-token grant; any non-empty credentials pass, as the sandbox needs no real seller."""
    form = {name: values[0] for name, values in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
    missing = [name for name in _TOKEN_FIELDS if not form.get(name)]
    if missing:
        return _lwa_error("invalid_request", f"The request is missing a required parameter : {missing[0]}")
    if form["grant_type"] != "refresh_token":
        return _lwa_error("unsupported_grant_type", f"The grant type {form['grant_type']!r} is not supported")
    return _json(
        200,
        {
            "access_token": f"Atza|{secrets.token_urlsafe(48)}",
            "token_type": "bearer",
            "expires_in": ACCESS_TOKEN_LIFETIME,
            "refresh_token": form["refresh_token"],
        },
        request_id=False,
    )


async def _sandbox_request(request: Request) -> SandboxRequest:
    query: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        query.setdefault(name, []).append(value)
    raw = await request.body()
    try:
        body = json.loads(raw) if raw.strip() else None
    except ValueError:
        body = None  # an unreadable body matches no case that names one, like a missing body
    return SandboxRequest(method=request.method, path=request.url.path, query=query, body=body)


def _replayed(case: SandboxCase) -> Response:
    """The recorded status and body; 204 and cases recorded without a body answer with an empty one."""
    extra = {"x-amzn-RateLimit-Limit": case.rate_limit} if case.rate_limit else {}
    if case.status == 204 or case.response is None:
        return Response(status_code=case.status, media_type="application/json", headers=_request_id() | extra)
    return _json(case.status, case.response, extra)


def _json(status: int, body: Any, headers: dict[str, str] | None = None, *, request_id: bool = True) -> Response:
    all_headers = (_request_id() if request_id else {}) | (headers or {})
    return Response(json.dumps(body), status_code=status, media_type="application/json", headers=all_headers)


def _lwa_error(code: str, description: str) -> Response:
    return _json(400, {"error": code, "error_description": description}, request_id=False)


def _request_id() -> dict[str, str]:
    """A fresh id per response, as Amazon's support asks for it and clients log it."""
    return {"x-amzn-RequestId": str(uuid.uuid4())}
