"""``channel-plugin``: the demo, migrations, stores and keys from the command line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

import click

from channel_plugin.cli_amazon import fake_amazon, store_add, sync
from channel_plugin.cli_common import DB_OPTION, encryption_key, open_database
from channel_plugin.cli_reconcile import reconcile
from channel_plugin.storage.crypto import generate_key
from channel_plugin.storage.migrate import upgrade

# Relative to the current directory: an installed package is never a place to write into.
SCHEMA_PATH = Path("schema.graphql")
HOOK_DOCS_PATH = Path("hooks.md")
SHUTDOWN_GRACE_SECONDS = 2


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
@click.option("--once", is_flag=True, help="Seed, narrate two sync cycles and exit (0) instead of serving.")
def demo(port: int, database_url: str | None, once: bool) -> None:
    """Reference host, fake Amazon marketplace with orders in every state, the sync, and the API on 127.0.0.1."""
    from sqlalchemy.exc import IntegrityError

    from channel_plugin.demo import run_demo, serve_demo

    if database_url is not None:
        open_database(database_url).dispose()
    try:
        if once:
            run_demo(click.echo, database_url=database_url)
        else:
            serve_demo(click.echo, port=port, database_url=database_url)
    except IntegrityError:
        raise click.BadParameter(
            "that database already holds the demo store: name a new one, or leave --db out", param_hint="--db"
        ) from None
    except OSError as exc:
        if once:  # nothing listens in this mode: not a port problem
            raise
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
    """Serve the GraphQL API over the plugin's database, with the reference host (the embedded default).

    SIGTERM stops it within a few seconds: requests still running after ``SHUTDOWN_GRACE_SECONDS`` are abandoned
    (their transactions roll back); background jobs are told at once and get ``engine.jobs.STOP_GRACE_SECONDS`` to
    stop at a page boundary before they are abandoned too.
    """
    import uvicorn

    from channel_plugin.api.app import create_app
    from channel_plugin.embedded import embedded_runtime

    runtime = embedded_runtime(open_database(database_url), encryption_key())
    app = create_app(runtime, introspection=introspection, graphiql=introspection)

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            runtime.jobs.stop()  # jobs head for a page boundary while requests drain
            super().handle_exit(sig, frame)

    click.echo(f"GraphQL: http://{host}:{port}/graphql")
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS
    )
    Server(config).run()


@main.command("export-schema")
@click.option("--check", is_flag=True, help="Exit 1 when the output file is stale instead of writing it.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=SCHEMA_PATH,
    show_default=True,
    help="Where to write (the repository keeps it in graphql/schema.graphql).",
)
def export_schema(check: bool, output: Path) -> None:
    """Write the GraphQL SDL that front-ends build against."""
    from channel_plugin.api.schema import schema_sdl

    sdl = schema_sdl()
    if check:
        if not output.exists() or output.read_text() != sdl:
            raise click.ClickException(f"{output} is stale: run `channel-plugin export-schema --output {output}`")
        return
    _write(output, sdl)


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

    db = open_database(database_url)
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

    db = open_database(database_url)
    with db.transaction() as conn:
        if not revoke_token(conn, token_id, datetime.now(UTC)):
            raise click.ClickException(f"no active token with id {token_id}")
    click.echo(f"Token {token_id} revoked.")


@main.command()
@DB_OPTION
def migrate(database_url: str) -> None:
    """Create or upgrade the plugin's tables."""
    db = open_database(database_url)
    upgrade(db)
    click.echo("Database is up to date.")


@main.command()
def keygen() -> None:
    """Print a new buyer-data encryption key (for CHANNEL_PLUGIN_ENCRYPTION_KEY)."""
    click.echo(generate_key())


@main.command("export-hook-docs")
@click.option("--check", is_flag=True, help="Exit 1 when the output file is stale instead of writing it.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=HOOK_DOCS_PATH,
    show_default=True,
    help="Where to write (the repository keeps it in docs/hooks.md).",
)
def export_hook_docs(check: bool, output: Path) -> None:
    """Write the hook reference (docs/hooks.md in the repository) from the hookspecs."""
    from channel_plugin.hookdocs import render_hook_docs

    text = render_hook_docs()
    if check:
        if not output.exists() or output.read_text(encoding="utf-8") != text:
            raise click.ClickException(f"{output} is stale: run `channel-plugin export-hook-docs --output {output}`")
        return
    _write(output, text)


def _write(output: Path, text: str) -> None:
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from None
    click.echo(f"Wrote {output}")


@main.group()
def store() -> None:
    """Amazon stores."""


store.add_command(store_add)
main.add_command(sync)
main.add_command(fake_amazon)
main.add_command(reconcile)


if __name__ == "__main__":
    main()
