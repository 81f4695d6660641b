"""A blocked order is re-checked every cycle; its history records what changed, and counts what did not."""

from __future__ import annotations

from typing import Any

from channel_plugin.testing import make_order

HISTORY = """
query($id: String!) { amazonOrder(amazonOrderId: $id) { history { at kind message count lastAt } } }"""


def _blocked_events(sb: Any, amazon_order_id: str) -> list[Any]:
    return [e for e in sb.order(amazon_order_id).history if e.kind == "BLOCKED"]


def test_re_checks_that_find_the_same_blockers_count_on_the_last_event(make_sandbox: Any) -> None:
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 1}])
    order = make_order(items=[("MUG", 3)])
    sb.amazon.put_order(order)
    sb.sync()
    first_at = sb.clock.now()
    for _ in range(4):
        sb.clock.advance(120)
        sb.sync()

    [blocked] = _blocked_events(sb, order["orderId"])
    assert "needs 3" in blocked.message
    assert blocked.count == 5
    assert blocked.at == first_at
    assert blocked.last_at == sb.clock.now()

    sb.host.set_stock("MUG", 2)  # still short, but for a different reason: that is news, on a line of its own
    sb.sync()
    first, second = _blocked_events(sb, order["orderId"])
    assert first.count == 5
    assert second.message != first.message

    sb.host.set_stock("MUG", 3)
    sb.sync()
    history = sb.order(order["orderId"]).history
    assert sb.order(order["orderId"]).import_state == "IMPORTED"
    assert history[-1].kind == "IMPORTED" and history[-1].count == 1


def test_graphql_history_says_how_often_and_how_lately(make_sandbox: Any) -> None:
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 0}])
    order = make_order(items=[("MUG", 1)])
    sb.amazon.put_order(order)
    sb.sync()
    received_at = sb.clock.now()
    for _ in range(51):
        sb.clock.advance(15)
        sb.sync()

    body = sb.graphql(HISTORY, {"id": order["orderId"]})
    history = body["data"]["amazonOrder"]["history"]
    blocked = [e for e in history if e["kind"] == "BLOCKED"]
    assert [e["count"] for e in blocked] == [52]
    assert blocked[0]["lastAt"] > blocked[0]["at"]
    received = next(e for e in history if e["kind"] == "RECEIVED")
    assert received["count"] == 1
    assert received["lastAt"] == received["at"]
    assert received["at"].startswith(received_at.isoformat()[:19])
