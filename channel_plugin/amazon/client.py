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


@dataclass(frozen=True, slots=True)
class FeedStatus:
    """Where Amazon is with a submitted feed: ``processing_status`` is one of IN_QUEUE, IN_PROGRESS, DONE, FATAL,
    CANCELLED; the result document (the processing report) exists once it is DONE, and sometimes when FATAL."""

    processing_status: str
    result_document_id: str | None

    @property
    def finished(self) -> bool:
        return self.processing_status in ("DONE", "FATAL", "CANCELLED")


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

    def create_feed(self, feed_type: str, content: str, content_type: str) -> str: ...

    def get_feed(self, feed_id: str) -> FeedStatus: ...

    def get_feed_document(self, feed_document_id: str) -> str: ...


class AmazonRejected(Exception):
    """Amazon refused a request for good (a 4xx other than throttling): retrying the same request cannot help."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AmazonUnavailable(ConnectionError):
    """Amazon kept answering 429 or 5xx (or not at all) through every retry; the next run tries again."""


class AmazonResponseError(Exception):
    """Amazon answered, but with a body that cannot be read (not JSON, or missing what the operation promises)."""
