"""Cancellation requests and the feeds that carry them to Amazon.

A request is PENDING until a worker claims it for a feed (``feed_id`` set while the feed is PREPARING), SUBMITTED
once Amazon has the feed, then ACCEPTED or REJECTED (with Amazon's message) from the feed's processing report. A
claim is one conditional UPDATE (only rows without a feed), so two workers never put one request in two feeds; a
worker that dies between the claim and the submission leaves a PREPARING feed whose claim expires and whose
requests go back to PENDING.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Connection, and_, delete, exists, func, insert, select, update

from channel_plugin.domain.enums import AmazonOrderStatus, OrderProblemCode
from channel_plugin.domain.model import OrderProblem
from channel_plugin.storage.tables import amazon_cancellations, amazon_feeds, amazon_orders, amazon_stores

CANCEL_REJECTED = OrderProblemCode.CANCEL_REJECTED
PENDING = "PENDING"
SUBMITTED = "SUBMITTED"
ACCEPTED = "ACCEPTED"
REJECTED = "REJECTED"
PREPARING = "PREPARING"
FINISHED = "FINISHED"


@dataclass(frozen=True, slots=True)
class CancelRequest:
    """A request inside a feed; its ``id`` is the feed's ``MessageID`` for it (positive and unique)."""

    id: int
    order_pk: int
    amazon_order_id: str
    reason: str
    previous_status: AmazonOrderStatus


@dataclass(frozen=True, slots=True)
class OpenFeed:
    id: int
    amazon_feed_id: str


def request(
    conn: Connection, *, store_id: int, order_pk: int, reason: str, previous_status: AmazonOrderStatus, now: datetime
) -> None:
    """Queue the order's cancellation; asking again (after a refusal) queues it afresh."""
    values = {
        "reason": reason,
        "previous_status": previous_status.value,
        "state": PENDING,
        "feed_id": None,
        "message": None,
        "requested_at": now,
        "updated_at": now,
    }
    done = conn.execute(update(amazon_cancellations).where(amazon_cancellations.c.order_id == order_pk), values)
    if not done.rowcount:
        conn.execute(insert(amazon_cancellations), {"store_id": store_id, "order_id": order_pk, **values})


def release_stale_claims(conn: Connection, store_id: int, now: datetime) -> int:
    """Feeds a worker claimed and never submitted (it crashed): their requests go back to PENDING."""
    stale = [
        r.id
        for r in conn.execute(
            select(amazon_feeds.c.id).where(
                amazon_feeds.c.store_id == store_id,
                amazon_feeds.c.state == PREPARING,
                amazon_feeds.c.claimed_until < now,
            )
        )
    ]
    for feed_pk in stale:
        release(conn, feed_pk)
    return len(stale)


def claim(
    conn: Connection, *, store_id: int, feed_type: str, now: datetime, lease: timedelta, limit: int
) -> tuple[int, list[CancelRequest]] | None:
    """A new PREPARING feed holding up to ``limit`` of the store's pending requests, oldest first; None when no
    request is pending."""
    ids = [
        r.id
        for r in conn.execute(
            select(amazon_cancellations.c.id)
            .where(
                amazon_cancellations.c.store_id == store_id,
                amazon_cancellations.c.state == PENDING,
                amazon_cancellations.c.feed_id.is_(None),
            )
            .order_by(amazon_cancellations.c.id)
            .limit(limit)
        )
    ]
    if not ids:
        return None
    feed_pk = conn.execute(
        insert(amazon_feeds).returning(amazon_feeds.c.id),
        {
            "store_id": store_id,
            "feed_type": feed_type,
            "state": PREPARING,
            "claimed_until": now + lease,
            "created_at": now,
        },
    ).scalar_one()
    conn.execute(
        update(amazon_cancellations)
        .where(
            amazon_cancellations.c.id.in_(ids),
            amazon_cancellations.c.state == PENDING,
            amazon_cancellations.c.feed_id.is_(None),
        )
        .values(feed_id=feed_pk, updated_at=now)
    )
    claimed = in_feed(conn, feed_pk)
    if not claimed:  # another worker took them all first
        conn.execute(delete(amazon_feeds).where(amazon_feeds.c.id == feed_pk))
        return None
    return feed_pk, claimed


def in_feed(conn: Connection, feed_pk: int) -> list[CancelRequest]:
    rows = conn.execute(
        select(
            amazon_cancellations.c.id,
            amazon_cancellations.c.order_id,
            amazon_orders.c.amazon_order_id,
            amazon_cancellations.c.reason,
            amazon_cancellations.c.previous_status,
        )
        .join(amazon_orders, amazon_orders.c.id == amazon_cancellations.c.order_id)
        .where(amazon_cancellations.c.feed_id == feed_pk)
        .order_by(amazon_cancellations.c.id)
    )
    return [
        CancelRequest(r.id, r.order_id, r.amazon_order_id, r.reason, AmazonOrderStatus(r.previous_status)) for r in rows
    ]


def submitted(conn: Connection, feed_pk: int, amazon_feed_id: str, now: datetime) -> None:
    conn.execute(
        update(amazon_feeds)
        .where(amazon_feeds.c.id == feed_pk)
        .values(state=SUBMITTED, amazon_feed_id=amazon_feed_id, submitted_at=now, claimed_until=None)
    )
    conn.execute(
        update(amazon_cancellations)
        .where(amazon_cancellations.c.feed_id == feed_pk, amazon_cancellations.c.state == PENDING)
        .values(state=SUBMITTED, updated_at=now)
    )


def release(conn: Connection, feed_pk: int) -> None:
    """The feed never reached Amazon, or Amazon dropped it unprocessed: its requests wait for the next feed."""
    conn.execute(
        update(amazon_cancellations)
        .where(amazon_cancellations.c.feed_id == feed_pk, amazon_cancellations.c.state.in_([PENDING, SUBMITTED]))
        .values(state=PENDING, feed_id=None)
    )
    conn.execute(delete(amazon_feeds).where(amazon_feeds.c.id == feed_pk))


def open_feeds(conn: Connection, store_id: int) -> list[OpenFeed]:
    rows = conn.execute(
        select(amazon_feeds.c.id, amazon_feeds.c.amazon_feed_id)
        .where(amazon_feeds.c.store_id == store_id, amazon_feeds.c.state == SUBMITTED)
        .order_by(amazon_feeds.c.id)
    )
    return [OpenFeed(r.id, r.amazon_feed_id) for r in rows]


def finish_feed(conn: Connection, feed_pk: int, now: datetime, error: str | None = None) -> None:
    conn.execute(
        update(amazon_feeds)
        .where(amazon_feeds.c.id == feed_pk)
        .values(state=FINISHED, finished_at=now, last_error=error)
    )


def settle(conn: Connection, request_id: int, now: datetime, *, refusal: str | None) -> bool:
    """Record Amazon's answer for one request; False when it was already settled (by another worker)."""
    done = conn.execute(
        update(amazon_cancellations)
        .where(amazon_cancellations.c.id == request_id, amazon_cancellations.c.state.in_([PENDING, SUBMITTED]))
        .values(state=REJECTED if refusal else ACCEPTED, message=refusal, updated_at=now)
    )
    return bool(done.rowcount)


def problems_by_order(conn: Connection, order_pks: list[int]) -> dict[int, list[OrderProblem]]:
    """CANCEL_REJECTED for each order whose latest cancellation Amazon refused, with Amazon's message."""
    if not order_pks:
        return {}
    rows = conn.execute(
        select(amazon_cancellations.c.order_id, amazon_cancellations.c.message, amazon_cancellations.c.updated_at)
        .where(amazon_cancellations.c.order_id.in_(order_pks), amazon_cancellations.c.state == REJECTED)
        .order_by(amazon_cancellations.c.order_id)
    )
    found: dict[int, list[OrderProblem]] = {}
    for r in rows:
        found.setdefault(r.order_id, []).append(OrderProblem(CANCEL_REJECTED, r.message or "", r.updated_at))
    return found


def has_rejected_cancel() -> ColumnElement[bool]:
    """A filter on ``amazon_orders``: Amazon refused the order's latest cancellation (CANCEL_REJECTED)."""
    return exists().where(
        and_(amazon_cancellations.c.order_id == amazon_orders.c.id, amazon_cancellations.c.state == REJECTED)
    )


def rejected_by_store(conn: Connection) -> list[tuple[int, str, int]]:
    """(store id, name, refused cancellations) for every store that has any, by name: the banner's counts."""
    rows = conn.execute(
        select(amazon_stores.c.id, amazon_stores.c.name, func.count())
        .select_from(
            amazon_cancellations.join(amazon_orders, amazon_orders.c.id == amazon_cancellations.c.order_id).join(
                amazon_stores, amazon_stores.c.id == amazon_orders.c.store_id
            )
        )
        .where(amazon_cancellations.c.state == REJECTED)
        .group_by(amazon_stores.c.id, amazon_stores.c.name)
    )
    return sorted(((r[0], r[1], r[2]) for r in rows), key=lambda r: (r[1], r[0]))
