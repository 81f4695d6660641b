"""What the sync engine needs from Amazon, as an interface the in-process marketplace and the SP-API client share."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of ``searchOrders``: raw order payloads (parsed by the importer, one at a time) and the next token."""

    orders: Sequence[Any]
    next_token: str | None


class MarketplaceClient(Protocol):
    """The Orders API operations the plugin uses, for one seller account."""

    def search_orders(
        self,
        *,
        marketplace_ids: Sequence[str],
        last_updated_after: datetime,
        last_updated_before: datetime,
        pagination_token: str | None = None,
    ) -> SearchPage: ...

    def get_order(self, amazon_order_id: str) -> Any | None: ...

    def confirm_shipment(self, amazon_order_id: str, payload: Mapping[str, Any]) -> None: ...

    def cancel_order(self, amazon_order_id: str, reason: str) -> None: ...


class AmazonRejected(Exception):
    """Amazon refused a request for good (a 4xx other than throttling): retrying the same request cannot help."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AmazonUnavailable(ConnectionError):
    """Amazon kept answering 429 or 5xx (or not at all) through every retry; the next run tries again."""


class AmazonResponseError(Exception):
    """Amazon answered, but with a body that cannot be read (not JSON, or missing what the operation promises)."""
