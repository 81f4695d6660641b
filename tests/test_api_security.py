"""API security: tokens and scopes, request limits at their bound and one past, masked errors, no CSRF paths."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from starlette.testclient import TestClient

from channel_plugin.api.app import create_app
from channel_plugin.api.security import MAX_ALIASES
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
