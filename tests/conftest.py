"""Shared fixtures: a Sandbox on SQLite and, where a server answers, on PostgreSQL.

PostgreSQL tests never skip silently in CI (``CI=true``): an unreachable server fails them there.
Elsewhere they skip with the reason printed.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from channel_plugin.testing import Sandbox

PG_URL = os.environ.get("CHANNEL_PLUGIN_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

_pg_state: dict[str, str | None] = {}


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    """pyproject's addopts run the suite on pytest-xdist; a developer who turns it off (``-p no:xdist``, to debug one
    test in one process) would otherwise get "unrecognized arguments" for those options."""
    if pluginmanager.is_blocked("xdist"):
        group = parser.getgroup("xdist is off (-p no:xdist)")
        group.addoption("--numprocesses", help="ignored: pytest-xdist is disabled")
        group.addoption("--dist", help="ignored: pytest-xdist is disabled")


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


@contextmanager
def _new_postgres_schema() -> Iterator[str]:
    """The URL of a new, empty schema in the test database (its connections get it as ``search_path``), dropped
    afterwards. A random name per call: parallel test processes never create or drop each other's objects."""
    url = require_postgres()
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield (
            make_url(url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str | None:
    """None means the Sandbox's own temporary SQLite file."""
    if request.param == "postgresql":
        return require_postgres()
    return None


@pytest.fixture
def fresh_postgres_schema() -> Callable[..., AbstractContextManager[str]]:
    """``with fresh_postgres_schema() as url``: a database URL of one's own for tests that build their own tables."""
    return _new_postgres_schema


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
