"""Four sender processes on one PostgreSQL queue of 200 shipment confirmations: each package reaches Amazon once,
and when workers are killed with SIGKILL mid-send, every package is still accepted, any resend carrying the same
packageReferenceId as the first try."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from channel_plugin.storage.tables import amazon_orders, amazon_outbox, order_events, order_tracking
from channel_plugin.testing import Sandbox, make_order

HERE = Path(__file__).parent
PACKAGES = 200
WORKERS = 4
LEASE_SECONDS = 4  # how long a killed worker's package waits before another worker takes it over

pytestmark = pytest.mark.postgres


def queued_shipments(sb: Sandbox) -> None:
    """200 imported orders, each shipped by the host: 200 confirmations queued, none sent yet."""
    orders = [make_order(items=[("MUG", 1)]) for _ in range(PACKAGES)]
    for order in orders:
        sb.amazon.put_order(order)
    sb.sync()
    for order in orders:
        view = sb.order(order["orderId"])
        assert view.import_state == "IMPORTED", view.notes
        sb.host.ship(view.commerce_order_id, "UPS", f"1Z{order['orderId'][-7:]}")
    with sb.db.engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE amazon_calls"
                " (id serial PRIMARY KEY, amazon_order_id text, package_reference_id text, pid int)"
            )
        )
        assert conn.execute(select(func.count()).select_from(amazon_outbox)).scalar_one() == PACKAGES


def start_worker(
    sb: Sandbox, url: str, anchor: float, lease_seconds: float, die_after: int | None = None
) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    args = [
        sys.executable,
        str(HERE / "outbox_worker.py"),
        url,
        sb.schema or "",
        str(sb.store.id),
        sb.encryption_key,
        sb.clock.now().isoformat(),
        repr(anchor),
        str(lease_seconds),
        *([str(die_after)] if die_after else []),
    ]
    return subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen[str]) -> None:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-3000:]
    assert "sent" in json.loads(out.strip().splitlines()[-1])


def calls(sb: Sandbox) -> list[tuple[str, str, int]]:
    with sb.db.engine.connect() as conn:
        query = text("SELECT amazon_order_id, package_reference_id, pid FROM amazon_calls ORDER BY id")
        return [(r[0], r[1], r[2]) for r in conn.execute(query)]


def assert_every_package_accepted(sb: Sandbox, seen: list[tuple[str, str, int]]) -> Counter[str]:
    """Every package went out under its tracking row's id, every queued call ended SENT, and was recorded once."""
    with sb.db.engine.connect() as conn:
        packages = {
            str(r.id): r.amazon_order_id
            for r in conn.execute(
                select(order_tracking.c.id, amazon_orders.c.amazon_order_id).join(
                    amazon_orders, amazon_orders.c.id == order_tracking.c.order_id
                )
            )
        }
        states = Counter(r.state for r in conn.execute(select(amazon_outbox.c.state)))
        accepted = Counter(
            r.order_id
            for r in conn.execute(select(order_events.c.order_id).where(order_events.c.kind == "AMAZON_CONFIRMED"))
        )
    assert states == {"SENT": PACKAGES}
    assert sorted(accepted.values()) == [1] * PACKAGES
    per_package = Counter(reference for _, reference, _ in seen)
    assert set(per_package) == set(packages)
    for amazon_order_id, reference, _ in seen:  # a resend names the same package as the first try
        assert packages[reference] == amazon_order_id
    return per_package


def test_four_workers_send_each_package_exactly_once(pg_url):
    with Sandbox(catalog=[{"sku": "MUG", "qty": PACKAGES}], database_url=pg_url) as sb:
        queued_shipments(sb)
        anchor = time.time()
        workers = [start_worker(sb, pg_url, anchor, lease_seconds=60) for _ in range(WORKERS)]
        for proc in workers:
            finish(proc)
        per_package = assert_every_package_accepted(sb, calls(sb))
        assert set(per_package.values()) == {1}


def test_killed_workers_leave_packages_that_are_resent_under_the_same_reference(pg_url):
    rng = random.Random(10)
    with Sandbox(catalog=[{"sku": "MUG", "qty": PACKAGES}], database_url=pg_url) as sb:
        queued_shipments(sb)
        anchor = time.time()
        # One worker dies right after Amazon got its 20th package; the others are killed at random while sending.
        dying = start_worker(sb, pg_url, anchor, LEASE_SECONDS, die_after=20)
        workers = [dying] + [start_worker(sb, pg_url, anchor, LEASE_SECONDS) for _ in range(WORKERS - 1)]
        kills = 1
        while kills < 6:
            time.sleep(rng.uniform(0.3, 0.8))
            sending = {pid for _, _, pid in calls(sb)}
            alive = [p for p in workers if p is not dying and p.poll() is None and p.pid in sending]
            if len(calls(sb)) >= PACKAGES * 3 // 4:
                break
            if not alive:
                continue
            victim = rng.choice(alive)
            os.kill(victim.pid, signal.SIGKILL)
            kills += 1
            workers.append(start_worker(sb, pg_url, anchor, LEASE_SECONDS))
        for proc in workers:
            if proc.wait(timeout=300) == -signal.SIGKILL:
                continue
            finish(proc)
        seen = calls(sb)
        per_package = assert_every_package_accepted(sb, seen)
        assert kills >= 3, "the workers finished before enough of them were killed: the test proved nothing"
        # Only a call in flight when its worker died goes out again: at most one extra call per kill, and the
        # worker that died right after its 20th call left exactly that package to be sent again.
        extra = sum(count - 1 for count in per_package.values())
        print(f"{kills} workers killed, {extra} package(s) sent again under the same packageReferenceId")
        assert 1 <= extra <= kills
        twentieth = [reference for _, reference, pid in seen if pid == dying.pid][19]
        assert per_package[twentieth] == 2
