"""Fresh, migrated databases for Sandboxes, with Alembic run once per process instead of once per Sandbox.

Running the migrations is half the cost of a Sandbox, and a test suite opens hundreds. So the first Sandbox of a
process migrates for real and keeps what it produced as a template; every later one gets a copy:

- SQLite: the migrated file itself, copied with SQLite's backup API (correct whatever the WAL holds).
- PostgreSQL: the statements the migrations sent, recorded on the first schema and replayed in one transaction on
  each new one. Nothing is shared in the database, so parallel test processes never touch each other's objects,
  and a Sandbox still lives in its own schema of the database it was given (no CREATEDB right needed).

Templates are keyed by a digest of the migration sources (and the database URL), so a changed or added migration
can never be served from a stale template. The replay relies on the migrations naming no schema of their own:
they run with ``search_path`` set to the Sandbox's schema, and so does the replay.
"""

from __future__ import annotations

import atexit
import hashlib
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, event, text

from channel_plugin.storage.db import Database
from channel_plugin.storage.migrate import MIGRATIONS, upgrade

Statement = tuple[str, Any]

_lock = threading.Lock()
_sqlite_templates: dict[str, Path] = {}
_postgres_templates: dict[tuple[str, str], Sequence[Statement]] = {}
_template_dir: Path | None = None


def migrations_digest() -> str:
    """What the templates are keyed by: every migration source file, by path and content."""
    digest = hashlib.sha256()
    for path in sorted(MIGRATIONS.rglob("*.py")):
        digest.update(path.relative_to(MIGRATIONS).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def migrated_sqlite(path: Path) -> Database:
    """A new SQLite database at ``path`` holding the migrated schema."""
    template = _sqlite_template(migrations_digest())
    with closing(sqlite3.connect(template)) as source, closing(sqlite3.connect(path)) as target:
        source.backup(target)
    return Database(f"sqlite:///{path}")


def migrated_postgres_schema(url: str, schema: str) -> Database:
    """A new schema ``schema`` in the PostgreSQL database at ``url`` holding the migrated tables; the returned
    Database has it as its ``search_path``."""
    admin = Database(url)
    try:
        with admin.engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    finally:
        admin.dispose()
    db = Database(url, connect_args={"options": f"-csearch_path={schema}"})
    key = (db.url.render_as_string(hide_password=False), migrations_digest())
    with _lock:
        recorded = _postgres_templates.get(key)
        if recorded is None:
            _postgres_templates[key] = _record_upgrade(db)
            return db
    with db.engine.begin() as conn:
        for statement, parameters in recorded:
            conn.exec_driver_sql(statement, parameters)
    return db


def _record_upgrade(db: Database) -> tuple[Statement, ...]:
    sent: list[Statement] = []

    def record(_conn: Connection, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    with db.engine.connect():
        pass  # the dialect's first-connect queries are not part of the migrations
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        upgrade(db)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return tuple(sent)


def _sqlite_template(digest: str) -> Path:
    global _template_dir
    with _lock:
        if digest in _sqlite_templates:
            return _sqlite_templates[digest]
        if _template_dir is None:
            _template_dir = Path(tempfile.mkdtemp(prefix="channel-sandbox-templates-"))
            atexit.register(shutil.rmtree, _template_dir, ignore_errors=True)
        path = _template_dir / f"{digest[:16]}.db"
        db = Database(f"sqlite:///{path}")
        try:
            upgrade(db)
        finally:
            db.dispose()
        _sqlite_templates[digest] = path
        return path
