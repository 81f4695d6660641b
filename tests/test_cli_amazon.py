"""``fake-amazon``, ``store add`` with credentials and ``sync``, as separate processes talking HTTP on 127.0.0.1."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from click.testing import CliRunner

from channel_plugin.cli import main
from channel_plugin.storage.crypto import generate_key
from channel_plugin.testing import make_order


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(*args: str) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "channel_plugin.cli", "fake-amazon", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.post(f"{base}/auth/o2/token", timeout=1)
            break
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"fake-amazon did not start: {process.communicate()[0]}")
            time.sleep(0.1)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def fake_amazon() -> Iterator[str]:
    yield from serve()


@pytest.fixture
def fake_sandbox() -> Iterator[str]:
    yield from serve("--sandbox")


def test_store_add_then_sync_imports_from_the_fake_amazon_over_http(tmp_path, fake_amazon):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    env = {
        "CHANNEL_PLUGIN_ENCRYPTION_KEY": generate_key(),
        "CHANNEL_PLUGIN_LWA_CLIENT_SECRET": "s3cret-value",
        "CHANNEL_PLUGIN_LWA_REFRESH_TOKEN": "Atzr|refresh-value",
    }
    runner = CliRunner(env=env)
    added = runner.invoke(
        main,
        [
            *("store", "add", "--db", url, "--name", "Live US", "--seller-id", "A1", "--marketplace"),
            *("ATVPDKIKX0DER", "--region", "NA", "--client-id", "amzn1.application-oa2-client.x"),
            *("--endpoint", fake_amazon, "--token-url", f"{fake_amazon}/auth/o2/token"),
            *("--integrated-at", "2026-01-01"),
        ],
    )
    assert added.exit_code == 0, added.output
    earlier = (datetime.now(UTC) - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    for _ in range(2):
        order = make_order(items=[("NOT-IN-CATALOG", 1)], purchase_date=datetime(2026, 1, 15, tzinfo=UTC))
        assert httpx.put(f"{fake_amazon}/_fake/orders?updatedAt={earlier}", json=order).status_code == 200
    first = runner.invoke(main, ["sync", "--db", url, "--once"])
    assert first.exit_code == 0, first.output
    assert "Store 1: OK; received 2, imported 0, blocked 2" in first.output
    assert "s3cret" not in first.output and "refresh-value" not in first.output
    backfill = runner.invoke(main, ["sync", "--db", url, "--once", "--since", "2026-01-01"])
    assert backfill.exit_code == 0, backfill.output
    assert "received 0" in backfill.output and "unchanged 2" in backfill.output
    state = httpx.get(f"{fake_amazon}/_fake/state").json()
    assert state["tokenGrants"] == 2 and state["throttled"] == {}


def test_sync_reports_a_store_amazon_refuses_and_exits_1(tmp_path, fake_amazon):
    url = f"sqlite:///{tmp_path / 'down.db'}"
    env = {"CHANNEL_PLUGIN_ENCRYPTION_KEY": generate_key()}
    runner = CliRunner(env=env)
    added = runner.invoke(
        main,
        [
            *("store", "add", "--db", url, "--name", "Down", "--seller-id", "A1", "--marketplace", "M", "--region"),
            *("NA", "--client-id", "c", "--client-secret", "s", "--refresh-token", "r", "--endpoint", fake_amazon),
            *("--token-url", f"{fake_amazon}/auth/o2/token", "--integrated-at", "2026-01-01"),
        ],
    )
    assert added.exit_code == 0, added.output
    httpx.post(f"{fake_amazon}/_fake/faults", json={"fail_next": [{"status": 403, "operation": "searchOrders"}]})
    result = runner.invoke(main, ["sync", "--db", url, "--once"])
    assert result.exit_code == 1
    assert "Store 1: ERROR AmazonRejected: searchOrders: 403" in result.output


def test_store_add_refuses_credentials_in_clear_text_to_a_remote_host(tmp_path):
    runner = CliRunner(env={"CHANNEL_PLUGIN_ENCRYPTION_KEY": generate_key()})
    result = runner.invoke(
        main,
        [
            *("store", "add", "--db", f"sqlite:///{tmp_path / 'x.db'}", "--name", "X", "--seller-id", "A"),
            *("--marketplace", "M", "--region", "NA", "--client-id", "c", "--client-secret", "s"),
            *("--refresh-token", "r", "--endpoint", "http://sellingpartnerapi-na.amazon.com"),
        ],
    )
    assert result.exit_code == 2 and "--endpoint" in result.output and "127.0.0.1" in result.output


def test_fake_amazon_sandbox_replays_a_recorded_case_over_http(fake_sandbox):
    token = httpx.post(
        f"{fake_sandbox}/auth/o2/token",
        data={"grant_type": "refresh_token", "refresh_token": "r", "client_id": "c", "client_secret": "s"},
    ).json()["access_token"]
    answer = httpx.get(f"{fake_sandbox}/orders/v0/orders/TEST_CASE_200", headers={"x-amz-access-token": token})
    assert answer.status_code == 200 and answer.json()["payload"]["AmazonOrderId"]
    unmatched = httpx.get(f"{fake_sandbox}/orders/v0/orders/nope", headers={"x-amz-access-token": token})
    assert unmatched.status_code == 400 and "Could not match input arguments" in unmatched.text


def test_fake_amazon_sandbox_without_cases_says_where_it_looked(tmp_path):
    result = CliRunner().invoke(main, ["fake-amazon", "--sandbox", "--models", str(tmp_path)])
    assert result.exit_code == 1 and str(tmp_path) in result.output


def test_sync_flags_that_make_no_sense_get_specific_errors(tmp_path):
    url = f"sqlite:///{tmp_path / 'flags.db'}"
    runner = CliRunner(env={"CHANNEL_PLUGIN_ENCRYPTION_KEY": generate_key()})
    bad_since = runner.invoke(main, ["sync", "--db", url, "--once", "--since", "last tuesday"])
    assert bad_since.exit_code == 2 and "--since" in bad_since.output
    short_interval = runner.invoke(main, ["sync", "--db", url, "--interval", "1"])
    assert short_interval.exit_code == 2 and "--interval" in short_interval.output
    unknown_store = runner.invoke(main, ["sync", "--db", url, "--once", "--store", "42"])
    assert unknown_store.exit_code == 1 and "no active store with id 42" in unknown_store.output
    no_key = CliRunner(env={"CHANNEL_PLUGIN_ENCRYPTION_KEY": ""}).invoke(main, ["sync", "--db", url, "--once"])
    assert no_key.exit_code == 2 and "CHANNEL_PLUGIN_ENCRYPTION_KEY" in no_key.output


def test_reconcile_imports_an_order_amazon_showed_late_and_prints_the_day(tmp_path, fake_amazon):
    url = f"sqlite:///{tmp_path / 'late.db'}"
    runner = CliRunner(env={"CHANNEL_PLUGIN_ENCRYPTION_KEY": generate_key()})
    added = runner.invoke(
        main,
        [
            *("store", "add", "--db", url, "--name", "Late", "--seller-id", "A1", "--marketplace", "M", "--region"),
            *("NA", "--client-id", "c", "--client-secret", "s", "--refresh-token", "r", "--endpoint", fake_amazon),
            *("--token-url", f"{fake_amazon}/auth/o2/token", "--integrated-at", "2026-01-01"),
        ],
    )
    assert added.exit_code == 0, added.output
    assert runner.invoke(main, ["sync", "--db", url, "--once"]).exit_code == 0
    late = (datetime.now(UTC) - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    order = make_order(items=[("NOT-IN-CATALOG", 1)], purchase_date=datetime(2026, 1, 15, tzinfo=UTC))
    assert httpx.put(f"{fake_amazon}/_fake/orders?updatedAt={late}", json=order).status_code == 200
    polled = runner.invoke(main, ["sync", "--db", url, "--once"])
    assert "received 0" in polled.output

    result = runner.invoke(main, ["reconcile", "--db", url, "--store", "1", "--days", "2"])

    assert result.exit_code == 0, result.output
    day = late[:10]
    assert f"{day}: on Amazon 1, stored 1, imported 0, blocked 1, found late 1" in result.output


def test_reconcile_refuses_days_out_of_range_and_an_unknown_store(tmp_path):
    url = f"sqlite:///{tmp_path / 'flags.db'}"
    runner = CliRunner(env={"CHANNEL_PLUGIN_ENCRYPTION_KEY": generate_key()})
    assert runner.invoke(main, ["migrate", "--db", url]).exit_code == 0
    for days in ("0", "31", "many"):
        refused = runner.invoke(main, ["reconcile", "--db", url, "--store", "1", "--days", days])
        assert refused.exit_code == 2 and "--days" in refused.output
    unknown = runner.invoke(main, ["reconcile", "--db", url, "--store", "42"])
    assert unknown.exit_code == 1 and "there is no store with id 42" in unknown.output
