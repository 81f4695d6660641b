"""One cron cycle for every active store: pull from Amazon, re-check, find unannounced shipments, send queued
calls, send and follow the cancellation feed, complete, erase.

Inbound comes first, for every store, and outbound after: a backlog of confirmations (each waiting on Amazon's
confirmShipment quota) never delays the import of new orders, in its own store or another. Each store's outbound
phase has a time budget; what is left goes out next cycle.

Amazon's searchOrders only answers for windows ending at least two minutes ago; every window starts a minute before
the last one ended (clock skew), and the watermark moves only after the window's orders are committed. Orders
Amazon makes visible later than that are caught by the daily reconciliation (``engine.reconcile``), so polling
never reads the same updates twice. One store's failure is recorded on that store and never stops the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, exists, func, select

from channel_plugin.amazon.client import AmazonRejected, MarketplaceClient
from channel_plugin.engine.admin import recheck_in_pages
from channel_plugin.engine.cancellations import CancelResult, send_cancellations
from channel_plugin.engine.dberrors import describe_error
from channel_plugin.engine.erasure import erase_buyer_data
from channel_plugin.engine.fulfillment import complete_shipped
from channel_plugin.engine.importer import PageResult, import_page
from channel_plugin.engine.outbound import send_outbox
from channel_plugin.engine.reconcile import due_days, reconcile
from channel_plugin.engine.runtime import Runtime
from channel_plugin.engine.shipment_reconciliation import reconcile_shipments
from channel_plugin.storage.blockers import retryable_orders
from channel_plugin.storage.stores import (
    StoreRecord,
    get_watermark,
    last_run_at,
    list_stores,
    load_settings,
    record_sync,
)
from channel_plugin.storage.tables import amazon_orders, sync_errors

log = logging.getLogger("channel_plugin")

AMAZON_MIN_AGE = timedelta(minutes=2)
WINDOW_OVERLAP = timedelta(minutes=1)
MAX_PAGES_PER_RUN = 10_000
MAX_RESTARTS = 3
REFETCH_PER_RUN = 20


@dataclass(frozen=True, slots=True)
class PageDone:
    """Progress of a pull: a page committed, and the orders read, imported and blocked so far."""

    store_id: int
    pages: int
    orders: int
    imported: int = 0
    blocked: int = 0


Progress = Callable[[PageDone], None]


@dataclass
class StoreSyncResult:
    store_id: int
    pulled: PageResult = field(default_factory=PageResult)
    rechecked: PageResult = field(default_factory=PageResult)
    shipments_found: int = 0
    confirmations_sent: int = 0
    confirmations_failed: int = 0
    completed: int = 0
    cancellations: CancelResult = field(default_factory=CancelResult)
    found_late: int = 0
    error: str | None = None


def run_cron(
    rt: Runtime,
    now: datetime | None = None,
    *,
    since: datetime | None = None,
    store_ids: list[int] | None = None,
    progress: Progress | None = None,
) -> list[StoreSyncResult]:
    with rt.db.transaction(write=False) as conn:
        stores = list_stores(conn, active_only=True)
        last_runs = {s.id: last_run_at(conn, s.id) for s in stores}
    if store_ids is not None:
        stores = [s for s in stores if s.id in store_ids]
    results = [sync_inbound(rt, store, since=since, progress=progress) for store in stores]
    for store, result in zip(stores, results, strict=True):
        reconcile_if_due(rt, store, result, last_runs[store.id])
    for store, result in zip(stores, results, strict=True):
        sync_outbound(rt, store, result)
        record_result(rt, result)
    erase_buyer_data(rt)
    return results


def sync_store(
    rt: Runtime, store: StoreRecord, *, since: datetime | None = None, progress: Progress | None = None
) -> StoreSyncResult:
    """One store's whole cycle: inbound, then outbound."""
    result = sync_inbound(rt, store, since=since, progress=progress)
    sync_outbound(rt, store, result)
    record_result(rt, result)
    return result


def sync_inbound(
    rt: Runtime, store: StoreRecord, *, since: datetime | None = None, progress: Progress | None = None
) -> StoreSyncResult:
    """Re-check blocked orders, pull new and changed ones, find shipments the host never announced."""
    result = StoreSyncResult(store.id)
    try:
        result.rechecked = recheck_store(rt, store)
        pull(rt, store, result, since=since, progress=progress)
        result.shipments_found = reconcile_shipments(rt, store)
    except Exception as exc:
        result.error = describe_error(exc)
        log.warning("store %s: sync failed: %s", store.id, type(exc).__name__)
    return result


def reconcile_if_due(rt: Runtime, store: StoreRecord, result: StoreSyncResult, last_run: datetime | None) -> None:
    """The scheduled reconciliation: daily, and after downtime (``engine.reconcile.due_days``)."""
    if result.error:
        return
    try:
        days = due_days(rt, store, last_run)
        if days:
            result.found_late = sum(report.found_late for report in reconcile(rt, store, days))
    except Exception as exc:
        result.error = f"{type(exc).__name__}: {exc}"
        log.warning("store %s: reconciliation failed: %s", store.id, type(exc).__name__)


def sync_outbound(rt: Runtime, store: StoreRecord, result: StoreSyncResult) -> None:
    """Send queued calls to Amazon (within the phase's budget) and the store's cancels as one feed, following the
    feeds already sent; then complete what Amazon confirmed."""
    try:
        result.confirmations_sent, result.confirmations_failed = send_outbox(rt, store)
        send_cancellations(rt, store, result.cancellations)
        result.completed = complete_shipped(rt, store)
    except Exception as exc:
        result.error = result.error or describe_error(exc)
        log.warning("store %s: sending to Amazon failed: %s", store.id, type(exc).__name__)


def record_result(rt: Runtime, result: StoreSyncResult) -> None:
    """The sync's outcome on the store (last run, OK or the error), for the dashboard and the next run."""
    with rt.db.transaction() as conn:
        record_sync(
            conn,
            result.store_id,
            now=rt.clock(),
            result="ERROR" if result.error else "OK",
            error=result.error,
            watermark=None,
        )


def pull(
    rt: Runtime,
    store: StoreRecord,
    result: StoreSyncResult,
    *,
    since: datetime | None = None,
    progress: Progress | None = None,
) -> None:
    """Read every order Amazon changed since the watermark, or since ``since`` (a backfill), as one window.

    One window, however long: every window costs at least one searchOrders call, and Amazon allows one every
    three minutes after a burst of 20, so cutting a year's backfill into days would take fifteen hours. The
    watermark moves to the window's end only after all its pages are committed, and never backwards, so a
    backfill neither loses nor duplicates anything, and an interrupted one is simply run again.
    """
    with rt.db.transaction(write=False) as conn:
        watermark = get_watermark(conn, store.id)
    start = since or (watermark - WINDOW_OVERLAP if watermark else store.integrated_at)
    end = rt.clock() - AMAZON_MIN_AGE
    if end <= start:
        return
    client = rt.marketplace_for(store)
    refetch_unstored(rt, store, client, result)
    token: str | None = None
    restarts = pages = 0
    while True:
        try:
            page = client.search_orders(
                marketplace_ids=[store.marketplace_id],
                last_updated_after=start,
                last_updated_before=end,
                pagination_token=token,
            )
        except AmazonRejected as exc:
            # A pagination token Amazon no longer accepts restarts the window: pages already read change nothing.
            if token is None or exc.status != 400 or restarts >= MAX_RESTARTS:
                raise
            log.warning("store %s: Amazon refused a pagination token; restarting the window", store.id)
            restarts += 1
            token = None
            continue
        result.pulled.add(import_page(rt, store, page.orders))
        pages += 1
        if progress is not None:
            progress(
                PageDone(
                    store.id,
                    pages,
                    result.pulled.received + result.pulled.invalid + result.pulled.unchanged,
                    result.pulled.imported,
                    result.pulled.blocked,
                )
            )
        token = page.next_token
        if not token:
            break
        if pages >= MAX_PAGES_PER_RUN:
            raise RuntimeError(f"searchOrders returned more than {MAX_PAGES_PER_RUN} pages for one window")
    with rt.db.transaction() as conn:
        latest = get_watermark(conn, store.id)
        record_sync(
            conn, store.id, now=rt.clock(), result="OK", error=None, watermark=max(end, latest) if latest else end
        )


def refetch_unstored(rt: Runtime, store: StoreRecord, client: MarketplaceClient, result: StoreSyncResult) -> None:
    """Orders that could not be stored are read again with getOrder on later runs, until one is stored."""
    with rt.db.transaction(write=False) as conn:
        ids = [
            row[0]
            for row in conn.execute(
                select(sync_errors.c.amazon_order_id)
                .where(
                    sync_errors.c.store_id == store.id,
                    sync_errors.c.amazon_order_id.is_not(None),
                    ~exists().where(
                        amazon_orders.c.store_id == store.id,
                        amazon_orders.c.amazon_order_id == sync_errors.c.amazon_order_id,
                    ),
                )
                .group_by(sync_errors.c.amazon_order_id)
                .order_by(func.min(sync_errors.c.id))
                .limit(REFETCH_PER_RUN)
            )
        ]
    for order_id in ids:
        payload = client.get_order(order_id)
        outcome = import_page(rt, store, [payload]) if payload is not None else None
        result.pulled.add(outcome or PageResult())
        same = and_(sync_errors.c.store_id == store.id, sync_errors.c.amazon_order_id == order_id)
        with rt.db.transaction() as conn:
            if outcome is None or outcome.failed == 0:
                conn.execute(delete(sync_errors).where(same))
            else:  # still failing: keep only the latest reason
                newest = conn.execute(select(func.max(sync_errors.c.id)).where(same)).scalar_one()
                conn.execute(delete(sync_errors).where(same, sync_errors.c.id < newest))


def recheck_store(rt: Runtime, store: StoreRecord) -> PageResult:
    total = PageResult()
    after = 0
    while True:
        with rt.db.transaction(write=False) as conn:
            enabled = load_settings(conn, store.id).import_enabled
            pks = retryable_orders(conn, store.id, import_enabled=enabled, after=after, limit=500)
        if not pks:
            return total
        total.add(recheck_in_pages(rt, store, pks))
        after = pks[-1]
