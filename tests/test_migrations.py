"""The Alembic migrations build exactly the tables the code uses, on SQLite and PostgreSQL, and re-run safely."""

from __future__ import annotations

import uuid

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from channel_plugin.storage.db import Database
from channel_plugin.storage.migrate import upgrade
from channel_plugin.storage.tables import metadata


def _ours(name: str | None, type_: str, parent_names: object) -> bool:
    """The buyer-name search index is dialect-specific DDL (FTS5 / pg_trgm), written in migration 0005 only."""
    return not (name or "").startswith(("amazon_orders_buyer_fts", "ix_amazon_orders_buyer_tokens_trgm"))


def _assert_matches(db: Database) -> None:
    upgrade(db)
    upgrade(db)  # a second run is a no-op
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"version_table": "channel_plugin_alembic_version", "include_name": _ours}
        )
        diff = compare_metadata(context, metadata)
        tables = set(inspect(conn).get_table_names())
    assert diff == [], f"migrations and storage/tables.py disagree: {diff}"
    assert {t.name for t in metadata.sorted_tables} <= tables


def test_migrations_match_the_tables_on_sqlite(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'm.db'}")
    try:
        _assert_matches(db)
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        db.dispose()


def test_migrations_match_the_tables_on_postgresql(pg_url):
    schema = f"mig_{uuid.uuid4().hex[:10]}"
    admin = Database(pg_url)
    with admin.engine.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        conn.commit()
    db = Database(pg_url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        _assert_matches(db)
    finally:
        db.dispose()
        with admin.engine.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            conn.commit()
        admin.dispose()
