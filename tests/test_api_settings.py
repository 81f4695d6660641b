"""GraphQL: stores, order settings, order statuses and system messages."""

from __future__ import annotations

import pytest

from channel_plugin.testing import make_order

UPDATE = """
mutation($store: ID!, $input: OrderSettingsInput!) {
  updateOrderSettings(storeId: $store, input: $input) {
    settings { importEnabled customerCreation orderNumberSource reserveQuantity orderStatus processingOrderStatus }
    errors { field code message }
  }
}"""


def test_stores_and_settings_defaults(make_sandbox):
    sb = make_sandbox()
    body = sb.graphql("{ amazonStores { id name marketplaceId integratedAt } }")
    [store] = body["data"]["amazonStores"]
    assert store["name"] == "Sandbox US" and store["integratedAt"].endswith("+00:00")
    settings = sb.graphql(
        "query($s: ID!) { orderSettings(storeId: $s) { importEnabled customerCreation "
        "orderNumberSource reserveQuantity orderStatus processingOrderStatus } }",
        {"s": store["id"]},
    )
    assert settings["data"]["orderSettings"] == {
        "importEnabled": True,
        "customerCreation": "GUEST",
        "orderNumberSource": "COMMERCE",
        "reserveQuantity": "RESERVE",
        "orderStatus": "DEFAULT",
        "processingOrderStatus": None,
    }


def test_update_settings_and_the_change_takes_effect(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    body = sb.graphql(
        UPDATE,
        {
            "store": str(sb.store.id),
            "input": {"orderNumberSource": "AMAZON", "orderStatus": "CUSTOM", "processingOrderStatus": "ready_to_ship"},
        },
    )
    payload = body["data"]["updateOrderSettings"]
    assert payload["errors"] == []
    assert payload["settings"]["orderNumberSource"] == "AMAZON"
    order = make_order(items=[("MUG", 1)])
    sb.amazon.put_order(order)
    sb.sync()
    view = sb.order(order["orderId"])
    assert sb.host.order(view.commerce_order_id).increment_id == order["orderId"]
    assert sb.host.order(view.commerce_order_id).status == "ready_to_ship"


@pytest.mark.parametrize(
    ("variables", "field", "code"),
    [
        ({"store": "1", "input": {"orderStatus": "CUSTOM"}}, "input.processingOrderStatus", "REQUIRED"),
        (
            {"store": "1", "input": {"orderStatus": "CUSTOM", "processingOrderStatus": "complete"}},
            "input.processingOrderStatus",
            "NOT_ALLOWED",
        ),
        ({"store": "1", "input": {"importStoreView": "nowhere"}}, "input.importStoreView", "NOT_FOUND"),
        ({"store": "1", "input": {"importEnabled": None}}, "input.importEnabled", "REQUIRED"),
        ({"store": "42", "input": {"importEnabled": False}}, "storeId", "NOT_FOUND"),
        ({"store": "abc", "input": {"importEnabled": False}}, "storeId", "NOT_FOUND"),
    ],
)
def test_invalid_settings_come_back_as_errors_and_nothing_is_saved(make_sandbox, variables, field, code):
    sb = make_sandbox()
    payload = sb.graphql(UPDATE, variables)["data"]["updateOrderSettings"]
    assert payload["settings"] is None
    [error] = payload["errors"]
    assert (error["field"], error["code"]) == (field, code)
    after = sb.graphql('{ orderSettings(storeId: "1") { orderStatus importEnabled } }')["data"]["orderSettings"]
    assert after == {"orderStatus": "DEFAULT", "importEnabled": True}


def test_an_unknown_enum_value_is_refused_by_the_schema(make_sandbox):
    sb = make_sandbox()
    body = sb.graphql(UPDATE, {"store": "1", "input": {"customerCreation": "SOMETIMES"}})
    assert body["data"] is None
    assert "SOMETIMES" in body["errors"][0]["message"]


def test_order_statuses_for_the_custom_status_choice(make_sandbox):
    sb = make_sandbox()
    sb.host.add_status("amazon_new", "New from Amazon", "processing")
    codes = {s["code"] for s in sb.graphql("{ orderStatuses { code label state } }")["data"]["orderStatuses"]}
    assert {"processing", "ready_to_ship", "amazon_new"} <= codes
    assert not codes & {"complete", "canceled", "closed"}
    every = sb.graphql("{ orderStatuses(forProcessing: false) { code } }")["data"]["orderStatuses"]
    assert {"complete", "canceled", "closed"} <= {s["code"] for s in every}


def test_system_messages_appear_and_clear(make_sandbox):
    sb = make_sandbox()
    order = make_order(items=[("LAMP", 1)])
    sb.amazon.put_order(order)
    sb.sync()
    [message] = sb.graphql("{ systemMessages { text storeNames } }")["data"]["systemMessages"]
    assert message["text"].startswith("Your Amazon store(s) has orders that cannot be imported into Commerce.")
    assert message["storeNames"] == ["Sandbox US"]
    sb.host.add_product("LAMP", qty=1)
    assert sb.graphql("{ systemMessages { text } }")["data"]["systemMessages"] == []


@pytest.mark.parametrize("token", ["", "garbage", "Bearer", "cpt_not-a-real-token"])
def test_queries_without_a_valid_token_get_nothing(make_sandbox, token):
    sb = make_sandbox()
    body = sb.graphql("{ amazonStores { id name } }", token=token)
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_read_token_cannot_mutate(make_sandbox):
    sb = make_sandbox()
    body = sb.graphql(UPDATE, {"store": "1", "input": {"importEnabled": False}}, token=sb.token("read"))
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert sb.graphql('{ orderSettings(storeId: "1") { importEnabled } }', token=sb.token("read"))["data"] == {
        "orderSettings": {"importEnabled": True}
    }
