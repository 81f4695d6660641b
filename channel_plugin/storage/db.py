"""One database handle shared by the plugin and, when embedded, the reference host.

The unit of work lives in a context variable: host services called from inside an import join the import's
transaction, so a Commerce order and the Amazon order row that points at it commit or roll back together.
"""

from __future__ import annotations

import contextvars
import itertools
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

_savepoints = itertools.count(1)
_current: contextvars.ContextVar[Connection | None] = contextvars.ContextVar("channel_plugin_tx", default=None)


class _NoRows(logging.Filter):
    """Drops the fetched rows SQLAlchemy's engine logs at DEBUG: a row of an order table holds buyer data.

    The statements themselves are still logged; ``hide_parameters`` keeps their bound values out.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return record.msg != "Row %r"


logging.getLogger("sqlalchemy.engine.Engine").addFilter(_NoRows())


class Database:
    """An engine plus the unit-of-work discipline both dialects need.

    SQLite: a file in WAL mode, a busy timeout, and ``BEGIN IMMEDIATE`` for write transactions so that a
    read-then-write never fails half way with "database is locked" (the write lock is taken up front).
    PostgreSQL: READ COMMITTED with row locks taken by the callers (``SELECT ... FOR UPDATE``).
    """

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        if self.is_sqlite:
            memory = self.url.database in (None, "", ":memory:")
            if memory:
                raise ValueError("an in-memory SQLite database cannot be shared between connections; use a file")
            engine_kwargs.setdefault("connect_args", {"timeout": 30})
        else:
            engine_kwargs.setdefault("pool_pre_ping", True)
        # Bound parameters are order data (buyer names, addresses): never in a log line or an exception's text.
        engine_kwargs["hide_parameters"] = True
        self.engine: Engine = create_engine(self.url, **engine_kwargs)
        if self.is_sqlite:
            _install_sqlite_discipline(self.engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def current(self) -> Connection | None:
        """The connection of the unit of work this call runs inside, if any."""
        return _current.get()

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Connection]:
        """Join the current unit of work, or begin one (``BEGIN IMMEDIATE`` on SQLite when ``write``)."""
        existing = _current.get()
        if existing is not None:
            yield existing
            return
        with self.engine.connect() as conn:
            conn.info["write"] = write  # read by the SQLite "begin" listener; the pool keeps info, so it is popped
            token = _current.set(conn)
            try:
                with conn.begin():
                    yield conn
            finally:
                _current.reset(token)
                conn.info.pop("write", None)

    @contextmanager
    def savepoint(self) -> Iterator[Connection]:
        """A nested unit of work inside the current one: one order's failure rolls back only that order.

        Issued straight on the DBAPI cursor: the import takes one per order on some paths, and SQLAlchemy's
        ``begin_nested`` costs several times the statement itself. Both dialects accept the same SQL.
        """
        conn = _current.get()
        if conn is None:
            raise RuntimeError("savepoint() needs an enclosing transaction()")
        name = f"channel_sp_{next(_savepoints)}"
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(f"SAVEPOINT {name}")
            try:
                yield conn
            except BaseException:
                cursor.execute(f"ROLLBACK TO SAVEPOINT {name}")
                cursor.execute(f"RELEASE SAVEPOINT {name}")
                raise
            cursor.execute(f"RELEASE SAVEPOINT {name}")
        finally:
            cursor.close()

    def dispose(self) -> None:
        self.engine.dispose()


def _install_sqlite_discipline(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN itself; pysqlite's own implicit BEGIN is deferred.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("write") else "BEGIN")
