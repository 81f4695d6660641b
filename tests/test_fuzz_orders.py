"""Orders drawn from Amazon's own Order schema (Orders API v2026-01-01) and hostile mutations of valid orders, fed
through the real importer on SQLite and PostgreSQL: every well-formed order is stored with its proper state, every
malformed one is recorded with a reason, good orders on the same page still import, and no exception escapes a page.

Deterministic (``derandomize=True``, no example database), with a fixed example budget per test, so CI runs the same
examples every time and a failure reproduces locally.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from sqlalchemy import func, select

import channel_plugin
from channel_plugin.amazon.payloads import parse_order
from channel_plugin.engine.importer import import_page
from channel_plugin.errors import OrderDataError
from channel_plugin.storage.stores import StoreRecord
from channel_plugin.storage.tables import amazon_orders, order_events, sync_errors
from channel_plugin.testing import make_order

MODEL = Path(channel_plugin.__file__).parent / "amazon" / "models" / "orders_2026-01-01.json"

# One Sandbox serves every example of a test (ids are unique per example), so the function-scoped fixture is
# deliberate; examples are database round trips, so no per-example deadline.
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,  # hypothesis-jsonschema filters to honour the schema's constraints
    ],
)

_ids = itertools.count(1)


def _order_schema() -> dict[str, Any]:
    """Amazon's Order definition with the model's definitions beside it, so its ``$ref``s resolve."""
    model = json.loads(MODEL.read_text())
    return {**model["definitions"]["Order"], "definitions": model["definitions"]}


ORDER_SCHEMA = _order_schema()


def _unique_id() -> str:
    return f"902-{next(_ids):07d}-0000000"


def _good() -> dict[str, Any]:
    return make_order(items=[("MUG", 1)])


def _outcomes(sb: Any, store: StoreRecord) -> tuple[dict[str, tuple[str, str]], int]:
    """Every stored order of the store (id -> status, import state) and the number of sync errors. Read in Python:
    a hostile id (a NUL) cannot even be a query parameter on PostgreSQL."""
    with sb.db.engine.connect() as conn:
        rows = conn.execute(
            select(amazon_orders.c.amazon_order_id, amazon_orders.c.status, amazon_orders.c.import_state).where(
                amazon_orders.c.store_id == store.id
            )
        )
        stored = {r.amazon_order_id: (r.status, r.import_state) for r in rows}
        errors = conn.execute(select(func.count()).select_from(sync_errors)).scalar_one()
    return stored, errors


def _well_formed(payload: Any) -> bool:
    """What the importer's own validator says; anything but a named OrderDataError is a validator bug."""
    try:
        parse_order(payload)
    except OrderDataError:
        return False
    return True


def _import_and_check(sb: Any, payloads: list[Any], store: StoreRecord | None = None) -> None:
    """One page: the payloads and two good orders. No exception escapes; the good orders import; each well-formed
    payload is stored under its id with a state other than ERROR; each malformed one is an ERROR order under its id
    or, when its id cannot be stored, a sync error."""
    store = store or sb.store
    good = [_good(), _good()]
    _, errors_before = _outcomes(sb, store)
    result = import_page(sb.runtime, store, [good[0], *payloads, good[1]])
    stored, errors_after = _outcomes(sb, store)

    for order in good:
        assert stored[order["orderId"]] == ("UNSHIPPED", "IMPORTED")
    nameless = 0
    for payload in payloads:
        oid = payload.get("orderId") if isinstance(payload, dict) else None
        if _well_formed(payload):
            assert oid in stored and stored[oid][0] != "ERROR", (oid, stored.get(oid))
        elif isinstance(oid, str) and oid in stored:
            assert stored[oid][0] == "ERROR"
        else:
            nameless += 1
    if nameless:
        assert errors_after > errors_before, "a payload without a usable order id left no sync error"
    malformed = sum(not _well_formed(p) for p in payloads)
    assert result.invalid >= min(malformed, 1)


# ---------------------------------------------------------------------------------------------------------------
# Orders as Amazon's schema allows them.


@pytest.fixture
def sandbox(make_sandbox: Callable[..., Any]) -> Any:
    return make_sandbox(catalog=[{"sku": "MUG", "qty": 1_000_000}])


@settings(FUZZ, max_examples=40)
@given(order=from_schema(ORDER_SCHEMA))
def test_any_order_amazons_schema_allows_is_stored_or_recorded(sandbox: Any, order: dict[str, Any]) -> None:
    order["orderId"] = _unique_id() if order["orderId"] == "" else f"{order['orderId'][:20]}-{next(_ids)}"
    _import_and_check(sandbox, [order])


@settings(FUZZ, max_examples=25)
@given(extras=from_schema(ORDER_SCHEMA))
def test_a_well_formed_order_imports_whatever_optional_fields_amazon_adds(sandbox: Any, extras: dict[str, Any]) -> None:
    """Amazon's optional fields (aliases, programs, associated orders, packages, ...) in any shape the schema allows
    never stop a valid order's import."""
    order = {**extras, **_good()}
    result = import_page(sandbox.runtime, sandbox.store, [order])
    assert (result.imported, result.invalid, result.failed) == (1, 0, 0)


# ---------------------------------------------------------------------------------------------------------------
# Hostile mutations of valid orders.

_MISSING = object()


def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth):
        value = {"a": value}
    return value


# Where a mutation lands: a path of keys and list indexes from the order's root.
PATHS: list[tuple[Any, ...]] = [
    ("orderId",),
    ("createdTime",),
    ("lastUpdatedTime",),
    ("salesChannel",),
    ("salesChannel", "channelName"),
    ("salesChannel", "marketplaceId"),
    ("fulfillment",),
    ("fulfillment", "fulfillmentStatus"),
    ("fulfillment", "fulfilledBy"),
    ("fulfillment", "fulfillmentServiceLevel"),
    ("buyer",),
    ("buyer", "buyerName"),
    ("buyer", "buyerEmail"),
    ("recipient",),
    ("recipient", "deliveryAddress"),
    ("recipient", "deliveryAddress", "name"),
    ("recipient", "deliveryAddress", "addressLine1"),
    ("recipient", "deliveryAddress", "city"),
    ("recipient", "deliveryAddress", "postalCode"),
    ("recipient", "deliveryAddress", "countryCode"),
    ("proceeds", "grandTotal", "amount"),
    ("proceeds", "grandTotal", "currencyCode"),
    ("orderItems",),
    ("orderItems", 0),
    ("orderItems", 0, "orderItemId"),
    ("orderItems", 0, "quantityOrdered"),
    ("orderItems", 0, "product"),
    ("orderItems", 0, "product", "sellerSku"),
    ("orderItems", 0, "product", "title"),
    ("orderItems", 0, "product", "asin"),
    ("orderItems", 0, "product", "price", "unitPrice", "amount"),
    ("orderItems", 0, "product", "price", "unitPrice", "currencyCode"),
]

HOSTILE_TEXT = [
    "",
    " ",
    "\x00",
    "MUG\x00",
    "\x1b[2J",
    "a\tb",
    "\u202e",
    "😀" * 70,
    "NaN",
    "Infinity",
    "-Infinity",
    "1e30",
    "1E+2",
    "-1.00",
    "0",
    "1.00001",
    "abc",
    "usd",
    "UsD",
    "ZZZ",
    "EUR ",
    "2026-13-45T00:00:00Z",
    "9999-12-31T23:59:59-01:00",
    "0001-01-01T00:00:00Z",
    "2999-01-01T00:00:00Z",
    "TELEPORTED",
    "DRONE",
    "pending",
]

HOSTILE = st.one_of(
    st.just(_MISSING),
    st.none(),
    st.booleans(),
    st.sampled_from(HOSTILE_TEXT),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.sampled_from([0, -1, 10**6, 10**12, 2**63, 1.5, -0.0, 1e308]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(st.characters(codec="utf-8"), max_size=12),
    st.integers(min_value=65, max_value=3000).map(lambda n: "x" * n),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=3),
    st.integers(min_value=50, max_value=400).map(_nested),
)


def _mutate(order: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    target: Any = order
    for key in path[:-1]:
        target = target[key]
    if value is _MISSING:
        del target[path[-1]]
    else:
        target[path[-1]] = value


def _duplicate_item_ids(o: dict[str, Any]) -> None:
    o["orderItems"] = [o["orderItems"][0], copy.deepcopy(o["orderItems"][0])]


def _ten_thousand_items(o: dict[str, Any]) -> None:
    o["orderItems"] = [o["orderItems"][0]] * 10_000


def _items_a_string(o: dict[str, Any]) -> None:
    o["orderItems"] = "MUG"


def _order_a_list(o: dict[str, Any]) -> None:
    o["salesChannel"] = [o["salesChannel"]]


WHOLE_ORDER = st.sampled_from([_duplicate_item_ids, _ten_thousand_items, _items_a_string, _order_a_list])


@settings(FUZZ, max_examples=60)
@given(mutations=st.lists(st.tuples(st.sampled_from(PATHS), HOSTILE), min_size=1, max_size=3))
def test_hostile_field_values_are_recorded_and_never_stop_the_page(
    sandbox: Any, mutations: list[tuple[tuple[Any, ...], Any]]
) -> None:
    order = _good()
    for path, value in mutations:
        # An earlier mutation may have removed or replaced the container: the order is hostile enough.
        with contextlib.suppress(KeyError, IndexError, TypeError):
            _mutate(order, path, value)
    _import_and_check(sandbox, [order])


@settings(FUZZ, max_examples=10)
@given(mutate=WHOLE_ORDER, pages=st.integers(min_value=1, max_value=3))
def test_hostile_shapes_are_recorded_and_never_stop_the_page(
    sandbox: Any, mutate: Callable[[dict[str, Any]], None], pages: int
) -> None:
    for _ in range(pages):
        order = _good()
        mutate(order)
        _import_and_check(sandbox, [order, 7, None, "order", [order]])


def test_the_same_order_id_in_two_stores_is_two_orders(sandbox: Any) -> None:
    other = sandbox.add_store("Sandbox CA", marketplace_id="A2EUQ1WTGCTBG2")
    order = _good()
    _import_and_check(sandbox, [order])
    _import_and_check(sandbox, [copy.deepcopy(order)], store=other)
    assert _outcomes(sandbox, sandbox.store)[0][order["orderId"]] == ("UNSHIPPED", "IMPORTED")
    assert _outcomes(sandbox, other)[0][order["orderId"]] == ("UNSHIPPED", "IMPORTED")


def test_a_malformed_order_seen_again_counts_on_its_one_event(sandbox: Any) -> None:
    order = _good()
    order["orderItems"][0]["quantityOrdered"] = -1
    for _ in range(3):
        import_page(sandbox.runtime, sandbox.store, [copy.deepcopy(order)])
        sandbox.clock.advance(60)
    with sandbox.db.engine.connect() as conn:
        rows = conn.execute(
            select(order_events.c.count, order_events.c.at, order_events.c.last_at)
            .join(amazon_orders, amazon_orders.c.id == order_events.c.order_id)
            .where(amazon_orders.c.amazon_order_id == order["orderId"], order_events.c.kind == "INVALID")
        ).all()
    [(count, at, last_at)] = rows
    assert count == 3
    assert (last_at - at).total_seconds() == 120
