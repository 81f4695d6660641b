"""What every engine step needs, passed explicitly: no module-level state, so two Sandboxes never share anything."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pluggy
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError, StatementError
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from channel_plugin.amazon.client import MarketplaceClient
from channel_plugin.domain.settings import OrderSettings
from channel_plugin.storage.crypto import BuyerDataCipher
from channel_plugin.storage.db import Database
from channel_plugin.storage.stores import StoreRecord

log = logging.getLogger("channel_plugin")


@dataclass
class Runtime:
    db: Database
    pm: pluggy.PluginManager
    cipher: BuyerDataCipher
    clock: Callable[[], datetime]
    marketplace_for: Callable[[StoreRecord], MarketplaceClient]
    default_settings: OrderSettings = field(default_factory=OrderSettings)
    cron_interval_seconds: int = 300

    @contextmanager
    def unit_of_work(self) -> Iterator[tuple[Connection, Notifications]]:
        """A write transaction and the notifications to fire once it has committed (never if it rolls back)."""
        notes = Notifications()
        with self.db.transaction() as conn:
            yield conn, notes
        notes.fire(self.pm)

    def retrying(self) -> Retrying:
        """Retry a whole unit of work when the database chose it as a deadlock or serialization victim."""
        return Retrying(
            retry=retry_if_exception(is_transient),
            stop=stop_after_attempt(5),
            wait=wait_random_exponential(multiplier=0.05, max=1),
            reraise=True,
        )


class ConcurrentWriteError(Exception):
    """Another writer got to a row this unit of work claimed; the whole unit is retried."""


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, ConcurrentWriteError):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    code = getattr(exc.orig, "sqlstate", None)
    return code in ("40001", "40P01") or "database is locked" in str(exc.orig)


def describe_error(exc: BaseException) -> str:
    """The reason without the SQL and bound parameters SQLAlchemy appends (they may hold order data)."""
    if isinstance(exc, StatementError) and exc.orig is not None:
        return f"{type(exc.orig).__name__}: {exc.orig}"
    return f"{type(exc).__name__}: {exc}"


class Notifications:
    """Hook calls held back until commit: a rolled-back import must notify nobody."""

    def __init__(self) -> None:
        self._calls: list[tuple[str, dict[str, Any]]] = []

    def add(self, hook: str, **kwargs: Any) -> None:
        self._calls.append((hook, kwargs))

    def fire(self, pm: pluggy.PluginManager) -> None:
        calls, self._calls = self._calls, []
        for name, kwargs in calls:
            try:
                getattr(pm.hook, name)(**kwargs)
            except Exception as exc:
                order = kwargs.get("order")
                ref = getattr(order, "amazon_order_id", "?")
                log.error("hook %s failed for order %s: %s", name, ref, type(exc).__name__)
