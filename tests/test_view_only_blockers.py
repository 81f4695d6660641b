"""Switching import off leaves nothing blocked: orders that will not be imported have no open blockers, and the
banner about orders that cannot be imported clears; switching it back on blocks them again where they still are."""

from __future__ import annotations

from typing import Any

from channel_plugin.testing import make_order

UPDATE = """
mutation($store: ID!, $input: OrderSettingsInput!) {
  updateOrderSettings(storeId: $store, input: $input) { errors { field message } }
}
"""


def _banner(sb: Any) -> list[Any]:
    messages: list[Any] = sb.graphql("{ systemMessages { text } }")["data"]["systemMessages"]
    return messages


def test_switching_import_off_closes_the_blockers_and_clears_the_banner(make_sandbox: Any) -> None:
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 1}])
    short = make_order(items=[("MUG", 3)])
    unknown = make_order(items=[("LAMP", 1)])
    sb.amazon.put_orders([short, unknown])
    sb.sync()
    assert [sb.order(o["orderId"]).import_state for o in (short, unknown)] == ["BLOCKED", "BLOCKED"]
    assert len(_banner(sb)) == 1

    body = sb.graphql(UPDATE, {"store": str(sb.store.id), "input": {"importEnabled": False}})
    assert body["data"]["updateOrderSettings"]["errors"] == []

    for order in (short, unknown):
        view = sb.order(order["orderId"])
        assert (view.import_state, view.blockers) == ("VIEW_ONLY", ())
    assert _banner(sb) == []
    sb.sync()
    assert _banner(sb) == []

    sb.update_settings(import_enabled=True)
    sb.sync()
    assert sb.order(short["orderId"]).import_state == "BLOCKED"
    assert len(_banner(sb)) == 1
