"""Alembic, driven from code: ``channel-plugin migrate``, the Sandbox and the embedded host all upgrade this way."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from channel_plugin.storage.db import Database

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(db: Database) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", db.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def upgrade(db: Database, revision: str = "head") -> None:
    """Bring the plugin's tables to ``revision``; safe to run on every start (a no-op when up to date)."""
    cfg = alembic_config(db)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
