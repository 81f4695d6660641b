"""buyer name search index

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22

The keyed trigram tokens of buyer names (``amazon_orders.buyer_name_tokens``) get an index that serves
substring search: on SQLite an external-content FTS5 table kept in step by triggers, on PostgreSQL a pg_trgm GIN
index, which serves ``LIKE '%token%'`` directly.
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

FTS = "amazon_orders_buyer_fts"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # The extension is database-wide: create it once, in public (not in whatever schema is first on the
        # search path), with concurrent migrations queued behind one advisory lock.
        op.execute("SELECT pg_advisory_xact_lock(72445310)")
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
        schema = bind.exec_driver_sql(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_trgm'"
        ).scalar_one()
        op.execute(
            "CREATE INDEX ix_amazon_orders_buyer_tokens_trgm ON amazon_orders "
            f'USING gin (buyer_name_tokens "{schema}".gin_trgm_ops)'
        )
        return
    op.execute(f"CREATE VIRTUAL TABLE {FTS} USING fts5(buyer_name_tokens, content='amazon_orders', content_rowid='id')")
    op.execute(
        f"CREATE TRIGGER {FTS}_insert AFTER INSERT ON amazon_orders BEGIN "
        f"INSERT INTO {FTS}(rowid, buyer_name_tokens) VALUES (new.id, new.buyer_name_tokens); END"
    )
    op.execute(
        f"CREATE TRIGGER {FTS}_delete AFTER DELETE ON amazon_orders BEGIN "
        f"INSERT INTO {FTS}({FTS}, rowid, buyer_name_tokens) VALUES ('delete', old.id, old.buyer_name_tokens); END"
    )
    op.execute(
        f"CREATE TRIGGER {FTS}_update AFTER UPDATE OF buyer_name_tokens ON amazon_orders BEGIN "
        f"INSERT INTO {FTS}({FTS}, rowid, buyer_name_tokens) VALUES ('delete', old.id, old.buyer_name_tokens); "
        f"INSERT INTO {FTS}(rowid, buyer_name_tokens) VALUES (new.id, new.buyer_name_tokens); END"
    )
    op.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_amazon_orders_buyer_tokens_trgm")
        return
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS {FTS}_{trigger}")
    op.execute(f"DROP TABLE IF EXISTS {FTS}")
