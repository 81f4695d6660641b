"""Creation intents: the durable record that the plugin may have asked the host to create a Commerce order.

An attempt counts itself (``mark``) in a transaction of its own that commits *before* the page's unit of work
starts, so the count survives that unit's rollback and a killed process. Inside the unit of work, an order whose
count is exactly 1 is on its first attempt: no earlier attempt can have reached the host, and the host need not be
asked. Any other count (or no row at all) means an earlier attempt may have created the order, so the host is
asked first. The row goes away in the unit of work that records the order as IMPORTED (or SKIPPED, for good).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Connection, delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from channel_plugin.domain.enums import ImportState
from channel_plugin.storage.tables import amazon_orders, creation_intents


def mark_candidates(
    conn: Connection,
    store_id: int,
    now: datetime,
    *,
    amazon_order_ids: Collection[str] = (),
    pks: Collection[int] = (),
) -> None:
    """Count an attempt for every order a unit of work may create: those given, less any already IMPORTED."""
    if not amazon_order_ids and not pks:
        return
    rows = conn.execute(
        select(amazon_orders.c.id, amazon_orders.c.amazon_order_id, amazon_orders.c.import_state).where(
            amazon_orders.c.store_id == store_id,
            or_(amazon_orders.c.amazon_order_id.in_(sorted(amazon_order_ids)), amazon_orders.c.id.in_(sorted(pks))),
        )
    ).all()
    imported = {r.amazon_order_id for r in rows if r.import_state == ImportState.IMPORTED.value}
    wanted = set(amazon_order_ids) | {r.amazon_order_id for r in rows if r.id in set(pks)}
    mark(conn, store_id, wanted - imported, now)


def mark(conn: Connection, store_id: int, amazon_order_ids: Collection[str], now: datetime) -> None:
    """Count one more attempt for each order (in id order, so concurrent markers lock rows alike)."""
    if not amazon_order_ids:
        return
    rows = [
        {"store_id": store_id, "amazon_order_id": oid, "attempts": 1, "first_at": now, "last_at": now}
        for oid in sorted(set(amazon_order_ids))
    ]
    statement = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(creation_intents)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=["store_id", "amazon_order_id"],
            set_={"attempts": creation_intents.c.attempts + 1, "last_at": statement.excluded.last_at},
        ),
        rows,
    )


def first_attempts(conn: Connection, store_id: int, amazon_order_ids: Collection[str]) -> set[str]:
    """The orders whose only attempt so far is the current one: the host cannot hold an order for them."""
    if not amazon_order_ids:
        return set()
    rows = conn.execute(
        select(creation_intents.c.amazon_order_id).where(
            creation_intents.c.store_id == store_id,
            creation_intents.c.amazon_order_id.in_(sorted(amazon_order_ids)),
            creation_intents.c.attempts == 1,
        )
    )
    return {r.amazon_order_id for r in rows}


def settle(conn: Connection, store_id: int, amazon_order_ids: Collection[str]) -> None:
    """Forget the intents of orders this unit of work settles for good (IMPORTED, or SKIPPED)."""
    if not amazon_order_ids:
        return
    conn.execute(
        delete(creation_intents).where(
            creation_intents.c.store_id == store_id,
            creation_intents.c.amazon_order_id.in_(sorted(amazon_order_ids)),
        )
    )
