"""Exactly-once across the host boundary with a host whose data lives in its own database (tests/own_db_host.py):
one Commerce order per Amazon order and one Amazon confirmation per shipment, whatever the host does between its
commit and the plugin's, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from own_db_host import BatchOwnDbHost, OwnDbHost

from channel_plugin import hookimpl
from channel_plugin.testing import Sandbox, make_order

HERE = Path(__file__).parent
CATALOG = [{"sku": "MUG", "qty": 50}, {"sku": "TEE", "qty": 50}]


@pytest.fixture(params=[OwnDbHost, BatchOwnDbHost], ids=["single", "batch"])
def host_class(request: pytest.FixtureRequest) -> type[OwnDbHost]:
    return request.param


@pytest.fixture
def sandbox_on_own_db(make_sandbox, tmp_path, host_class):
    def build(**kwargs) -> Sandbox:
        return make_sandbox(
            catalog=CATALOG, host=lambda _db, pm, clock: host_class(tmp_path / "host.db", pm, clock), **kwargs
        )

    return build


def references(host: OwnDbHost) -> Counter[str | None]:
    return Counter(o.external_reference for o in host.orders())


def put(sb: Sandbox, count: int) -> list[str]:
    orders = [make_order(items=[("MUG", 1), ("TEE", 2)]) for _ in range(count)]
    for order in orders:
        sb.amazon.put_order(order)
    return [o["orderId"] for o in orders]


@pytest.mark.parametrize("switch", ["fail_after_commit", "timeout_after_commit"])
def test_a_host_that_fails_after_its_commit_still_gets_one_commerce_order_per_amazon_order(sandbox_on_own_db, switch):
    sb = sandbox_on_own_db()
    setattr(sb.host, switch, 1)
    ids = put(sb, 3)
    sb.sync()
    sb.sync()  # the cron re-checks what failed
    for amazon_id in ids:
        view = sb.order(amazon_id)
        assert view.import_state == "IMPORTED", view.notes
        assert sb.host.order(view.commerce_order_id).external_reference == f"amazon:{sb.store.id}:{amazon_id}"
    assert references(sb.host) == {f"amazon:{sb.store.id}:{i}": 1 for i in ids}
    assert any("found in the host" in e.message for i in ids for e in sb.order(i).history)
    # The stock was taken once per order, in the host's own database.
    assert sb.host.salable_qty("MUG") == 50 - 3


def test_an_adopted_order_says_it_was_found_not_created(make_sandbox, tmp_path):
    sb = make_sandbox(catalog=CATALOG, host=lambda _db, pm, clock: OwnDbHost(tmp_path / "host.db", pm, clock))
    sb.host.timeout_after_commit = 1
    [amazon_id] = put(sb, 1)
    sb.sync()
    assert sb.order(amazon_id).import_state == "FAILED"
    assert "TimeoutError" in sb.order(amazon_id).notes
    sb.sync()
    view = sb.order(amazon_id)
    assert view.import_state == "IMPORTED"
    assert view.history[-1].kind == "IMPORTED"
    assert "adopted, not created again" in view.notes
    assert sb.host.created_calls == 1


def test_orders_on_their_first_attempt_are_created_without_asking_the_host(make_sandbox, tmp_path):
    asked: list[list[str]] = []

    class Watching(OwnDbHost):
        @hookimpl
        def commerce_find_orders(self, references):
            asked.append(list(references))
            return super().commerce_find_orders(references)

    sb = make_sandbox(catalog=CATALOG, host=lambda _db, pm, clock: Watching(tmp_path / "host.db", pm, clock))
    put(sb, 2)
    sb.sync()
    assert asked == []
    sb.host.fail_after_commit = 1
    [amazon_id] = put(sb, 1)
    sb.sync()
    sb.sync()
    assert asked == [[f"amazon:{sb.store.id}:{amazon_id}"]]
    assert len(sb.host.orders()) == 3


def test_a_shipment_whose_hook_never_fired_is_found_and_confirmed_once(sandbox_on_own_db):
    sb = sandbox_on_own_db()
    [lost, announced] = put(sb, 2)
    sb.sync()
    sb.host.lose_shipment_hooks = True
    sb.host.ship(sb.order(lost).commerce_order_id, "UPS", "1ZLOST")
    sb.host.lose_shipment_hooks = False
    sb.host.ship(sb.order(announced).commerce_order_id, "UPS", "1ZHEARD", items={"MUG": 1})
    assert sb.order(lost).status == "UNSHIPPED"
    assert sb.order(announced).status == "PARTIALLY_SHIPPED"
    sb.sync()
    assert sb.order(lost).status == "UNSHIPPED"  # reconciled at most every 15 minutes: the last run was at import
    sb.clock.advance(15 * 60)
    # Reconciliation records the lost one (the announced one is already known) before the cycle sends its
    # confirmations, so the order is confirmed and completed in this same cycle.
    [result] = sb.sync()
    assert result.shipments_found == 1
    view = sb.order(lost)
    assert view.status == "COMPLETED"
    assert [e.kind for e in view.history][-3:] == ["SHIPPED", "AMAZON_CONFIRMED", "COMPLETED"]
    assert any(e.message.startswith("Found in the host") for e in view.history)
    for _ in range(2):  # later reconciliations find nothing new
        sb.clock.advance(3600)
        [result] = sb.sync()
        assert result.shipments_found == 0
    assert sb.amazon_server.calls["confirmShipment"] == 2
    assert sorted((oid, p["trackingNumber"]) for oid, p in sb.amazon.confirmations) == sorted(
        [(lost, "1ZLOST"), (announced, "1ZHEARD")]
    )
    assert sb.order(lost).status == "COMPLETED"


def test_a_host_without_the_shipment_service_is_not_reconciled(make_sandbox, tmp_path):
    class Silent(OwnDbHost):
        commerce_order_shipments = None  # an older host: only the hook tells the plugin of shipments

    sb = make_sandbox(catalog=CATALOG, host=lambda _db, pm, clock: Silent(tmp_path / "host.db", pm, clock))
    [amazon_id] = put(sb, 1)
    sb.sync()
    sb.host.lose_shipment_hooks = True
    sb.host.ship(sb.order(amazon_id).commerce_order_id, "UPS", "1ZLOST")
    sb.clock.advance(3600)
    sb.sync()
    assert sb.order(amazon_id).status == "UNSHIPPED"
    assert sb.amazon_server.calls["confirmShipment"] == 0


def test_kill_9_between_the_hosts_commit_and_the_plugins(database_url, tmp_path):
    """The plugin's process dies right after the host committed the order; a fresh process adopts it."""
    url = database_url or f"sqlite:///{tmp_path / 'plugin.db'}"
    host_db = tmp_path / "host.db"
    with Sandbox(catalog=CATALOG, database_url=url, host=lambda _db, pm, clock: OwnDbHost(host_db, pm, clock)) as sb:
        order = make_order(items=[("MUG", 2)])
        sb.amazon.put_order(order)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
        args = [
            sys.executable,
            str(HERE / "own_db_worker.py"),
            url,
            sb.schema or "-",
            str(host_db),
            str(sb.store.id),
            sb.encryption_key,
            sb.clock.now().isoformat(),
            json.dumps(order),
        ]
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == -signal.SIGKILL, done.stderr
        reference = f"amazon:{sb.store.id}:{order['orderId']}"
        assert references(sb.host) == {reference: 1}  # the host committed ...
        stored = sb.order(order["orderId"])
        assert stored is None or stored.import_state != "IMPORTED"  # ... the plugin did not
        sb.sync()
        view = sb.order(order["orderId"])
        assert view.import_state == "IMPORTED", view.notes
        assert "adopted" in view.notes
        assert references(sb.host) == {reference: 1}
        assert sb.host.salable_qty("MUG") == 48


def test_reconciliation_asks_only_for_recent_unshipped_orders(make_sandbox, tmp_path):
    asked: list[list[str]] = []

    class Watching(OwnDbHost):
        @hookimpl
        def commerce_order_shipments(self, order_ids):
            asked.append(list(order_ids))
            return super().commerce_order_shipments(order_ids)

    start = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    sb = make_sandbox(
        catalog=CATALOG,
        start=start,
        integrated_at=start - timedelta(days=90),
        host=lambda _db, pm, clock: Watching(tmp_path / "host.db", pm, clock),
    )
    old, recent, shipped = (
        make_order(items=[("MUG", 1)], purchase_date=start - timedelta(days=31, minutes=-1)),
        make_order(items=[("MUG", 1)], purchase_date=start - timedelta(days=2)),
        make_order(items=[("MUG", 1)], purchase_date=start - timedelta(days=1)),
    )
    for order in (old, recent, shipped):
        sb.amazon.put_order(order)
    sb.sync()
    sb.host.ship(sb.order(shipped["orderId"]).commerce_order_id, "UPS", "1Z")
    asked.clear()
    sb.clock.advance(15 * 60)
    sb.sync()
    assert asked == [[sb.order(recent["orderId"]).commerce_order_id]]
