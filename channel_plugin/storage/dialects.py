"""The one place SQL differs between SQLite and PostgreSQL in the plugin's own storage."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table


def insert_ignoring_duplicates(conn: Connection, table: Table, unique: Sequence[str]) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING``: the unique constraint, not timing, decides who writes first."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table).on_conflict_do_nothing(index_elements=list(unique))
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table).on_conflict_do_nothing(index_elements=list(unique))
