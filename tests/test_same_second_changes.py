"""Amazon stamps changes to the second: a change in the same second as the stored copy is applied when it says
something new, and an identical copy delivered again writes nothing.

Each copy here reaches searchOrders a cycle after its stamp, later than the poll's one-minute overlap, so the
reconciliation pass is what reads it again."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import select

from channel_plugin.storage.tables import amazon_orders
from channel_plugin.testing import make_order


def _updated_at(sb: Any, amazon_order_id: str) -> Any:
    with sb.db.engine.connect() as conn:
        query = select(amazon_orders.c.updated_at).where(amazon_orders.c.amazon_order_id == amazon_order_id)
        return conn.execute(query).scalar_one()


def test_a_status_change_in_the_same_second_is_applied(make_sandbox: Any) -> None:
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    pending = make_order(status="PENDING", items=[("MUG", 1)])
    at = sb.clock()
    sb.amazon.put_order(pending, updated_at=at)
    sb.sync()
    assert sb.order(pending["orderId"]).status == "PENDING"

    unshipped = copy.deepcopy(pending)
    unshipped["fulfillment"]["fulfillmentStatus"] = "UNSHIPPED"
    sb.amazon.put_order(unshipped, updated_at=at)
    sb.reconcile(days=1)

    view = sb.order(pending["orderId"])
    assert (view.status, view.import_state) == ("UNSHIPPED", "IMPORTED")
    assert sb.host.salable_qty("MUG") == 4


def test_an_item_change_in_the_same_second_is_applied(make_sandbox: Any) -> None:
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    pending = make_order(status="PENDING", items=[("MUG", 1)])
    at = sb.clock()
    sb.amazon.put_order(pending, updated_at=at)
    sb.sync()

    more = copy.deepcopy(pending)
    more["orderItems"][0]["quantityOrdered"] = 3
    sb.amazon.put_order(more, updated_at=at)
    sb.reconcile(days=1)

    [item] = sb.order(pending["orderId"]).items
    assert item.quantity_ordered == 3


def test_an_identical_copy_delivered_again_writes_nothing(make_sandbox: Any) -> None:
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    order = make_order(items=[("MUG", 1)])
    at = sb.clock()
    sb.amazon.put_order(order, updated_at=at)
    sb.sync()
    before = sb.order(order["orderId"])
    written = _updated_at(sb, order["orderId"])
    assert before.import_state == "IMPORTED"

    sb.amazon.put_order(copy.deepcopy(order), updated_at=at)
    [report] = sb.reconcile(days=1)

    after = sb.order(order["orderId"])
    assert (report.on_amazon, report.found_late) == (1, 0)
    assert after.history == before.history
    assert _updated_at(sb, order["orderId"]) == written
