"""The fake SP-API server's admin endpoints: what the demo and tests outside the process use to change Amazon.

Not an Amazon API: these paths live under ``/_fake/`` so they can never be mistaken for one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from channel_plugin.amazon.fake_http import json_body, timestamp

if TYPE_CHECKING:
    from channel_plugin.amazon.fake_server import FakeAmazon

FAULT_KNOBS = ("throttle_rate", "error_rate", "slow_seconds")


def admin_routes(fake: FakeAmazon) -> list[Route]:
    async def put_order(request: Request) -> Response:
        """``?updatedAt=`` backdates the change: on a real clock, an order put now is searchable in 2 minutes."""
        body = await json_body(request)
        if not isinstance(body, dict):
            return JSONResponse({"error": "the body must be one order as a JSON object"}, 400)
        when = request.query_params.get("updatedAt")
        try:
            updated_at = timestamp(when, "updatedAt") if when else None
            return JSONResponse({"orderId": fake.marketplace.put_order(body, updated_at=updated_at)})
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, 400)

    async def set_status(request: Request) -> Response:
        body = await json_body(request)
        status = body.get("status") if isinstance(body, dict) else None
        try:
            fake.marketplace.set_status(request.path_params["order_id"], str(status))
        except KeyError as exc:
            return JSONResponse({"error": str(exc).strip("'\"")}, 404)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, 400)
        return JSONResponse({"ok": True})

    async def refuse_cancel(request: Request) -> Response:
        """Amazon's processing report will refuse this order's cancellation with the given message."""
        body = await json_body(request)
        message = body.get("message") if isinstance(body, dict) else None
        if not isinstance(message, str) or not message.strip():
            return JSONResponse({"error": 'the body must be {"message": text}'}, 400)
        try:
            fake.marketplace.refuse_cancel(request.path_params["order_id"], message.strip())
        except KeyError as exc:
            return JSONResponse({"error": str(exc).strip("'\"")}, 404)
        return JSONResponse({"ok": True})

    async def faults(request: Request) -> Response:
        """Checks the whole request before changing anything: a bad knob never half-applies."""
        body = await json_body(request)
        if not isinstance(body, dict):
            return JSONResponse({"error": "the body must be a JSON object"}, 400)
        knobs = {}
        for knob in FAULT_KNOBS:
            if knob in body:
                value = body[knob]
                if not _number(value) or value < 0 or (knob != "slow_seconds" and value > 1):
                    return JSONResponse({"error": f"{knob} must be a number in range"}, 400)
                knobs[knob] = float(value)
        bad_tokens = body.get("reject_pagination_tokens", 0)
        if not isinstance(bad_tokens, int) or isinstance(bad_tokens, bool) or bad_tokens < 0:
            return JSONResponse({"error": "reject_pagination_tokens must be a count"}, 400)
        scripted = body.get("fail_next", [])
        if not isinstance(scripted, list) or not all(
            isinstance(s, dict) and isinstance(s.get("status"), int) and isinstance(s.get("times", 1), int)
            for s in scripted
        ):
            return JSONResponse({"error": "fail_next takes [{status, operation?, times?}]"}, 400)
        for knob, value in knobs.items():
            setattr(fake.faults, knob, value)
        if body.get("expire_access_tokens"):
            fake.faults.expire_access_tokens()
        fake.faults.reject_pagination_tokens(bad_tokens)
        for spec in scripted:
            fake.faults.fail_next(spec["status"], operation=spec.get("operation"), times=spec.get("times", 1))
        return JSONResponse(_state(fake))

    async def state(request: Request) -> Response:
        return JSONResponse(_state(fake))

    return [
        Route("/_fake/orders", put_order, methods=["PUT", "POST"]),
        Route("/_fake/orders/{order_id}/status", set_status, methods=["POST"]),
        Route("/_fake/orders/{order_id}/refuse-cancel", refuse_cancel, methods=["POST"]),
        Route("/_fake/faults", faults, methods=["POST"]),
        Route("/_fake/state", state, methods=["GET"]),
    ]


def _state(fake: FakeAmazon) -> dict[str, Any]:
    return {
        "calls": dict(fake.calls),
        "throttled": dict(fake.throttled),
        "faultsInjected": {str(status): count for status, count in fake.faults.injected.items()},
        "tokenGrants": fake.token_grants,
        "feeds": {feed.feed_id: feed.status for feed in fake.feeds.feeds.values()},
        **{knob: getattr(fake.faults, knob) for knob in FAULT_KNOBS},
    }


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
