"""What several ``channel-plugin`` commands share: the database option and opening what it names."""

from __future__ import annotations

import os

import click
from sqlalchemy.exc import ArgumentError, DBAPIError

from channel_plugin.errors import ValidationError
from channel_plugin.storage.crypto import BuyerDataCipher
from channel_plugin.storage.db import Database

DB_OPTION = click.option(
    "--db",
    "database_url",
    envvar="CHANNEL_PLUGIN_DATABASE_URL",
    required=True,
    help="SQLAlchemy URL, e.g. sqlite:///channel.db or postgresql+psycopg://user@host/db "
    "(or CHANNEL_PLUGIN_DATABASE_URL).",
)


class DatabaseUnusable(click.ClickException):
    """One line naming the database and what to do; exit code 2, like any other bad option."""

    exit_code = 2


def encryption_key() -> BuyerDataCipher:
    value = os.environ.get("CHANNEL_PLUGIN_ENCRYPTION_KEY", "")
    try:
        return BuyerDataCipher.from_config(value)
    except ValidationError as exc:
        raise click.UsageError(f"CHANNEL_PLUGIN_ENCRYPTION_KEY: {exc.message}") from None


def open_database(database_url: str) -> Database:
    """The database ``--db`` names, reached once now: a wrong URL is one line up front, not a traceback later."""
    try:
        db = Database(database_url)
    except (ArgumentError, ValueError) as exc:
        raise DatabaseUnusable(f"--db {database_url!r} is not a usable database URL: {exc}") from None
    try:
        with db.transaction() as conn:
            conn.exec_driver_sql("SELECT 1")
    except DBAPIError as exc:
        db.dispose()
        raise DatabaseUnusable(_advice(db, exc)) from None
    return db


def _advice(db: Database, exc: DBAPIError) -> str:
    shown = db.url.render_as_string(hide_password=True)
    reason = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__
    if db.is_sqlite:
        return (
            f"cannot open the SQLite database {shown} ({reason}): "
            "its folder must exist and be writable; create it or pass another --db"
        )
    if "does not exist" in reason and "database" in reason:
        name = db.url.database
        return f"the database {name!r} does not exist on {shown}: create it (createdb {name}) or fix --db"
    if "password authentication failed" in reason or ("role" in reason and "does not exist" in reason):
        return f"the server at {shown} refused the user ({reason}): fix the user or password in --db"
    return f"cannot reach the database server at {shown} ({reason}): start it, or fix the host and port in --db"
