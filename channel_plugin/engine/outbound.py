"""Queued calls to Amazon: each claimed by one worker, sent with no transaction open, its answer recorded.

Transient failures (throttling, 5xx, the network) come back with a growing backoff until ``MAX_ATTEMPTS``; a
refusal (a 4xx other than 429) stops at once. Either way the call is kept, stuck, with Amazon's message: the order
is not completed while it is stuck, integrators hear of it through ``channel_amazon_call_refused``, and an admin
can correct the carrier or tracking and resend the same package (``resend_shipment``).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select, update

from channel_plugin.amazon.client import AmazonRejected, MarketplaceClient
from channel_plugin.domain.calls import AmazonCall
from channel_plugin.domain.carriers import amazon_carrier
from channel_plugin.engine.dberrors import describe_error
from channel_plugin.engine.fulfillment import add_event, load_order
from channel_plugin.engine.hooks import Hooks
from channel_plugin.engine.runtime import Runtime
from channel_plugin.errors import ValidationError
from channel_plugin.storage import outbox
from channel_plugin.storage.orders import named_order_pk
from channel_plugin.storage.outbox import CONFIRM_SHIPMENT
from channel_plugin.storage.stores import StoreRecord
from channel_plugin.storage.tables import amazon_outbox, order_tracking

log = logging.getLogger("channel_plugin")

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
MAX_BACKOFF = timedelta(hours=1)
OUTBOUND_BUDGET = timedelta(minutes=1)


def backoff(attempts: int) -> timedelta:
    """2, 4, 8 ... minutes after the n-th failed attempt, at most an hour."""
    return min(timedelta(minutes=2 ** min(attempts, 10)), MAX_BACKOFF)


def send_outbox(
    rt: Runtime, store: StoreRecord, *, lease: timedelta = LEASE, budget: timedelta | None = OUTBOUND_BUDGET
) -> tuple[int, int]:
    """Send the store's due calls, one claim at a time; returns (sent, failed).

    Stops after ``budget`` (the store's other cycles and other stores come first; what is left goes next cycle).
    The client waits on each operation's own token bucket, so a throttled confirmShipment waits for its bucket
    only, never for the rest of the cycle.
    """
    started = rt.clock()
    client: MarketplaceClient | None = None
    sent = failed = 0
    while budget is None or rt.clock() - started < budget:
        with rt.db.transaction() as conn:
            entry = outbox.claim(conn, store.id, rt.clock(), lease)
        if entry is None:
            break
        client = client or rt.marketplace_for(store)
        try:
            client.confirm_shipment(entry.amazon_order_id, entry.payload)
        except Exception as exc:
            failed += 1
            _record_failure(rt, entry, exc)
            log.warning(
                "store %s: %s for order %s failed (%s)", store.id, entry.kind, entry.amazon_order_id, type(exc).__name__
            )
            continue
        sent += 1
        with rt.db.transaction() as conn:
            if outbox.mark_sent(conn, entry.id, rt.clock()):
                add_event(
                    conn, entry.order_pk, "AMAZON_CONFIRMED", "Amazon accepted the shipment confirmation.", rt.clock()
                )
    return sent, failed


def _record_failure(rt: Runtime, entry: outbox.OutboxEntry, exc: Exception) -> None:
    refused = isinstance(exc, AmazonRejected)
    message = str(exc) if refused else describe_error(exc)
    now = rt.clock()
    with rt.unit_of_work() as (conn, notes):
        if not refused and entry.attempts < MAX_ATTEMPTS:
            outbox.retry_later(conn, entry.id, now, message, backoff(entry.attempts))
            return
        if not outbox.give_up(conn, entry.id, outbox.REFUSED if refused else outbox.FAILED, message):
            return  # a worker whose lease ran out already recorded the answer
        label = "shipment confirmation"
        add_event(
            conn,
            entry.order_pk,
            "AMAZON_REFUSED" if refused else "AMAZON_GAVE_UP",
            f"Amazon refused the {label}: {message}"
            if refused
            else f"Stopped retrying the {label} after {entry.attempts} attempts: {message}",
            now,
        )
        _stored, _columns, order = load_order(rt, conn, entry.order_pk)
        problem = outbox.SHIPMENT_PROBLEMS[outbox.REFUSED if refused else outbox.FAILED]
        call = AmazonCall("confirmShipment", entry.reference, dict(entry.payload), problem, entry.attempts)
        notes.add(Hooks.amazon_call_refused, order, call, message)


def resend_shipment(
    rt: Runtime,
    store_id: int,
    amazon_order_id: str,
    package_reference_id: str | None,
    carrier: str | None,
    tracking_number: str | None,
) -> str:
    """Correct a stuck shipment confirmation and queue it again as the same package; returns its reference.

    Carrier and tracking number left out keep their values. ``package_reference_id`` may be left out when the
    order has one stuck confirmation.
    """
    if carrier is not None and not carrier.strip():
        raise ValidationError("carrier", "the carrier cannot be blank", "REQUIRED")
    if tracking_number is not None and not tracking_number.strip():
        raise ValidationError("tracking_number", "the tracking number cannot be blank", "REQUIRED")
    at = rt.clock()
    with rt.db.transaction() as conn:
        pk = named_order_pk(conn, store_id, amazon_order_id)
        stuck = outbox.stuck_calls(conn, [pk], CONFIRM_SHIPMENT)[pk]
        chosen = [c for c in stuck if package_reference_id in (None, c.reference)]
        if not chosen:
            raise ValidationError(
                "package_reference_id" if package_reference_id else "amazon_order_id",
                "no refused or unsent shipment confirmation to resend",
                "NOT_FOUND",
            )
        if len(chosen) > 1:
            raise ValidationError("package_reference_id", "several packages are stuck: name one", "REQUIRED")
        reference = chosen[0].reference
        tracking = conn.execute(select(order_tracking).where(order_tracking.c.id == int(reference))).one()
        new_carrier = carrier.strip() if carrier else tracking.carrier
        new_tracking = tracking_number.strip() if tracking_number else tracking.tracking_number
        payload = conn.execute(
            select(amazon_outbox.c.payload).where(
                amazon_outbox.c.order_id == pk,
                amazon_outbox.c.kind == CONFIRM_SHIPMENT,
                amazon_outbox.c.reference == reference,
            )
        ).scalar_one()
        code, name = amazon_carrier(new_carrier, None)
        payload = {**payload, "carrierCode": code, "carrierName": name, "trackingNumber": new_tracking}
        conn.execute(
            update(order_tracking)
            .where(order_tracking.c.id == tracking.id)
            .values(carrier=new_carrier, tracking_number=new_tracking)
        )
        outbox.requeue(conn, pk, CONFIRM_SHIPMENT, reference, payload, at)
        add_event(
            conn,
            pk,
            "SHIPMENT_RESENT",
            f"Shipment confirmation queued again for package {reference} with {new_carrier}, tracking {new_tracking}.",
            at,
        )
    return reference
