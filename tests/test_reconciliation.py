"""Amazon can make an order visible to searchOrders long after its lastUpdatedTime; the poll's window has moved
on by then, and only reconciliation (a re-read of whole past days) imports it and reports it as found late."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from channel_plugin.engine.reconcile import ReconcileError, reconcile_store_id
from channel_plugin.testing import make_order


@pytest.mark.parametrize("lag", [timedelta(minutes=10), timedelta(hours=6)], ids=["10 minutes", "6 hours"])
def test_an_order_made_visible_late_is_imported_by_reconciliation(make_sandbox: Any, lag: timedelta) -> None:
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    on_time = make_order(items=[("MUG", 1)])
    sb.amazon.put_order(on_time)
    sb.sync()
    late = make_order(items=[("MUG", 1)])
    sb.amazon.put_order(late, updated_at=sb.clock() - lag)
    sb.sync()
    assert sb.order(late["orderId"]) is None  # the poll's window had passed its lastUpdatedTime

    reports = sb.reconcile(days=2)

    assert sb.order(late["orderId"]).import_state == "IMPORTED"
    assert sum(r.found_late for r in reports) == 1
    assert sum(r.on_amazon for r in reports) == sum(r.stored for r in reports) == sum(r.imported for r in reports)
    assert sum(r.on_amazon for r in reports) == 2


def test_a_second_pass_finds_nothing_late(make_sandbox: Any) -> None:
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    late = make_order(items=[("MUG", 1)])
    sb.sync()
    sb.amazon.put_order(late, updated_at=sb.clock() - timedelta(minutes=30))
    sb.sync()
    sb.reconcile(days=1)

    [report] = sb.reconcile(days=1)

    assert (report.on_amazon, report.stored, report.imported, report.found_late) == (1, 1, 1, 0)


def test_the_daily_pass_imports_an_order_made_visible_a_day_late(make_sandbox: Any) -> None:
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    sb.sync()
    late = make_order(items=[("MUG", 1)])
    sb.amazon.put_order(late, updated_at=sb.clock() - timedelta(hours=23))
    cycles_a_day = timedelta(days=1) // timedelta(seconds=sb.runtime.cron_interval_seconds)
    for _ in range(cycles_a_day - 1):
        sb.sync()
    assert sb.order(late["orderId"]) is None  # no poll saw it, and no pass was due yet

    [result] = sb.sync()

    assert result.found_late == 1
    assert sb.order(late["orderId"]).import_state == "IMPORTED"


def test_days_out_of_range_and_an_unknown_store_are_refused(make_sandbox: Any) -> None:
    sb = make_sandbox()
    for days in (0, 31):
        with pytest.raises(ReconcileError, match="days must be between 1 and 30") as refused:
            sb.reconcile(days=days)
        assert refused.value.field == "days"
    with pytest.raises(ReconcileError, match="no store with id 999") as unknown:
        reconcile_store_id(sb.runtime, 999, 1)
    assert unknown.value.code == "NOT_FOUND"


RECONCILE = """
mutation Reconcile($storeId: ID!, $days: Int!) {
  reconcileStore(storeId: $storeId, days: $days) {
    reports { day onAmazon stored imported blocked foundLate }
    errors { field code message }
  }
}
"""

REPORTS = "query Reports($storeId: ID!) { reconciliation(storeId: $storeId, days: 2) { day onAmazon foundLate } }"


def test_the_mutation_reconciles_and_the_query_shows_the_reports(make_sandbox: Any) -> None:
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    sb.sync()
    late = make_order(items=[("MUG", 1)])
    sb.amazon.put_order(late, updated_at=sb.clock() - timedelta(minutes=10))
    sb.sync()
    store_id = str(sb.store.id)

    done = sb.graphql(RECONCILE, {"storeId": store_id, "days": 1})["data"]["reconcileStore"]

    assert done["errors"] == []
    [day] = done["reports"]
    assert (day["onAmazon"], day["stored"], day["imported"], day["foundLate"]) == (1, 1, 1, 1)
    shown = sb.graphql(REPORTS, {"storeId": store_id})["data"]["reconciliation"]
    assert shown == [{"day": day["day"], "onAmazon": 1, "foundLate": 1}]


def test_the_mutation_names_the_field_of_bad_input(make_sandbox: Any) -> None:
    sb = make_sandbox()
    out_of_range = sb.graphql(RECONCILE, {"storeId": str(sb.store.id), "days": 31})["data"]["reconcileStore"]
    unknown = sb.graphql(RECONCILE, {"storeId": "999", "days": 1})["data"]["reconcileStore"]
    not_an_id = sb.graphql(RECONCILE, {"storeId": "one", "days": 1})["data"]["reconcileStore"]

    assert out_of_range["reports"] is None
    assert out_of_range["errors"] == [
        {"field": "days", "code": "INVALID", "message": "days must be between 1 and 30, not 31"}
    ]
    assert [e["field"] for e in unknown["errors"]] == [e["field"] for e in not_an_id["errors"]] == ["storeId"]
    assert unknown["errors"][0]["code"] == "NOT_FOUND"


def test_polling_reads_each_update_once_so_a_busy_store_costs_one_call_a_cycle(make_sandbox: Any) -> None:
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 1000}])
    sb.sync()
    calls = sb.amazon.search_calls
    per_cycle = 80  # fits one page of 100; a window re-reading the previous 5 minutes would need two
    cycles = 6
    for _ in range(cycles):
        for _ in range(per_cycle):
            sb.clock.advance(sb.runtime.cron_interval_seconds / per_cycle)
            sb.amazon.put_order(make_order(items=[("MUG", 1)]))
        sb.host.run_cron(sb.clock())

    assert sb.amazon.search_calls - calls == cycles
