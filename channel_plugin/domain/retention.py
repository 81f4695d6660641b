"""When an order's buyer data must go: Amazon's Data Protection Policy, for every way an order can end.

Amazon allows buyer data (name, email, address, phone) to be kept until 30 days after delivery. An order ends
in one of three ways, and each has its own end of life:

- it is delivered (shipped, invoice unconfirmed, completed): delivery is never reported, so the end is the
  earliest moment it can be known to be over, the first of its shipment, its completion and Amazon's latest
  delivery date;
- it is canceled, or Amazon only ever sent unreadable data for it (``ERROR``): the end is the last time Amazon
  changed it, which is when it was canceled or last sent;
- it never ships (pending, pending availability, unshipped, partially shipped, unfulfillable), whatever its import
  state (blocked, failed, waiting, view-only, skipped, or imported and never shipped): the end is Amazon's latest
  delivery date, after which there is nothing left to deliver. An order Amazon gave no delivery date ends
  ``UNDATED_ORDER_LIFE`` after its purchase, so that no kind of order can keep buyer data for good.

Kept pure (no database, no clock) so that the rule is tested as a table over every status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from channel_plugin.domain.enums import AmazonOrderStatus as S

BUYER_DATA_RETENTION = timedelta(days=30)
"""How long buyer data outlives the end of its order."""

UNDATED_ORDER_LIFE = timedelta(days=30)
"""How long an order that never ships and has no latest delivery date counts as open after its purchase."""

DELIVERED = frozenset({S.SHIPPED, S.INVOICE_UNCONFIRMED, S.COMPLETED})
ABANDONED = frozenset({S.CANCELED, S.ERROR})


@dataclass(frozen=True)
class OrderLife:
    """The dates of one stored Amazon order that decide when it ends."""

    status: S
    purchase_date: datetime
    updated_at: datetime
    deliver_by: datetime | None = None
    shipped_at: datetime | None = None
    completed_at: datetime | None = None


def end_of_life(order: OrderLife) -> datetime:
    """When the order ended (or will end, if nothing changes): see the module docstring for each kind."""
    if order.status in ABANDONED:
        return order.updated_at
    if order.status in DELIVERED:
        known = [d for d in (order.deliver_by, order.shipped_at, order.completed_at) if d is not None]
        return min(known) if known else order.updated_at
    return order.deliver_by if order.deliver_by is not None else order.purchase_date + UNDATED_ORDER_LIFE


def erase_buyer_data_at(order: OrderLife) -> datetime:
    """The moment from which the order's buyer data must no longer exist anywhere."""
    return end_of_life(order) + BUYER_DATA_RETENTION


def must_erase(order: OrderLife, now: datetime) -> bool:
    return now >= erase_buyer_data_at(order)
