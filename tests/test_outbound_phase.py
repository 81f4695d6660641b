"""A backlog of shipment confirmations never holds up the import of new orders: every cycle pulls first, and the
outbound phase stops at its time budget (confirmShipment's quota decides how much fits), leaving the rest queued."""

from __future__ import annotations

from datetime import timedelta

from channel_plugin.engine.outbound import OUTBOUND_BUDGET
from channel_plugin.testing import make_order

BACKLOG = 150  # confirmShipment allows 2 a second after a burst of 10: more than one budget's worth


def test_new_orders_import_before_a_backlog_that_takes_more_than_one_cycle(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 1000}])
    backlog = [make_order(items=[("MUG", 1)]) for _ in range(BACKLOG)]
    for order in backlog:
        sb.amazon.put_order(order)
    sb.sync()
    for order in backlog:
        sb.host.ship(sb.order(order["orderId"]).commerce_order_id, "UPS", "1Z1")
    fresh = [make_order(items=[("MUG", 1)]) for _ in range(5)]
    for order in fresh:
        sb.amazon.put_order(order)

    started = sb.clock.now()
    [result] = sb.sync()
    assert result.pulled.imported == 5
    assert 0 < result.confirmations_sent < BACKLOG
    first_confirmed = min(e.at for o in backlog for e in sb.order(o["orderId"]).history if e.kind == "AMAZON_CONFIRMED")
    for order in fresh:
        imported_at = next(e.at for e in sb.order(order["orderId"]).history if e.kind == "IMPORTED")
        assert imported_at <= first_confirmed
    # The outbound phase stopped at its budget, give or take one call (the sync moves the clock by the cron interval).
    cron = timedelta(seconds=sb.runtime.cron_interval_seconds)
    assert sb.clock.now() - started <= cron + OUTBOUND_BUDGET + timedelta(seconds=5)

    left = BACKLOG - result.confirmations_sent
    [result] = sb.sync()
    assert result.confirmations_sent == left
    assert all(sb.order(o["orderId"]).status == "COMPLETED" for o in backlog)
