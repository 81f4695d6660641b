"""Cancellations to Amazon: queued with the cancel, sent together as one order-acknowledgement feed per cycle, and
settled from Amazon's processing report on later cycles.

Amazon allows one createFeed every two minutes after a small burst, so one feed per store and cycle carries every
pending cancellation, however many there are; it goes out after the cycle's import, so a long queue never holds up
new orders. Amazon processes a feed minutes later: each later cycle asks where the store's open feeds are and, once
one is done, reads its report. An accepted cancellation is noted in the order's history; a refused one puts the
order back in the status it had before the cancel (Amazon still has it so) with the problem CANCEL_REJECTED and
Amazon's message, because the Commerce order was canceled already and someone must decide what happens to it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from channel_plugin.amazon.cancellation import CONTENT_TYPE, FEED_TYPE, CancelMessage, acknowledgement_feed, refusals_in
from channel_plugin.amazon.client import AmazonRejected, AmazonResponseError
from channel_plugin.domain.calls import AmazonCall
from channel_plugin.domain.enums import AmazonOrderStatus as S
from channel_plugin.engine.fulfillment import _status_note, add_event, load_order
from channel_plugin.engine.hooks import Hooks
from channel_plugin.engine.runtime import Runtime
from channel_plugin.storage import cancellations as store_cancels
from channel_plugin.storage.cancellations import CANCEL_REJECTED, CancelRequest
from channel_plugin.storage.stores import StoreRecord

log = logging.getLogger("channel_plugin")

# A feed document of 5,000 acknowledgements is well under Amazon's feed size limit; more wait for the next cycle.
CANCELS_PER_FEED = 5000
CLAIM_LEASE = timedelta(minutes=10)


@dataclass
class CancelResult:
    """What one cycle did with a store's cancellations."""

    submitted: int = 0
    accepted: int = 0
    rejected: int = 0


def send_cancellations(rt: Runtime, store: StoreRecord, result: CancelResult) -> None:
    """Follow the store's open feeds, then send every pending cancellation in one new feed."""
    follow_feeds(rt, store, result)
    now = rt.clock()
    with rt.db.transaction() as conn:
        store_cancels.release_stale_claims(conn, store.id, now)
        claimed = store_cancels.claim(
            conn, store_id=store.id, feed_type=FEED_TYPE, now=now, lease=CLAIM_LEASE, limit=CANCELS_PER_FEED
        )
    if claimed is None:
        return
    feed_pk, requests = claimed
    document = acknowledgement_feed(
        store.seller_id, [CancelMessage(r.id, r.amazon_order_id, r.reason) for r in requests]
    )
    try:
        feed_id = rt.marketplace_for(store).create_feed(FEED_TYPE, document, CONTENT_TYPE)
    except AmazonRejected as exc:
        _settle(rt, requests, {r.id: f"Amazon refused the cancellation feed: {exc}" for r in requests}, result)
        with rt.db.transaction() as conn:
            store_cancels.finish_feed(conn, feed_pk, rt.clock(), str(exc))
        return
    except Exception as exc:
        with rt.db.transaction() as conn:
            store_cancels.release(conn, feed_pk)
        log.warning("store %s: the cancellation feed could not be sent (%s)", store.id, type(exc).__name__)
        return
    with rt.db.transaction() as conn:
        store_cancels.submitted(conn, feed_pk, feed_id, rt.clock())
    result.submitted += len(requests)


def follow_feeds(rt: Runtime, store: StoreRecord, result: CancelResult) -> None:
    """Settle every cancellation of the store's feeds that Amazon has finished with; the rest wait."""
    with rt.db.transaction(write=False) as conn:
        feeds = store_cancels.open_feeds(conn, store.id)
    if not feeds:
        return
    client = rt.marketplace_for(store)
    for feed in feeds:
        try:
            status = client.get_feed(feed.amazon_feed_id)
            if not status.finished:
                continue
            report = client.get_feed_document(status.result_document_id) if status.result_document_id else None
            refused = refusals_in(report) if report is not None else None
        except (ConnectionError, AmazonRejected, AmazonResponseError, ValueError) as exc:
            # Amazon down, or a report we cannot read: the feed stays open and the next cycle asks again.
            log.warning("store %s: feed %s not settled (%s)", store.id, feed.amazon_feed_id, type(exc).__name__)
            continue
        with rt.db.transaction(write=False) as conn:
            requests = store_cancels.in_feed(conn, feed.id)
        if refused is None:
            # CANCELLED, or FATAL without a report: Amazon applied nothing it can tell us about; send them again.
            with rt.db.transaction() as conn:
                store_cancels.release(conn, feed.id)
            log.warning(
                "store %s: feed %s ended %s; resending", store.id, feed.amazon_feed_id, status.processing_status
            )
            continue
        _settle(rt, requests, {r.id: refused[r.id] for r in requests if r.id in refused}, result)
        with rt.db.transaction() as conn:
            store_cancels.finish_feed(conn, feed.id, rt.clock())


def _settle(rt: Runtime, requests: list[CancelRequest], refused: dict[int, str], result: CancelResult) -> None:
    for request in requests:
        if rt.retrying()(_settle_one, rt, request, refused.get(request.id)):
            if request.id in refused:
                result.rejected += 1
            else:
                result.accepted += 1


def _settle_one(rt: Runtime, request: CancelRequest, refusal: str | None) -> bool:
    with rt.unit_of_work() as (conn, notes):
        stored, _columns, order = load_order(rt, conn, request.order_pk)
        now = rt.clock()
        if not store_cancels.settle(conn, request.id, now, refusal=refusal):
            return False
        if refusal is None:
            add_event(conn, request.order_pk, "AMAZON_CONFIRMED", "Amazon accepted the cancellation.", now)
            return True
        restored = request.previous_status if stored.status is S.CANCELED else stored.status
        commerce = (
            f" Commerce order #{stored.commerce_increment_id} was canceled already: ship the order another way or "
            "cancel it in Seller Central."
            if stored.commerce_order_id
            else ""
        )
        add_event(
            conn,
            request.order_pk,
            CANCEL_REJECTED,
            f"Amazon refused the cancellation: {refusal.rstrip('.')}.{commerce}",
            now,
            status=restored.value,
        )
        _status_note(notes, order, stored.status, restored)
        call = AmazonCall(
            "createFeed", str(request.id), {"feedType": FEED_TYPE, "reason": request.reason}, CANCEL_REJECTED, 1
        )
        notes.add(Hooks.amazon_call_refused, order, call, refusal)
    return True
