"""Import blockers: one open row per (order, kind, seller SKU), touched on every check, resolved when gone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, or_, select, update

from channel_plugin.domain.enums import BlockerKind, ImportState
from channel_plugin.domain.model import Blocker, BlockerRecord
from channel_plugin.storage.tables import amazon_orders, amazon_stores, import_blockers


@dataclass(frozen=True, slots=True)
class DesiredBlocker:
    blocker: Blocker
    catalog_sku: str | None


def _record(r: Any) -> BlockerRecord:
    return BlockerRecord(
        r.id, BlockerKind(r.kind), r.seller_sku, r.message, r.first_seen, r.last_checked, r.attempts, r.resolved_at
    )


def open_blockers(conn: Connection, pks: Sequence[int]) -> dict[int, list[BlockerRecord]]:
    result: dict[int, list[BlockerRecord]] = {}
    if not pks:
        return result
    rows = conn.execute(
        select(import_blockers)
        .where(import_blockers.c.order_id.in_(list(pks)), import_blockers.c.resolved_at.is_(None))
        .order_by(import_blockers.c.id)
    )
    for r in rows:
        result.setdefault(r.order_id, []).append(_record(r))
    return result


_touch = (
    update(import_blockers)
    .where(import_blockers.c.id == bindparam("_id"))
    .values(
        message=bindparam("message"),
        last_checked=bindparam("now"),
        attempts=import_blockers.c.attempts + 1,
        catalog_sku=bindparam("catalog_sku"),
    )
)
_resolve = update(import_blockers).where(import_blockers.c.id == bindparam("_id")).values(resolved_at=bindparam("now"))


def sync_blockers(
    conn: Connection, store_id: int, desired: Mapping[int, Sequence[DesiredBlocker]], now: datetime
) -> tuple[dict[int, list[BlockerRecord]], set[int]]:
    """Make the open blockers of these orders equal ``desired``.

    Returns the blockers resolved now (per order) and the orders whose set of open blockers changed, so that
    ``channel_order_blocked`` fires only when there is something new to say.
    """
    current = open_blockers(conn, list(desired))
    new_rows: list[dict[str, Any]] = []
    touch: list[dict[str, Any]] = []
    resolved: dict[int, list[BlockerRecord]] = {}
    changed: set[int] = set()
    for pk, wanted in desired.items():
        existing = {(b.kind, b.seller_sku): b for b in current.get(pk, [])}
        seen: set[tuple[BlockerKind, str | None]] = set()
        for d in wanted:
            key = (d.blocker.kind, d.blocker.seller_sku)
            if key in seen:
                continue
            seen.add(key)
            if key in existing:
                touch.append(
                    {"_id": existing[key].id, "message": d.blocker.message, "now": now, "catalog_sku": d.catalog_sku}
                )
            else:
                changed.add(pk)
                new_rows.append(
                    {
                        "store_id": store_id,
                        "order_id": pk,
                        "kind": d.blocker.kind.value,
                        "seller_sku": d.blocker.seller_sku,
                        "catalog_sku": d.catalog_sku,
                        "message": d.blocker.message,
                        "first_seen": now,
                        "last_checked": now,
                        "attempts": 1,
                    }
                )
        for key, record in existing.items():
            if key not in seen:
                changed.add(pk)
                resolved.setdefault(pk, []).append(
                    BlockerRecord(
                        record.id,
                        record.kind,
                        record.seller_sku,
                        record.message,
                        record.first_seen,
                        now,
                        record.attempts,
                        now,
                    )
                )
    if new_rows:
        conn.execute(insert(import_blockers), new_rows)
    if touch:
        conn.execute(_touch, touch)
    gone = [{"_id": b.id, "now": now} for records in resolved.values() for b in records]
    if gone:
        conn.execute(_resolve, gone)
    return resolved, changed


def orders_blocked_on(
    conn: Connection, *, catalog_sku: str | None = None, seller_sku: str | None = None, store_id: int | None = None
) -> dict[int, list[int]]:
    """Store id -> orders with an open blocker on this catalog SKU or seller SKU."""
    conditions = []
    if catalog_sku is not None:
        conditions.append(import_blockers.c.catalog_sku == catalog_sku)
        conditions.append(import_blockers.c.seller_sku == catalog_sku)
    if seller_sku is not None:
        conditions.append(import_blockers.c.seller_sku == seller_sku)
    query = (
        select(import_blockers.c.order_id, import_blockers.c.store_id)
        .distinct()
        .where(import_blockers.c.resolved_at.is_(None), or_(*conditions))
    )
    if store_id is not None:
        query = query.where(import_blockers.c.store_id == store_id)
    result: dict[int, list[int]] = {}
    for order_id, sid in conn.execute(query):
        result.setdefault(sid, []).append(order_id)
    return result


def retryable_orders(conn: Connection, store_id: int, *, import_enabled: bool, after: int, limit: int) -> list[int]:
    """Orders a cron re-checks: BLOCKED and FAILED ones, and VIEW_ONLY ones once import is switched back on."""
    states = [ImportState.BLOCKED.value, ImportState.FAILED.value]
    if import_enabled:
        states.append(ImportState.VIEW_ONLY.value)
    rows = conn.execute(
        select(amazon_orders.c.id)
        .where(
            amazon_orders.c.store_id == store_id,
            amazon_orders.c.import_state.in_(states),
            amazon_orders.c.status != "ERROR",
            amazon_orders.c.id > after,
        )
        .order_by(amazon_orders.c.id)
        .limit(limit)
    )
    return [r.id for r in rows]


def stores_with_open_blockers(conn: Connection) -> list[str]:
    rows = conn.execute(
        select(amazon_stores.c.name)
        .distinct()
        .select_from(import_blockers.join(amazon_stores, amazon_stores.c.id == import_blockers.c.store_id))
        .where(import_blockers.c.resolved_at.is_(None))
    )
    return sorted(r[0] for r in rows)


def stores_with_open_blockers_by_id(conn: Connection) -> list[tuple[int, str]]:
    """(store id, name) of every store with an open blocker, by name: the banner links to each store."""
    rows = conn.execute(
        select(amazon_stores.c.id, amazon_stores.c.name)
        .distinct()
        .select_from(import_blockers.join(amazon_stores, amazon_stores.c.id == import_blockers.c.store_id))
        .where(import_blockers.c.resolved_at.is_(None))
    )
    return sorted(((r.id, r.name) for r in rows), key=lambda r: (r[1], r[0]))
