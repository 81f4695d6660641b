"""The only SQL that differs between SQLite and PostgreSQL, so every other host module is dialect-free."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Integer, Select, Table, bindparam, func, select
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


class OrderIds:
    """Allocates the ids of the next ``n`` orders in one statement, before they are inserted.

    Taking them up front lets the caller derive each default increment id from its id in Python and insert a
    whole batch of orders, and then their items, without reading anything back in between.

    PostgreSQL draws them from the sequence (no lock, safe for concurrent importers; another importer's ids
    may interleave, and an id whose INSERT is skipped is never reused, as with any sequence). SQLite takes
    ``max(id) + 1 .. max(id) + n``, which is safe because its writers are serialised by ``BEGIN IMMEDIATE``;
    ``max`` of the primary key is one index seek.
    """

    def __init__(self, *, is_sqlite: bool) -> None:
        self._is_sqlite = is_sqlite
        self._stmt: Select[int] = (
            select(func.coalesce(func.max(orders.c.id), 0))
            if is_sqlite
            else select(order_id_seq.next_value()).select_from(func.generate_series(1, bindparam("n", type_=Integer)))
        )

    def take(self, conn: Connection, n: int) -> list[int]:
        """``n`` new order ids, ascending."""
        if n <= 0:
            return []
        if self._is_sqlite:
            top = conn.execute(self._stmt).scalar_one()
            return list(range(top + 1, top + n + 1))
        return sorted(conn.execute(self._stmt, {"n": n}).scalars())
