"""The only SQL that differs between SQLite and PostgreSQL, so every other host module is dialect-free."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, String, Table, cast, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert

from channel_plugin.host.schema import order_id_seq, orders


def insert_or_ignore(table: Table, conflict_columns: Sequence[str], *, is_sqlite: bool) -> Insert:
    """An INSERT that skips a row clashing on ``conflict_columns`` instead of raising.

    On PostgreSQL a unique violation aborts the whole unit of work, which here is the plugin's import;
    skipping and then looking at what RETURNING gave back lets the caller refuse with a HostError and keep the
    transaction.
    """
    if is_sqlite:
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=list(conflict_columns))
    return postgresql.insert(table).on_conflict_do_nothing(index_elements=list(conflict_columns))


def next_order_id(*, is_sqlite: bool) -> ColumnElement[int]:
    """The next order id as an expression, so the INSERT using it can also derive the increment id from it.

    PostgreSQL draws from a sequence (no lock, safe for concurrent importers). SQLite takes ``max(id) + 1``,
    which is safe because its writers are serialised by ``BEGIN IMMEDIATE``; ``max`` of the primary key is one
    index seek.
    """
    if is_sqlite:
        return select(func.coalesce(func.max(orders.c.id), 0) + 1).scalar_subquery()
    return order_id_seq.next_value()


def zero_padded(number: ColumnElement[int], width: int, *, is_sqlite: bool) -> ColumnElement[str]:
    """``number`` as text, left-padded with zeros to ``width`` digits, never truncated when it is longer."""
    if is_sqlite:
        return func.printf(f"%0{width}d", number, type_=String)
    text = cast(number, String)
    return func.lpad(text, func.greatest(width, func.length(text)), "0", type_=String)
