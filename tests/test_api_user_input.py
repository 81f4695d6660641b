"""A client's malformed input is answered as the client's mistake, naming the field: never "Unexpected error.",
never a 500, and without schema hints when introspection is off."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from channel_plugin.api.app import create_app

STORE_QUERIES = {
    "orderSettings": '{ orderSettings(storeId: "%s") { importEnabled } }',
    "blockedSkus": '{ blockedSkus(storeId: "%s") { sellerSku } }',
    "orderVolume": '{ orderVolume(storeId: "%s") { until } }',
    "amazonOrders": '{ amazonOrders(storeId: "%s") { totalCount } }',
    "amazonOrder": '{ amazonOrder(storeId: "%s", amazonOrderId: "x") { id } }',
    "importBlockers": '{ importBlockers(storeId: "%s") { totalCount } }',
}
STORE_MUTATIONS = {
    "updateOrderSettings": 'mutation { updateOrderSettings(storeId: "%s", input: {importEnabled: false}) '
    "{ errors { field code } } }",
    "retryOrderImport": 'mutation { retryOrderImport(storeId: "%s") { errors { field code } } }',
    "matchProduct": 'mutation { matchProduct(storeId: "%s", sellerSku: "A", productSku: "B") '
    "{ errors { field code } } }",
    "syncStore": 'mutation { syncStore(storeId: "%s") { errors { field code } } }',
    "cancelAmazonOrder": 'mutation { cancelAmazonOrder(storeId: "%s", amazonOrderId: "x", reason: NO_INVENTORY) '
    "{ errors { field code } } }",
    "updateShippingAddress": 'mutation { updateShippingAddress(storeId: "%s", amazonOrderId: "x", input: '
    '{name: "A", line1: "B", city: "C", countryCode: "US"}) { errors { field code } } }',
    "resendShipmentConfirmation": 'mutation { resendShipmentConfirmation(storeId: "%s", amazonOrderId: "x") '
    "{ errors { field code } } }",
}
ODD_DIGITS = ["¹", "²³", "\u0661", "1\u00b9", "\uff11"]  # superscripts, Arabic-Indic, fullwidth


@pytest.fixture
def sb(make_sandbox):
    return make_sandbox()


@pytest.mark.parametrize("digits", ODD_DIGITS)
@pytest.mark.parametrize("field", sorted(STORE_QUERIES))
def test_a_store_id_in_non_ascii_digits_is_a_not_found_naming_the_field(sb, field, digits):
    body = sb.graphql(STORE_QUERIES[field] % digits)
    assert body["data"] in (None, {field: None})  # amazonOrder is nullable
    error = body["errors"][0]
    assert error["extensions"] == {"code": "NOT_FOUND", "field": "storeId"}
    assert error["message"].startswith("storeId:")


@pytest.mark.parametrize("digits", ODD_DIGITS)
@pytest.mark.parametrize("field", sorted(STORE_MUTATIONS))
def test_a_store_id_in_non_ascii_digits_is_a_user_error_in_every_mutation(sb, field, digits):
    body = sb.graphql(STORE_MUTATIONS[field] % digits)
    assert "errors" not in body, body
    assert body["data"][field]["errors"] == [{"field": "storeId", "code": "NOT_FOUND"}]


def test_the_sandbox_store_is_still_found_by_its_ascii_id(sb):
    body = sb.graphql(STORE_QUERIES["orderSettings"] % sb.store.id)
    assert "errors" not in body and body["data"]["orderSettings"]["importEnabled"] in (True, False)


@pytest.mark.parametrize("end", ["from", "to"])
@pytest.mark.parametrize("amount", ["1e999999", "1e20", "930000000000000", "-1e30", "NaN", "-Infinity"])
def test_a_total_bound_out_of_range_is_a_user_error_naming_the_field(sb, end, amount):
    body = sb.graphql(f'{{ amazonOrders(filter: {{total: {{{end}: "{amount}"}}}}) {{ totalCount }} }}')
    assert body["data"] is None
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith(f"filter.total.{end} must be an amount between")


def test_the_largest_storable_total_bounds_still_filter(sb):
    body = sb.graphql(
        '{ amazonOrders(filter: {total: {from: "-922337203685477.5807", to: "922337203685477.5807"}}) { totalCount } }'
    )
    assert "errors" not in body, body
    assert body["data"]["amazonOrders"]["totalCount"] == 0


def _post(sb, app_options: dict, **request) -> object:
    client = TestClient(create_app(sb.runtime, **app_options), raise_server_exceptions=False)
    headers = {"Authorization": f"Bearer {sb.token('read')}", "Content-Type": "application/json"}
    return client.post("/graphql", headers=headers, **request)


@pytest.mark.parametrize(
    "body", [b'{"query": "{ amazonStores { id } }", "x": "\xff\xfe"}', b"\xc3\x28", b"\xed\xa0\x80"]
)
def test_a_body_that_is_not_utf8_gets_400_without_a_traceback(sb, body):
    response = _post(sb, {}, content=body)
    assert response.status_code == 400
    assert "Traceback" not in response.text and "UnicodeDecodeError" not in response.text


SUGGESTED = [
    "{ amazonStores { nam } }",  # a field
    "{ amazonOrders(firs: 1) { totalCount } }",  # an argument
    "{ amazonOrders(filter: {totl: {}}) { totalCount } }",  # an input field
    "{ amazonOrders(filter: {status: [SHIPPE]}) { totalCount } }",  # an enum value
    "query ($f: AmazonOrderFiltr) { amazonOrders(filter: $f) { totalCount } }",  # a type
]


@pytest.mark.parametrize("query", SUGGESTED)
def test_without_introspection_no_error_suggests_a_name(sb, query):
    errors = _post(sb, {}, json={"query": query}).json()["errors"]
    assert errors and not any("Did you mean" in e["message"] for e in errors)


def test_variables_with_a_misspelt_input_field_get_no_suggestion_without_introspection(sb):
    query = "query ($f: AmazonOrderFilter) { amazonOrders(filter: $f) { totalCount } }"
    errors = _post(sb, {}, json={"query": query, "variables": {"f": {"totl": {}}}}).json()["errors"]
    assert errors and not any("Did you mean" in e["message"] for e in errors)


def test_with_introspection_on_suggestions_stay(sb):
    errors = _post(sb, {"introspection": True}, json={"query": SUGGESTED[0]}).json()["errors"]
    assert any("Did you mean 'name'" in e["message"] for e in errors)
