"""``channel-plugin``: the demo, migrations, stores and keys from the command line."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import click

from channel_plugin.domain.settings import OrderSettings
from channel_plugin.errors import ValidationError
from channel_plugin.storage.crypto import BuyerDataCipher, generate_key
from channel_plugin.storage.db import Database
from channel_plugin.storage.migrate import upgrade
from channel_plugin.storage.stores import add_store

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "graphql" / "schema.graphql"

DB_OPTION = click.option(
    "--db",
    "database_url",
    envvar="CHANNEL_PLUGIN_DATABASE_URL",
    required=True,
    help="SQLAlchemy URL, e.g. sqlite:///channel.db or postgresql+psycopg://user@host/db "
    "(or CHANNEL_PLUGIN_DATABASE_URL).",
)


@click.group()
@click.version_option(package_name="channel-plugin")
def main() -> None:
    """Amazon marketplace orders for a Commerce platform."""


@main.command()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port on 127.0.0.1 for the API (0: any free port).",
)
@click.option(
    "--db",
    "database_url",
    default=None,
    help="Database URL for the demo data (default: a fresh temporary SQLite file).",
)
@click.option("--once", is_flag=True, help="Narrate two sync cycles and exit instead of serving.")
def demo(port: int, database_url: str | None, once: bool) -> None:
    """Reference host, fake Amazon marketplace with orders in every state, the sync, and the API on 127.0.0.1."""
    from channel_plugin.demo import run_demo, serve_demo

    if once:
        run_demo(click.echo)
        return
    if database_url is not None:
        _open(database_url).dispose()
    from sqlalchemy.exc import IntegrityError

    try:
        serve_demo(click.echo, port=port, database_url=database_url)
    except IntegrityError:
        raise click.BadParameter(
            "that database already holds the demo store: name a new one, or leave --db out", param_hint="--db"
        ) from None
    except OSError as exc:
        raise click.ClickException(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from None


@main.command()
@DB_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--introspection/--no-introspection",
    default=False,
    show_default=True,
    help="Allow schema introspection (GraphiQL needs it).",
)
def serve(database_url: str, host: str, port: int, introspection: bool) -> None:
    """Serve the GraphQL API over the plugin's database, with the reference host (the embedded default)."""
    import uvicorn

    from channel_plugin.api.app import create_app
    from channel_plugin.embedded import embedded_runtime

    runtime = embedded_runtime(_open(database_url), _encryption_key())
    app = create_app(runtime, introspection=introspection, graphiql=introspection)
    click.echo(f"GraphQL: http://{host}:{port}/graphql")
    uvicorn.run(app, host=host, port=port, log_level="warning")


@main.command("export-schema")
@click.option("--check", is_flag=True, help="Exit 1 when graphql/schema.graphql is stale instead of writing it.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=SCHEMA_PATH, show_default=True)
def export_schema(check: bool, output: Path) -> None:
    """Write the GraphQL SDL that front-ends build against."""
    from channel_plugin.api.schema import schema_sdl

    sdl = schema_sdl()
    if check:
        if not output.exists() or output.read_text() != sdl:
            raise click.ClickException(f"{output} is stale: run `channel-plugin export-schema`")
        return
    output.write_text(sdl)
    click.echo(f"Wrote {output}")


@main.group()
def token() -> None:
    """API bearer tokens."""


@token.command("create")
@DB_OPTION
@click.option("--scope", type=click.Choice(["read", "write"]), required=True)
@click.option("--label", default=None, help="What the token is for (shown when listing).")
def token_create(database_url: str, scope: str, label: str | None) -> None:
    """Print a new token, alone on stdout (only its digest is stored: keep it now)."""
    from channel_plugin.storage.tokens import create_token

    db = _open(database_url)
    upgrade(db)
    with db.transaction() as conn:
        value, record = create_token(conn, scope, datetime.now(UTC), label)
    click.echo(f"token {record.id} created with the {scope} scope", err=True)
    click.echo(value)


@token.command("revoke")
@DB_OPTION
@click.argument("token_id", type=int)
def token_revoke(database_url: str, token_id: int) -> None:
    """Revoke a token by its id; requests with it are refused from now on."""
    from channel_plugin.storage.tokens import revoke_token

    db = _open(database_url)
    with db.transaction() as conn:
        if not revoke_token(conn, token_id, datetime.now(UTC)):
            raise click.ClickException(f"no active token with id {token_id}")
    click.echo(f"Token {token_id} revoked.")


@main.command()
@DB_OPTION
def migrate(database_url: str) -> None:
    """Create or upgrade the plugin's tables."""
    db = _open(database_url)
    upgrade(db)
    click.echo("Database is up to date.")


@main.command()
def keygen() -> None:
    """Print a new buyer-data encryption key (for CHANNEL_PLUGIN_ENCRYPTION_KEY)."""
    click.echo(generate_key())


@main.command("export-hook-docs")
@click.option("--check", is_flag=True, help="Exit 1 when docs/hooks.md is stale instead of writing it.")
def export_hook_docs(check: bool) -> None:
    """Write docs/hooks.md from the hookspecs."""
    from channel_plugin.hookdocs import main as hookdocs_main

    raise SystemExit(hookdocs_main(["--check"] if check else []))


@main.group()
def store() -> None:
    """Amazon stores."""


@store.command("add")
@DB_OPTION
@click.option("--name", required=True, help="A name the merchant recognises, e.g. 'My Store US'.")
@click.option("--seller-id", required=True, help="The Amazon seller (merchant token) id.")
@click.option("--marketplace", "marketplace_id", required=True, help="Amazon marketplace id, e.g. ATVPDKIKX0DER.")
@click.option("--region", type=click.Choice(["NA", "EU", "FE"]), required=True, help="SP-API region.")
@click.option("--website", default="base", show_default=True, help="The Commerce website orders go to.")
@click.option(
    "--integrated-at",
    type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]),
    help="Orders purchased before this UTC time are never imported (default: now).",
)
def store_add(
    database_url: str,
    name: str,
    seller_id: str,
    marketplace_id: str,
    region: str,
    website: str,
    integrated_at: datetime | None,
) -> None:
    """Integrate an Amazon store (seller account x marketplace)."""
    if not name.strip():
        raise click.BadParameter("must not be empty", param_hint="--name")
    db = _open(database_url)
    upgrade(db)
    now = datetime.now(UTC)
    when = integrated_at.replace(tzinfo=UTC) if integrated_at else now
    from sqlalchemy.exc import IntegrityError

    try:
        with db.transaction() as conn:
            record = add_store(
                conn,
                name=name.strip(),
                seller_id=seller_id,
                marketplace_id=marketplace_id,
                region=region,
                website=website,
                integrated_at=when,
                settings=OrderSettings(),
                now=now,
            )
    except IntegrityError:
        raise click.ClickException(
            f"a store for seller {seller_id} on marketplace {marketplace_id} already exists"
        ) from None
    click.echo(
        f"Store {record.id} added: {record.name} ({record.marketplace_id}), integrated at "
        f"{record.integrated_at.isoformat()}"
    )


def _encryption_key() -> BuyerDataCipher:
    value = os.environ.get("CHANNEL_PLUGIN_ENCRYPTION_KEY", "")
    try:
        return BuyerDataCipher.from_config(value)
    except ValidationError as exc:
        raise click.UsageError(f"CHANNEL_PLUGIN_ENCRYPTION_KEY: {exc.message}") from None


def _open(database_url: str) -> Database:
    try:
        return Database(database_url)
    except Exception as exc:
        raise click.BadParameter(str(exc), param_hint="--db") from None


if __name__ == "__main__":
    main()
