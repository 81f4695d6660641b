"""The stateful fake SP-API server: a marketplace served on Amazon's own paths, with LWA, rate limits and faults.

``channel-plugin fake-amazon`` serves it on 127.0.0.1; the Sandbox talks to it in-process through the real
client. What it keeps of Amazon: the LWA refresh-token grant and expiring access tokens, searchOrders' 2-minute
rule and pagination tokens, getOrder, v0 confirmShipment, the order-acknowledgement feeds that cancel orders
(processed a minute later, answered with a processing report), and a token bucket per operation that answers 429
with Amazon's quota message to a client that goes too fast.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from channel_plugin.amazon.fake_admin import admin_routes
from channel_plugin.amazon.fake_feeds import FakeFeeds
from channel_plugin.amazon.fake_http import json_body, timestamp
from channel_plugin.amazon.faults import Faults
from channel_plugin.amazon.marketplace import FakeMarketplace
from channel_plugin.amazon.ratelimit import USAGE_PLANS, RateLimiter

ACCESS_TOKEN_SECONDS = 3600
MIN_AGE = timedelta(minutes=2)
PACKAGE_FIELDS = ("packageReferenceId", "carrierCode", "trackingNumber", "shipDate", "orderItems")


class _ClockTimer:
    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock

    def monotonic(self) -> float:
        return self._clock().timestamp()

    async def sleep(self, seconds: float) -> None:  # the server never waits on its own buckets
        return None


def _errors(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"errors": [{"code": code, "message": message, "details": ""}]}, status, headers=headers)


def _malformed_extras(package: dict[str, Any]) -> str | None:
    """What Amazon's model says of the optional fields: ``shippingMethod`` is text, ``transparencyCodes`` a list
    of texts per order item."""
    if "shippingMethod" in package and not isinstance(package["shippingMethod"], str):
        return "shippingMethod must be a string"
    for line in package.get("orderItems") or []:
        codes = line.get("transparencyCodes", []) if isinstance(line, dict) else []
        if not isinstance(codes, list) or not all(isinstance(c, str) and c for c in codes):
            return "transparencyCodes must be a list of strings"
    return None


class FakeAmazon:
    """One seller account's SP-API. ``marketplace`` holds the orders; ``faults`` switches misbehaviour on."""

    def __init__(
        self,
        marketplace: FakeMarketplace,
        *,
        credentials: dict[str, str] | None = None,
        enforce_rate_limits: bool = True,
    ) -> None:
        self.marketplace = marketplace
        self.credentials = credentials
        self.faults = Faults()
        self.calls: Counter[str] = Counter()
        self.throttled: Counter[str] = Counter()
        self.token_grants = 0
        self._tokens: dict[str, datetime] = {}
        self._expired: set[str] = set()
        self._limits = RateLimiter(_ClockTimer(marketplace.clock), USAGE_PLANS) if enforce_rate_limits else None
        self.feeds = FakeFeeds(marketplace)
        self.pages_served = 0
        self.on_page_served: Callable[[int], None] | None = None
        self.app = Starlette(
            routes=[
                Route("/auth/o2/token", self._token, methods=["POST"]),
                Route("/orders/2026-01-01/orders", self._search, methods=["GET"]),
                Route("/orders/2026-01-01/orders/{order_id}", self._get_order, methods=["GET"]),
                Route("/orders/v0/orders/{order_id}/shipmentConfirmation", self._confirm_shipment, methods=["POST"]),
                Route("/feeds/2021-06-30/documents", self._create_document, methods=["POST"]),
                Route("/feeds/2021-06-30/feeds", self._create_feed, methods=["POST"]),
                Route("/feeds/2021-06-30/feeds/{feed_id}", self._get_feed, methods=["GET"]),
                Route("/feeds/2021-06-30/documents/{document_id}", self._get_feed_document, methods=["GET"]),
                Route("/uploads/{document_id}", self._upload, methods=["PUT"]),
                Route("/results/{document_id}", self._download, methods=["GET"]),
                *admin_routes(self),
            ]
        )

    # --- Login with Amazon ------------------------------------------------------------------------------------

    async def _token(self, request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode("utf-8", errors="replace")))
        fields = {k: form.get(k, "") for k in ("grant_type", "refresh_token", "client_id", "client_secret")}
        missing = [k for k, v in fields.items() if not v]
        if missing:
            return JSONResponse({"error": "invalid_request", "error_description": f"missing {', '.join(missing)}"}, 400)
        if fields["grant_type"] != "refresh_token":
            return JSONResponse({"error": "unsupported_grant_type", "error_description": "use refresh_token"}, 400)
        if self.credentials is not None and any(fields[k] != v for k, v in self.credentials.items()):
            return JSONResponse(
                {"error": "invalid_grant", "error_description": "The request has an invalid grant"}, 400
            )
        token = f"Atza|{uuid.uuid4().hex}"
        self._tokens[token] = self.marketplace.clock()
        self.token_grants += 1
        return JSONResponse({"access_token": token, "token_type": "bearer", "expires_in": ACCESS_TOKEN_SECONDS})

    async def _guard(self, request: Request, operation: str) -> Response | None:
        """Everything Amazon checks before it looks at the request: token, quota, then injected faults."""
        self.calls[operation] += 1
        if self.faults.take_expiry():
            self._expired.update(self._tokens)
        token = request.headers.get("x-amz-access-token", "")
        issued = self._tokens.get(token)
        if issued is None:
            return _errors(403, "Unauthorized", "Access to requested resource is denied.")
        if token in self._expired or (self.marketplace.clock() - issued).total_seconds() >= ACCESS_TOKEN_SECONDS:
            return _errors(403, "Unauthorized", "The access token you provided has expired.")
        rate = USAGE_PLANS.get(operation, (0.5, 10))[0]
        headers = {"x-amzn-RateLimit-Limit": str(rate), "x-amzn-RequestId": uuid.uuid4().hex}
        if self._limits is not None:
            bucket = self._limits.bucket(operation)
            bucket.reserve(self.marketplace.clock().timestamp())
            if bucket.tokens < -1e-6:
                bucket.tokens += 1
                self.throttled[operation] += 1
                return _errors(429, "QuotaExceeded", "You exceeded your quota for the requested resource.", headers)
        fault = self.faults.pick(operation)
        if fault is not None:
            if fault.body is not None:
                return Response(fault.body, fault.status, media_type="application/json", headers=headers)
            if fault.status == 429:
                return _errors(429, "QuotaExceeded", "You exceeded your quota for the requested resource.", headers)
            if fault.status < 500:  # a refusal, as Amazon words one about the request's content
                return _errors(fault.status, "InvalidInput", f"{operation} refused: the request is invalid.", headers)
            return _errors(fault.status, "InternalFailure", "We encountered an internal error. Please try again.")
        return None

    # --- Orders -------------------------------------------------------------------------------------------------

    async def _search(self, request: Request) -> Response:
        refused = await self._guard(request, "searchOrders")
        if refused is not None:
            return refused
        q = request.query_params
        if q.get("paginationToken") and self.faults.take_bad_page_token():
            return _errors(400, "InvalidInput", "Invalid paginationToken")
        marketplaces = [m for m in q.get("marketplaceIds", "").split(",") if m]
        if not marketplaces:
            return _errors(400, "InvalidInput", "marketplaceIds is required")
        try:
            after = timestamp(q.get("lastUpdatedAfter") or q["createdAfter"], "lastUpdatedAfter")
            before_text = q.get("lastUpdatedBefore")
            before = timestamp(before_text, "lastUpdatedBefore") if before_text else self.marketplace.clock() - MIN_AGE
            page = self.marketplace.search_orders(
                marketplace_ids=marketplaces,
                last_updated_after=after,
                last_updated_before=before,
                pagination_token=q.get("paginationToken"),
            )
        except KeyError:
            return _errors(400, "InvalidInput", "lastUpdatedAfter or createdAfter is required")
        except ValueError as exc:
            return _errors(400, "InvalidInput", str(exc))
        if self.faults.slow_seconds:
            await asyncio.sleep(self.faults.slow_seconds)
        body: dict[str, Any] = {"orders": list(page.orders)}
        if page.next_token:
            body["pagination"] = {"nextToken": page.next_token}
        self.pages_served += 1
        if self.on_page_served is not None:  # a test changing the marketplace while the client pages through it
            self.on_page_served(self.pages_served)
        return JSONResponse(body, headers={"x-amzn-RateLimit-Limit": str(USAGE_PLANS["searchOrders"][0])})

    async def _get_order(self, request: Request) -> Response:
        refused = await self._guard(request, "getOrder")
        if refused is not None:
            return refused
        try:
            payload = self.marketplace.payload(request.path_params["order_id"])
        except KeyError:
            return _errors(404, "NotFound", "The requested order was not found.")
        return JSONResponse({"order": payload})

    async def _confirm_shipment(self, request: Request) -> Response:
        refused = await self._guard(request, "confirmShipment")
        if refused is not None:
            return refused
        body = await json_body(request)
        package = body.get("packageDetail") if isinstance(body, dict) else None
        if not isinstance(package, dict) or not body.get("marketplaceId"):
            return _errors(400, "InvalidInput", "marketplaceId and packageDetail are required")
        missing = [f for f in PACKAGE_FIELDS if not package.get(f)]
        if missing:
            return _errors(400, "InvalidInput", f"packageDetail is missing {', '.join(missing)}")
        malformed = _malformed_extras(package)
        if malformed:
            return _errors(400, "InvalidInput", malformed)
        reference = str(package["packageReferenceId"])
        if not reference.isdigit() or int(reference) < 1:
            return _errors(400, "InvalidInput", "packageReferenceId must be a positive number")
        try:
            timestamp(package["shipDate"], "shipDate")
            self.marketplace.confirm_shipment(request.path_params["order_id"], package)
        except KeyError:
            return _errors(404, "NotFound", "The requested order was not found.")
        except ValueError as exc:
            return _errors(400, "InvalidInput", str(exc))
        return Response(status_code=204)

    # --- Feeds (seller cancellations) -------------------------------------------------------------------------

    async def _create_document(self, request: Request) -> Response:
        refused = await self._guard(request, "createFeedDocument")
        if refused is not None:
            return refused
        body = await json_body(request)
        if not isinstance(body, dict) or not body.get("contentType"):
            return _errors(400, "InvalidInput", "contentType is required")
        document_id = self.feeds.new_upload()
        url = f"{request.url.scheme}://{request.url.netloc}/uploads/{document_id}"
        return JSONResponse({"feedDocumentId": document_id, "url": url}, 201)

    async def _upload(self, request: Request) -> Response:
        document_id = request.path_params["document_id"]
        if document_id not in self.feeds.uploads:
            return Response("NoSuchUpload", 403)
        self.feeds.uploads[document_id] = (await request.body()).decode("utf-8", errors="replace")
        return Response(status_code=200)

    async def _create_feed(self, request: Request) -> Response:
        refused = await self._guard(request, "createFeed")
        if refused is not None:
            return refused
        body = await json_body(request)
        if not isinstance(body, dict):
            return _errors(400, "InvalidInput", "the body must be a JSON object")
        try:
            feed = self.feeds.create(body)
        except ValueError as exc:
            return _errors(400, "InvalidInput", str(exc))
        return JSONResponse({"feedId": feed.feed_id}, 202)

    async def _get_feed(self, request: Request) -> Response:
        refused = await self._guard(request, "getFeed")
        if refused is not None:
            return refused
        try:
            return JSONResponse(self.feeds.look(request.path_params["feed_id"]).as_json())
        except KeyError:
            return _errors(404, "NotFound", "The requested feed was not found.")

    async def _get_feed_document(self, request: Request) -> Response:
        refused = await self._guard(request, "getFeedDocument")
        if refused is not None:
            return refused
        document_id = request.path_params["document_id"]
        if document_id not in self.feeds.results:
            return _errors(404, "NotFound", "The requested feed document was not found.")
        url = f"{request.url.scheme}://{request.url.netloc}/results/{document_id}"
        return JSONResponse({"feedDocumentId": document_id, "url": url})

    async def _download(self, request: Request) -> Response:
        report = self.feeds.results.get(request.path_params["document_id"])
        if report is None:
            return Response("NoSuchKey", 403)
        return Response(report, media_type="text/xml")
