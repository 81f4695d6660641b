"""Tell an outside system (a helpdesk, a chat channel) when an Amazon order is blocked and when a blocker
clears.

Configured under ``[hooks.config.blocked_order_webhook]``:

- ``url``: where to POST; empty (the default) leaves the notifier idle, so it can ship listed but off.
- ``secret``: when set, each request carries ``X-Channel-Signature: sha256=<hex>``, the HMAC-SHA256 of the raw
  body under this key, so the receiver can reject forgeries.
- ``timeout_seconds``: per attempt (default 5).

Bodies are JSON: ``{"event": "order_blocked", "amazon_order_id", "status", "purchase_date", "blockers":
[{"kind", "seller_sku", "message"}]}``, then ``{"event": "blocker_resolved", ..., "blocker": {...,
"resolved_at"}}``, so the receiver can open a ticket and close it again. They are built field by field and
never carry buyer data (name, email, address): Amazon's Data Protection Policy forbids handing it to systems
that don't need it.

Delivery is best effort. The hooks fire after the import has committed, so a receiver that is down must not
undo or stall anything: 5xx answers and connection errors are retried a couple of times, then a warning naming
only the Amazon order id is logged and the import carries on.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

import httpx
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from channel_plugin import ValidationError, hookimpl
from channel_plugin.types import AmazonOrder, Blocker, BlockerRecord

KEYS = ("url", "secret", "timeout_seconds")
SIGNATURE_HEADER = "X-Channel-Signature"
ATTEMPTS = 3

log = logging.getLogger("channel_plugin.hooks.blocked_order_webhook")


class _ServerError(Exception):
    """A 5xx answer, raised only so that tenacity retries it like a dropped connection."""

    def __init__(self, status_code: int) -> None:
        super().__init__(f"HTTP {status_code}")


class IdleWebhook:
    """What an empty ``url`` registers: no hooks at all, so an unconfigured notifier costs nothing."""


class BlockedOrderWebhook:
    def __init__(
        self,
        url: str,
        *,
        secret: str | None = None,
        timeout_seconds: float = 5.0,
        transport: httpx.BaseTransport | None = None,
        backoff_seconds: float = 0.5,
    ) -> None:
        self._url = url
        self._secret = secret
        self._timeout = timeout_seconds
        self._transport = transport
        self._backoff = backoff_seconds

    @hookimpl
    def channel_order_blocked(self, order: AmazonOrder, blockers: Sequence[Blocker]) -> None:
        items = [{"kind": b.kind.value, "seller_sku": b.seller_sku, "message": b.message} for b in blockers]
        self._post(order, {"event": "order_blocked", **_order_fields(order), "blockers": items})

    @hookimpl
    def channel_blocker_resolved(self, order: AmazonOrder, blocker: BlockerRecord) -> None:
        item = {
            "kind": blocker.kind.value,
            "seller_sku": blocker.seller_sku,
            "message": blocker.message,
            "resolved_at": blocker.resolved_at.isoformat() if blocker.resolved_at else None,
        }
        self._post(order, {"event": "blocker_resolved", **_order_fields(order), "blocker": item})

    def _post(self, order: AmazonOrder, payload: Mapping[str, Any]) -> None:
        body = json.dumps(payload, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json"}
        if self._secret:
            digest = hmac.new(self._secret.encode(), body, hashlib.sha256).hexdigest()
            headers[SIGNATURE_HEADER] = f"sha256={digest}"
        retrying = Retrying(
            stop=stop_after_attempt(ATTEMPTS),
            wait=wait_exponential(multiplier=self._backoff),
            retry=retry_if_exception_type((httpx.TransportError, _ServerError)),
            reraise=True,
        )
        try:
            with httpx.Client(transport=self._transport, timeout=self._timeout) as client:
                for attempt in retrying:
                    with attempt:
                        response = client.post(self._url, content=body, headers=headers)
                        if response.status_code >= 500:
                            raise _ServerError(response.status_code)
        except Exception as exc:
            # Anything at all: the order is already committed and a notifier must never break the sync.
            # The reason logged is the exception's type, not its text, which may quote the URL's credentials.
            reason = str(exc) if isinstance(exc, _ServerError) else type(exc).__name__
            log.warning("Webhook for Amazon order %s not delivered: %s", order.amazon_order_id, reason)
            return
        if not response.is_success:
            log.warning("Webhook for Amazon order %s refused: HTTP %s", order.amazon_order_id, response.status_code)


def create_plugin(config: Mapping[str, Any], transport: httpx.BaseTransport | None = None) -> object:
    """Check the configuration, naming the offending key; ``transport`` lets tests run without a network."""
    for key in config:
        if key not in KEYS:
            raise ValidationError(key, f"is not a known key (known keys: {', '.join(KEYS)})")
    url = config.get("url", "")
    if not isinstance(url, str) or (url and not url.startswith(("http://", "https://"))):
        raise ValidationError("url", f"must be empty or an http(s) URL, got {url!r}")
    secret = config.get("secret")
    if secret is not None and not isinstance(secret, str):
        raise ValidationError("secret", "must be a string")  # never echo what may be a real secret
    timeout = config.get("timeout_seconds", 5)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ValidationError("timeout_seconds", f"must be a positive number of seconds, got {timeout!r}")
    if not url:
        return IdleWebhook()
    return BlockedOrderWebhook(url, secret=secret or None, timeout_seconds=timeout, transport=transport)


def _order_fields(order: AmazonOrder) -> dict[str, Any]:
    return {
        "amazon_order_id": order.amazon_order_id,
        "status": order.status.value,
        "purchase_date": order.purchase_date.isoformat(),
    }
