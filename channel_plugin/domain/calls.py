"""A call to Amazon that the plugin stopped sending, as ``channel_amazon_call_refused`` reports it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from channel_plugin.domain.enums import OrderProblemCode


@dataclass(frozen=True, slots=True)
class AmazonCall:
    """One queued SP-API call that will not go out again until an admin corrects and resends it."""

    operation: str
    """The SP-API operation: ``confirmShipment``, or ``createFeed`` for a cancellation."""
    reference: str
    """The call's stable reference: for ``confirmShipment`` the ``packageReferenceId``, kept by every resend; for a
    cancellation its message id in the feed."""
    payload: Mapping[str, Any]
    """What was sent (for ``confirmShipment``, Amazon's ``packageDetail``; for a cancellation the feed type and
    Amazon's reason code); no buyer data."""
    problem: OrderProblemCode
    """Refused by Amazon (SHIPMENT_REJECTED, CANCEL_REJECTED), or given up after transient failures."""
    attempts: int
    """How many times it was sent."""
