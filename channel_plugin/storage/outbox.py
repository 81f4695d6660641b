"""Calls to Amazon that must survive restarts: queued in the order's own transaction, sent and retried later."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select, update

from channel_plugin.storage.dialects import insert_ignoring_duplicates
from channel_plugin.storage.tables import amazon_orders, amazon_outbox

PENDING = "PENDING"
SENT = "SENT"
FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    id: int
    order_pk: int
    amazon_order_id: str
    kind: str
    reference: str
    payload: dict[str, Any]
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


def due(conn: Connection, store_id: int, now: datetime, limit: int = 100) -> list[OutboxEntry]:
    rows = conn.execute(
        select(amazon_outbox, amazon_orders.c.amazon_order_id)
        .join(amazon_orders, amazon_orders.c.id == amazon_outbox.c.order_id)
        .where(
            amazon_outbox.c.store_id == store_id,
            amazon_outbox.c.state == PENDING,
            amazon_outbox.c.next_attempt_at <= now,
        )
        .order_by(amazon_outbox.c.id)
        .limit(limit)
    )
    return [
        OutboxEntry(r.id, r.order_id, r.amazon_order_id, r.kind, r.reference, dict(r.payload), r.attempts) for r in rows
    ]


def mark_sent(conn: Connection, entry_id: int, now: datetime) -> bool:
    """True when this call moved it to SENT (another worker may have got there first)."""
    done = conn.execute(
        update(amazon_outbox)
        .where(amazon_outbox.c.id == entry_id, amazon_outbox.c.state == PENDING)
        .values(state=SENT, sent_at=now, attempts=amazon_outbox.c.attempts + 1, last_error=None)
    )
    return bool(done.rowcount)


def mark_failed(conn: Connection, entry_id: int, now: datetime, error: str, *, retry_in: timedelta | None) -> None:
    """Retry later with backoff, or (``retry_in`` None) give up for good."""
    values: dict[str, Any] = {"attempts": amazon_outbox.c.attempts + 1, "last_error": error}
    if retry_in is None:
        values["state"] = FAILED
    else:
        values["next_attempt_at"] = now + retry_in
    conn.execute(update(amazon_outbox).where(amazon_outbox.c.id == entry_id).values(**values))


def pending_counts(conn: Connection, order_pks: list[int]) -> dict[int, int]:
    if not order_pks:
        return {}
    rows = conn.execute(
        select(amazon_outbox.c.order_id, func.count())
        .where(amazon_outbox.c.order_id.in_(order_pks), amazon_outbox.c.state == PENDING)
        .group_by(amazon_outbox.c.order_id)
    )
    return {order_id: count for order_id, count in rows}
