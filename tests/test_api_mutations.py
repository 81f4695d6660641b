"""GraphQL: import blockers and the admin mutations (retry, match, sync, cancel, shipping address), through the app."""

from __future__ import annotations

import logging
import threading

import pytest
from job_polling import finished_job

from channel_plugin import hookimpl
from channel_plugin.api.security import MAX_PAGE_SIZE
from channel_plugin.engine.admin import InvalidAddress, check_address, update_shipping_address
from channel_plugin.errors import ValidationError
from channel_plugin.host import catalog
from channel_plugin.testing import make_order

RESULT = "amazonOrderId status importState notes commerceOrderId blockers { kind sellerSku message }"
ORDER = f"order {{ {RESULT} }}"
RETRY = f"""mutation($s: ID!, $ids: [String!]) {{ retryOrderImport(storeId: $s, amazonOrderIds: $ids) {{
  results {{ {RESULT} }} errors {{ field code message }} }} }}"""
MATCH = f"""mutation($s: ID!, $seller: String!, $product: String!) {{
  matchProduct(storeId: $s, sellerSku: $seller, productSku: $product) {{
    match {{ sellerSku productSku }} results {{ {RESULT} }} errors {{ field code message }} }} }}"""
SYNC = """mutation($s: ID!) { syncStore(storeId: $s) { job { id kind state storeId } sync { error }
  errors { field code message } } }"""
CANCEL = f"""mutation($s: ID!, $id: String!, $reason: AmazonCancelReason!) {{
  cancelAmazonOrder(storeId: $s, amazonOrderId: $id, reason: $reason) {{
    {ORDER} errors {{ field code message }} }} }}"""
RESEND = f"""mutation($s: ID!, $id: String!, $tracking: String) {{
  resendShipmentConfirmation(storeId: $s, amazonOrderId: $id, trackingNumber: $tracking) {{
    {ORDER} errors {{ field code message }} }} }}"""
ADDRESS = f"""mutation($s: ID!, $id: String!, $input: ShippingAddressInput!) {{
  updateShippingAddress(storeId: $s, amazonOrderId: $id, input: $input) {{
    {ORDER} shippingAddress {{ name line1 city postalCode countryCode }} errors {{ field code message }} }} }}"""
BLOCKERS = """query($s: ID, $resolved: Boolean, $first: Int, $after: String) {
  importBlockers(storeId: $s, resolved: $resolved, first: $first, after: $after) {
    edges { cursor node { id kind sellerSku amazonOrderId storeId resolvedAt attempts } }
    pageInfo { hasNextPage endCursor } totalCount } }"""
NEW_ADDRESS = {"name": "Ann Lee", "line1": "9 Elm Rd", "city": "Leeds", "postalCode": "LS1 4AP", "countryCode": "gb"}


def put_and_sync(sb, *orders):
    for order in orders:
        sb.amazon.put_order(order)
    sb.sync()
    return [o["orderId"] for o in orders]


def add_stock_silently(sb, sku, qty):
    """Stock a feed loaded behind the plugin's back: no host event, so only a retry notices."""
    with sb.db.transaction() as conn:
        catalog.add(conn, sku=sku, name=sku, qty=qty, enabled=True, manage_stock=True)


def payload(body, name):
    assert "errors" not in body, body
    return body["data"][name]


def codes(result):
    return [(e["field"], e["code"]) for e in result["errors"]]


def test_import_blockers_filter_by_resolved_and_page_to_the_end(make_sandbox):
    sb = make_sandbox()
    ids = put_and_sync(sb, *(make_order(items=[(f"SKU-{n}", 1)]) for n in range(5)))
    sb.host.add_product("SKU-0", qty=5)  # resolves the first order's blocker at once
    seen, after, pages = [], None, 0
    while True:
        conn = sb.graphql(BLOCKERS, {"first": 2, "after": after})["data"]["importBlockers"]
        assert conn["totalCount"] == 4
        seen += [e["node"] for e in conn["edges"]]
        pages += 1
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert pages == 2 and [n["amazonOrderId"] for n in seen] == ids[:0:-1]  # newest first, the open ones only
    assert [int(n["id"]) for n in seen] == sorted((int(n["id"]) for n in seen), reverse=True)
    assert {(n["kind"], n["resolvedAt"], n["storeId"]) for n in seen} == {("PRODUCT_NOT_FOUND", None, "1")}
    done = sb.graphql(BLOCKERS, {"resolved": True, "s": "1"})["data"]["importBlockers"]
    assert [(e["node"]["amazonOrderId"], e["node"]["sellerSku"]) for e in done["edges"]] == [(ids[0], "SKU-0")]
    assert done["edges"][0]["node"]["resolvedAt"] is not None and done["totalCount"] == 1
    assert sb.graphql(BLOCKERS, {"resolved": None, "first": 100})["data"]["importBlockers"]["totalCount"] == 5


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"first": 0}, "BAD_USER_INPUT"),
        ({"first": 101}, "BAD_USER_INPUT"),
        ({"after": "not-a-cursor"}, "BAD_USER_INPUT"),
        ({"after": "YmxvY2tlcjp4"}, "BAD_USER_INPUT"),  # "blocker:x"
        ({"s": "42"}, "NOT_FOUND"),
    ],
)
def test_import_blockers_bad_arguments(make_sandbox, variables, code):
    body = make_sandbox().graphql(BLOCKERS, variables)
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == code


def test_blocked_skus_groups_open_blockers_by_sku_with_the_earliest_ship_by(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "DESK", "qty": 0}])
    orders = [make_order(items=[("LAMP", 1)]), make_order(items=[("LAMP", 2), ("DESK", 1)])]
    for order, day in zip(orders, (20, 18), strict=True):
        order["fulfillment"]["shipByWindow"] = {"latestDateTime": f"2026-01-{day}T23:59:59Z"}
    put_and_sync(sb, *orders)
    groups = sb.graphql('{ blockedSkus(storeId: "1") { sellerSku kind orders earliestShipBy } }')["data"]
    assert groups["blockedSkus"] == [
        {"sellerSku": "LAMP", "kind": "PRODUCT_NOT_FOUND", "orders": 2, "earliestShipBy": "2026-01-18T23:59:59+00:00"},
        {"sellerSku": "DESK", "kind": "OUT_OF_STOCK", "orders": 1, "earliestShipBy": "2026-01-18T23:59:59+00:00"},
    ]
    body = sb.graphql('{ blockedSkus(storeId: "9") { sellerSku } }')
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_retry_named_orders_then_all_blocked_ones(make_sandbox):
    sb = make_sandbox()
    first, second = put_and_sync(sb, make_order(items=[("FEED", 2)]), make_order(items=[("FEED", 1)]))
    add_stock_silently(sb, "FEED", 5)
    result = payload(sb.graphql(RETRY, {"s": "1", "ids": [first, "111-0000000-0000000"]}), "retryOrderImport")
    assert [(r["amazonOrderId"], r["importState"], r["blockers"]) for r in result["results"]] == [
        (first, "IMPORTED", [])
    ]
    assert result["results"][0]["commerceOrderId"] == sb.order(first).commerce_order_id
    assert (
        codes(result) == [("amazonOrderIds", "NOT_FOUND")] and "111-0000000-0000000" in result["errors"][0]["message"]
    )
    assert sb.order(second).import_state == "BLOCKED" and sb.host.salable_qty("FEED") == 3
    result = payload(sb.graphql(RETRY, {"s": "1"}), "retryOrderImport")
    assert [(r["amazonOrderId"], r["importState"]) for r in result["results"]] == [(second, "IMPORTED")]
    assert result["errors"] == [] and sb.host.salable_qty("FEED") == 2


def test_retry_reports_orders_that_stay_blocked(make_sandbox):
    sb = make_sandbox()
    [oid] = put_and_sync(sb, make_order(items=[("GONE", 1)]))
    [result] = payload(sb.graphql(RETRY, {"s": "1", "ids": [oid]}), "retryOrderImport")["results"]
    assert (result["importState"], result["status"]) == ("BLOCKED", "UNSHIPPED")
    assert [(b["kind"], b["sellerSku"]) for b in result["blockers"]] == [("PRODUCT_NOT_FOUND", "GONE")]


def test_match_product_imports_every_order_blocked_on_the_sku(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG-BLUE", "qty": 5}])
    ids = put_and_sync(sb, make_order(items=[("AMZ-MUG", 1)]), make_order(items=[("AMZ-MUG", 2)]))
    result = payload(sb.graphql(MATCH, {"s": "1", "seller": "AMZ-MUG", "product": "MUG-BLUE"}), "matchProduct")
    assert result["errors"] == [] and result["match"] == {"sellerSku": "AMZ-MUG", "productSku": "MUG-BLUE"}
    assert sorted((r["amazonOrderId"], r["importState"]) for r in result["results"]) == sorted(
        (oid, "IMPORTED") for oid in ids
    )
    assert [sb.order(oid).import_state for oid in ids] == ["IMPORTED", "IMPORTED"]
    assert sb.host.salable_qty("MUG-BLUE") == 2
    assert sb.graphql('{ blockedSkus(storeId: "1") { sellerSku } }')["data"]["blockedSkus"] == []


def test_matching_to_a_missing_product_is_an_error_and_changes_nothing(make_sandbox):
    sb = make_sandbox()
    [oid] = put_and_sync(sb, make_order(items=[("AMZ-MUG", 1)]))
    result = payload(sb.graphql(MATCH, {"s": "1", "seller": "AMZ-MUG", "product": "NOPE"}), "matchProduct")
    assert codes(result) == [("productSku", "NOT_FOUND")] and result["match"] is None
    assert sb.order(oid).import_state == "BLOCKED"


def test_sync_store_pulls_new_orders_now_and_reports_a_failure(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "PEN", "qty": 10}])
    order = make_order(items=[("PEN", 3)])
    sb.amazon.put_order(order)
    sb.clock.advance(300)  # Amazon answers only for windows that ended two minutes ago
    result = payload(sb.graphql(SYNC, {"s": "1"}), "syncStore")
    assert result["errors"] == [] and result["sync"] is None  # deprecated: the outcome is on the job
    assert (result["job"]["kind"], result["job"]["storeId"]) == ("SYNC", "1")
    job = finished_job(sb, result["job"]["id"])
    assert (job["state"], job["error"], job["pagesRead"], job["ordersRead"], job["imported"]) == (
        "SUCCEEDED",
        None,
        1,
        1,
        1,
    )
    assert (job["sync"]["received"], job["sync"]["imported"], job["sync"]["blocked"]) == (1, 1, 0)
    assert sb.order(order["orderId"]).import_state == "IMPORTED" and sb.host.salable_qty("PEN") == 7
    sb.clock.advance(300)
    sb.amazon_server.faults.fail_next(503, operation="searchOrders", times=8)
    failed = finished_job(sb, payload(sb.graphql(SYNC, {"s": "1"}), "syncStore")["job"]["id"])
    assert failed["state"] == "FAILED" and "searchOrders: gave up after 8 attempts" in failed["error"]
    assert failed["error"] == failed["sync"]["error"]
    store = sb.graphql("{ amazonStores { lastSyncResult } }")["data"]["amazonStores"][0]
    assert store["lastSyncResult"] == "ERROR"


def test_cancel_an_unshipped_order_returns_its_stock(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "CUP", "qty": 4}])
    [oid] = put_and_sync(sb, make_order(items=[("CUP", 3)]))
    assert sb.host.salable_qty("CUP") == 1
    result = payload(sb.graphql(CANCEL, {"s": "1", "id": oid, "reason": "NO_INVENTORY"}), "cancelAmazonOrder")
    assert result["errors"] == [] and result["order"]["status"] == "CANCELED"
    assert result["order"]["notes"] == "Canceled by an admin (NoInventory); cancellation to Amazon queued."
    view = sb.order(oid)
    assert view.status == "CANCELED" and sb.host.order(view.commerce_order_id).status == "canceled"
    assert sb.host.salable_qty("CUP") == 4
    sb.sync()  # the cancellation feed goes out; Amazon processes it before the next cycle looks
    sb.sync()
    assert sb.amazon.cancellations == [(oid, "NoInventory")]


def test_cancel_of_a_shipped_order_is_refused(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "CUP", "qty": 4}])
    [oid] = put_and_sync(sb, make_order(items=[("CUP", 1)]))
    sb.host.ship(sb.order(oid).commerce_order_id, "UPS", "1Z999")
    result = payload(sb.graphql(CANCEL, {"s": "1", "id": oid, "reason": "BUYER_CANCELED"}), "cancelAmazonOrder")
    assert codes(result) == [("amazonOrderId", "NOT_CANCELABLE")] and result["order"] is None
    assert sb.order(oid).status == "SHIPPED"


def test_an_unknown_cancel_reason_is_refused_by_the_schema(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "CUP", "qty": 4}])
    [oid] = put_and_sync(sb, make_order(items=[("CUP", 1)]))
    body = sb.graphql(CANCEL, {"s": "1", "id": oid, "reason": "NoInventory"})
    assert body["data"] is None and "NoInventory" in body["errors"][0]["message"]
    assert "Unexpected error" not in body["errors"][0]["message"] and sb.order(oid).status == "UNSHIPPED"


def test_update_shipping_address_is_what_the_commerce_order_gets(make_sandbox, caplog):
    sb = make_sandbox()
    seen = []

    class Spy:
        @hookimpl
        def channel_order_imported(self, order, commerce_order):
            seen.append(order.shipping_address)

    sb.pm.register(Spy())
    [oid] = put_and_sync(sb, make_order(items=[("RUG", 1)]))
    with caplog.at_level(logging.DEBUG):
        body = sb.graphql(ADDRESS, {"s": "1", "id": oid, "input": {**NEW_ADDRESS, "line2": "  "}})
    result = payload(body, "updateShippingAddress")
    assert result["errors"] == [] and result["order"]["notes"].startswith("Shipping address saved in the plugin's copy")
    assert result["shippingAddress"] == {**NEW_ADDRESS, "countryCode": "GB"}
    view = sb.order(oid)
    assert (view.shipping_address.name, view.shipping_address.line2, view.shipping_address.country_code) == (
        "Ann Lee",
        None,
        "GB",
    )
    assert view.buyer.name == "Jane Doe" and view.history[-1].kind == "ADDRESS_UPDATED"
    assert "Elm Rd" not in caplog.text and "Ann Lee" not in caplog.text
    sb.host.add_product("RUG", qty=1)
    assert sb.order(oid).import_state == "IMPORTED" and [a.line1 for a in seen] == ["9 Elm Rd"]


def test_invalid_address_fields_are_each_reported_and_nothing_changes(make_sandbox):
    sb = make_sandbox()
    [oid] = put_and_sync(sb, make_order(items=[("RUG", 1)]))
    bad = {"name": " ", "line1": "1 Way\nSecret St", "countryCode": "UK", "postalCode": "12#4", "phone": "call me"}
    result = payload(sb.graphql(ADDRESS, {"s": "1", "id": oid, "input": bad}), "updateShippingAddress")
    assert codes(result) == [
        ("input.name", "REQUIRED"),
        ("input.line1", "INVALID"),
        ("input.city", "REQUIRED"),
        ("input.postalCode", "INVALID"),
        ("input.countryCode", "INVALID"),
        ("input.phone", "INVALID"),
    ]
    assert not any("Secret" in e["message"] for e in result["errors"]) and result["order"] is None
    view = sb.order(oid)
    assert view.shipping_address.line1 == "1 Main St" and view.history[-1].kind != "ADDRESS_UPDATED"


def test_the_address_can_only_change_before_the_order_ships(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "CUP", "qty": 4}])
    shipped, canceled = put_and_sync(sb, make_order(items=[("CUP", 1)]), make_order(items=[("CUP", 1)]))
    fba = put_and_sync(sb, make_order(items=[("CUP", 1)], fulfilled_by="AMAZON", status="UNSHIPPED"))[0]
    sb.host.ship(sb.order(shipped).commerce_order_id, "UPS", "1Z999")
    sb.cancel(canceled)
    for oid in (shipped, canceled, fba):
        result = payload(sb.graphql(ADDRESS, {"s": "1", "id": oid, "input": NEW_ADDRESS}), "updateShippingAddress")
        assert codes(result) == [("amazonOrderId", "NOT_ALLOWED")], oid
    assert sb.order(shipped).shipping_address.line1 == "1 Main St"


@pytest.mark.parametrize(
    ("fields", "problems"),
    [
        ({"name": "A", "line1": "1 St", "city": "Oslo", "country_code": "no"}, []),
        ({"name": "A", "line1": "1 St", "city": "Oslo", "country_code": "XX"}, [("country_code", "INVALID")]),
        ({"name": "A", "line1": "1 St", "city": "Oslo", "country_code": "USA"}, [("country_code", "INVALID")]),
        (
            {"line1": "1 St", "city": "Oslo", "country_code": "NO", "zip": "1"},
            [("zip", "UNKNOWN_FIELD"), ("name", "REQUIRED")],
        ),
        ({"name": "A" * 256, "line1": "1 St", "city": "Oslo", "country_code": "NO"}, [("name", "INVALID")]),
        ({"name": "A", "line1": "1 St", "city": "Oslo", "country_code": "NO", "phone": "+47 22 12 34 56 ext. 9"}, []),
    ],
)
def test_address_rules_without_graphql(fields, problems):
    try:
        address = check_address(fields)
    except InvalidAddress as exc:
        assert [(p.field, p.code) for p in exc.problems] == problems
    else:
        assert problems == [] and address.country_code == fields["country_code"].upper()


def test_the_engine_refuses_an_unknown_order(make_sandbox):
    sb = make_sandbox()
    with pytest.raises(ValidationError) as raised:
        update_shipping_address(sb.runtime, sb.store.id, "111-0000000-0000000", {})
    assert (raised.value.field, raised.value.code) == ("amazon_order_id", "NOT_FOUND")


MUTATIONS = {
    "retryOrderImport": (RETRY, {}),
    "matchProduct": (MATCH, {"seller": "LAMP", "product": "LAMP-2"}),
    "syncStore": (SYNC, {}),
    "cancelAmazonOrder": (CANCEL, {"reason": "NO_INVENTORY"}),
    "updateShippingAddress": (ADDRESS, {"input": NEW_ADDRESS}),
    "resendShipmentConfirmation": (RESEND, {"tracking": "1Z1"}),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
@pytest.mark.parametrize("store", ["42", "abc"])
def test_an_unknown_store_is_an_error_on_every_mutation(make_sandbox, name, store):
    query, extra = MUTATIONS[name]
    result = payload(make_sandbox().graphql(query, {"s": store, "id": "111-0000000-0000000", **extra}), name)
    assert codes(result) == [("storeId", "NOT_FOUND")]


@pytest.mark.parametrize("name", ["cancelAmazonOrder", "updateShippingAddress", "resendShipmentConfirmation"])
def test_an_unknown_order_is_an_error(make_sandbox, name):
    query, extra = MUTATIONS[name]
    result = payload(make_sandbox().graphql(query, {"s": "1", "id": "111-0000000-0000000", **extra}), name)
    assert codes(result) == [("amazonOrderId", "NOT_FOUND")]


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_a_read_token_cannot_run_a_mutation_and_nothing_changes(make_sandbox, name):
    sb = make_sandbox(catalog=[{"sku": "LAMP-2", "qty": 5}])
    [oid] = put_and_sync(sb, make_order(items=[("LAMP", 1)]))
    add_stock_silently(sb, "LAMP", 5)
    late = make_order(items=[("LAMP-2", 1)])
    sb.amazon.put_order(late)
    sb.clock.advance(300)
    before, stores = sb.order(oid), sb.graphql("{ amazonStores { lastSyncAt } }")
    query, extra = MUTATIONS[name]
    body = sb.graphql(query, {"s": "1", "id": oid, **extra}, token=sb.token("read"))
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert sb.order(oid) == before and before.import_state == "BLOCKED" and sb.order(late["orderId"]) is None
    assert sb.graphql("{ amazonStores { lastSyncAt } }") == stores and sb.amazon.cancellations == []


def test_an_admins_address_correction_survives_amazons_next_update(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "RUG", "qty": 3}])
    [oid] = put_and_sync(sb, make_order(status="PENDING", items=[("RUG", 1)]))
    result = payload(sb.graphql(ADDRESS, {"s": "1", "id": oid, "input": NEW_ADDRESS}), "updateShippingAddress")
    assert result["errors"] == []
    sb.amazon.set_status(oid, "Unshipped")  # Amazon's copy still carries the old address
    sb.sync()
    view = sb.order(oid)
    assert view.import_state == "IMPORTED"
    assert view.shipping_address.line1 == "9 Elm Rd"
    assert view.buyer.name == "Jane Doe"


RETRY_ALL = """mutation { retryOrderImport(storeId: "1") { results { amazonOrderId }
  job { id kind state ordersTotal } errors { field code message } } }"""


def test_retrying_more_than_a_page_of_orders_runs_in_the_background(make_sandbox):
    sb = make_sandbox()
    ids = put_and_sync(sb, *(make_order(items=[("FEED", 1)]) for _ in range(MAX_PAGE_SIZE + 1)))
    add_stock_silently(sb, "FEED", MAX_PAGE_SIZE + 1)
    started = payload(sb.graphql(RETRY_ALL), "retryOrderImport")
    assert started["results"] == [] and started["errors"] == []  # nothing waits for 101 re-checks in the request
    assert (started["job"]["kind"], started["job"]["ordersTotal"]) == ("RETRY", MAX_PAGE_SIZE + 1)
    job = finished_job(sb, started["job"]["id"])
    assert (job["state"], job["pagesRead"], job["ordersRead"], job["imported"], job["blocked"]) == (
        "SUCCEEDED",
        2,
        MAX_PAGE_SIZE + 1,
        MAX_PAGE_SIZE + 1,
        0,
    )
    assert {sb.order(oid).import_state for oid in ids} == {"IMPORTED"}
    assert payload(sb.graphql(RETRY_ALL), "retryOrderImport") == {"results": [], "job": None, "errors": []}


def test_a_second_sync_of_a_store_follows_the_running_one(make_sandbox):
    sb = make_sandbox()
    gate = threading.Event()

    class Slow:
        @hookimpl
        def channel_order_received(self, order):
            gate.wait(30)

    sb.amazon.put_order(make_order(items=[("FEED", 1)]))
    sb.clock.advance(300)
    sb.pm.register(Slow())
    first = payload(sb.graphql(SYNC, {"s": "1"}), "syncStore")["job"]
    second = payload(sb.graphql(SYNC, {"s": "1"}), "syncStore")["job"]
    gate.set()
    assert second["id"] == first["id"] and first["state"] == "RUNNING"
    assert finished_job(sb, first["id"])["state"] == "SUCCEEDED"
