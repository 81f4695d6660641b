"""Hostile Amazon payloads mixed with good orders: every good order imports in the first cycle, every bad one is
recorded once with the bound it broke, and the watermark moves past them (on SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from channel_plugin.amazon.payloads import parse_order
from channel_plugin.engine.importer import import_page
from channel_plugin.errors import OrderDataError
from channel_plugin.storage.stores import get_watermark
from channel_plugin.storage.tables import amazon_orders, sync_errors
from channel_plugin.testing import make_order

Mutation = Callable[[dict[str, Any]], None]


def _item(o: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = o["orderItems"][0]
    return item


def _price(o: dict[str, Any]) -> dict[str, Any]:
    price: dict[str, Any] = _item(o)["product"]["price"]["unitPrice"]
    return price


def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth):
        value = {"a": value}
    return value


# Payloads that keep their order id: each is recorded on its order, with this text in the reason.
NAMED: dict[str, tuple[Mutation, str]] = {
    "exponent unit price": (lambda o: _price(o).update(amount="1e30"), "not a decimal amount"),
    "huge unit price": (lambda o: _price(o).update(amount="99999999999999"), "over the bound of 9999999999.9999"),
    "NaN amount": (lambda o: o["proceeds"]["grandTotal"].update(amount="NaN"), "not a decimal amount"),
    "negative amount": (lambda o: _price(o).update(amount="-1.00"), "must not be negative"),
    "over-precise amount": (lambda o: _price(o).update(amount="1.00001"), "more than 4 decimal places"),
    "boolean amount": (lambda o: _price(o).update(amount=True), "not a decimal amount"),
    "unknown currency": (lambda o: _price(o).update(currencyCode="ZZZ"), "not an ISO 4217 currency code"),
    "lower-case currency": (lambda o: _price(o).update(currencyCode="usd"), "not an ISO 4217 currency code"),
    "long buyer name": (lambda o: o["buyer"].update(buyerName="N" * 256), "over the bound of 255"),
    "NUL in buyer name": (lambda o: o["buyer"].update(buyerName="Jane\x00Doe"), "control character"),
    "escape in address": (lambda o: o["recipient"]["deliveryAddress"].update(city="\x1b[2J"), "control character"),
    "long postal code": (lambda o: o["recipient"]["deliveryAddress"].update(postalCode="9" * 21), "bound of 20"),
    "nested buyer name": (lambda o: o["buyer"].update(buyerName=_nested(200)), "must be a string"),
    "long SKU": (lambda o: _item(o)["product"].update(sellerSku="S" * 256), "over the bound of 255"),
    "NUL in SKU": (lambda o: _item(o)["product"].update(sellerSku="MUG\x00"), "control character"),
    "tab in item id": (lambda o: _item(o).update(orderItemId="1\t2"), "control character"),
    "long title": (lambda o: _item(o)["product"].update(title="T" * 2001), "over the bound of 2000"),
    "negative quantity": (lambda o: _item(o).update(quantityOrdered=-1), "must not be negative"),
    "fractional quantity": (lambda o: _item(o).update(quantityOrdered=1.5), "must be a whole number"),
    "boolean quantity": (lambda o: _item(o).update(quantityOrdered=True), "must be a whole number"),
    "huge quantity": (lambda o: _item(o).update(quantityOrdered=10**12), "over the bound of 100000"),
    "exponent quantity": (lambda o: _item(o).update(quantityOrdered="1e999999"), "over the bound of 100000"),
    "missing items": (lambda o: o.pop("orderItems"), "must be a non-empty list"),
    "empty items": (lambda o: o.update(orderItems=[]), "must be a non-empty list"),
    "items not a list": (lambda o: o.update(orderItems={"0": _item(o)}), "must be a non-empty list"),
    "item not an object": (lambda o: o.update(orderItems=["MUG"]), "must be an object"),
    "10,000 items": (lambda o: o.update(orderItems=[_item(o)] * 10_000), "over the bound of 1000"),
    "buyer a list": (lambda o: o.update(buyer=["Jane"]), "must be an object"),
    "unparsable date": (lambda o: o.update(createdTime="2026-13-45T00:00:00Z"), "not an ISO 8601 date-time"),
    "date past year 9999": (lambda o: o.update(createdTime="9999-12-31T23:59:59-01:00"), "not an ISO 8601"),
    "date out of range": (lambda o: o.update(createdTime="2999-01-01T00:00:00Z"), "outside the bound"),
    "numeric date": (lambda o: o.update(createdTime=1767225600), "must be an ISO 8601 date-time"),
    "unknown status": (lambda o: o["fulfillment"].update(fulfillmentStatus="TELEPORTED"), "unknown Amazon order"),
    "status a number": (lambda o: o["fulfillment"].update(fulfillmentStatus=7), "is missing"),
    "unknown channel": (lambda o: o["fulfillment"].update(fulfilledBy="DRONE"), "not a fulfillment channel"),
    "long service level": (
        lambda o: o["fulfillment"].update(fulfillmentServiceLevel="L" * 65),
        "over the bound of 64",
    ),
}

# JSON can escape a lone surrogate ("\ud800"), which UTF-8, PostgreSQL and the fake SP-API's responses cannot carry:
# such payloads are handed to the importer directly.
UNSERVABLE: dict[str, tuple[Mutation, str]] = {
    "lone surrogate in name": (lambda o: o["buyer"].update(buyerName="Jane \ud800"), "unpaired surrogate"),
    "lone surrogate in order id": (lambda o: o.update(orderId="111-\udc00"), "unpaired surrogate"),
}

# Payloads whose order id cannot be stored: each becomes one sync error naming the problem.
NAMELESS: dict[str, tuple[Mutation, str]] = {
    "order id over 64 characters": (lambda o: o.update(orderId="1" * 65), "over the bound of 64"),
    "NUL in order id": (lambda o: o.update(orderId="111-0000000-000\x000"), "control character"),
    "order id a number": (lambda o: o.update(orderId=1110000), "orderId"),
    "order id a list": (lambda o: o.update(orderId=["111"]), "must be a string"),
}


def _broken(mutate: Mutation) -> dict[str, Any]:
    order = make_order(items=[("MUG", 1)])
    mutate(order)
    return order


def test_hostile_payloads_never_stop_the_good_orders_of_the_first_cycle(make_sandbox: Any) -> None:
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 1000}])
    good = [make_order(items=[("MUG", 1)]) for _ in range(100)]
    named = {case: _broken(mutate) for case, (mutate, _) in NAMED.items()}
    nameless = [_broken(mutate) for mutate, _ in NAMELESS.values()]
    hostile: list[Any] = [*named.values(), *nameless]
    for index, order in enumerate(good):
        sb.amazon.put_order(order)
        if index % 3 == 0 and hostile:
            sb.amazon.put_order(hostile.pop())
    for order in hostile:
        sb.amazon.put_order(order)

    [result] = sb.sync()

    assert result.error is None
    imported = [o["orderId"] for o in good if sb.order(o["orderId"]).import_state == "IMPORTED"]
    assert len(imported) == 100
    for case, order in named.items():
        view = sb.order(order["orderId"])
        assert (view.status, view.import_state) == ("ERROR", "BLOCKED"), case
        [blocker] = view.blockers
        assert blocker.kind == "INVALID_ORDER_DATA", case
        assert NAMED[case][1] in blocker.message, (case, blocker.message)
    with sb.db.engine.connect() as conn:
        messages = list(conn.execute(select(sync_errors.c.message)).scalars())
        watermark = get_watermark(conn, sb.store.id)
    for case, (_, reason) in NAMELESS.items():
        assert sum(reason in m for m in messages) >= 1, (case, messages)
    assert len(messages) == len(NAMELESS)
    assert watermark is not None and watermark >= sb.clock() - _lag(sb)

    sb.sync()
    with sb.db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(sync_errors)).scalar_one() == len(NAMELESS)
        stored = conn.execute(select(func.count()).select_from(amazon_orders)).scalar_one()
    assert stored == 100 + len(NAMED)
    for order in named.values():
        assert len([e for e in sb.order(order["orderId"]).history if e.kind == "INVALID"]) == 1


def test_payloads_no_database_can_hold_are_still_recorded(make_sandbox: Any) -> None:
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 10}])
    named, nameless = (_broken(mutate) for mutate, _ in UNSERVABLE.values())
    good = make_order(items=[("MUG", 1)])

    result = import_page(sb.runtime, sb.store, [named, nameless, good])

    assert (result.imported, result.invalid, result.failed) == (1, 2, 0)
    [blocker] = sb.order(named["orderId"]).blockers
    assert "unpaired surrogate" in blocker.message
    with sb.db.engine.connect() as conn:
        [message] = conn.execute(select(sync_errors.c.message)).scalars()
    assert "unpaired surrogate" in message


def _lag(sb: Any) -> timedelta:
    """How far behind the clock a healthy watermark may stay: Amazon's visibility delay plus one cron interval."""
    return timedelta(seconds=sb.runtime.cron_interval_seconds + 180)


@pytest.mark.parametrize("case", [*NAMED, *UNSERVABLE])
def test_each_hostile_payload_names_the_rule_it_broke(case: str) -> None:
    mutate, reason = {**NAMED, **UNSERVABLE}[case]
    with pytest.raises(OrderDataError) as caught:
        parse_order(_broken(mutate))
    assert reason in str(caught.value)
    assert len(str(caught.value)) < 300, "a hostile value is never copied whole into the reason"
