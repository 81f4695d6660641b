"""The API fields the dashboard added: counts per import state, orders per day, every column sortable."""

from __future__ import annotations

from datetime import timedelta

from channel_plugin.testing import make_order

VOLUME = """query($s: ID!, $d: Int!) {
  orderVolume(storeId: $s, days: $d) { since until counts { day importState count } } }"""
PAGE = """query($s: ID!, $sort: AmazonOrderSort, $after: String) {
  amazonOrders(storeId: $s, sort: $sort, first: 2, after: $after) {
    pageInfo { hasNextPage endCursor } edges { node { amazonOrderId notes importState } } } }"""


def _walk(sb, sort):
    seen, after = [], None
    while True:
        page = sb.graphql(PAGE, {"s": str(sb.store.id), "sort": sort, "after": after})["data"]["amazonOrders"]
        seen += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return seen
        after = page["pageInfo"]["endCursor"]


def test_orders_per_day_by_import_state_over_the_window(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 9}])
    now = sb.clock.now().replace(tzinfo=None)
    for days_ago, sku in [(0, "MUG"), (0, "LAMP"), (3, "MUG"), (3, "MUG"), (40, "MUG")]:
        sb.amazon.put_order(make_order(items=[(sku, 1)], purchase_date=now - timedelta(days=days_ago, minutes=5)))
    sb.sync()
    volume = sb.graphql(VOLUME, {"s": str(sb.store.id), "d": 30})["data"]["orderVolume"]
    today = sb.clock.now().date()
    assert (volume["since"], volume["until"]) == ((today - timedelta(days=29)).isoformat(), today.isoformat())
    three_ago = (now - timedelta(days=3, minutes=5)).date().isoformat()
    assert sorted((c["day"], c["importState"], c["count"]) for c in volume["counts"]) == sorted(
        [(three_ago, "IMPORTED", 2), *_today(now, [("BLOCKED", 1), ("IMPORTED", 1)])]
    )
    refused = sb.graphql(VOLUME, {"s": str(sb.store.id), "d": 0})
    assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def _today(now, pairs):
    day = (now - timedelta(minutes=5)).date().isoformat()
    return [(day, state, n) for state, n in pairs]


def test_order_number_import_state_and_notes_sort_the_whole_result_across_pages(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 9}])
    ids = [f"111-000000{i}-0000000" for i in (3, 1, 4, 2, 5)]
    for number, order_id in enumerate(ids):
        sb.amazon.put_order(make_order(order_id, items=[("MUG" if number % 2 else "LAMP", 1)]))
    sb.sync()
    by_number = _walk(sb, {"field": "ORDER_NUMBER", "direction": "ASC"})
    assert [o["amazonOrderId"] for o in by_number] == sorted(ids)
    by_state = _walk(sb, {"field": "IMPORT_STATE", "direction": "DESC"})
    assert [o["importState"] for o in by_state] == ["IMPORTED"] * 2 + ["BLOCKED"] * 3
    by_notes = _walk(sb, {"field": "NOTES", "direction": "ASC"})
    notes = [o["notes"] or "" for o in by_notes]
    assert len(by_notes) == 5 and notes == sorted(notes)


def test_import_state_counts_list_every_state(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 9}])
    sb.amazon.put_order(make_order(items=[("MUG", 1)]))
    sb.amazon.put_order(make_order(status="PENDING", items=[("MUG", 1)]))
    sb.sync()
    stores = sb.graphql("{ amazonStores { importStateCounts { importState count } } }")["data"]["amazonStores"]
    counts = {c["importState"]: c["count"] for c in stores[0]["importStateCounts"]}
    assert counts == {"WAITING": 1, "IMPORTED": 1, "BLOCKED": 0, "VIEW_ONLY": 0, "SKIPPED": 0, "FAILED": 0}
