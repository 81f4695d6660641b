"""Shipments the host committed but never announced: found by asking the host, recorded like announced ones.

A host may commit a shipment and die before it fires ``commerce_shipment_created``; Amazon would then never hear
of it. So every cron cycle, at most every ``RECONCILE_EVERY`` per store, the plugin asks the host
(``commerce_order_shipments``, ``RECONCILE_PAGE`` orders a call) for the shipments of its IMPORTED merchant orders
that are not yet fully shipped and were purchased within ``RECONCILE_WINDOW``; a shipment it has no tracking row for
goes through the same path as the hook (``fulfillment.on_shipment_created``), whose (order, shipment id) check makes
the hook and the reconciliation record it, and confirm it to Amazon, once between them.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update

from channel_plugin.domain.enums import AmazonOrderStatus as S
from channel_plugin.domain.enums import FulfillmentChannel, ImportState
from channel_plugin.engine.fulfillment import on_shipment_created
from channel_plugin.engine.runtime import Runtime
from channel_plugin.errors import ChannelError
from channel_plugin.storage.stores import StoreRecord
from channel_plugin.storage.tables import amazon_orders, order_tracking, sync_state

log = logging.getLogger("channel_plugin")

RECONCILE_EVERY = timedelta(minutes=15)
RECONCILE_WINDOW = timedelta(days=30)
RECONCILE_PAGE = 100
RECONCILE_MAX_PAGES = 20  # 2,000 orders a run; a store with more unshipped orders is covered over several runs


def reconcile_shipments(rt: Runtime, store: StoreRecord, *, force: bool = False) -> int:
    """Record the host's unannounced shipments of this store's orders; returns how many were found.

    Skipped (0) when the last reconciliation of the store is less than ``RECONCILE_EVERY`` old, unless ``force``.
    """
    now = rt.clock()
    if not force and not _due(rt, store, now):
        return 0
    found = 0
    after = 0
    for _ in range(RECONCILE_MAX_PAGES):
        with rt.db.transaction(write=False) as conn:
            page = conn.execute(
                select(amazon_orders.c.id, amazon_orders.c.commerce_order_id)
                .where(
                    amazon_orders.c.store_id == store.id,
                    amazon_orders.c.import_state == ImportState.IMPORTED.value,
                    amazon_orders.c.fulfillment_channel == FulfillmentChannel.MERCHANT.value,
                    amazon_orders.c.status.in_([S.UNSHIPPED.value, S.PARTIALLY_SHIPPED.value]),
                    amazon_orders.c.purchase_date >= now - RECONCILE_WINDOW,
                    amazon_orders.c.id > after,
                )
                .order_by(amazon_orders.c.id)
                .limit(RECONCILE_PAGE)
            ).all()
            known = {
                (r.order_id, r.commerce_shipment_id)
                for r in conn.execute(
                    select(order_tracking.c.order_id, order_tracking.c.commerce_shipment_id).where(
                        order_tracking.c.order_id.in_([r.id for r in page])
                    )
                )
            }
        if not page:
            break
        after = page[-1].id
        pk_of = {r.commerce_order_id: r.id for r in page}
        try:
            shipments = rt.hooks.order_shipments(sorted(pk_of))
        except ChannelError as exc:
            log.warning("store %s: the host could not list its shipments (%s); retried next time", store.id, exc)
            return found
        if shipments is None:
            return 0  # the host cannot be asked: the hook is the only way to hear of a shipment
        for order_id, listed in sorted(shipments.items()):
            for shipment in listed:
                if (pk_of[order_id], shipment.id) in known:
                    continue
                if on_shipment_created(rt, order_id, shipment, found=True):
                    found += 1
        if len(page) < RECONCILE_PAGE:
            break
    with rt.db.transaction() as conn:
        conn.execute(update(sync_state).where(sync_state.c.store_id == store.id).values(shipments_reconciled_at=now))
    if found:
        log.warning("store %s: %d shipment(s) the host never announced were found and recorded", store.id, found)
    return found


def _due(rt: Runtime, store: StoreRecord, now: datetime) -> bool:
    with rt.db.transaction(write=False) as conn:
        last = conn.execute(
            select(sync_state.c.shipments_reconciled_at).where(sync_state.c.store_id == store.id)
        ).scalar_one_or_none()
    return last is None or now - last >= RECONCILE_EVERY
