"""The SP-API client: exactly the operations the plugin needs, on httpx, async.

Every call takes a token from its operation's bucket first, carries a cached LWA access token, and is retried
with jittered exponential backoff (capped) on 429, 5xx and network errors; a 403 that says the token expired
refreshes it once. A 4xx that retrying cannot fix raises ``AmazonRejected``; a body that cannot be read raises
``AmazonResponseError``. Order payloads are returned raw: the importer parses them one by one, so one bad order
never costs the page.
"""

from __future__ import annotations

import gzip
import json
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

import anyio
import httpx

from channel_plugin.amazon.client import (
    AmazonRejected,
    AmazonResponseError,
    AmazonUnavailable,
    FeedStatus,
    SearchPage,
)
from channel_plugin.amazon.lwa import LWA_TOKEN_URL, AccessTokens, LwaCredentials
from channel_plugin.amazon.ratelimit import RateLimiter
from channel_plugin.amazon.timing import SystemTimer, Timer

ENDPOINTS = {
    "NA": "https://sellingpartnerapi-na.amazon.com",
    "EU": "https://sellingpartnerapi-eu.amazon.com",
    "FE": "https://sellingpartnerapi-fe.amazon.com",
}
INCLUDED_DATA = ("BUYER", "RECIPIENT", "PROCEEDS", "FULFILLMENT", "PACKAGES")
PAGE_SIZE = 100
FEED_STATUSES = frozenset({"CANCELLED", "DONE", "FATAL", "IN_PROGRESS", "IN_QUEUE"})


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 8
    base_seconds: float = 1.0
    cap_seconds: float = 60.0
    timeout_seconds: float = 30.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Full jitter: spreads the retries of many workers instead of synchronising them."""
        return rng.uniform(0, min(self.cap_seconds, self.base_seconds * 2**attempt))


class _Retry(Exception):
    def __init__(self, reason: str, *, throttled: bool = False) -> None:
        super().__init__(reason)
        self.throttled = throttled


class SpApiClient:
    """One store's connection to SP-API (one seller account, one marketplace)."""

    def __init__(
        self,
        credentials: LwaCredentials,
        *,
        marketplace_id: str,
        seller_id: str = "",
        endpoint: str = ENDPOINTS["NA"],
        token_url: str = LWA_TOKEN_URL,
        timer: Timer | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        seed: int | None = None,
    ) -> None:
        self.marketplace_id = marketplace_id
        self.seller_id = seller_id
        self._endpoint = endpoint.rstrip("/")
        self._timer = timer or SystemTimer()
        self._retry = retry or RetryPolicy()
        self._rng = random.Random(seed)
        self._http = httpx.AsyncClient(
            transport=transport,
            timeout=self._retry.timeout_seconds,
            headers={"User-Agent": "channel-plugin (Language=Python)"},
        )
        self.limits = RateLimiter(self._timer)
        self.tokens = AccessTokens(credentials, self._timer, token_url)
        self.calls: Counter[str] = Counter()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def search_orders(
        self,
        *,
        marketplace_ids: Sequence[str],
        last_updated_after: datetime,
        last_updated_before: datetime,
        pagination_token: str | None = None,
    ) -> SearchPage:
        params = {
            "marketplaceIds": ",".join(marketplace_ids),
            "lastUpdatedAfter": _iso(last_updated_after),
            "lastUpdatedBefore": _iso(last_updated_before),
            "includedData": ",".join(INCLUDED_DATA),
            "maxResultsPerPage": str(PAGE_SIZE),
        }
        if pagination_token:
            params["paginationToken"] = pagination_token
        body = await self._call("searchOrders", "GET", "/orders/2026-01-01/orders", params=params)
        orders = body.get("orders") if isinstance(body, dict) else None
        if not isinstance(orders, list):
            raise AmazonResponseError("searchOrders answered without an `orders` list")
        pagination = body.get("pagination")
        token = pagination.get("nextToken") if isinstance(pagination, dict) else None
        return SearchPage(orders, token if isinstance(token, str) and token else None)

    async def get_order(self, amazon_order_id: str) -> Any | None:
        """The order as Amazon holds it now, or None when Amazon has no such order."""
        path = f"/orders/2026-01-01/orders/{quote(amazon_order_id, safe='')}"
        try:
            body = await self._call("getOrder", "GET", path, params={"includedData": ",".join(INCLUDED_DATA)})
        except AmazonRejected as exc:
            if exc.status == 404:
                return None
            raise
        order = body.get("order") if isinstance(body, dict) else None
        if order is None:
            raise AmazonResponseError("getOrder answered without an `order`")
        return order

    async def confirm_shipment(self, amazon_order_id: str, payload: Mapping[str, Any]) -> None:
        """One package; the same ``packageReferenceId`` sent again edits that package instead of adding one."""
        path = f"/orders/v0/orders/{quote(amazon_order_id, safe='')}/shipmentConfirmation"
        body = {"marketplaceId": self.marketplace_id, "packageDetail": dict(payload)}
        await self._call("confirmShipment", "POST", path, json_body=body)

    async def create_feed(self, feed_type: str, content: str, content_type: str) -> str:
        """Upload the document, then submit the feed; returns Amazon's feed id, which ``get_feed`` follows."""
        document = await self._call(
            "createFeedDocument", "POST", "/feeds/2021-06-30/documents", json_body={"contentType": content_type}
        )
        document_id, url = document.get("feedDocumentId"), document.get("url")
        if not isinstance(document_id, str) or not isinstance(url, str):
            raise AmazonResponseError("createFeedDocument answered without a document id and upload url")
        await self._upload(url, content, content_type)
        created = await self._call(
            "createFeed",
            "POST",
            "/feeds/2021-06-30/feeds",
            json_body={
                "feedType": feed_type,
                "marketplaceIds": [self.marketplace_id],
                "inputFeedDocumentId": document_id,
            },
        )
        feed_id = created.get("feedId") if isinstance(created, dict) else None
        if not isinstance(feed_id, str) or not feed_id:
            raise AmazonResponseError("createFeed answered without a feedId")
        return feed_id

    async def get_feed(self, feed_id: str) -> FeedStatus:
        body = await self._call("getFeed", "GET", f"/feeds/2021-06-30/feeds/{quote(feed_id, safe='')}")
        status = body.get("processingStatus") if isinstance(body, dict) else None
        if status not in FEED_STATUSES:
            raise AmazonResponseError("getFeed answered without a known processingStatus")
        result = body.get("resultFeedDocumentId")
        return FeedStatus(status, result if isinstance(result, str) and result else None)

    async def get_feed_document(self, feed_document_id: str) -> str:
        """The document's text, fetched from the pre-signed URL Amazon gives (and unzipped when Amazon says so)."""
        path = f"/feeds/2021-06-30/documents/{quote(feed_document_id, safe='')}"
        body = await self._call("getFeedDocument", "GET", path)
        url = body.get("url") if isinstance(body, dict) else None
        if not isinstance(url, str):
            raise AmazonResponseError("getFeedDocument answered without a url")
        content = await self._download(url)
        if body.get("compressionAlgorithm") == "GZIP":
            try:
                content = gzip.decompress(content)
            except (OSError, EOFError):
                raise AmazonResponseError("the feed document is not valid GZIP") from None
        return content.decode("utf-8", errors="replace")

    async def _download(self, url: str) -> bytes:
        for attempt in range(self._retry.attempts):
            try:
                with anyio.fail_after(self._retry.timeout_seconds):
                    response = await self._http.get(url)
            except (httpx.HTTPError, TimeoutError):
                response = None
            if response is not None and response.status_code < 300:
                return response.content
            if response is not None and 400 <= response.status_code < 500 and response.status_code != 429:
                raise AmazonRejected(f"the feed document download was refused ({response.status_code})")
            await self._timer.sleep(self._retry.backoff(attempt, self._rng))
        raise AmazonUnavailable("the feed document download kept failing")

    async def _upload(self, url: str, content: str, content_type: str) -> None:
        """The document goes to the pre-signed URL Amazon gave, without our access token."""
        for attempt in range(self._retry.attempts):
            try:
                with anyio.fail_after(self._retry.timeout_seconds):
                    response = await self._http.put(url, content=content, headers={"Content-Type": content_type})
            except (httpx.HTTPError, TimeoutError):
                response = None
            if response is not None and response.status_code < 300:
                return
            if response is not None and 400 <= response.status_code < 500 and response.status_code != 429:
                raise AmazonRejected(f"the feed document upload was refused ({response.status_code})")
            await self._timer.sleep(self._retry.backoff(attempt, self._rng))
        raise AmazonUnavailable("the feed document upload kept failing")

    async def _call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Mapping[str, Any] | None = None,
    ) -> Any:
        refreshed = False
        last = "no attempt"
        for attempt in range(self._retry.attempts):
            try:
                return await self._attempt(operation, method, path, params, json_body)
            except _Retry as retry:
                last = str(retry)
                if retry.throttled:
                    self.limits.throttled(operation)
                await self._timer.sleep(self._retry.backoff(attempt, self._rng))
            except _TokenExpired:
                if refreshed:
                    raise AmazonRejected(f"{operation}: the access token was refused again after a refresh") from None
                refreshed = True
                self.tokens.invalidate()
        raise AmazonUnavailable(f"{operation}: gave up after {self._retry.attempts} attempts ({last})")

    async def _attempt(
        self,
        operation: str,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
        json_body: Mapping[str, Any] | None,
    ) -> Any:
        await self.limits.acquire(operation)
        try:
            token = await self.tokens.get(self._http)
        except ConnectionError as exc:
            raise _Retry(str(exc)) from None
        self.calls[operation] += 1
        try:
            with anyio.fail_after(self._retry.timeout_seconds):
                response = await self._http.request(
                    method,
                    self._endpoint + path,
                    params=params,
                    json=json_body,
                    headers={"x-amz-access-token": token, "Accept": "application/json"},
                )
        except (httpx.HTTPError, TimeoutError) as exc:
            raise _Retry(f"{type(exc).__name__}") from None
        self.limits.observe(operation, response.headers.get("x-amzn-RateLimit-Limit"))
        status = response.status_code
        if status == 429:
            raise _Retry("429 Too Many Requests", throttled=True)
        if status >= 500:
            raise _Retry(f"{status} from Amazon")
        if status == 403 and _says_expired(response):
            raise _TokenExpired
        if status >= 400:
            raise AmazonRejected(f"{operation}: {status} {_error_message(response)}", status)
        if status == 204 or not response.content:
            return {}
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise AmazonResponseError(f"{operation} answered with a body that is not valid JSON") from None


class _TokenExpired(Exception):
    pass


def _says_expired(response: httpx.Response) -> bool:
    return "expired" in _error_message(response).lower()


def _error_message(response: httpx.Response) -> str:
    """Amazon's ``errors[].code: message`` (never echoes our request, which may hold buyer data)."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return "(unreadable error body)"
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list) or not errors:
        return "(no error details)"
    parts = []
    for error in errors[:3]:
        if isinstance(error, dict):
            text = f"{error.get('code', '?')}: {error.get('message', '')}"
            details = error.get("details")
            parts.append(f"{text} ({details})" if details else text)
    return "; ".join(parts)


def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")
