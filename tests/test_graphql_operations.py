"""The dashboard's named operations (graphql/operations/*.graphql) validate against the schema and run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import parse, validate
from job_polling import finished_job

from channel_plugin.api.schema import build_schema
from channel_plugin.testing import make_order

OPERATIONS = sorted((Path(__file__).resolve().parents[1] / "graphql" / "operations").glob("*.graphql"))


@pytest.mark.parametrize("path", OPERATIONS, ids=lambda p: p.name)
def test_every_operation_validates_against_the_schema(path):
    schema = build_schema(introspection=True)._schema
    errors = validate(schema, parse(path.read_text()))
    assert errors == [], [e.message for e in errors]


def _run(sandbox, name, variables):
    """POST the whole operations document, as the dashboard does, choosing one operation by name."""
    from starlette.testclient import TestClient

    from channel_plugin.api.app import create_app

    document = "\n".join(p.read_text() for p in OPERATIONS)
    client = TestClient(create_app(sandbox.runtime))
    response = client.post(
        "/graphql",
        json={"query": document, "variables": variables, "operationName": name},
        headers={"Authorization": f"Bearer {sandbox.token('write')}"},
    )
    return response.json()


def test_the_dashboard_operations_answer_on_seeded_data(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    ok, blocked = make_order(items=[("MUG", 1)], buyer_name="Ada Lovelace"), make_order(items=[("LAMP", 2)])
    for order in (ok, blocked):
        sb.amazon.put_order(order)
    sb.sync()
    store = {"storeId": str(sb.store.id)}
    assert _run(sb, "StorePicker", {})["data"]["amazonStores"][0]["name"] == sb.store.name
    assert _run(sb, "SystemMessages", {})["data"]["systemMessages"][0]["stores"] == [
        {"id": str(sb.store.id), "name": sb.store.name}
    ]
    dashboard = _run(sb, "StoreDashboard", store)["data"]
    counts = {c["importState"]: c["count"] for c in dashboard["amazonStores"][0]["importStateCounts"]}
    assert counts == {"WAITING": 0, "IMPORTED": 1, "BLOCKED": 1, "VIEW_ONLY": 0, "SKIPPED": 0, "FAILED": 0}
    assert dashboard["reconciliation"] == []
    [day] = sb.reconcile(days=1)
    [shown] = _run(sb, "StoreDashboard", store)["data"]["reconciliation"]
    assert (shown["day"], shown["onAmazon"], shown["imported"], shown["blocked"]) == (day.day.isoformat(), 2, 1, 1)
    volume = dashboard["orderVolume"]
    assert volume["until"] == sb.clock.now().date().isoformat()
    assert sorted((c["importState"], c["count"]) for c in volume["counts"]) == [("BLOCKED", 1), ("IMPORTED", 1)]
    recent = _run(sb, "RecentOrders", store)["data"]["amazonOrders"]
    assert recent["totalCount"] == 2
    found = _run(sb, "AllOrders", {**store, "filter": {"buyerName": "lovelace"}})["data"]["amazonOrders"]
    assert [e["node"]["amazonOrderId"] for e in found["edges"]] == [ok["orderId"]]
    by_state = _run(sb, "AllOrders", {**store, "sort": {"field": "IMPORT_STATE", "direction": "ASC"}})
    assert [e["node"]["importState"] for e in by_state["data"]["amazonOrders"]["edges"]] == ["BLOCKED", "IMPORTED"]
    details = _run(sb, "OrderDetails", {**store, "amazonOrderId": blocked["orderId"]})["data"]["amazonOrder"]
    assert details["blockers"][0]["kind"] == "PRODUCT_NOT_FOUND"
    skus = _run(sb, "Blockers", store)["data"]["blockedSkus"]
    assert [(s["sellerSku"], s["orders"]) for s in skus] == [("LAMP", 1)]
    matched = _run(sb, "MatchProduct", {**store, "sellerSku": "LAMP", "productSku": "MUG"})["data"]["matchProduct"]
    assert matched["errors"] == [] and matched["results"][0]["importState"] == "IMPORTED"
    settings = _run(sb, "OrderSettings", store)["data"]
    assert settings["orderSettings"]["importEnabled"] is True and settings["orderStatuses"]
    assert any(view["isDefault"] for view in settings["storeViews"])
    sb.host.ship(sb.order(ok["orderId"]).commerce_order_id, "UPS", "1Z-TYPO")
    sb.amazon_server.faults.fail_next(400, operation="confirmShipment")
    sb.sync()
    details = _run(sb, "OrderDetails", {**store, "amazonOrderId": ok["orderId"]})["data"]["amazonOrder"]
    [problem] = details["problems"]
    assert problem["packageReferenceId"] == details["tracking"][0]["packageReferenceId"]
    resend = {**store, "amazonOrderId": ok["orderId"], "packageReferenceId": problem["packageReferenceId"]}
    resent = _run(sb, "ResendShipmentConfirmation", {**resend, "trackingNumber": "1Z999AA10123456784"})
    assert resent["data"]["resendShipmentConfirmation"]["errors"] == []
    assert _run(sb, "SystemMessages", {})["data"]["systemMessages"] == []


def test_every_named_operation_is_run_above():
    """A new operation must be exercised by the seeded-data test, not only validated."""
    names = {m for p in OPERATIONS for m in re.findall(r"^(?:query|mutation) (\w+)", p.read_text(), flags=re.M)}
    body = Path(__file__).read_text()
    assert {n for n in names if f'"{n}"' not in body} == set()


def test_the_dashboard_mutations_answer_on_seeded_data(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    order = make_order(items=[("MUG", 1)])
    sb.amazon.put_order(order)
    sb.sync()
    store = {"storeId": str(sb.store.id)}
    one = {**store, "amazonOrderId": order["orderId"]}
    address = {"name": "Ada Lovelace", "line1": "1 Main St", "city": "Springfield", "countryCode": "US"}
    moved = _run(sb, "UpdateShippingAddress", {**one, "input": address})["data"]["updateShippingAddress"]
    assert moved["errors"] == [] and moved["shippingAddress"]["city"] == "Springfield"
    assert moved["commerceUpdated"] is True and "ships to it too" in moved["message"]
    refused = _run(sb, "UpdateShippingAddress", {**one, "input": {**address, "countryCode": "USA"}})
    assert [e["field"] for e in refused["data"]["updateShippingAddress"]["errors"]] == ["input.countryCode"]
    assert _run(sb, "RetryOrderImport", store)["data"]["retryOrderImport"]["errors"] == []
    started = _run(sb, "SyncStore", store)["data"]["syncStore"]
    assert started["errors"] == [] and started["job"]["kind"] == "SYNC"
    assert finished_job(sb, started["job"]["id"])["state"] == "SUCCEEDED"
    followed = _run(sb, "StoreJob", {"id": started["job"]["id"]})["data"]["storeJob"]
    assert (followed["state"], followed["sync"]["error"]) == ("SUCCEEDED", None)
    canceled = _run(sb, "CancelAmazonOrder", {**one, "reason": "NO_INVENTORY"})["data"]["cancelAmazonOrder"]
    assert canceled["errors"] == [] and sb.order(order["orderId"]).status == "CANCELED"
    bad = {"orderStatus": "CUSTOM", "processingOrderStatus": "complete"}
    wrong = _run(sb, "UpdateOrderSettings", {**store, "input": bad})["data"]["updateOrderSettings"]
    assert [e["field"] for e in wrong["errors"]] == ["input.processingOrderStatus"]
    saved = _run(sb, "UpdateOrderSettings", {**store, "input": {"customerCreation": "NEW_ACCOUNT"}})
    assert saved["data"]["updateOrderSettings"]["settings"]["customerCreation"] == "NEW_ACCOUNT"
