"""The fake SP-API's Feeds API: uploads, feeds that Amazon processes a while later, and their processing reports.

A feed is IN_QUEUE when created and is processed on the first look (``getFeed``) after ``processing_seconds`` of
the marketplace clock, as Amazon processes feeds minutes after they are submitted; only then do its cancellations
change the marketplace, and its processing report names, by ``MessageID``, every order Amazon refused.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from channel_plugin.amazon.cancellation import FEED_TYPE, cancellations_in, processing_report
from channel_plugin.amazon.marketplace import CancelRefused, FakeMarketplace

PROCESSING_TIME = timedelta(seconds=60)
# Amazon's own result code for an order it will not cancel ("the order is not in a state that allows it").
REFUSED_CODE = "18028"


@dataclass
class FakeFeed:
    feed_id: str
    feed_type: str
    marketplace_ids: list[str]
    document: str
    created_at: datetime
    status: str = "IN_QUEUE"
    result_document_id: str | None = None

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "feedId": self.feed_id,
            "feedType": self.feed_type,
            "marketplaceIds": self.marketplace_ids,
            "createdTime": _iso(self.created_at),
            "processingStatus": self.status,
        }
        if self.result_document_id:
            body["resultFeedDocumentId"] = self.result_document_id
        return body


class FakeFeeds:
    """Every document uploaded and feed created for one seller account."""

    def __init__(self, marketplace: FakeMarketplace, seller_id: str = "A2SANDBOXSELLER") -> None:
        self.marketplace = marketplace
        self.seller_id = seller_id
        self.processing_time = PROCESSING_TIME
        self.uploads: dict[str, str | None] = {}
        self.results: dict[str, str] = {}
        self.feeds: dict[str, FakeFeed] = {}

    def new_upload(self) -> str:
        document_id = f"amzn1.tortuga.4.na.{uuid.uuid4()}"
        self.uploads[document_id] = None
        return document_id

    def create(self, body: dict[str, Any]) -> FakeFeed:
        """Raises ValueError for what Amazon answers 400 to: an unknown or empty document, an unreadable one."""
        content = self.uploads.get(body.get("inputFeedDocumentId") or "")
        if content is None:
            raise ValueError("inputFeedDocumentId names no uploaded document")
        if not body.get("feedType"):
            raise ValueError("feedType is required")
        if body["feedType"] == FEED_TYPE:
            cancellations_in(content)
        feed = FakeFeed(
            str(50000 + len(self.feeds)),
            str(body["feedType"]),
            list(body.get("marketplaceIds") or []),
            content,
            self.marketplace.clock(),
        )
        self.feeds[feed.feed_id] = feed
        return feed

    def look(self, feed_id: str) -> FakeFeed:
        """The feed as ``getFeed`` sees it now, processed first if its time has come; KeyError when unknown."""
        feed = self.feeds[feed_id]
        if feed.status == "IN_QUEUE" and self.marketplace.clock() - feed.created_at >= self.processing_time:
            self._process(feed)
        return feed

    def _process(self, feed: FakeFeed) -> None:
        messages = cancellations_in(feed.document) if feed.feed_type == FEED_TYPE else []
        errors: dict[int, tuple[str, str]] = {}
        for message in messages:
            try:
                self.marketplace.cancel_order(message.amazon_order_id, message.reason)
            except CancelRefused as refused:
                errors[message.message_id] = (REFUSED_CODE, str(refused))
            except KeyError:
                errors[message.message_id] = (REFUSED_CODE, f"Order {message.amazon_order_id} was not found.")
        document_id = f"amzn1.tortuga.4.na.result.{uuid.uuid4()}"
        self.results[document_id] = processing_report(self.seller_id, len(messages), errors)
        feed.status = "DONE"
        feed.result_document_id = document_id


def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")
