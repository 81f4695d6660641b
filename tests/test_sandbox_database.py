"""A Sandbox's database is a copy of a per-process template: exactly what the migrations build, fresh every time,
and never a template built from other migrations."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select

from channel_plugin import sandbox_database
from channel_plugin.storage.db import Database
from channel_plugin.storage.migrate import MIGRATIONS, alembic_config
from channel_plugin.storage.tables import amazon_orders, metadata
from channel_plugin.testing import Sandbox, make_order

VERSION_TABLE = "channel_plugin_alembic_version"


def _ours(name: str | None, type_: str, parent_names: object) -> bool:
    """The plugin's tables, not the reference host's beside them; the buyer-name search index is dialect-specific
    DDL written in migration 0005 only (checked below, as in test_migrations)."""
    if type_ == "table":
        return name in metadata.tables
    return not (name or "").startswith(("amazon_orders_buyer_fts", "ix_amazon_orders_buyer_tokens_trgm"))


def _assert_fully_migrated(db: Database) -> None:
    head = ScriptDirectory.from_config(alembic_config(db)).get_current_head()
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE, "include_name": _ours})
        assert context.get_current_revision() == head
        assert compare_metadata(context, metadata) == []
        indexes = {index["name"] for index in inspect(conn).get_indexes("amazon_orders")}
        names = set(inspect(conn).get_table_names())
    if db.is_sqlite:
        assert "amazon_orders_buyer_fts" in names
    else:
        assert "ix_amazon_orders_buyer_tokens_trgm" in indexes


def test_every_sandbox_gets_the_migrated_schema_and_none_of_another_sandboxs_rows(database_url):
    with Sandbox(catalog=[{"sku": "A", "qty": 3}], database_url=database_url) as first:
        first.amazon.put_order(make_order(items=[("A", 1)]))
        first.sync()
        _assert_fully_migrated(first.db)
        for _ in range(2):  # the later ones are copies of the template
            with Sandbox(database_url=database_url) as later:
                _assert_fully_migrated(later.db)
                with later.db.engine.connect() as conn:
                    assert conn.execute(select(func.count()).select_from(amazon_orders)).scalar() == 0
                later.amazon.put_order(make_order(items=[("A", 1)]))
                later.sync()
                with later.db.engine.connect() as conn:
                    assert conn.execute(select(func.count()).select_from(amazon_orders)).scalar() == 1
        with first.db.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(amazon_orders)).scalar() == 1


@pytest.mark.parametrize("database_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_changed_migration_builds_a_new_template(database_url, monkeypatch, request):
    url = None if database_url == "sqlite" else request.getfixturevalue("pg_url")
    real_upgrade, upgrades = sandbox_database.upgrade, []

    def counting_upgrade(db: Database) -> None:
        upgrades.append(db.url)
        real_upgrade(db)

    monkeypatch.setattr(sandbox_database, "upgrade", counting_upgrade)
    monkeypatch.setattr(sandbox_database, "_sqlite_templates", {})
    monkeypatch.setattr(sandbox_database, "_postgres_templates", {})
    digest = {"value": "migrations as they were"}
    monkeypatch.setattr(sandbox_database, "migrations_digest", lambda: digest["value"])
    for _ in range(2):
        with Sandbox(database_url=url):
            pass
    assert len(upgrades) == 1
    digest["value"] = "one migration edited"
    with Sandbox(database_url=url) as sandbox:
        _assert_fully_migrated(sandbox.db)
    assert len(upgrades) == 2


def test_the_digest_follows_every_migration_file(tmp_path: Path, monkeypatch):
    copy = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(sandbox_database, "MIGRATIONS", copy)
    before = sandbox_database.migrations_digest()
    assert sandbox_database.migrations_digest() == before
    script = copy / "versions" / "0005_buyer_name_search_index.py"
    script.write_text(script.read_text() + "\n# edited\n")
    edited = sandbox_database.migrations_digest()
    (copy / "versions" / "0006_new.py").write_text('revision = "0006"\n')
    assert len({before, edited, sandbox_database.migrations_digest()}) == 3
