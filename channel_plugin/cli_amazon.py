"""``channel-plugin store add``, ``sync`` and ``fake-amazon``: the commands that talk to (a fake) Amazon."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from channel_plugin.cli_common import DB_OPTION, encryption_key, open_database

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
WHEN = click.DateTime(formats=["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"])


def _url(value: str | None, flag: str) -> str | None:
    """Credentials never travel in clear text: http is only for a fake Amazon on this machine."""
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.BadParameter(f"{value!r} is not an http(s) URL", param_hint=flag)
    if parts.scheme == "http" and parts.hostname not in LOOPBACK:
        raise click.BadParameter("plain http is only allowed to 127.0.0.1 (a fake Amazon)", param_hint=flag)
    return value.rstrip("/")


@click.command("add")
@DB_OPTION
@click.option("--name", required=True, help="A name the merchant recognises, e.g. 'My Store US'.")
@click.option("--seller-id", required=True, help="The Amazon seller (merchant token) id.")
@click.option("--marketplace", "marketplace_id", required=True, help="Amazon marketplace id, e.g. ATVPDKIKX0DER.")
@click.option("--region", type=click.Choice(["NA", "EU", "FE"]), required=True, help="SP-API region.")
@click.option("--website", default="base", show_default=True, help="The Commerce website orders go to.")
@click.option(
    "--integrated-at", type=WHEN, help="Orders purchased before this UTC time are never imported (default: now)."
)
@click.option("--client-id", required=True, envvar="CHANNEL_PLUGIN_LWA_CLIENT_ID", help="LWA client id of the app.")
@click.option(
    "--client-secret",
    required=True,
    envvar="CHANNEL_PLUGIN_LWA_CLIENT_SECRET",
    prompt=True,
    hide_input=True,
    help="LWA client secret (or CHANNEL_PLUGIN_LWA_CLIENT_SECRET; prompted for when missing).",
)
@click.option(
    "--refresh-token",
    required=True,
    envvar="CHANNEL_PLUGIN_LWA_REFRESH_TOKEN",
    prompt=True,
    hide_input=True,
    help="The seller's LWA refresh token (or CHANNEL_PLUGIN_LWA_REFRESH_TOKEN; prompted for when missing).",
)
@click.option("--endpoint", help="SP-API endpoint (default: the region's; http://127.0.0.1:N for fake-amazon).")
@click.option(
    "--token-url", help="LWA token URL (default: Amazon's; http://127.0.0.1:N/auth/o2/token for fake-amazon)."
)
def store_add(
    database_url: str,
    name: str,
    seller_id: str,
    marketplace_id: str,
    region: str,
    website: str,
    integrated_at: datetime | None,
    client_id: str,
    client_secret: str,
    refresh_token: str,
    endpoint: str | None,
    token_url: str | None,
) -> None:
    """Integrate an Amazon store (seller account x marketplace); its credentials are stored encrypted."""
    from sqlalchemy.exc import IntegrityError

    from channel_plugin.amazon.lwa import LwaCredentials
    from channel_plugin.domain.settings import OrderSettings
    from channel_plugin.errors import ValidationError
    from channel_plugin.storage.migrate import upgrade
    from channel_plugin.storage.stores import add_store

    for value, flag in ((name, "--name"), (seller_id, "--seller-id"), (marketplace_id, "--marketplace")):
        if not value.strip():
            raise click.BadParameter("must not be empty", param_hint=flag)
    try:
        lwa = LwaCredentials.from_mapping(
            {"client_id": client_id, "client_secret": client_secret, "refresh_token": refresh_token}
        )
    except ValidationError as exc:
        raise click.BadParameter(exc.message, param_hint="--" + exc.field.split(".")[-1].replace("_", "-")) from None
    secrets: dict[str, Any] = lwa.as_dict()
    for key, url in (("endpoint", _url(endpoint, "--endpoint")), ("token_url", _url(token_url, "--token-url"))):
        if url:
            secrets[key] = url
    cipher = encryption_key()
    db = open_database(database_url)
    upgrade(db)
    now = datetime.now(UTC)
    when = integrated_at.replace(tzinfo=UTC) if integrated_at else now
    try:
        with db.transaction() as conn:
            record = add_store(
                conn,
                name=name.strip(),
                seller_id=seller_id.strip(),
                marketplace_id=marketplace_id.strip(),
                region=region,
                website=website,
                integrated_at=when,
                settings=OrderSettings(),
                now=now,
                credentials=cipher.encrypt(secrets),
            )
    except IntegrityError:
        raise click.ClickException(
            f"a store for seller {seller_id} on marketplace {marketplace_id} already exists"
        ) from None
    click.echo(
        f"Store {record.id} added: {record.name} ({record.marketplace_id}), integrated at "
        f"{record.integrated_at.isoformat()}"
    )


@click.command("sync")
@DB_OPTION
@click.option("--once", is_flag=True, help="One cycle, then exit (1 when any store failed).")
@click.option("--since", type=WHEN, help="Backfill: re-read Amazon from this UTC time on (no duplicates).")
@click.option("--store", "store_ids", type=int, multiple=True, help="Only this store id (repeatable).")
@click.option("--interval", type=click.IntRange(10), default=300, show_default=True, help="Seconds between cycles.")
def sync(database_url: str, once: bool, since: datetime | None, store_ids: tuple[int, ...], interval: int) -> None:
    """Pull every active store, import, retry blockers, send queued shipments, complete shipped orders."""
    from channel_plugin.embedded import embedded_runtime
    from channel_plugin.engine.sync import run_cron

    runtime = embedded_runtime(open_database(database_url), encryption_key())
    start = since.replace(tzinfo=UTC) if since else None
    while True:
        with _Progress() as progress:
            results = run_cron(runtime, since=start, store_ids=list(store_ids) or None, progress=progress)
        for result in results:
            pulled, cancels = result.pulled, result.cancellations
            outcome = f"ERROR {result.error}" if result.error else "OK"
            click.echo(
                f"Store {result.store_id}: {outcome}; received {pulled.received}, imported {pulled.imported}, "
                f"blocked {pulled.blocked}, invalid {pulled.invalid}, unchanged {pulled.unchanged}; "
                f"confirmations sent {result.confirmations_sent}, completed {result.completed}; cancels sent "
                f"{cancels.submitted}, accepted {cancels.accepted}, refused by Amazon {cancels.rejected}"
            )
        if store_ids and not results:
            raise click.ClickException(f"no active store with id {', '.join(map(str, store_ids))}")
        if once:
            if any(r.error for r in results):
                raise SystemExit(1)
            return
        start = None
        time.sleep(interval)


class _Progress:
    """A progress bar per store for long pulls (a backfill); silent when stderr is not a terminal."""

    def __init__(self) -> None:
        self._bars: dict[int, Any] = {}

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        for bar in self._bars.values():
            bar.close()

    def __call__(self, done: Any) -> None:
        from tqdm import tqdm

        bar = self._bars.get(done.store_id)
        if bar is None:
            bar = tqdm(unit="page", desc=f"store {done.store_id}", disable=None)
            self._bars[done.store_id] = bar
        bar.update(1)
        bar.set_postfix(orders=done.orders)


@click.command("fake-amazon")
@click.option("--port", type=click.IntRange(1, 65535), default=8899, show_default=True, help="Port on 127.0.0.1.")
@click.option("--sandbox", is_flag=True, help="Replay Amazon's static sandbox cases instead of a live marketplace.")
@click.option(
    "--models",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Folder of Amazon's *_sandbox_cases.json and models (default: the copy inside the package).",
)
def fake_amazon(port: int, sandbox: bool, models: Path | None) -> None:
    """A fake SP-API with its LWA token endpoint at /auth/o2/token, on 127.0.0.1 only."""
    import uvicorn

    if sandbox:
        from channel_plugin.amazon.sandbox_server import sandbox_app

        try:
            app: Any = sandbox_app(models)
        except FileNotFoundError as exc:
            raise click.ClickException(str(exc)) from None
        mode = "static sandbox cases"
    else:
        from channel_plugin.amazon.fake_server import FakeAmazon
        from channel_plugin.amazon.marketplace import FakeMarketplace
        from channel_plugin.clock import utcnow

        app = FakeAmazon(FakeMarketplace(utcnow)).app
        mode = "live marketplace (admin: PUT /_fake/orders, POST /_fake/faults)"
    click.echo(f"Fake SP-API ({mode}): http://127.0.0.1:{port}")
    click.echo(f"LWA token endpoint: http://127.0.0.1:{port}/auth/o2/token")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
