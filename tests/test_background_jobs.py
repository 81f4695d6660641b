"""Background jobs stop cleanly: at a page boundary, with every read page stored and the rest left to the next sync."""

from __future__ import annotations

import threading
from typing import Any

from job_polling import finished_job

from channel_plugin import hookimpl
from channel_plugin.testing import make_order

PATIENCE = 30.0


def test_a_stopped_sync_keeps_the_pages_it_stored_and_the_next_sync_reads_the_rest(make_sandbox: Any) -> None:
    sb = make_sandbox(catalog=[{"sku": "PEN", "qty": 50}])
    sb.amazon.page_size = 2
    orders = [make_order(items=[("PEN", 1)]) for _ in range(6)]
    for order in orders:
        sb.amazon.put_order(order)
    sb.clock.advance(300)
    entered, gate = threading.Event(), threading.Event()

    class HoldFirstPage:
        @hookimpl
        def channel_order_received(self, order: Any) -> None:
            entered.set()
            assert gate.wait(PATIENCE)

    sb.pm.register(HoldFirstPage())
    job = sb.graphql('mutation { syncStore(storeId: "1") { job { id } } }')["data"]["syncStore"]["job"]
    assert entered.wait(PATIENCE)  # the first page is committed; its notifications are going out
    sb.runtime.jobs.stop()  # what SIGTERM does
    gate.set()
    sb.runtime.jobs.wait(PATIENCE)
    stopped = finished_job(sb, job["id"])
    assert (stopped["state"], stopped["pagesRead"], stopped["ordersRead"]) == ("ABANDONED", 1, 2)
    assert "the server stopped" in stopped["error"]
    stored = [sb.order(o["orderId"]) for o in orders]
    assert [o is not None for o in stored] == [True, True, False, False, False, False]
    refused = sb.graphql('mutation { syncStore(storeId: "1") { job { id } errors { code } } }')["data"]["syncStore"]
    assert refused["job"] is None and [e["code"] for e in refused["errors"]] == ["BUSY"]
    sb.sync()  # the next cycle reads from the unmoved watermark: nothing lost, nothing twice
    assert {sb.order(o["orderId"]).import_state for o in orders} == {"IMPORTED"}
    assert sb.host.salable_qty("PEN") == 44
