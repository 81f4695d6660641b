"""Reconciliation: re-read past days from Amazon, import what polling missed, and report each day.

Amazon can make an order visible to searchOrders hours after its ``lastUpdatedTime``; a poll whose window has
passed that time never sees it. A pass over whole UTC days catches those orders (missing ones are stored, stale
ones updated: the importer compares content), so the regular poll needs no more overlap than Amazon's two-minute
rule and clock skew ask for. It runs once a day by default, after downtime, and on demand.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta

from channel_plugin.amazon.client import MarketplaceClient
from channel_plugin.amazon.payloads import order_id_of
from channel_plugin.engine.importer import import_page
from channel_plugin.engine.runtime import Runtime
from channel_plugin.storage.reconciliation import DayReport, held_counts, mark_reconciled, reconciled_at, save_report
from channel_plugin.storage.stores import StoreRecord, get_store

log = logging.getLogger("channel_plugin")

MAX_DAYS = 30
RECONCILE_EVERY = timedelta(days=1)
MAX_LAG = timedelta(days=1)
DOWNTIME = timedelta(hours=1)
AMAZON_MIN_AGE = timedelta(minutes=2)
MAX_PAGES_PER_DAY = 2_000


class ReconcileError(ValueError):
    """Input a caller can fix: ``field`` names it, ``code`` is stable."""

    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code
        self.message = message


def reconcile_store_id(rt: Runtime, store_id: int, days: int) -> list[DayReport]:
    """The on-demand pass (CLI, GraphQL, sandbox): checks its input, then reconciles."""
    if not 1 <= days <= MAX_DAYS:
        raise ReconcileError("days", "OUT_OF_RANGE", f"days must be between 1 and {MAX_DAYS}, not {days}")
    with rt.db.transaction(write=False) as conn:
        store = get_store(conn, store_id)
    if store is None:
        raise ReconcileError("storeId", "NOT_FOUND", f"there is no store with id {store_id}")
    return reconcile(rt, store, days)


def reconcile(rt: Runtime, store: StoreRecord, days: int) -> list[DayReport]:
    """Re-read the last ``days`` UTC days (today included, up to Amazon's two-minute limit), newest first."""
    now = rt.clock()
    end = now - AMAZON_MIN_AGE
    today = end.date()
    client = rt.marketplace_for(store)
    found: list[DayReport] = []
    for back in range(days):
        day = today - timedelta(days=back)
        start = datetime.combine(day, time(), UTC)
        if start + timedelta(days=1) <= store.integrated_at:
            break
        window = (max(start, store.integrated_at), min(end, start + timedelta(days=1)))
        found.append(_reconcile_day(rt, store, client, day, window, now))
    with rt.db.transaction() as conn:
        mark_reconciled(conn, store.id, now)
    return found


def _reconcile_day(
    rt: Runtime,
    store: StoreRecord,
    client: MarketplaceClient,
    day: date,
    window: tuple[datetime, datetime],
    now: datetime,
) -> DayReport:
    start, end = window
    seen: set[str] = set()
    found_late = 0
    token: str | None = None
    for _ in range(MAX_PAGES_PER_DAY):
        page = client.search_orders(
            marketplace_ids=[store.marketplace_id],
            last_updated_after=start,
            last_updated_before=end,
            pagination_token=token,
        )
        seen.update(oid for oid in map(order_id_of, page.orders) if oid)
        found_late += import_page(rt, store, page.orders).received
        token = page.next_token
        if not token:
            break
    with rt.db.transaction() as conn:
        stored, imported, blocked = held_counts(conn, store.id, sorted(seen))
        report = DayReport(day, now, len(seen), stored, imported, blocked, found_late)
        save_report(conn, store.id, report)
    if found_late:
        log.info("store %s: reconciliation of %s found %d orders late", store.id, day.isoformat(), found_late)
    return report


def due_days(rt: Runtime, store: StoreRecord, last_run: datetime | None) -> int:
    """How many days the scheduled pass should re-read now: 0 when none is due.

    Due a day after the last pass (or after the first cycle, whose pull read everything), and at once after
    downtime (the previous cycle ran more than an hour ago). It covers every day from a day before the last pass,
    so an order made visible up to 24 hours late is still read.
    """
    now = rt.clock()
    with rt.db.transaction(write=False) as conn:
        last = reconciled_at(conn, store.id)
    if last is None:
        last = last_run or now
        with rt.db.transaction() as conn:
            mark_reconciled(conn, store.id, last)
    down = last_run is not None and now - last_run > DOWNTIME
    if now - last < RECONCILE_EVERY and not down:
        return 0
    return min(MAX_DAYS, (now.date() - (last - MAX_LAG).date()).days + 1)
