"""What every engine step needs, passed explicitly: no module-level state, so two Sandboxes never share anything."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import InitVar, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Concatenate, ParamSpec

import pluggy
from sqlalchemy import Connection
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from channel_plugin.amazon.client import MarketplaceClient
from channel_plugin.domain.settings import OrderSettings
from channel_plugin.engine.dberrors import is_transient
from channel_plugin.engine.hooks import Hooks
from channel_plugin.storage.crypto import BuyerDataCipher
from channel_plugin.storage.db import Database
from channel_plugin.storage.stores import StoreRecord

if TYPE_CHECKING:
    from channel_plugin.engine.jobs import Jobs

P = ParamSpec("P")


@dataclass
class Runtime:
    """The plugin's state once started. The plugin manager is not kept: every hook call goes through ``hooks``."""

    db: Database
    pm: InitVar[pluggy.PluginManager]
    cipher: BuyerDataCipher
    clock: Callable[[], datetime]
    marketplace_for: Callable[[StoreRecord], MarketplaceClient]
    default_settings: OrderSettings = field(default_factory=OrderSettings)
    cron_interval_seconds: int = 300
    hooks: Hooks = field(init=False)
    jobs: Jobs = field(init=False)
    """Background syncs and retries: one registry per runtime, whichever app or request started them."""

    def __post_init__(self, pm: pluggy.PluginManager) -> None:
        from channel_plugin.engine.jobs import Jobs  # jobs run engine steps, which all take a Runtime

        self.hooks = Hooks(pm, self.db.savepoint)
        self.jobs = Jobs(self)

    @contextmanager
    def unit_of_work(self) -> Iterator[tuple[Connection, Notifications]]:
        """A write transaction and the notifications to fire once it has committed (never if it rolls back)."""
        notes = Notifications()
        with self.db.transaction() as conn:
            yield conn, notes
        notes.fire(self.hooks)

    def retrying(self) -> Retrying:
        """Retry a whole unit of work when the database chose it as a deadlock or serialization victim."""
        return Retrying(
            retry=retry_if_exception(is_transient),
            stop=stop_after_attempt(5),
            wait=wait_random_exponential(multiplier=0.05, max=1),
            reraise=True,
        )


class Notifications:
    """Notification hook calls held back until commit: a rolled-back import must notify nobody.

    ``notes.add(Hooks.order_imported, order, ref)`` names the facade's method, so mypy checks the arguments.
    """

    def __init__(self) -> None:
        self._calls: list[Callable[[Hooks], None]] = []

    def add(self, notify: Callable[Concatenate[Hooks, P], None], *args: P.args, **kwargs: P.kwargs) -> None:
        self._calls.append(lambda hooks: notify(hooks, *args, **kwargs))

    def fire(self, hooks: Hooks) -> None:
        calls, self._calls = self._calls, []
        for call in calls:
            call(hooks)
