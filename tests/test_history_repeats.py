"""A blocked order is re-checked every cycle; its history records what changed, not every re-check."""

from __future__ import annotations

from typing import Any

from channel_plugin.testing import make_order


def _blocked_events(sb: Any, amazon_order_id: str) -> list[str]:
    return [e.message for e in sb.order(amazon_order_id).history if e.kind == "BLOCKED"]


def test_re_checks_that_find_the_same_blockers_write_no_event(make_sandbox: Any) -> None:
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 1}])
    order = make_order(items=[("MUG", 3)])
    sb.amazon.put_order(order)
    for _ in range(5):
        sb.sync()

    [blocked] = _blocked_events(sb, order["orderId"])
    assert "needs 3" in blocked

    sb.host.set_stock("MUG", 2)  # still short, but for a different reason: that is news
    sb.sync()
    assert len(_blocked_events(sb, order["orderId"])) == 2

    sb.host.set_stock("MUG", 3)
    sb.sync()
    assert sb.order(order["orderId"]).import_state == "IMPORTED"
