"""Per-day reconciliation reports: what Amazon listed for a day and what the plugin holds of it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection

from channel_plugin.domain.enums import ImportState
from channel_plugin.storage.tables import amazon_orders, reconciliation_reports, sync_state


@dataclass(frozen=True, slots=True)
class DayReport:
    """One UTC day re-read by reconciliation."""

    day: date
    """The UTC day whose Amazon updates were re-read."""
    ran_at: datetime
    """When the pass that wrote this report ran (UTC)."""
    on_amazon: int
    """Orders searchOrders listed as last updated that day."""
    stored: int
    """Of those, orders the plugin holds after the pass."""
    imported: int
    """Of those, orders imported into Commerce."""
    blocked: int
    """Of those, orders blocked from import."""
    found_late: int
    """Orders the pass stored or updated: missed or stale until then (Amazon made them visible late)."""


def held_counts(conn: Connection, store_id: int, order_ids: Sequence[str]) -> tuple[int, int, int]:
    """How many of these orders are stored, imported and blocked."""
    stored = imported = blocked = 0
    for start in range(0, len(order_ids), 500):
        rows = conn.execute(
            select(amazon_orders.c.import_state, func.count())
            .where(
                amazon_orders.c.store_id == store_id,
                amazon_orders.c.amazon_order_id.in_(order_ids[start : start + 500]),
            )
            .group_by(amazon_orders.c.import_state)
        )
        for state, count in rows:
            stored += count
            imported += count if state == ImportState.IMPORTED else 0
            blocked += count if state == ImportState.BLOCKED else 0
    return stored, imported, blocked


def save_report(conn: Connection, store_id: int, report: DayReport) -> None:
    """The latest pass over a day replaces the earlier one."""
    table = reconciliation_reports
    conn.execute(delete(table).where(table.c.store_id == store_id, table.c.day == report.day))
    conn.execute(
        insert(table),
        {
            "store_id": store_id,
            "day": report.day,
            "ran_at": report.ran_at,
            "on_amazon": report.on_amazon,
            "stored": report.stored,
            "imported": report.imported,
            "blocked": report.blocked,
            "found_late": report.found_late,
        },
    )


def reports(conn: Connection, store_id: int, *, since: date) -> list[DayReport]:
    """The store's reports from ``since`` on, newest day first."""
    table = reconciliation_reports
    rows = conn.execute(
        select(table).where(table.c.store_id == store_id, table.c.day >= since).order_by(table.c.day.desc())
    )
    return [DayReport(r.day, r.ran_at, r.on_amazon, r.stored, r.imported, r.blocked, r.found_late) for r in rows]


def reconciled_at(conn: Connection, store_id: int) -> datetime | None:
    value: datetime | None = conn.execute(
        select(sync_state.c.orders_reconciled_at).where(sync_state.c.store_id == store_id)
    ).scalar()
    return value


def mark_reconciled(conn: Connection, store_id: int, at: datetime) -> None:
    """From ``at`` the next scheduled pass is counted."""
    conn.execute(update(sync_state).where(sync_state.c.store_id == store_id).values(orders_reconciled_at=at))
