"""GraphQL: ``amazonOrders`` (every filter, every sort both ways, keyset paging to the end) and ``amazonOrder``.

Each answer is compared with the same answer computed in Python from the Sandbox's order views.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event, select

from channel_plugin.domain.model import StoredOrderView
from channel_plugin.storage.tables import amazon_orders
from channel_plugin.testing import Sandbox, make_order

NAMES = ["Ada Lovelace", "alan turing", "Grace Hopper", "Émile Zola", "ADA king"]
BASE = datetime(2026, 1, 1, tzinfo=UTC)

LIST = """
query($store: ID, $filter: AmazonOrderFilter, $sort: AmazonOrderSort, $first: Int, $after: String) {
  amazonOrders(storeId: $store, filter: $filter, sort: $sort, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { amazonOrderId status importState grandTotal { amount currency } } }
  }
}"""

DETAIL = """
query($id: String!, $store: ID) {
  amazonOrder(amazonOrderId: $id, storeId: $store) {
    id storeId amazonOrderId marketplaceId purchaseDate lastUpdateDate status fulfillmentChannel
    buyerName buyerEmail shippingAddress { name line1 city region postalCode countryCode phone }
    grandTotal { amount currency } shipServiceLevel importState notes errorMessage
    items { sellerSku asin title quantityOrdered quantityShipped itemPrice { amount currency } }
    tracking { carrier trackingNumber shippedAt }
    blockers { kind sellerSku message firstSeen lastChecked attempts resolvedAt }
    history { at kind message count lastAt }
    commerceOrder { id incrementId status }
    orderLink
  }
}"""


def _order(i: int) -> dict[str, Any]:
    """Eight kinds of order in turn: imported, pending, blocked, FBA shipped, canceled, two-item, FBA unshipped,
    shipped; purchase dates repeat (ties), totals have cents and repeat, a few orders have no total at all."""
    kind = i % 8
    price = ["10.50", "10.49", "10.51", "7.25", "19.99", "10.50", "33.3333", "5.00"][(i * 3) % 8]
    qty = 1 + (i % 3 == 0)
    sku = {2: "GHOST"}.get(kind, "TEE" if kind == 1 else "MUG")
    items: list[tuple[str, int, str]] = [(sku, qty, price)]
    if kind == 5:
        items.append(("TEE", 1, "2.00"))
    order = make_order(
        status={1: "PENDING", 3: "SHIPPED", 4: "CANCELED", 6: "UNSHIPPED", 7: "SHIPPED"}.get(kind, "UNSHIPPED"),
        items=items,
        fulfilled_by="AMAZON" if kind in (3, 6) else "MERCHANT",
        purchase_date=(BASE + timedelta(hours=(i * 7) % 23)).replace(tzinfo=None),
        buyer_name=NAMES[i % len(NAMES)],
    )
    if i in (1, 9, 17):
        del order["proceeds"]  # Amazon sends no total for some pending orders
    return order


def seed(sb: Sandbox, n: int = 40) -> list[str]:
    """``n`` orders put in a shuffled order a minute apart (so last-update order differs from purchase order)."""
    orders = [_order(i) for i in range(n)]
    for k in range(n):
        sb.amazon.put_order(orders[(k * 17) % n])
        sb.clock.advance(60)
    sb.sync()
    return [o["orderId"] for o in orders]


def make_seeded(make_sandbox: Callable[..., Sandbox], n: int = 40) -> tuple[Sandbox, dict[str, StoredOrderView]]:
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 10_000}, {"sku": "TEE", "qty": 10_000}])
    ids = seed(sb, n)
    shipped = [i for i in ids if (v := sb.order(i)) and v.import_state == "IMPORTED" and v.status == "UNSHIPPED"]
    for number, amazon_id in enumerate(shipped[:3]):
        view = sb.order(amazon_id)
        assert view is not None and view.commerce_order_id is not None
        sb.host.ship(view.commerce_order_id, "UPS", f"1Z{number:04d}")
        if number == 1:
            sb.sync()  # the first two are confirmed to Amazon and completed; the third stays SHIPPED
    views = {i: v for i in ids if (v := sb.order(i)) is not None}
    assert len(views) == n
    return sb, views


def pks(sb: Sandbox) -> dict[str, int]:
    with sb.db.transaction(write=False) as conn:
        return {
            r.amazon_order_id: r.id for r in conn.execute(select(amazon_orders.c.id, amazon_orders.c.amazon_order_id))
        }


def name_of(v: StoredOrderView) -> str | None:
    return v.buyer.name or (v.shipping_address.name if v.shipping_address else None)


def page_all(sb: Sandbox, variables: dict[str, Any], first: int = 7) -> tuple[list[str], int]:
    """Every page in turn, checking each page's shape; returns the ids in order and the totalCount."""
    seen: list[str] = []
    after = None
    totals = set()
    while True:
        body = sb.graphql(LIST, {**variables, "first": first, "after": after})
        assert "errors" not in body, body
        conn = body["data"]["amazonOrders"]
        totals.add(conn["totalCount"])
        edges = conn["edges"]
        seen += [e["node"]["amazonOrderId"] for e in edges]
        if edges:
            assert conn["pageInfo"]["endCursor"] == edges[-1]["cursor"]
        if not conn["pageInfo"]["hasNextPage"]:
            assert len(edges) <= first
            break
        assert len(edges) == first
        after = conn["pageInfo"]["endCursor"]
        assert len(seen) <= 200, "paging does not end"
    [total] = totals
    return seen, total


@pytest.fixture
def seeded(make_sandbox: Callable[..., Sandbox]) -> tuple[Sandbox, dict[str, StoredOrderView]]:
    return make_seeded(make_sandbox)


def iso(when: datetime) -> str:
    return when.isoformat()


def test_the_seed_has_every_state(seeded):
    _, views = seeded
    states = {v.import_state for v in views.values()}
    assert states >= {"IMPORTED", "WAITING", "BLOCKED", "SKIPPED"}
    assert {v.status for v in views.values()} >= {"PENDING", "UNSHIPPED", "SHIPPED", "CANCELED", "COMPLETED"}
    assert {v.fulfillment_channel for v in views.values()} == {"MERCHANT", "AMAZON"}
    assert sum(v.grand_total is None for v in views.values()) == 3
    assert len({v.purchase_date for v in views.values()}) < len(views)  # ties to break


def filter_cases(views: dict[str, StoredOrderView]) -> list[tuple[dict[str, Any], Callable[[StoredOrderView], bool]]]:
    dates = sorted({v.purchase_date for v in views.values()})
    lo, hi = dates[3], dates[-4]
    some_id = sorted(views)[5]

    def total_in(a: str | None, b: str | None) -> Callable[[StoredOrderView], bool]:
        def check(v: StoredOrderView) -> bool:
            t = v.grand_total.amount if v.grand_total else None
            return t is not None and (a is None or t >= Decimal(a)) and (b is None or t <= Decimal(b))

        return check

    def named(part: str) -> Callable[[StoredOrderView], bool]:
        return lambda v: part.casefold() in (name_of(v) or "\0").casefold()

    return [
        ({"purchaseDate": {"from": iso(lo)}}, lambda v: v.purchase_date >= lo),
        ({"purchaseDate": {"to": iso(hi)}}, lambda v: v.purchase_date <= hi),
        ({"purchaseDate": {"from": iso(lo), "to": iso(hi)}}, lambda v: lo <= v.purchase_date <= hi),
        ({"purchaseDate": {"from": lo.replace(tzinfo=None).isoformat()}}, lambda v: v.purchase_date >= lo),
        ({"orderNumber": some_id}, lambda v: v.amazon_order_id == some_id),
        ({"orderNumber": f"  {some_id} "}, lambda v: v.amazon_order_id == some_id),
        ({"orderNumber": "111-0000000-0000000"}, lambda v: False),
        ({"buyerName": "ada"}, named("ada")),
        ({"buyerName": "TURING"}, named("turing")),
        ({"buyerName": "ce ho"}, named("ce ho")),
        ({"buyerName": "émile"}, named("émile")),
        ({"buyerName": "la"}, named("la")),  # too short for the SQL narrowing: checked on every order
        ({"buyerName": "Nobody Here"}, named("Nobody Here")),
        ({"total": {"from": 10.5}}, total_in("10.5", None)),
        ({"total": {"from": "10.5"}}, total_in("10.5", None)),
        ({"total": {"to": "10.5"}}, total_in(None, "10.5")),
        ({"total": {"from": "10.50001", "to": "21.0"}}, total_in("10.50001", "21.0")),
        ({"total": {"from": "33.33335"}}, total_in("33.33335", None)),
        ({"status": ["UNSHIPPED", "PENDING"]}, lambda v: v.status in ("UNSHIPPED", "PENDING")),
        ({"status": []}, lambda v: True),
        ({"importState": ["BLOCKED"]}, lambda v: v.import_state == "BLOCKED"),
        ({"importState": ["IMPORTED", "SKIPPED"]}, lambda v: v.import_state in ("IMPORTED", "SKIPPED")),
        ({"fulfillmentChannel": "AMAZON"}, lambda v: v.fulfillment_channel == "AMAZON"),
        ({"fulfillmentChannel": "MERCHANT"}, lambda v: v.fulfillment_channel == "MERCHANT"),
        (
            {"fulfillmentChannel": "MERCHANT", "status": ["UNSHIPPED"], "buyerName": "ada", "total": {"to": 15}},
            lambda v: (
                v.fulfillment_channel == "MERCHANT"
                and v.status == "UNSHIPPED"
                and named("ada")(v)
                and total_in(None, "15")(v)
            ),
        ),
    ]


def sort_key(field: str, order_pk: dict[str, int]) -> Callable[[StoredOrderView], tuple[Any, ...]]:
    def key(v: StoredOrderView) -> tuple[Any, ...]:
        pk = order_pk[v.amazon_order_id]
        name = name_of(v)
        return {
            "PURCHASE_DATE": (v.purchase_date, pk),
            "LAST_UPDATE_DATE": (v.last_update_date, pk),
            "GRAND_TOTAL": ((1, v.grand_total.amount) if v.grand_total else (0, Decimal(0)), pk),
            "STATUS": (v.status.value, v.purchase_date, pk),
            "BUYER_NAME": ((1, name.casefold()) if name else (0, ""), pk),
        }[field]

    return key


def test_every_filter_paged_to_the_end(seeded):
    sb, views = seeded
    newest_first = sort_key("PURCHASE_DATE", pks(sb))
    for flt, keep in filter_cases(views):
        expected = [v.amazon_order_id for v in sorted(views.values(), key=newest_first, reverse=True) if keep(v)]
        got, total = page_all(sb, {"filter": flt})
        assert (got, total) == (expected, len(expected)), flt


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
def test_every_sort_both_ways_paged_to_the_end(seeded, direction):
    sb, views = seeded
    order_pk = pks(sb)
    for field in ("PURCHASE_DATE", "GRAND_TOTAL", "BUYER_NAME", "STATUS", "LAST_UPDATE_DATE"):
        key = sort_key(field, order_pk)
        expected = [v.amazon_order_id for v in sorted(views.values(), key=key, reverse=direction == "DESC")]
        got, total = page_all(sb, {"sort": {"field": field, "direction": direction}})
        assert (got, total) == (expected, 40), field
        # the same with a filter that the SQL narrows and Python confirms, and one page size that divides nothing
        ada = [i for i in expected if "ada" in (name_of(views[i]) or "").casefold()]
        got, total = page_all(sb, {"sort": {"field": field, "direction": direction}, "filter": {"buyerName": "Ada"}}, 3)
        assert (got, total) == (ada, len(ada)), field


def test_a_name_search_reads_candidates_in_batches_until_a_page_is_full(seeded, monkeypatch):
    """With SQL narrowing nothing (as for a two-letter search), small batches, and few matches."""
    from channel_plugin.api.orders import pagination, queries

    monkeypatch.setattr(pagination, "_FIRST_BATCH", 1)
    monkeypatch.setattr(queries, "candidate_condition", lambda cipher, text, dialect: None)
    sb, views = seeded
    order_pk = pks(sb)
    for field in ("PURCHASE_DATE", "GRAND_TOTAL", "STATUS"):
        for direction in ("ASC", "DESC"):
            key = sort_key(field, order_pk)
            ranked = sorted(views.values(), key=key, reverse=direction == "DESC")
            expected = [v.amazon_order_id for v in ranked if "grace" in (name_of(v) or "").casefold()]
            variables = {"sort": {"field": field, "direction": direction}, "filter": {"buyerName": "GRACE"}}
            assert page_all(sb, variables, 2) == (expected, len(expected)), (field, direction)


def test_default_is_newest_first_ten_and_store_scoped(seeded):
    sb, views = seeded
    newest = sorted(views.values(), key=sort_key("PURCHASE_DATE", pks(sb)), reverse=True)
    body = sb.graphql("{ amazonOrders { totalCount edges { node { amazonOrderId } } pageInfo { hasNextPage } } }")
    conn = body["data"]["amazonOrders"]
    assert [e["node"]["amazonOrderId"] for e in conn["edges"]] == [v.amazon_order_id for v in newest[:10]]
    assert conn["totalCount"] == 40 and conn["pageInfo"]["hasNextPage"] is True
    scoped = sb.graphql(LIST, {"store": str(sb.store.id), "first": 40})["data"]["amazonOrders"]
    assert [e["node"]["amazonOrderId"] for e in scoped["edges"]] == [v.amazon_order_id for v in newest]
    assert scoped["pageInfo"]["hasNextPage"] is False
    body = sb.graphql(LIST, {"store": "999"})
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_totals_are_money_strings_and_literal_decimals_filter(seeded):
    sb, views = seeded
    body = sb.graphql(
        "{ amazonOrders(first: 100, filter: {total: {from: 10.5, to: 10.5}}) { totalCount "
        "edges { node { amazonOrderId grandTotal { amount currency } } } } }"
    )
    conn = body["data"]["amazonOrders"]
    expected = {i for i, v in views.items() if v.grand_total and v.grand_total.amount == Decimal("10.5")}
    assert {e["node"]["amazonOrderId"] for e in conn["edges"]} == expected and conn["totalCount"] == len(expected)
    assert {e["node"]["grandTotal"]["amount"] for e in conn["edges"]} == {"10.50"}
    assert {e["node"]["grandTotal"]["currency"] for e in conn["edges"]} == {"USD"}


def test_an_order_in_detail(seeded):
    sb, views = seeded
    shipped = next(v for v in views.values() if v.status == "SHIPPED")
    order = sb.graphql(DETAIL, {"id": shipped.amazon_order_id, "store": str(sb.store.id)})["data"]["amazonOrder"]
    assert order["id"] == f"{sb.store.id}:{shipped.amazon_order_id}" and order["storeId"] == str(sb.store.id)
    assert order["status"] == "SHIPPED" and order["importState"] == "IMPORTED"
    assert order["fulfillmentChannel"] == "MERCHANT" and order["marketplaceId"] == "ATVPDKIKX0DER"
    assert order["buyerName"] == name_of(shipped) and order["buyerEmail"] == shipped.buyer.email
    assert order["shippingAddress"]["city"] == "Seattle" and order["shippingAddress"]["countryCode"] == "US"
    assert order["grandTotal"] == {"amount": str(shipped.grand_total.amount), "currency": "USD"}
    assert order["purchaseDate"] == shipped.purchase_date.isoformat()
    assert order["lastUpdateDate"] == shipped.last_update_date.isoformat()
    assert order["notes"] == shipped.notes and "UPS" in order["notes"]
    assert [(h["kind"], h["message"]) for h in order["history"]] == [(e.kind, e.message) for e in shipped.history]
    assert [h["at"] for h in order["history"]] == [e.at.isoformat() for e in shipped.history]
    assert [i["sellerSku"] for i in order["items"]] == [i.seller_sku for i in shipped.items]
    item, want = order["items"][0], shipped.items[0]
    assert item["itemPrice"] == {"amount": str(want.item_price.amount), "currency": "USD"}
    assert (item["quantityOrdered"], item["quantityShipped"]) == (want.quantity_ordered, want.quantity_shipped)
    assert item["asin"] == want.asin and item["title"] == want.title
    [track] = order["tracking"]
    assert track["carrier"] == "UPS" and track["trackingNumber"] == "1Z0002" and track["shippedAt"]
    assert order["blockers"] == []
    commerce = sb.host.order(shipped.commerce_order_id)
    assert order["commerceOrder"] == {
        "id": shipped.commerce_order_id,
        "incrementId": commerce.increment_id,
        "status": "processing",
    }
    assert order["orderLink"] == f"/admin/sales/order/view/order_id/{shipped.commerce_order_id}/"
    done = next(v for v in views.values() if v.status == "COMPLETED" and v.fulfillment_channel == "MERCHANT")
    order = sb.graphql(DETAIL, {"id": done.amazon_order_id})["data"]["amazonOrder"]
    assert order["commerceOrder"]["status"] == "complete"


def test_blocked_fba_and_unimported_orders_in_detail(seeded):
    sb, views = seeded
    blocked = next(v for v in views.values() if v.import_state == "BLOCKED")
    order = sb.graphql(DETAIL, {"id": blocked.amazon_order_id})["data"]["amazonOrder"]
    assert order["commerceOrder"] is None
    assert order["orderLink"] == f"https://sellercentral.amazon.com/orders-v3/order/{blocked.amazon_order_id}"
    [blocker] = order["blockers"]
    assert blocker["kind"] == "PRODUCT_NOT_FOUND" and blocker["sellerSku"] == "GHOST" and blocker["resolvedAt"] is None
    assert blocker["attempts"] == blocked.blockers[0].attempts and blocker["message"] == blocked.blockers[0].message
    assert order["errorMessage"] == blocked.error_message
    fba = next(v for v in views.values() if v.fulfillment_channel == "AMAZON" and v.status == "COMPLETED")
    order = sb.graphql(DETAIL, {"id": fba.amazon_order_id})["data"]["amazonOrder"]
    assert order["buyerName"] is None and order["shippingAddress"] is None and order["buyerEmail"] is None
    assert order["commerceOrder"]["status"] == "complete" and order["fulfillmentChannel"] == "AMAZON"
    no_total = next(v for v in views.values() if v.grand_total is None)
    assert sb.graphql(DETAIL, {"id": no_total.amazon_order_id})["data"]["amazonOrder"]["grandTotal"] is None


def test_unknown_order_is_null(seeded):
    sb, _ = seeded
    assert sb.graphql(DETAIL, {"id": "111-0000000-0000000"}) == {"data": {"amazonOrder": None}}
    body = sb.graphql(DETAIL, {"id": "111-0000000-0000000", "store": "999"})
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def forged(*parts: Any) -> str:
    """A cursor in this API's encoding (base64 of a JSON list), with whatever parts a client may send."""
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode()


NAME_SORT = {"field": "BUYER_NAME", "direction": "DESC"}


@pytest.mark.parametrize(
    "variables",
    [
        {"first": 0},
        {"first": 101},
        {"first": -1},
        {"after": "not a cursor!"},
        {"after": "W10"},  # base64 of []
        {"after": forged("PURCHASE_DATE", "DESC", ["not a date"], 1)},
        {"after": forged("PURCHASE_DATE", "DESC", ["2026-01-01T00:00:00"], 1)},  # no offset
        {"after": forged("PURCHASE_DATE", "DESC", ["2026-01-01T00:00:00+00:00"], 2**70)},
        {"after": forged("PURCHASE_DATE", "DESC", ["2026-01-01T00:00:00+00:00"], "1")},
        {"after": forged("PURCHASE_DATE", "DESC", [], 1)},
        {"after": forged("GRAND_TOTAL", "DESC", ["Infinity"], 1), "sort": {"field": "GRAND_TOTAL"}},
        {"after": forged("GRAND_TOTAL", "DESC", [12.5], 1), "sort": {"field": "GRAND_TOTAL"}},
        {"after": forged("BUYER_NAME", "DESC", ["x:y"], 1), "sort": NAME_SORT},  # not sealed by us
        {"after": forged("BUYER_NAME", "DESC", [123], 1), "sort": NAME_SORT},
        {"after": forged("STATUS", "ASC", ["SHIPPED", "2026-01-01T00:00:00+00:00"], 1)},  # another sort
        {"filter": {"total": {"from": "NaN"}}},
    ],
)
def test_bad_input_is_refused(make_sandbox, variables):
    sb = make_sandbox()
    body = sb.graphql(LIST, variables)
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error


def test_a_cursor_of_another_sort_is_refused_and_the_page_size_bounds_hold(seeded):
    sb, _ = seeded
    cursor = sb.graphql(LIST, {"first": 1})["data"]["amazonOrders"]["pageInfo"]["endCursor"]
    body = sb.graphql(LIST, {"first": 1, "after": cursor, "sort": {"field": "GRAND_TOTAL"}})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert len(sb.graphql(LIST, {"first": 1})["data"]["amazonOrders"]["edges"]) == 1
    assert len(sb.graphql(LIST, {"first": 100})["data"]["amazonOrders"]["edges"]) == 40


def test_cursors_are_stable_when_orders_arrive(seeded):
    sb, views = seeded
    first = sb.graphql(LIST, {"first": 5})["data"]["amazonOrders"]
    newer = make_order(purchase_date=datetime(2026, 1, 14, 23, 0), buyer_name="New Comer")
    sb.amazon.put_order(newer)
    sb.sync()
    second = sb.graphql(LIST, {"first": 5, "after": first["pageInfo"]["endCursor"]})["data"]["amazonOrders"]
    newest = sorted(views.values(), key=sort_key("PURCHASE_DATE", pks(sb)), reverse=True)
    assert [e["node"]["amazonOrderId"] for e in second["edges"]] == [v.amazon_order_id for v in newest[5:10]]
    assert second["totalCount"] == 41


@contextmanager
def counting_statements(sb: Sandbox) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(sb.db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(sb.db.engine, "before_cursor_execute", count)


PAGE = """
query($first: Int!) {
  amazonOrders(first: $first) {
    edges { node {
      amazonOrderId buyerName
      items { sellerSku itemPrice { amount } }
      blockers { kind message }
      tracking { carrier trackingNumber }
      commerceOrder { id incrementId status }
    } }
  }
}"""


def test_a_page_costs_the_same_number_of_statements_at_10_and_100_orders(make_sandbox):
    sb, _ = make_seeded(make_sandbox, n=120)
    sb.graphql("{ amazonStores { id } }")  # the token exists before counting
    counts = {}
    for first in (10, 100):
        with counting_statements(sb) as statements:
            body = sb.graphql(PAGE, {"first": first})
        edges = body["data"]["amazonOrders"]["edges"]
        assert len(edges) == first
        counts[first] = len([s for s in statements if s not in ("BEGIN", "BEGIN IMMEDIATE")])
    page = [e["node"] for e in edges]
    assert (
        any(n["blockers"] for n in page) and any(n["tracking"] for n in page) and any(n["commerceOrder"] for n in page)
    )
    assert counts[10] == counts[100], counts
    # the token check, the store list, the page, then one per loader: items, blockers, tracking, buyer data,
    # problems (a processing Commerce order may have been canceled before Amazon refused the cancel)
    assert counts[100] == 8, counts
