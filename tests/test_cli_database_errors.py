"""Every command taking --db: a database it cannot use is one line naming it and what to do, exit code 2."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from channel_plugin.cli import main
from channel_plugin.storage.crypto import generate_key

STORE = ["--name", "S", "--seller-id", "A1", "--marketplace", "ATVPDKIKX0DER", "--region", "NA", "--client-id", "c"]
COMMANDS = {
    "migrate": ["migrate"],
    "serve": ["serve"],
    "demo": ["demo"],
    "demo --once": ["demo", "--once"],
    "sync": ["sync", "--once"],
    "store add": ["store", "add", *STORE, "--client-secret", "s", "--refresh-token", "r"],
    "token create": ["token", "create", "--scope", "read"],
}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(command: str, url: str) -> tuple[int, list[str]]:
    runner = CliRunner(env={"CHANNEL_PLUGIN_ENCRYPTION_KEY": generate_key()})
    result = runner.invoke(main, [*COMMANDS[command], "--db", url])
    return result.exit_code, result.output.strip().splitlines()


@pytest.fixture
def pg_url_without_a_database(pg_url: str) -> str:
    return make_url(pg_url).set(database="h1_no_such_database", password="s3cret").render_as_string(False)


def unreachable(_: Path) -> str:
    return f"postgresql+psycopg://postgres:s3cret@127.0.0.1:{closed_port()}/plugin"


def sqlite_in_missing_folder(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'no' / 'such' / 'folder' / 'plugin.db'}"


def sqlite_under_a_file(tmp_path: Path) -> str:
    """A folder nobody can create, not even root (the suite may run as root, whom permissions do not stop)."""
    (tmp_path / "plain-file").write_text("")
    return f"sqlite:///{tmp_path / 'plain-file' / 'plugin.db'}"


CASES: dict[str, tuple[Callable[[Path], str], str]] = {
    "pg-unreachable": (unreachable, "cannot reach the database server at postgresql+psycopg://postgres:***@127.0.0.1:"),
    "sqlite-missing-folder": (sqlite_in_missing_folder, "cannot open the SQLite database sqlite:///"),
    "sqlite-unwritable-folder": (sqlite_under_a_file, "cannot open the SQLite database sqlite:///"),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("command", COMMANDS)
def test_an_unusable_database_is_one_line_and_exit_code_2(command, case, tmp_path):
    make_url_for, expected = CASES[case]
    url = make_url_for(tmp_path)
    code, lines = run(command, url)
    assert code == 2, lines
    assert len(lines) == 1 and lines[0].startswith("Error: ") and expected in lines[0], lines
    assert "s3cret" not in lines[0] and "Traceback" not in lines[0]
    assert ("create it or pass another --db" in lines[0]) or ("start it, or fix the host and port" in lines[0])
    assert not (tmp_path / "no").exists()


@pytest.mark.postgres
@pytest.mark.parametrize("command", COMMANDS)
def test_a_missing_postgresql_database_says_to_create_it(command, pg_url_without_a_database):
    code, lines = run(command, pg_url_without_a_database)
    assert code == 2, lines
    assert lines == [
        "Error: the database 'h1_no_such_database' does not exist on "
        + make_url(pg_url_without_a_database).render_as_string(hide_password=True)
        + ": create it (createdb h1_no_such_database) or fix --db"
    ]


def test_a_real_process_prints_no_traceback(tmp_path):
    env = {**os.environ, "CHANNEL_PLUGIN_ENCRYPTION_KEY": generate_key()}
    done = subprocess.run(
        [sys.executable, "-m", "channel_plugin.cli", "migrate", "--db", unreachable(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
