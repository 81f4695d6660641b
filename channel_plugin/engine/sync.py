"""One cron cycle for every active store: pull from Amazon, re-check, send queued calls, complete, erase.

Amazon's searchOrders only answers for windows ending at least two minutes ago, and an order can become visible
late; every window therefore starts a few minutes before the last one ended, and the watermark moves only after
the window's orders are committed. One store's failure is recorded on that store and never stops the others.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, update

from channel_plugin.domain.enums import AmazonOrderStatus as S
from channel_plugin.engine.admin import recheck_in_pages
from channel_plugin.engine.fulfillment import complete_shipped, send_outbox
from channel_plugin.engine.importer import PageResult, import_page
from channel_plugin.engine.runtime import Runtime
from channel_plugin.storage.blockers import retryable_orders
from channel_plugin.storage.stores import StoreRecord, get_watermark, list_stores, load_settings, record_sync
from channel_plugin.storage.tables import amazon_orders

log = logging.getLogger("channel_plugin")

AMAZON_MIN_AGE = timedelta(minutes=2)
WINDOW_OVERLAP = timedelta(minutes=5)
BUYER_DATA_RETENTION = timedelta(days=30)
MAX_PAGES_PER_RUN = 10_000


@dataclass
class StoreSyncResult:
    store_id: int
    pulled: PageResult = field(default_factory=PageResult)
    rechecked: PageResult = field(default_factory=PageResult)
    confirmations_sent: int = 0
    confirmations_failed: int = 0
    completed: int = 0
    error: str | None = None


def run_cron(rt: Runtime, now: datetime | None = None) -> list[StoreSyncResult]:
    with rt.db.transaction(write=False) as conn:
        stores = list_stores(conn, active_only=True)
    results = [sync_store(rt, store) for store in stores]
    erase_buyer_data(rt)
    return results


def sync_store(rt: Runtime, store: StoreRecord, *, since: datetime | None = None) -> StoreSyncResult:
    result = StoreSyncResult(store.id)
    try:
        result.rechecked = recheck_store(rt, store)
        pull(rt, store, result, since=since)
        result.confirmations_sent, result.confirmations_failed = send_outbox(rt, store)
        result.completed = complete_shipped(rt, store)
    except Exception as exc:
        result.error = f"{type(exc).__name__}: {exc}"
        log.warning("store %s: sync failed: %s", store.id, type(exc).__name__)
    with rt.db.transaction() as conn:
        record_sync(
            conn, store.id, now=rt.clock(), result="ERROR" if result.error else "OK", error=result.error, watermark=None
        )
    return result


def pull(rt: Runtime, store: StoreRecord, result: StoreSyncResult, *, since: datetime | None = None) -> None:
    with rt.db.transaction(write=False) as conn:
        watermark = get_watermark(conn, store.id)
    start = since or (watermark - WINDOW_OVERLAP if watermark else store.integrated_at)
    end = rt.clock() - AMAZON_MIN_AGE
    if end <= start:
        return
    client = rt.marketplace_for(store)
    token: str | None = None
    for _ in range(MAX_PAGES_PER_RUN):
        page = client.search_orders(
            marketplace_ids=[store.marketplace_id],
            last_updated_after=start,
            last_updated_before=end,
            pagination_token=token,
        )
        result.pulled.add(import_page(rt, store, page.orders))
        token = page.next_token
        if not token:
            break
    with rt.db.transaction() as conn:
        record_sync(
            conn, store.id, now=rt.clock(), result="OK", error=None, watermark=max(end, watermark) if watermark else end
        )


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


def erase_buyer_data(rt: Runtime) -> int:
    """Amazon's Data Protection Policy: buyer data goes 30 days after delivery, a cancel, or an unreadable payload."""
    now = rt.clock()
    cutoff = now - BUYER_DATA_RETENTION
    delivered = or_(
        amazon_orders.c.deliver_by < cutoff, amazon_orders.c.shipped_at < cutoff, amazon_orders.c.completed_at < cutoff
    )
    with rt.db.transaction() as conn:
        erased = conn.execute(
            update(amazon_orders)
            .where(
                or_(amazon_orders.c.buyer_data.is_not(None), amazon_orders.c.raw_payload.is_not(None)),
                or_(
                    and_(amazon_orders.c.status.in_([S.SHIPPED.value, S.COMPLETED.value]), delivered),
                    and_(
                        amazon_orders.c.status.in_([S.CANCELED.value, S.ERROR.value]),
                        amazon_orders.c.updated_at < cutoff,
                    ),
                ),
            )
            .values(buyer_data=None, buyer_name_tokens=None, raw_payload=None, buyer_data_erased_at=now)
        )
    return erased.rowcount or 0
