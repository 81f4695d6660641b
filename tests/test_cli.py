"""The command line: the demo a newcomer runs first, and clear errors for bad flags."""

from __future__ import annotations

import queue
import subprocess
import threading
from typing import IO

from click.testing import CliRunner

from channel_plugin.cli import main
from channel_plugin.storage.crypto import generate_key

LWA_ENV = {
    "CHANNEL_PLUGIN_LWA_CLIENT_ID": "amzn1.application-oa2-client.cli",
    "CHANNEL_PLUGIN_LWA_CLIENT_SECRET": "cli-secret",
    "CHANNEL_PLUGIN_LWA_REFRESH_TOKEN": "Atzr|cli-refresh",
}


def test_demo_shows_orders_in_every_state_and_the_banner_clearing():
    result = CliRunner().invoke(main, ["demo", "--once"])
    assert result.exit_code == 0, result.output
    out = result.output
    for state in ("IMPORTED", "BLOCKED", "WAITING", "SKIPPED"):
        assert state in out
    assert "No catalog product has SKU 'MUG-GREEN-FBA'" in out
    assert "Your Amazon store(s) has orders that cannot be imported into Commerce" in out
    assert "COMPLETED" in out.split("After the second sync:")[1]
    assert "Ada Lovelace" not in out  # buyer data is never printed


def test_migrate_and_store_add(tmp_path):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    runner = CliRunner(env={**LWA_ENV, "CHANNEL_PLUGIN_ENCRYPTION_KEY": generate_key()})
    assert runner.invoke(main, ["migrate", "--db", url]).exit_code == 0
    args = [
        "store",
        "add",
        "--db",
        url,
        "--name",
        "My Store US",
        "--seller-id",
        "A1",
        "--marketplace",
        "ATVPDKIKX0DER",
        "--region",
        "NA",
    ]
    first = runner.invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "Store 1 added: My Store US" in first.output
    again = runner.invoke(main, args)
    assert again.exit_code != 0
    assert "already exists" in again.output


def test_bad_flags_get_specific_errors(tmp_path):
    runner = CliRunner(env={**LWA_ENV, "CHANNEL_PLUGIN_ENCRYPTION_KEY": generate_key()})
    url = f"sqlite:///{tmp_path / 'c.db'}"
    bad_region = runner.invoke(
        main, ["store", "add", "--db", url, "--name", "X", "--seller-id", "A", "--marketplace", "M", "--region", "MARS"]
    )
    assert bad_region.exit_code == 2 and "--region" in bad_region.output
    bad_db = runner.invoke(main, ["migrate", "--db", "notadatabase://x"])
    assert bad_db.exit_code == 2 and "--db" in bad_db.output
    empty_name = runner.invoke(
        main, ["store", "add", "--db", url, "--name", " ", "--seller-id", "A", "--marketplace", "M", "--region", "NA"]
    )
    assert empty_name.exit_code == 2 and "--name" in empty_name.output


def test_keygen_prints_a_usable_key():
    from channel_plugin.storage.crypto import BuyerDataCipher

    key = CliRunner().invoke(main, ["keygen"]).output.strip()
    assert BuyerDataCipher([key]).decrypt(BuyerDataCipher([key]).encrypt({"a": 1})) == {"a": 1}


def test_token_create_prints_the_token_alone(tmp_path):
    from channel_plugin.storage.db import Database
    from channel_plugin.storage.tokens import Scope, verify_token

    url = f"sqlite:///{tmp_path / 't.db'}"
    result = CliRunner().invoke(main, ["token", "create", "--db", url, "--scope", "read"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith("cpt_") and "\n" not in token
    db = Database(url)
    with db.transaction(write=False) as conn:
        assert verify_token(conn, token) is Scope.READ
    bad = CliRunner().invoke(main, ["token", "create", "--db", url, "--scope", "admin"])
    assert bad.exit_code == 2 and "--scope" in bad.output


def test_export_schema_check_notices_a_stale_file(tmp_path):
    target = tmp_path / "schema.graphql"
    target.write_text("type Query { old: String }\n")
    stale = CliRunner().invoke(main, ["export-schema", "--check", "--output", str(target)])
    assert stale.exit_code == 1 and "stale" in stale.output
    assert CliRunner().invoke(main, ["export-schema", "--output", str(target)]).exit_code == 0
    assert CliRunner().invoke(main, ["export-schema", "--check", "--output", str(target)]).exit_code == 0


def test_the_committed_schema_matches_the_code():
    from pathlib import Path

    from channel_plugin.api.schema import schema_sdl

    committed = Path(__file__).resolve().parents[1] / "graphql" / "schema.graphql"
    assert committed.read_text() == schema_sdl(), (
        "run `channel-plugin export-schema --output graphql/schema.graphql` and commit it"
    )


def output_lines(stream: IO[str]) -> queue.Queue[str]:
    """A child's output lines, read on a thread so that the test waits with a deadline: a bare ``readline`` blocks
    for as long as the child stays silent. ``""`` marks the end of the output."""
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in stream:
            lines.put(line)
        lines.put("")

    threading.Thread(target=pump, daemon=True).start()
    return lines


def stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def test_the_served_demo_answers_with_the_token_it_printed():
    import os
    import sys
    import time

    import httpx

    proc = subprocess.Popen(
        [sys.executable, "-m", "channel_plugin.cli", "demo", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        url = token = None
        deadline = time.monotonic() + 60
        assert proc.stdout is not None
        lines, seen = output_lines(proc.stdout), []
        while url is None or token is None:
            try:
                line = lines.get(timeout=max(deadline - time.monotonic(), 0))
            except queue.Empty:
                break
            if not line:
                break
            seen.append(line)
            if line.startswith("GraphQL: "):
                url = line.split(" ", 1)[1].strip()
            elif line.startswith("Token: "):
                token = line.split(" ", 1)[1].strip()
        assert url and token, f"the demo did not print its URL and token: {''.join(seen)[-2000:]}"
        body = None
        while time.monotonic() < deadline:
            try:
                response = httpx.post(
                    url,
                    json={
                        "query": "{ amazonOrders(first: 10) { totalCount } amazonStores { name } "
                        "systemMessages { text } }"
                    },
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=5,
                )
                body = response.json()
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert body is not None and body["data"]["amazonStores"] == [{"name": "Demo Store US"}]
        assert body["data"]["amazonOrders"]["totalCount"] >= 12
        assert body["data"]["systemMessages"], "the demo seeds blocked orders"
    finally:
        stop(proc)


def test_serve_answers_with_a_token_made_by_the_cli(tmp_path):
    import os
    import socket
    import sys
    import time

    import httpx

    from channel_plugin.storage.crypto import generate_key

    url = f"sqlite:///{tmp_path / 's.db'}"
    env = {**os.environ, "CHANNEL_PLUGIN_ENCRYPTION_KEY": generate_key(), "PYTHONUNBUFFERED": "1"}
    token = CliRunner().invoke(main, ["token", "create", "--db", url, "--scope", "read"]).stdout.strip()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "channel_plugin.cli", "serve", "--db", url, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        deadline, body = time.monotonic() + 30, None
        while body is None and time.monotonic() < deadline:
            assert proc.poll() is None, f"serve exited: {proc.communicate()[0]}"
            try:
                body = httpx.post(
                    f"http://127.0.0.1:{port}/graphql",
                    json={"query": "{ amazonStores { id } }"},
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=5,
                ).json()
            except httpx.TransportError:
                time.sleep(0.2)
        assert body == {"data": {"amazonStores": []}}
    finally:
        stop(proc)


def test_serve_without_an_encryption_key_says_so(tmp_path, monkeypatch):
    monkeypatch.delenv("CHANNEL_PLUGIN_ENCRYPTION_KEY", raising=False)
    result = CliRunner().invoke(main, ["serve", "--db", f"sqlite:///{tmp_path / 's.db'}"])
    assert result.exit_code == 2 and "CHANNEL_PLUGIN_ENCRYPTION_KEY" in result.output


def test_the_demo_refuses_a_bad_database_url_a_busy_port_and_a_used_database(tmp_path):
    import socket

    bad_url = CliRunner().invoke(main, ["demo", "--db", "notaurl"])
    assert bad_url.exit_code == 2 and "--db" in bad_url.output and "Traceback" not in bad_url.output
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        taken = CliRunner().invoke(main, ["demo", "--port", str(port)])
    assert taken.exit_code == 1 and f"cannot listen on 127.0.0.1:{port}" in taken.output
    from channel_plugin.testing import Sandbox

    url = f"sqlite:///{tmp_path / 'used.db'}"
    with Sandbox(database_url=url, store_name="Demo Store US"):
        pass
    used = CliRunner().invoke(main, ["demo", "--db", url])
    assert used.exit_code == 2 and "already holds the demo store" in used.output
