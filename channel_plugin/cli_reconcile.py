"""``channel-plugin reconcile``: re-read past days from Amazon on demand and print each day's report."""

from __future__ import annotations

import click

from channel_plugin.cli_common import DB_OPTION, encryption_key, open_database
from channel_plugin.engine.reconcile import MAX_DAYS, ReconcileError


@click.command("reconcile")
@DB_OPTION
@click.option("--store", "store_id", type=int, required=True, help="The store id.")
@click.option(
    "--days",
    type=click.IntRange(1, MAX_DAYS),
    default=1,
    show_default=True,
    help="UTC days to re-read, today included.",
)
def reconcile(database_url: str, store_id: int, days: int) -> None:
    """Re-read past days with searchOrders, import what is missing or stale, and report each day."""
    from channel_plugin.embedded import embedded_runtime
    from channel_plugin.engine.reconcile import reconcile_store_id

    runtime = embedded_runtime(open_database(database_url), encryption_key())
    try:
        reports = reconcile_store_id(runtime, store_id, days)
    except ReconcileError as exc:
        raise click.ClickException(exc.message) from None
    for report in reports:
        click.echo(
            f"{report.day.isoformat()}: on Amazon {report.on_amazon}, stored {report.stored}, imported "
            f"{report.imported}, blocked {report.blocked}, found late {report.found_late}"
        )
