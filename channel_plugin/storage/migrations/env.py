"""Alembic environment: the plugin's tables only (a host's own tables are never touched)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from channel_plugin.storage.tables import metadata

config = context.config
url = config.get_main_option("sqlalchemy.url")
connection = config.attributes.get("connection")


def _run(conn: object) -> None:
    context.configure(
        connection=conn,  # type: ignore[arg-type]
        target_metadata=metadata,
        render_as_batch=True,
        version_table="channel_plugin_alembic_version",
    )
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:
    engine = create_engine(url, hide_parameters=True)  # type: ignore[arg-type]
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()
