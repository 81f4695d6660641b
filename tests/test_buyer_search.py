"""Substring search over encrypted buyer names: narrowed in SQL by keyed trigram tokens, confirmed by decryption."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from channel_plugin.storage.buyer_search import candidate_condition, name_matches, name_tokens
from channel_plugin.storage.crypto import BuyerDataCipher, generate_key
from channel_plugin.storage.tables import amazon_orders
from channel_plugin.testing import make_order

NAMES = ["Ada Lovelace", "alan TURING", "Grace  Hopper", "Joanna Annand", None]


def search(sandbox, text):
    cipher = sandbox.runtime.cipher
    query = select(amazon_orders.c.amazon_order_id, amazon_orders.c.buyer_data)
    condition = candidate_condition(cipher, text, sandbox.db.dialect)
    if condition is not None:
        query = query.where(condition)
    with sandbox.db.engine.connect() as conn:
        rows = conn.execute(query).all()
    return sorted(r.amazon_order_id for r in rows if name_matches(cipher, r.buyer_data, text)), len(rows)


@pytest.fixture
def seeded(make_sandbox):
    sb = make_sandbox()
    ids = {}
    for name in NAMES:
        order = make_order(items=[("MUG", 1)], buyer_name=name, fulfilled_by="MERCHANT" if name else "AMAZON")
        sb.amazon.put_order(order)
        ids[name] = order["orderId"]
    sb.sync()
    return sb, ids


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ada", ["Ada Lovelace"]),
        ("LOVE", ["Ada Lovelace"]),
        ("an tu", ["alan TURING"]),
        ("grace hopper", ["Grace  Hopper"]),
        ("ann", ["Joanna Annand"]),
        ("a", ["Ada Lovelace", "alan TURING", "Grace  Hopper", "Joanna Annand"]),
        ("zzz", []),
    ],
)
def test_substring_search_finds_exactly_the_matching_names(seeded, text, expected):
    sb, ids = seeded
    found, _ = search(sb, text)
    assert found == sorted(ids[name] for name in expected)


def test_sql_narrows_the_candidates_before_anything_is_decrypted(seeded):
    sb, _ = seeded
    _, candidates = search(sb, "lovelace")
    assert candidates == 1


def test_tokens_reveal_no_name_and_depend_on_the_key():
    one, two = BuyerDataCipher([generate_key()]), BuyerDataCipher([generate_key()])
    tokens = name_tokens(one, "Ada Lovelace")
    assert tokens is not None
    assert all(len(t) == 16 and set(t) <= set("0123456789abcdef") for t in tokens.split())
    assert "love" not in tokens and "Ada" not in tokens  # letters a lowercase hex digest cannot contain
    assert tokens != name_tokens(two, "Ada Lovelace")
    assert name_tokens(one, None) is None


def test_a_rotated_key_still_finds_orders_indexed_under_the_old_one(seeded):
    sb, ids = seeded
    old_key = sb.encryption_key
    sb.runtime.cipher = BuyerDataCipher([generate_key(), old_key])
    found, _ = search(sb, "hopper")
    assert found == [ids["Grace  Hopper"]]


def test_the_search_is_served_by_an_index(seeded):
    """FTS5 on SQLite, a pg_trgm GIN index on PostgreSQL (migration 0005): no full scan of the orders."""
    from sqlalchemy.dialects import postgresql, sqlite

    sb, _ = seeded
    condition = candidate_condition(sb.runtime.cipher, "hopper", sb.db.dialect)
    query = select(amazon_orders.c.id).where(condition)
    dialect = sqlite.dialect() if sb.db.dialect == "sqlite" else postgresql.dialect()
    sql = str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    with sb.db.engine.connect() as conn:
        if sb.db.dialect == "sqlite":
            plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
            assert "VIRTUAL TABLE INDEX" in plan, plan
        else:
            conn.exec_driver_sql("SET enable_seqscan = off")
            plan = " ".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {sql}"))
            assert "ix_amazon_orders_buyer_tokens_trgm" in plan, plan


def test_the_index_follows_updates_and_erasure(seeded):
    sb, ids = seeded
    from sqlalchemy import update

    with sb.db.transaction() as conn:
        conn.execute(
            update(amazon_orders)
            .where(amazon_orders.c.amazon_order_id == ids["Ada Lovelace"])
            .values(buyer_name_tokens=None, buyer_data=None)
        )
    found, _ = search(sb, "lovelace")
    assert found == []
