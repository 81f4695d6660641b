"""Calls to Amazon that must survive restarts: queued in the order's own transaction, claimed by one worker at a
time, sent outside any transaction, and their answer recorded.

A claim is a lease: one short transaction stamps ``lease_until`` on one due row (PostgreSQL skips rows another
worker holds, ``FOR UPDATE SKIP LOCKED``; SQLite's single writer does the same), the call goes out with no
transaction open, and a second short transaction records Amazon's answer. A worker killed in between leaves a
lease that runs out, and the next worker sends the same payload again: the package keeps its
``packageReferenceId``, so Amazon edits the package instead of adding one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, exists, func, or_, select, update

from channel_plugin.domain.enums import OrderProblemCode
from channel_plugin.storage.dialects import insert_ignoring_duplicates
from channel_plugin.storage.tables import amazon_orders, amazon_outbox, amazon_stores

CONFIRM_SHIPMENT = "CONFIRM_SHIPMENT"

PENDING = "PENDING"
SENT = "SENT"
REFUSED = "REFUSED"  # Amazon said no (a 4xx other than 429): only a corrected resend can help
FAILED = "FAILED"  # transient failures every time, until the plugin stopped retrying
STUCK = (REFUSED, FAILED)
SHIPMENT_PROBLEMS = {REFUSED: OrderProblemCode.SHIPMENT_REJECTED, FAILED: OrderProblemCode.SHIPMENT_NOT_SENT}
"""What a stuck confirmShipment means for its order."""


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    id: int
    order_pk: int
    amazon_order_id: str
    kind: str
    reference: str
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True, slots=True)
class StuckCall:
    """A queued call that will not go out again by itself: refused by Amazon, or given up after retries."""

    order_pk: int
    kind: str
    reference: str
    state: str
    message: str
    attempts: int


def enqueue(
    conn: Connection,
    *,
    store_id: int,
    order_pk: int,
    kind: str,
    reference: str,
    payload: Mapping[str, Any],
    now: datetime,
) -> None:
    """Queue a call once: the same (order, kind, reference) queued twice is still one call."""
    conn.execute(
        insert_ignoring_duplicates(conn, amazon_outbox, ["order_id", "kind", "reference"]),
        {
            "store_id": store_id,
            "order_id": order_pk,
            "kind": kind,
            "reference": reference,
            "payload": dict(payload),
            "state": PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        },
    )


def claim(conn: Connection, store_id: int, now: datetime, lease: timedelta) -> OutboxEntry | None:
    """Take the oldest due call no live lease holds, for ``lease``; None when there is nothing to send.

    The attempt is counted here, so a worker that dies while sending still uses one of the call's attempts.
    """
    free = select(amazon_outbox.c.id).where(
        amazon_outbox.c.store_id == store_id,
        amazon_outbox.c.state == PENDING,
        amazon_outbox.c.next_attempt_at <= now,
        or_(amazon_outbox.c.lease_until.is_(None), amazon_outbox.c.lease_until <= now),
    )
    if conn.dialect.name == "postgresql":
        free = free.with_for_update(skip_locked=True)
    row = conn.execute(free.order_by(amazon_outbox.c.id).limit(1)).first()
    if row is None:
        return None
    conn.execute(
        update(amazon_outbox)
        .where(amazon_outbox.c.id == row.id)
        .values(lease_until=now + lease, attempts=amazon_outbox.c.attempts + 1)
    )
    r = conn.execute(
        select(amazon_outbox, amazon_orders.c.amazon_order_id)
        .join(amazon_orders, amazon_orders.c.id == amazon_outbox.c.order_id)
        .where(amazon_outbox.c.id == row.id)
    ).one()
    return OutboxEntry(r.id, r.order_id, r.amazon_order_id, r.kind, r.reference, dict(r.payload), r.attempts)


def mark_sent(conn: Connection, entry_id: int, now: datetime) -> bool:
    """True when this call moved it to SENT (a worker whose lease ran out may have got there first)."""
    done = conn.execute(
        update(amazon_outbox)
        .where(amazon_outbox.c.id == entry_id, amazon_outbox.c.state == PENDING)
        .values(state=SENT, sent_at=now, lease_until=None, last_error=None)
    )
    return bool(done.rowcount)


def retry_later(conn: Connection, entry_id: int, now: datetime, error: str, retry_in: timedelta) -> None:
    conn.execute(
        update(amazon_outbox)
        .where(amazon_outbox.c.id == entry_id, amazon_outbox.c.state == PENDING)
        .values(next_attempt_at=now + retry_in, lease_until=None, last_error=error)
    )


def give_up(conn: Connection, entry_id: int, state: str, error: str) -> bool:
    """Stop sending the call (``state`` REFUSED or FAILED); True when this call did it."""
    done = conn.execute(
        update(amazon_outbox)
        .where(amazon_outbox.c.id == entry_id, amazon_outbox.c.state == PENDING)
        .values(state=state, lease_until=None, last_error=error)
    )
    return bool(done.rowcount)


def requeue(
    conn: Connection, order_pk: int, kind: str, reference: str, payload: Mapping[str, Any], now: datetime
) -> bool:
    """Send a stuck call again, corrected, under the same reference; False when no such stuck call exists."""
    done = conn.execute(
        update(amazon_outbox)
        .where(
            amazon_outbox.c.order_id == order_pk,
            amazon_outbox.c.kind == kind,
            amazon_outbox.c.reference == reference,
            amazon_outbox.c.state.in_(STUCK),
        )
        .values(
            state=PENDING, payload=dict(payload), attempts=0, next_attempt_at=now, lease_until=None, last_error=None
        )
    )
    return bool(done.rowcount)


def unconfirmed_counts(conn: Connection, order_pks: list[int]) -> dict[int, int]:
    """Calls per order that Amazon has not accepted yet, whether still queued or stuck."""
    if not order_pks:
        return {}
    rows = conn.execute(
        select(amazon_outbox.c.order_id, func.count())
        .where(amazon_outbox.c.order_id.in_(order_pks), amazon_outbox.c.state != SENT)
        .group_by(amazon_outbox.c.order_id)
    )
    return {order_id: count for order_id, count in rows}


def stuck_calls(conn: Connection, order_pks: list[int], kind: str) -> dict[int, list[StuckCall]]:
    found: dict[int, list[StuckCall]] = {pk: [] for pk in order_pks}
    if not order_pks:
        return found
    rows = conn.execute(
        select(amazon_outbox)
        .where(
            amazon_outbox.c.order_id.in_(order_pks),
            amazon_outbox.c.kind == kind,
            amazon_outbox.c.state.in_(STUCK),
        )
        .order_by(amazon_outbox.c.id)
    )
    for r in rows:
        found[r.order_id].append(StuckCall(r.order_id, r.kind, r.reference, r.state, r.last_error or "", r.attempts))
    return found


def has_stuck(kind: str, states: tuple[str, ...]) -> ColumnElement[bool]:
    """A filter on ``amazon_orders``: the order has a call of ``kind`` stuck in one of ``states``."""
    return exists().where(
        and_(
            amazon_outbox.c.order_id == amazon_orders.c.id,
            amazon_outbox.c.kind == kind,
            amazon_outbox.c.state.in_(states),
        )
    )


def stuck_by_store(conn: Connection, kind: str) -> list[tuple[int, str, int]]:
    """(store id, name, stuck calls of ``kind``) for every store that has any, by name: the banner's counts."""
    rows = conn.execute(
        select(amazon_stores.c.id, amazon_stores.c.name, func.count())
        .select_from(amazon_outbox.join(amazon_stores, amazon_stores.c.id == amazon_outbox.c.store_id))
        .where(amazon_outbox.c.kind == kind, amazon_outbox.c.state.in_(STUCK))
        .group_by(amazon_stores.c.id, amazon_stores.c.name)
    )
    return sorted(((r[0], r[1], r[2]) for r in rows), key=lambda r: (r[1], r[0]))
