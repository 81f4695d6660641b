"""The end-of-life rule, as a table over every status an order can have.

The rule reads no import state: that every import state ends the same way is the acceptance test's job
(tests/test_buyer_data_erasure.py), on stored orders.
"""

from datetime import UTC, datetime, timedelta

import pytest

from channel_plugin.domain.enums import AmazonOrderStatus as S
from channel_plugin.domain.retention import OrderLife, end_of_life, must_erase

PURCHASED = datetime(2026, 3, 1, tzinfo=UTC)
UPDATED = PURCHASED + timedelta(days=2)
DELIVER_BY = PURCHASED + timedelta(days=7)
SHIPPED = PURCHASED + timedelta(days=3)
COMPLETED = PURCHASED + timedelta(days=4)
DAY = timedelta(days=1)

# status, latest delivery date known, shipped, completed -> end of life
TABLE = [
    (S.PENDING, True, False, False, DELIVER_BY),
    (S.PENDING, False, False, False, PURCHASED + 30 * DAY),
    (S.PENDING_AVAILABILITY, True, False, False, DELIVER_BY),
    (S.PENDING_AVAILABILITY, False, False, False, PURCHASED + 30 * DAY),
    (S.UNSHIPPED, True, False, False, DELIVER_BY),
    (S.UNSHIPPED, False, False, False, PURCHASED + 30 * DAY),
    (S.PARTIALLY_SHIPPED, True, True, False, DELIVER_BY),
    (S.PARTIALLY_SHIPPED, False, True, False, PURCHASED + 30 * DAY),
    (S.UNFULFILLABLE, True, False, False, DELIVER_BY),
    (S.UNFULFILLABLE, False, False, False, PURCHASED + 30 * DAY),
    (S.SHIPPED, True, True, False, SHIPPED),
    (S.SHIPPED, True, False, False, DELIVER_BY),
    (S.SHIPPED, False, False, False, UPDATED),
    (S.INVOICE_UNCONFIRMED, True, True, False, SHIPPED),
    (S.INVOICE_UNCONFIRMED, False, False, False, UPDATED),
    (S.COMPLETED, False, True, True, SHIPPED),
    (S.COMPLETED, False, False, True, COMPLETED),
    (S.COMPLETED, True, False, False, DELIVER_BY),
    (S.CANCELED, True, False, False, UPDATED),
    (S.CANCELED, False, False, False, UPDATED),
    (S.ERROR, False, False, False, UPDATED),
]


def test_the_table_covers_every_status():
    assert {row[0] for row in TABLE} == set(S)


@pytest.mark.parametrize(("status", "dated", "shipped", "completed", "end"), TABLE)
def test_buyer_data_goes_30_days_after_the_end_of_every_kind_of_order(status, dated, shipped, completed, end):
    order = OrderLife(
        status=status,
        purchase_date=PURCHASED,
        updated_at=UPDATED,
        deliver_by=DELIVER_BY if dated else None,
        shipped_at=SHIPPED if shipped else None,
        completed_at=COMPLETED if completed else None,
    )
    assert end_of_life(order) == end
    assert not must_erase(order, end + 30 * DAY - timedelta(seconds=1))
    assert must_erase(order, end + 30 * DAY)
