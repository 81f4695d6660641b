"""``channel-plugin``: the demo, migrations, stores and keys from the command line."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from channel_plugin.domain.settings import OrderSettings
from channel_plugin.storage.crypto import generate_key
from channel_plugin.storage.db import Database
from channel_plugin.storage.migrate import upgrade
from channel_plugin.storage.stores import add_store

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
def demo() -> None:
    """Seed a sandbox (reference host, fake Amazon, one store) and show an import cycle."""
    from channel_plugin.demo import run_demo

    run_demo(click.echo)


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


def _open(database_url: str) -> Database:
    try:
        return Database(database_url)
    except Exception as exc:
        raise click.BadParameter(str(exc), param_hint="--db") from None
