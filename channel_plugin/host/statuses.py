"""Order statuses: seeded defaults plus the merchant's custom ones, each hung on a state."""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, insert, select

from channel_plugin.domain.model import OrderStatusOption
from channel_plugin.errors import HostError
from channel_plugin.host.schema import SEED_STATUSES, order_statuses

_ALL = select(order_statuses.c.code, order_statuses.c.label, order_statuses.c.state).order_by(order_statuses.c.code)
_ONE = select(order_statuses.c.state).where(order_statuses.c.code == bindparam("code"))
_INSERT = insert(order_statuses)


class StatusRegistry:
    """Answers "which state is this status in?" from memory, because every created order asks it.

    Statuses are only ever added, never changed or removed, so a cached answer cannot go stale; a miss is
    re-read from the database because another process sharing it may have added the status since. The cache is
    filled from reads only, never from this object's own inserts, so a rolled-back ``add`` leaves nothing
    behind.
    """

    def __init__(self) -> None:
        self._state_of: dict[str, str] = {}

    def seed(self, conn: Connection) -> None:
        """Insert the seeded statuses the database lacks, so that ``create_schema`` can run more than once."""
        known = {option.code for option in self.all(conn)}
        missing = [status for status in SEED_STATUSES if status.code not in known]
        if missing:
            conn.execute(_INSERT, [{"code": s.code, "label": s.label, "state": s.state} for s in missing])

    def add(self, conn: Connection, code: str, label: str, state: str) -> None:
        if self.state_of(conn, code) is not None:
            raise HostError(f"order status {code} already exists")
        conn.execute(_INSERT, {"code": code, "label": label, "state": state})

    def all(self, conn: Connection) -> tuple[OrderStatusOption, ...]:
        options = tuple(OrderStatusOption(code, label, state) for code, label, state in conn.execute(_ALL))
        self._state_of.update((option.code, option.state) for option in options)
        return options

    def state_of(self, conn: Connection, code: str) -> str | None:
        """The state ``code`` belongs to, or None when no such status exists."""
        state = self._state_of.get(code)
        if state is None:
            state = conn.execute(_ONE, {"code": code}).scalar()
            if state is not None:
                self._state_of[code] = state
        return state
