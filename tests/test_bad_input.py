"""Malformed Amazon orders are recorded with a readable reason and never stop the rest of the batch."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from channel_plugin.storage.tables import amazon_orders, sync_errors
from channel_plugin.testing import make_order


def broken(mutate):
    order = make_order(items=[("MUG", 1)])
    mutate(order)
    return order


CASES = {
    "missing createdTime": (lambda o: o.pop("createdTime"), "createdTime is missing"),
    "missing orderItems": (lambda o: o.pop("orderItems"), "orderItems must be a non-empty list"),
    "missing seller SKU": (lambda o: o["orderItems"][0]["product"].pop("sellerSku"), "sellerSku is missing"),
    "negative quantity": (lambda o: o["orderItems"][0].update(quantityOrdered=-1), "must not be negative"),
    "bad currency": (
        lambda o: o["proceeds"]["grandTotal"].update(currencyCode="DOLLARS"),
        "not an ISO 4217 currency code",
    ),
    "unparsable date": (lambda o: o.update(createdTime="last tuesday"), "not an ISO 8601 date-time"),
    "unknown status": (
        lambda o: o["fulfillment"].update(fulfillmentStatus="TELEPORTED"),
        "unknown Amazon order status",
    ),
    "amount not a number": (lambda o: o["proceeds"]["grandTotal"].update(amount="ten"), "not a decimal amount"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_malformed_order_is_blocked_with_a_readable_reason_and_the_batch_goes_on(make_sandbox, case):
    mutate, expected = CASES[case]
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    before = make_order(items=[("MUG", 1)])
    bad = broken(mutate)
    after = make_order(items=[("MUG", 1)])
    for order in (before, bad, after):
        sb.amazon.put_order(order)
    [result] = sb.sync()
    assert result.error is None
    assert result.pulled.invalid == 1
    view = sb.order(bad["orderId"])
    assert (view.status, view.import_state) == ("ERROR", "BLOCKED")
    [blocker] = view.blockers
    assert blocker.kind == "INVALID_ORDER_DATA"
    assert expected in blocker.message
    assert expected in view.notes
    for good in (before, after):
        assert sb.order(good["orderId"]).import_state == "IMPORTED"
    assert sb.host.salable_qty("MUG") == 3


def test_an_order_without_an_id_is_recorded_as_a_sync_error(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    good = make_order(items=[("MUG", 1)])
    nameless = make_order(items=[("MUG", 1)])
    del nameless["orderId"]
    sb.amazon.put_order(nameless)
    sb.amazon.put_order(["not", "an", "order"])
    sb.amazon.put_order(good)
    sb.sync()
    assert sb.order(good["orderId"]).import_state == "IMPORTED"
    with sb.db.engine.connect() as conn:
        messages = [r.message for r in conn.execute(select(sync_errors))]
    assert sorted(m.split(": ", 1)[1] for m in messages) == [
        "an order must be a JSON object, got list",
        "orderId is missing or empty",
    ]
    sb.sync()
    with sb.db.engine.connect() as conn:
        assert len(conn.execute(select(sync_errors)).all()) == 2, "a payload seen again is not recorded again"


def test_a_corrected_payload_clears_the_invalid_data_blocker_and_imports(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    good = make_order(items=[("MUG", 2)])
    bad = copy.deepcopy(good)
    bad["orderItems"][0]["quantityOrdered"] = "two"
    sb.amazon.put_order(bad)
    sb.sync()
    assert sb.order(good["orderId"]).status == "ERROR"
    sb.amazon.put_order(good)
    sb.sync()
    view = sb.order(good["orderId"])
    assert (view.status, view.import_state, view.blockers) == ("UNSHIPPED", "IMPORTED", ())
    assert sb.host.salable_qty("MUG") == 3
    assert sb.system_messages() == []


def test_an_unreadable_update_of_a_stored_order_loses_nothing(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    order = make_order(items=[("MUG", 2, "14.90")], buyer_name="Ada Lovelace")
    sb.amazon.put_order(order)
    sb.sync()
    garbled = copy.deepcopy(order)
    garbled["proceeds"]["grandTotal"]["currencyCode"] = "???"
    sb.amazon.put_order(garbled)
    sb.sync()
    view = sb.order(order["orderId"])
    assert (view.status, view.import_state) == ("UNSHIPPED", "IMPORTED")
    assert str(view.grand_total.amount) == "29.80"
    assert view.buyer.name == "Ada Lovelace"
    assert "cannot be read" in view.notes
    assert view.history[-1].kind == "INVALID"


def test_the_same_payload_delivered_twice_gives_one_row_and_one_commerce_order(make_sandbox):
    from channel_plugin.engine.importer import import_page

    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    order = make_order(items=[("MUG", 1)])
    import_page(sb.runtime, sb.store, [order])
    import_page(sb.runtime, sb.store, [order])
    sb.amazon.put_order(order)
    sb.sync()
    assert len(sb.host.orders()) == 1
    assert sb.host.salable_qty("MUG") == 4
    with sb.db.engine.connect() as conn:
        from sqlalchemy import func

        from channel_plugin.storage.tables import amazon_orders

        assert conn.execute(select(func.count()).select_from(amazon_orders)).scalar() == 1


def test_an_order_that_cannot_be_stored_does_not_stop_its_page(make_sandbox, monkeypatch):
    from channel_plugin.storage import orders as order_store

    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    poison = make_order(items=[("MUG", 1)])
    healthy = [make_order(items=[("MUG", 1)]) for _ in range(3)]
    original = order_store.order_columns

    def failing_columns(order, cipher):
        if order.amazon_order_id == poison["orderId"]:
            raise ValueError("storage refused this order")
        return original(order, cipher)

    monkeypatch.setattr(order_store, "order_columns", failing_columns)
    for order in (*healthy, poison):
        sb.amazon.put_order(order)
    [result] = sb.sync()
    assert result.error is None
    assert result.pulled.failed == 1
    assert all(sb.order(o["orderId"]).import_state == "IMPORTED" for o in healthy)
    assert sb.order(poison["orderId"]) is None
    with sb.db.engine.connect() as conn:
        [error] = conn.execute(select(sync_errors)).all()
    assert error.amazon_order_id == poison["orderId"]
    assert "storage refused this order" in error.message


def test_an_unreadable_payload_is_kept_encrypted_and_erased_after_30_days(make_sandbox):
    sb = make_sandbox()
    bad = make_order(items=[("MUG", 1)], buyer_name="Zelda Quartermain")
    bad["orderItems"][0]["quantityOrdered"] = -1
    sb.amazon.put_order(bad)
    sb.sync()
    with sb.db.engine.connect() as conn:
        [raw] = conn.execute(select(amazon_orders.c.raw_payload)).scalars().all()
    assert raw is not None and "Zelda" not in raw
    sb.clock.advance(31 * 86400)
    sb.sync()
    with sb.db.engine.connect() as conn:
        assert conn.execute(select(amazon_orders.c.raw_payload)).scalars().all() == [None]
