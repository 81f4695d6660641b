"""Two OS processes syncing the same orders at once: one row per order, at most one Commerce order, no oversell."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from concurrency_orders import CATALOG
from sqlalchemy import select

from channel_plugin.storage.tables import amazon_orders
from channel_plugin.testing import Sandbox

HERE = Path(__file__).parent
COUNT = 500
# Two worker processes importing 500 orders each: slow on a busy machine, and each worker has its own 300 s bound.
pytestmark = pytest.mark.timeout(600)


def run_two_workers(sandbox: Sandbox, url: str, schema: str | None) -> list[dict]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    args = [
        sys.executable,
        str(HERE / "concurrency_worker.py"),
        url,
        schema or "-",
        str(sandbox.store.id),
        sandbox.encryption_key,
        "7",
        str(COUNT),
        sandbox.clock.now().isoformat(),
    ]
    procs = [
        subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-3000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def assert_consistent(sandbox: Sandbox, results: list[dict]) -> None:
    assert [r["error"] for r in results] == [None, None]
    with sandbox.db.engine.connect() as conn:
        rows = conn.execute(
            select(
                amazon_orders.c.amazon_order_id,
                amazon_orders.c.import_state,
                amazon_orders.c.commerce_order_id,
                amazon_orders.c.fulfillment_channel,
            )
        ).all()
    assert len(rows) == COUNT
    assert len({r.amazon_order_id for r in rows}) == COUNT
    imported = [r for r in rows if r.import_state == "IMPORTED"]
    host_orders = sandbox.host.orders()
    assert len(host_orders) == len(imported) > 0
    assert Counter(o.amazon_order_id for o in host_orders).most_common(1)[0][1] == 1
    assert {o.id for o in host_orders} == {r.commerce_order_id for r in imported}
    assert sum(r["imported"] for r in results) == len(imported)
    merchant_orders = {r.commerce_order_id for r in imported if r.fulfillment_channel == "MERCHANT"}
    sold = Counter()
    for order in host_orders:
        if order.id in merchant_orders:
            for item in order.items:
                sold[item.sku] += item.qty
    for product in CATALOG:
        if not product.get("manage_stock", True):
            continue
        now = sandbox.host.product(product["sku"])
        assert now.qty == product["qty"] - sold[product["sku"]], product["sku"]
        assert now.qty >= 0 and now.reserved >= 0
        assert sold[product["sku"]] + now.reserved <= product["qty"], f"{product['sku']} oversold"


@pytest.mark.postgres
def test_two_processes_on_postgresql(pg_url):
    with Sandbox(catalog=CATALOG, database_url=pg_url) as sandbox:
        assert_consistent(sandbox, run_two_workers(sandbox, pg_url, sandbox.schema))


def test_two_processes_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    with Sandbox(catalog=CATALOG, database_url=url) as sandbox:
        assert_consistent(sandbox, run_two_workers(sandbox, url, None))
