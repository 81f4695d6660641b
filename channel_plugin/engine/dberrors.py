"""Database errors as the engine sees them: which mean "run the whole unit of work again", and how to name one.

Kept apart from ``runtime`` so that the hook facade, which must let these errors through untouched, can use them
without importing the runtime that owns it.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, StatementError


class ConcurrentWriteError(Exception):
    """Another writer got to a row this unit of work claimed; the whole unit is retried."""


def is_transient(exc: BaseException) -> bool:
    """A deadlock or serialization victim (or SQLite's busy lock): nothing is wrong but the timing."""
    if isinstance(exc, ConcurrentWriteError):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    code = getattr(exc.orig, "sqlstate", None)
    return code in ("40001", "40P01") or "database is locked" in str(exc.orig)


def describe_error(exc: BaseException) -> str:
    """The reason without the SQL and bound parameters SQLAlchemy appends (they may hold order data).

    Only the driver's first line is kept: PostgreSQL's DETAIL line quotes the offending values (``Key (email)=(...)
    already exists``), and a statement error never names its statement.
    """
    if isinstance(exc, StatementError):
        cause = exc if exc.orig is None else exc.orig
        lines = str(exc.orig).strip().splitlines() if exc.orig is not None else []
        return f"{type(cause).__name__}: {lines[0] if lines else 'the database refused a statement'}"
    return f"{type(exc).__name__}: {exc}"
