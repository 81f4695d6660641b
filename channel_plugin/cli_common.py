"""What several ``channel-plugin`` commands share: the database option and opening what it names."""

from __future__ import annotations

import os

import click

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


def encryption_key() -> BuyerDataCipher:
    value = os.environ.get("CHANNEL_PLUGIN_ENCRYPTION_KEY", "")
    try:
        return BuyerDataCipher.from_config(value)
    except ValidationError as exc:
        raise click.UsageError(f"CHANNEL_PLUGIN_ENCRYPTION_KEY: {exc.message}") from None


def open_database(database_url: str) -> Database:
    try:
        return Database(database_url)
    except Exception as exc:
        raise click.BadParameter(str(exc), param_hint="--db") from None
