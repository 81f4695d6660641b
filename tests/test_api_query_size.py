"""Request size limits over fragments: each fragment is measured once, so a fan-out of spreads is refused fast,
cycles are refused, and aliases, depth and cost reached through fragments count exactly as written inline."""

from __future__ import annotations

import time

import pytest

from channel_plugin.api.security import MAX_ALIASES, MAX_COST, MAX_DEPTH


@pytest.fixture
def sb(make_sandbox):
    return make_sandbox()


def _fan_out(levels: int, extra_ids: int = 0, beside: str = "") -> str:
    """``F{n}`` spreads ``F{n-1}`` twice: amazonStores { ...F{levels} } costs 1 + 2**levels (+1 per extra id)."""
    fragments = ["fragment F0 on AmazonStore { id }"]
    fragments += [f"fragment F{n} on AmazonStore {{ ...F{n - 1} ...F{n - 1} }}" for n in range(1, levels + 1)]
    ids = " id" * extra_ids
    return f"{{ amazonStores {{ ...F{levels}{ids} }} {beside} }} " + " ".join(fragments)


def test_the_twenty_level_fragment_fan_out_is_refused_as_too_costly(sb):
    query = _fan_out(20)
    assert len(query) < 1000
    body = sb.graphql(query)
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert f"cost {1 + 2**20 + 0}" in body["errors"][0]["message"]


def test_the_fan_out_is_refused_about_as_fast_as_a_trivial_query_is_answered(sb):
    def elapsed(query: str, run: int) -> float:
        started = time.perf_counter()
        sb.graphql(f"{query} # run {run}")  # a new text each run: no parser or validation cache helps
        return time.perf_counter() - started

    sb.graphql("{ amazonStores { id } }")  # the token check and the connection pool warmed
    trivial = min(elapsed("{ amazonStores { id } }", run) for run in range(5))
    refused = min(elapsed(_fan_out(20), run) for run in range(3))
    # Walking every spread took 31 s here; measured once per fragment it is parsing-bound, like a trivial query.
    assert refused < 20 * trivial


def test_fragment_cost_at_its_bound_and_one_past(sb):
    # 1 + 4096 for the fan-out and 1 + 22 * 41 for a page beside it: exactly the limit.
    assert MAX_COST == 1 + 2**12 + 1 + 22 * 41
    page = "amazonOrders(first: 22) { " + " totalCount" * 41 + " }"
    at_bound = sb.graphql(_fan_out(12, beside=page))
    assert "errors" not in at_bound
    past = sb.graphql(_fan_out(12, extra_ids=1, beside=page))
    assert past["data"] is None and past["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"


@pytest.mark.parametrize(
    "fragments",
    [
        "fragment A on AmazonStore { id ...A }",
        "fragment A on AmazonStore { id ...B } fragment B on AmazonStore { name ...A }",
    ],
)
def test_fragment_cycles_are_refused(sb, fragments):
    body = sb.graphql("{ amazonStores { ...A } } " + fragments)
    assert body["data"] is None
    assert any("within itself" in e["message"] for e in body["errors"])


def _aliases(count: int) -> str:
    """Five aliases in a fragment spread three times count as fifteen, plus ``count - 15`` written inline."""
    fragment = "fragment A on AmazonStore { " + " ".join(f"a{i}: id" for i in range(5)) + " }"
    inline = " ".join(f"b{i}: id" for i in range(count - 15))
    return f"{{ amazonStores {{ ...A ...A ...A {inline} }} }} {fragment}"


def test_aliases_through_fragments_at_their_bound_and_one_past(sb):
    assert MAX_ALIASES == 15
    assert "errors" not in sb.graphql(_aliases(MAX_ALIASES))
    past = sb.graphql(_aliases(MAX_ALIASES + 1))
    assert past["data"] is None and "16 aliases" in past["errors"][0]["message"]


def _deep(depth: int) -> str:
    """The real order fields (6 deep) split over two fragments, then made-up fields down to ``depth``."""
    tail = "x"
    for level in range(depth - 6):
        tail = f"x{level} {{ {tail} }}"
    return (
        "{ amazonOrders { edges { ...Edge } } } "
        "fragment Edge on AmazonOrderEdge { node { items { ...Item } } } "
        f"fragment Item on AmazonOrderItem {{ itemPrice {{ amount {{ {tail} }} }} }}"
    )


def test_depth_through_fragments_at_its_bound_and_one_past(sb):
    at_bound = sb.graphql(_deep(MAX_DEPTH))
    assert not any("maximum operation depth" in e["message"] for e in at_bound["errors"])
    past = sb.graphql(_deep(MAX_DEPTH + 1))
    assert past["data"] is None
    assert any(f"exceeds maximum operation depth of {MAX_DEPTH}" in e["message"] for e in past["errors"])


def _volumes(count: int) -> str:
    """Each ``orderVolume(days: 366)`` with its day counts costs 1 + 366 * 4 = 1465."""
    return (
        "{ "
        + " ".join(
            f'v{i}: orderVolume(storeId: "1", days: 366) {{ counts {{ day importState count }} }}' for i in range(count)
        )
        + " }"
    )


def test_order_volume_costs_per_day_asked_for(sb):
    assert 3 * 1465 <= MAX_COST < 4 * 1465
    allowed = sb.graphql(_volumes(3))
    assert not any(e.get("extensions", {}).get("code") == "QUERY_TOO_COSTLY" for e in allowed.get("errors", []))
    past = sb.graphql(_volumes(4))
    assert past["data"] is None and past["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
