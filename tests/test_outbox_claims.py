"""The lease behind each queued call: one holder at a time, taken over once a crashed holder's lease runs out."""

from __future__ import annotations

from datetime import timedelta

from channel_plugin.storage import outbox
from channel_plugin.testing import make_order


def test_a_leased_call_is_nobody_elses_until_its_lease_runs_out(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    order = make_order(items=[("MUG", 1)])
    sb.amazon.put_order(order)
    sb.sync()
    sb.host.ship(sb.order(order["orderId"]).commerce_order_id, "UPS", "1Z1")
    lease = timedelta(minutes=5)
    with sb.db.transaction() as conn:
        first = outbox.claim(conn, sb.store.id, sb.clock.now(), lease)
    assert first is not None and first.attempts == 1
    with sb.db.transaction() as conn:
        assert outbox.claim(conn, sb.store.id, sb.clock.now() + lease - timedelta(seconds=1), lease) is None
    with sb.db.transaction() as conn:  # the holder died: the next worker sends the same package again
        again = outbox.claim(conn, sb.store.id, sb.clock.now() + lease, lease)
    assert again is not None
    assert (again.id, again.payload["packageReferenceId"], again.attempts) == (first.id, first.reference, 2)
    with sb.db.transaction() as conn:
        assert outbox.mark_sent(conn, again.id, sb.clock.now())
        assert not outbox.mark_sent(conn, first.id, sb.clock.now())  # the first holder's late answer changes nothing
        assert outbox.claim(conn, sb.store.id, sb.clock.now() + 2 * lease, lease) is None
