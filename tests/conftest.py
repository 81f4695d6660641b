"""Shared fixtures: a Sandbox on SQLite and, where a server answers, on PostgreSQL.

PostgreSQL tests never skip silently in CI (``CI=true``): an unreachable server fails them there.
Elsewhere they skip with the reason printed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from channel_plugin.testing import Sandbox

PG_URL = os.environ.get("CHANNEL_PLUGIN_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

_pg_state: dict[str, str | None] = {}


def postgres_unavailable() -> str | None:
    """None when PostgreSQL answers, else why not (checked once per session)."""
    if "reason" not in _pg_state:
        try:
            engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
            with engine.connect() as conn:
                conn.execute(text("select 1"))
            engine.dispose()
            _pg_state["reason"] = None
        except Exception as exc:
            _pg_state["reason"] = f"PostgreSQL at {PG_URL} is unreachable: {type(exc).__name__}"
    return _pg_state["reason"]


def require_postgres() -> str:
    reason = postgres_unavailable()
    if reason is not None:
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: PostgreSQL tests must run)")
        pytest.skip(reason)
    return PG_URL


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str | None:
    """None means the Sandbox's own temporary SQLite file."""
    if request.param == "postgresql":
        return require_postgres()
    return None


@pytest.fixture
def pg_url() -> str:
    return require_postgres()


@pytest.fixture
def make_sandbox(database_url: str | None) -> Iterator[Callable[..., Sandbox]]:
    """Build Sandboxes on the parametrized backend; each is closed at the end of the test."""
    opened: list[Sandbox] = []

    def factory(**kwargs: Any) -> Sandbox:
        kwargs.setdefault("database_url", database_url)
        sandbox = Sandbox(**kwargs).__enter__()
        opened.append(sandbox)
        return sandbox

    yield factory
    for sandbox in reversed(opened):
        sandbox.close()


def pytest_report_header(config: pytest.Config) -> str:
    reason = postgres_unavailable()
    return "postgresql: " + (f"available at {PG_URL}" if reason is None else f"SKIPPED — {reason}")
