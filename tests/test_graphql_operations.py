"""The dashboard's named operations (graphql/operations/*.graphql) validate against the schema and run."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import parse, validate

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
    dashboard = _run(sb, "StoreDashboard", store)["data"]
    assert (dashboard["imported"]["totalCount"], dashboard["blocked"]["totalCount"]) == (1, 1)
    recent = _run(sb, "RecentOrders", store)["data"]["amazonOrders"]
    assert recent["totalCount"] == 2
    found = _run(sb, "AllOrders", {**store, "filter": {"buyerName": "lovelace"}})["data"]["amazonOrders"]
    assert [e["node"]["amazonOrderId"] for e in found["edges"]] == [ok["orderId"]]
    details = _run(sb, "OrderDetails", {**store, "amazonOrderId": blocked["orderId"]})["data"]["amazonOrder"]
    assert details["blockers"][0]["kind"] == "PRODUCT_NOT_FOUND"
    skus = _run(sb, "Blockers", store)["data"]["blockedSkus"]
    assert [(s["sellerSku"], s["orders"]) for s in skus] == [("LAMP", 1)]
    matched = _run(sb, "MatchProduct", {**store, "sellerSku": "LAMP", "productSku": "MUG"})["data"]["matchProduct"]
    assert matched["errors"] == [] and matched["results"][0]["importState"] == "IMPORTED"
    settings = _run(sb, "OrderSettings", store)["data"]
    assert settings["orderSettings"]["importEnabled"] is True and settings["orderStatuses"]
    assert _run(sb, "SystemMessages", {})["data"]["systemMessages"] == []
