"""API security: tokens and scopes, request limits at their bound and one past, masked errors, no CSRF paths."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from starlette.testclient import TestClient

from channel_plugin.api.app import create_app
from channel_plugin.api.schema import build_schema
from channel_plugin.api.security import MAX_ALIASES, MAX_COST, MAX_DEPTH, MAX_PAGE_SIZE, MAX_TOKENS
from channel_plugin.storage.tables import api_tokens
from channel_plugin.storage.tokens import revoke_token


@pytest.fixture
def sb(make_sandbox):
    return make_sandbox()


def test_a_revoked_token_is_refused(sb):
    token = sb.token("write")
    assert sb.graphql("{ amazonStores { id } }", token=token)["data"]
    with sb.db.transaction() as conn:
        token_id = conn.execute(api_tokens.select().order_by(api_tokens.c.id.desc())).first().id
        assert revoke_token(conn, token_id, datetime.now(UTC))
    body = sb.graphql("{ amazonStores { id } }", token=token)
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_tokens_are_stored_only_as_digests(sb):
    token = sb.token("read")
    with sb.db.engine.connect() as conn:
        stored = [r.token_hash for r in conn.execute(api_tokens.select())]
    assert token not in stored and all(len(h) == 64 for h in stored)


def test_alias_limit_at_its_bound_and_one_past(sb):
    ok = "{ " + " ".join(f"a{i}: amazonStores {{ id }}" for i in range(MAX_ALIASES)) + " }"
    assert "errors" not in sb.graphql(ok)
    too_many = "{ " + " ".join(f"a{i}: amazonStores {{ id }}" for i in range(MAX_ALIASES + 1)) + " }"
    body = sb.graphql(too_many)
    assert body["data"] is None and "aliases" in body["errors"][0]["message"].lower()


def test_unexpected_errors_are_masked_and_leak_nothing(sb, monkeypatch):
    from channel_plugin.api.stores import queries

    def broken(*args, **kwargs):
        raise RuntimeError("SELECT * FROM amazon_orders -- buyer Zelda Quartermain")

    monkeypatch.setattr(queries, "list_stores", broken)
    body = sb.graphql("{ amazonStores { id } }")
    assert body["data"] is None
    assert body["errors"][0]["message"] == "Unexpected error."
    assert "Zelda" not in str(body) and "SELECT" not in str(body)


def test_no_csrf_paths_form_posts_and_get_requests_are_refused(sb):
    client = TestClient(create_app(sb.runtime))
    headers = {"Authorization": f"Bearer {sb.token('write')}"}
    form = client.post("/graphql", data={"query": "{ amazonStores { id } }"}, headers=headers)
    assert form.status_code == 400
    get = client.get("/graphql", params={"query": "{ amazonStores { id } }"}, headers=headers)
    assert get.status_code in (400, 405)
    assert "amazonStores" not in get.text


def test_introspection_is_off_unless_asked_for(sb):
    headers = {"Authorization": f"Bearer {sb.token('read')}"}
    production = TestClient(create_app(sb.runtime)).post(
        "/graphql", json={"query": "{ __schema { queryType { name } } }"}, headers=headers
    )
    assert production.json()["data"] is None
    demo = TestClient(create_app(sb.runtime, introspection=True)).post(
        "/graphql", json={"query": "{ __schema { queryType { name } } }"}, headers=headers
    )
    assert demo.json()["data"]["__schema"]["queryType"]["name"] == "Query"


def _depth(depth: int) -> str:
    # Real fields to depth 6 (an order's item prices), then made-up ones: the depth rule reports on its own.
    tail = "x"
    for level in range(depth - 6):
        tail = f"x{level} {{ {tail} }}"
    return f"{{ amazonOrders {{ edges {{ node {{ items {{ itemPrice {{ amount {{ {tail} }} }} }} }} }} }} }}"


def test_depth_limit_at_its_bound_and_one_past(sb):
    deepest_real = "{ amazonOrders { edges { node { items { itemPrice { amount } } } } } }"
    assert "errors" not in sb.graphql(deepest_real)
    at_bound = sb.graphql(_depth(MAX_DEPTH))
    assert not any("maximum operation depth" in e["message"] for e in at_bound["errors"])
    past = sb.graphql(_depth(MAX_DEPTH + 1))
    assert past["data"] is None
    assert any(f"exceeds maximum operation depth of {MAX_DEPTH}" in e["message"] for e in past["errors"])


def _tokens(query: str) -> int:
    from graphql.language import Lexer, Source, TokenKind

    lexer, count = Lexer(Source(query)), 0
    while lexer.advance().kind is not TokenKind.EOF:
        count += 1
    return count


def _query_with_tokens(count: int) -> str:
    """Each extra status value adds exactly one token, so the value count is arithmetic on one measured query."""
    base = "{ amazonOrders(filter: {status: [%s]}) { totalCount } }"
    values = count - _tokens(base % "PENDING") + 1
    query = base % " ".join(["PENDING"] * values)
    assert _tokens(query) == count
    return query


def test_token_limit_at_its_bound_and_one_past(sb):
    at_bound = sb.graphql(_query_with_tokens(MAX_TOKENS))
    assert "errors" not in at_bound and at_bound["data"]["amazonOrders"]["totalCount"] == 0
    past = sb.graphql(_query_with_tokens(MAX_TOKENS + 1))
    assert past["data"] is None and "token" in past["errors"][0]["message"].lower()


def _costing(extra_ids: int) -> str:
    # amazonOrders(first: 100) { edges { node { 47 fields } } } costs 1 + 100 + 100 + 4700 = 4901;
    # amazonStores { n ids } costs 1 + n.
    node = " ".join(["amazonOrderId"] * 47)
    stores = " ".join(["id"] * extra_ids)
    return f"{{ amazonOrders(first: 100) {{ edges {{ node {{ {node} }} }} }} amazonStores {{ {stores} }} }}"


def test_cost_limit_at_its_bound_and_one_past(sb):
    assert "errors" not in sb.graphql(_costing(MAX_COST - 4901 - 1))
    past = sb.graphql(_costing(MAX_COST - 4901))
    assert past["data"] is None and past["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"


def test_page_size_at_its_bound_and_one_past(sb):
    ok = sb.graphql(f"{{ amazonOrders(first: {MAX_PAGE_SIZE}) {{ totalCount }} }}")
    assert "errors" not in ok
    past = sb.graphql(f"{{ amazonOrders(first: {MAX_PAGE_SIZE + 1}) {{ totalCount }} }}")
    assert past["data"] is None and past["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


ROOT_QUERIES = {
    "amazonStores": "{ amazonStores { id } }",
    "amazonOrders": "{ amazonOrders { totalCount } }",
    "amazonOrder": '{ amazonOrder(amazonOrderId: "x") { id } }',
    "orderSettings": '{ orderSettings(storeId: "1") { importEnabled } }',
    "importBlockers": "{ importBlockers { totalCount } }",
    "blockedSkus": '{ blockedSkus(storeId: "1") { sellerSku } }',
    "systemMessages": "{ systemMessages { text } }",
    "orderStatuses": "{ orderStatuses { code } }",
    "orderVolume": '{ orderVolume(storeId: "1") { until } }',
    "storeViews": "{ storeViews { code } }",
    "reconciliation": '{ reconciliation(storeId: "1") { day } }',
    "storeJob": '{ storeJob(id: "x") { state } }',
    "storeJobs": "{ storeJobs { state } }",
}
ROOT_MUTATIONS = {
    "updateOrderSettings": 'mutation { updateOrderSettings(storeId: "1", input: {importEnabled: false}) '
    "{ errors { code } } }",
    "retryOrderImport": 'mutation { retryOrderImport(storeId: "1") { errors { code } } }',
    "matchProduct": 'mutation { matchProduct(storeId: "1", sellerSku: "A", productSku: "B") { errors { code } } }',
    "syncStore": 'mutation { syncStore(storeId: "1") { errors { code } } }',
    "cancelAmazonOrder": 'mutation { cancelAmazonOrder(storeId: "1", amazonOrderId: "x", reason: NO_INVENTORY) '
    "{ errors { code } } }",
    "updateShippingAddress": 'mutation { updateShippingAddress(storeId: "1", amazonOrderId: "x", input: '
    '{name: "A", line1: "B", city: "C", countryCode: "US"}) { errors { code } } }',
    "resendShipmentConfirmation": 'mutation { resendShipmentConfirmation(storeId: "1", amazonOrderId: "x") '
    "{ errors { code } } }",
    "reconcileStore": 'mutation { reconcileStore(storeId: "1", days: 1) { errors { code } } }',
}


def test_the_matrix_covers_every_root_field():
    schema = build_schema(introspection=True)._schema
    assert set(ROOT_QUERIES) == set(schema.query_type.fields)
    assert set(ROOT_MUTATIONS) == set(schema.mutation_type.fields)


@pytest.mark.parametrize("field", sorted({**ROOT_QUERIES, **ROOT_MUTATIONS}))
def test_every_root_field_refuses_missing_malformed_and_revoked_tokens(sb, field):
    query = {**ROOT_QUERIES, **ROOT_MUTATIONS}[field]
    revoked = sb.token("write")
    with sb.db.transaction() as conn:
        last = conn.execute(api_tokens.select().order_by(api_tokens.c.id.desc())).first().id
        revoke_token(conn, last, datetime.now(UTC))
    for token in ("", "not-a-token", "cpt_" + "x" * 43, revoked):
        body = sb.graphql(query, token=token)
        assert body["data"] is None, (field, token)
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("field", sorted(ROOT_MUTATIONS))
def test_a_read_token_is_refused_on_every_mutation(sb, field):
    body = sb.graphql(ROOT_MUTATIONS[field], token=sb.token("read"))
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
