"""Ship, confirm, complete and cancel, both ways, through the Sandbox on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from channel_plugin.errors import ValidationError
from channel_plugin.testing import make_order


def imported(sandbox, *items, **kwargs):
    order = make_order(items=list(items), **kwargs)
    sandbox.amazon.put_order(order)
    sandbox.sync()
    view = sandbox.order(order["orderId"])
    assert view.import_state == "IMPORTED", view.notes
    return order["orderId"], view.commerce_order_id


def test_full_shipment_confirms_to_amazon_then_completes_on_the_next_cron(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}, {"sku": "TEE", "qty": 5}])
    amazon_id, commerce_id = imported(sb, ("MUG", 2), ("TEE", 1))
    sb.host.ship(commerce_id, "UPS", "1Z999AA10123456784")
    view = sb.order(amazon_id)
    assert view.status == "SHIPPED"
    assert "UPS" in view.notes and "1Z999AA10123456784" in view.notes
    assert sb.host.order(commerce_id).state == "processing"
    assert sb.amazon.confirmations == []  # queued in the shipment's transaction, sent by the cron
    sb.sync()
    [(confirmed_id, payload)] = sb.amazon.confirmations
    assert confirmed_id == amazon_id
    assert (payload["carrierCode"], payload["trackingNumber"]) == ("UPS", "1Z999AA10123456784")
    assert sorted(line["quantity"] for line in payload["orderItems"]) == [1, 2]
    view = sb.order(amazon_id)
    assert view.status == "COMPLETED"
    assert sb.host.order(commerce_id).state == "complete"
    kinds = [e.kind for e in view.history]
    assert kinds == ["RECEIVED", "IMPORTED", "SHIPPED", "AMAZON_CONFIRMED", "COMPLETED"]
    assert view.notes == view.history[-1].message


def test_partial_shipment_then_the_rest(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}, {"sku": "TEE", "qty": 5}])
    amazon_id, commerce_id = imported(sb, ("MUG", 2), ("TEE", 1))
    sb.host.ship(commerce_id, "DHL", "JD0001", items={"MUG": 1})
    assert sb.order(amazon_id).status == "PARTIALLY_SHIPPED"
    sb.sync()
    assert sb.order(amazon_id).status == "PARTIALLY_SHIPPED"
    assert sb.host.order(commerce_id).state == "processing"
    sb.host.ship(commerce_id, "DHL", "JD0002")
    assert sb.order(amazon_id).status == "SHIPPED"
    sb.sync()
    assert sb.order(amazon_id).status == "COMPLETED"
    assert len(sb.amazon.confirmations) == 2
    second = sb.amazon.confirmations[1][1]
    assert sum(line["quantity"] for line in second["orderItems"]) == 2


def test_a_503_on_the_first_confirmation_try_is_retried_and_the_order_completes(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    amazon_id, commerce_id = imported(sb, ("MUG", 1))
    sb.host.ship(commerce_id, "UPS", "1Z1")
    sb.amazon_server.faults.fail_next(503, operation="confirmShipment")
    sb.sync()
    assert sb.amazon_server.calls["confirmShipment"] == 2
    assert len(sb.amazon.confirmations) == 1
    assert sb.order(amazon_id).status == "COMPLETED"
    assert sb.host.order(commerce_id).state == "complete"


def test_confirmation_while_amazon_stays_down_waits_in_the_queue_for_a_later_cron(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    amazon_id, commerce_id = imported(sb, ("MUG", 1))
    sb.host.ship(commerce_id, "UPS", "1Z1")
    sb.amazon_server.faults.fail_next(503, operation="confirmShipment", times=8)
    [result] = sb.sync()
    assert (result.confirmations_sent, result.confirmations_failed, result.error) == (0, 1, None)
    view = sb.order(amazon_id)
    assert view.status == "SHIPPED"
    assert sb.host.order(commerce_id).state == "processing"
    assert sb.amazon.confirmations == []
    sb.sync()
    assert sb.order(amazon_id).status == "COMPLETED"
    assert len(sb.amazon.confirmations) == 1


def test_amazon_reporting_shipped_after_import_completes_the_order(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    amazon_id, commerce_id = imported(sb, ("MUG", 1))
    sb.amazon.set_status(amazon_id, "Shipped")
    sb.sync()
    assert sb.order(amazon_id).status == "COMPLETED"
    assert sb.host.order(commerce_id).state == "complete"


def test_amazon_lagging_behind_our_shipment_does_not_move_the_status_back(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    amazon_id, commerce_id = imported(sb, ("MUG", 1))
    sb.host.ship(commerce_id, "UPS", "1Z1")
    sb.amazon.put_order(sb.amazon.payload(amazon_id))  # Amazon re-sends the order, still UNSHIPPED
    sb.sync()  # pulls before it sends the queued confirmation
    view = sb.order(amazon_id)
    assert "STATUS" not in [e.kind for e in view.history]
    assert view.status == "COMPLETED"


def test_admin_cancels_an_unshipped_order(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    amazon_id, commerce_id = imported(sb, ("MUG", 2))
    assert sb.host.salable_qty("MUG") == 3
    sb.cancel(amazon_id, "NoInventory")
    view = sb.order(amazon_id)
    assert view.status == "CANCELED"
    assert sb.host.order(commerce_id).state == "canceled"
    assert sb.host.salable_qty("MUG") == 5
    sb.sync()  # the cancellation feed goes out; Amazon processes it before the next cycle looks
    assert sb.amazon.cancellations == []
    sb.sync()
    assert sb.amazon.cancellations == [(amazon_id, "NoInventory")]
    view = sb.order(amazon_id)
    assert view.status == "CANCELED"
    assert [e.kind for e in view.history][-2:] == ["CANCELED", "AMAZON_CONFIRMED"]


def test_admin_cancel_of_a_blocked_order_skips_it_and_clears_its_blockers(make_sandbox):
    sb = make_sandbox()
    order = make_order(items=[("MUG", 1)])
    sb.amazon.put_order(order)
    sb.sync()
    sb.cancel(order["orderId"], "NoInventory")
    view = sb.order(order["orderId"])
    assert (view.status, view.import_state, view.blockers) == ("CANCELED", "SKIPPED", ())
    assert sb.system_messages() == []


@pytest.mark.parametrize("reason", ["", "BecauseISaidSo", "NO_INVENTORY"])
def test_admin_cancel_needs_one_of_amazons_reason_codes(make_sandbox, reason):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    amazon_id, _ = imported(sb, ("MUG", 1))
    with pytest.raises(ValidationError) as err:
        sb.cancel(amazon_id, reason)
    assert err.value.field == "reason"
    assert sb.order(amazon_id).status == "UNSHIPPED"


def test_admin_cannot_cancel_a_shipped_order(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    amazon_id, commerce_id = imported(sb, ("MUG", 1))
    sb.host.ship(commerce_id, "UPS", "1Z1")
    with pytest.raises(ValidationError) as err:
        sb.cancel(amazon_id, "NoInventory")
    assert err.value.code == "NOT_CANCELABLE"
    assert sb.order(amazon_id).status == "SHIPPED"
    assert sb.host.order(commerce_id).state == "processing"


def test_host_cancel_of_an_unshipped_order_cancels_it_on_amazon(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    amazon_id, commerce_id = imported(sb, ("MUG", 1))
    sb.host.cancel(commerce_id)
    assert sb.order(amazon_id).status == "CANCELED"
    sb.sync()
    sb.sync()
    assert sb.amazon.cancellations == [(amazon_id, "GeneralAdjustment")]


def test_buyer_data_is_encrypted_at_rest_and_erased_30_days_after_delivery(make_sandbox):
    from sqlalchemy import text

    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    amazon_id, commerce_id = imported(
        sb, ("MUG", 1), buyer_name="Zelda Quartermain", buyer_email="zq@marketplace.amazon.com"
    )
    with sb.db.engine.connect() as conn:
        dump = " ".join(str(v) for row in conn.execute(text("select * from amazon_orders")) for v in row)
    assert "Zelda" not in dump and "zq@" not in dump and "Main St" not in dump
    assert sb.order(amazon_id).buyer.name == "Zelda Quartermain"
    sb.host.ship(commerce_id, "UPS", "1Z1")
    sb.sync()
    sb.clock.advance(29 * 86400)
    sb.sync()
    assert sb.order(amazon_id).buyer.name == "Zelda Quartermain"
    sb.clock.advance(2 * 86400)
    sb.sync()
    view = sb.order(amazon_id)
    assert view.buyer.name is None and view.shipping_address is None
    assert view.status == "COMPLETED"


def test_buyer_data_never_reaches_the_logs(make_sandbox, caplog):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 0}])
    caplog.set_level("DEBUG")
    order = make_order(items=[("MUG", 1)], buyer_name="Zelda Quartermain", buyer_email="zq@marketplace.amazon.com")
    sb.amazon.put_order(order)
    sb.amazon.put_order({"createdTime": "nope", "buyer": {"buyerName": "Zelda Quartermain"}})
    sb.amazon_server.faults.fail_next(500, times=8)
    sb.sync()
    sb.sync()
    assert "Zelda" not in caplog.text and "zq@" not in caplog.text
