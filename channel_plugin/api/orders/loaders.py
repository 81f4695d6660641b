"""Per-request batch loaders by order primary key, made through ``Context.loader`` (never module-global: they cache).

Each one answers every order the request has built with one SQL statement, so a page of 100 orders with items,
blockers, tracking, history and buyer data costs the same number of statements as a page of 10. They are
synchronous: the orders of a page are registered when it is built, and the first field that needs, say, items
loads them for all of those orders at once, without scheduling a coroutine per field (which cost more than the
SQL on a page of 50).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import Connection, select

from channel_plugin.api.context import Info
from channel_plugin.domain.model import Address, BlockerRecord, Buyer, HistoryEvent, OrderItem, OrderProblem
from channel_plugin.engine.runtime import Runtime
from channel_plugin.storage import blockers as blocker_store
from channel_plugin.storage import orders as order_store
from channel_plugin.storage import outbox
from channel_plugin.storage.cancellations import problems_by_order
from channel_plugin.storage.crypto import BuyerDataCipher
from channel_plugin.storage.outbox import CONFIRM_SHIPMENT
from channel_plugin.storage.shipped import add_units
from channel_plugin.storage.tables import amazon_orders, order_events, order_tracking

T = TypeVar("T")
BuyerData = tuple[Buyer, Address | None]


@dataclass(frozen=True, slots=True)
class Tracking:
    commerce_shipment_id: str
    carrier: str
    tracking_number: str
    shipped_at: datetime
    package_reference_id: str
    units: dict[str, int]
    """Order item id -> units in this shipment."""


class BatchLoader(Generic[T]):
    def __init__(
        self,
        runtime: Runtime,
        known: set[int],
        read: Callable[[Connection, list[int]], dict[int, T]],
        missing: Callable[[], T],
    ) -> None:
        self._runtime = runtime
        self._known = known  # every order pk this request has built, shared by all loaders
        self._read = read
        self._missing = missing
        self._loaded: dict[int, T] = {}

    def get(self, pk: int) -> T:
        if pk not in self._loaded:
            wanted = sorted((self._known | {pk}) - self._loaded.keys())
            with self._runtime.db.transaction(write=False) as conn:
                found = self._read(conn, wanted)
            for key in wanted:
                self._loaded[key] = found[key] if key in found else self._missing()
        return self._loaded[pk]

    def prime(self, pk: int, value: T) -> None:
        self._loaded[pk] = value


def register(info: Info, pks: Sequence[int]) -> None:
    """The orders this request built: the loaders read them together on first use."""
    _known(info).update(pks)


def _known(info: Info) -> set[int]:
    known: set[int] = info.context.loader("orders.known", lambda _rt: set())
    return known


def _loader(
    info: Info, read: Callable[[Connection, list[int]], dict[int, T]], missing: Callable[[], T]
) -> Callable[[Runtime], BatchLoader[T]]:
    known = _known(info)
    return lambda runtime: BatchLoader(runtime, known, read, missing)


def _get(info: Info, name: str, factory: Callable[[Runtime], BatchLoader[T]]) -> BatchLoader[T]:
    loader: BatchLoader[T] = info.context.loader(f"orders.{name}", factory)
    return loader


def _read_tracking(conn: Connection, pks: list[int]) -> dict[int, list[Tracking]]:
    result: dict[int, list[Tracking]] = {}
    query = select(order_tracking).where(order_tracking.c.order_id.in_(pks)).order_by(order_tracking.c.id)
    for r in conn.execute(query):
        result.setdefault(r.order_id, []).append(
            Tracking(
                r.commerce_shipment_id,
                r.carrier,
                r.tracking_number,
                r.shipped_at,
                str(r.id),
                _units(r._mapping["items"]),
            )
        )
    return result


def _units(lines: list[dict[str, object]]) -> dict[str, int]:
    units: dict[str, int] = {}
    add_units(units, lines)
    return units


def _read_history(conn: Connection, pks: list[int]) -> dict[int, list[HistoryEvent]]:
    result: dict[int, list[HistoryEvent]] = {}
    query = select(order_events).where(order_events.c.order_id.in_(pks)).order_by(order_events.c.id)
    for e in conn.execute(query).mappings():  # mappings: a Row's `count` is tuple.count
        event = HistoryEvent(e["at"], e["kind"], e["message"], e["count"], e["last_at"])
        result.setdefault(e["order_id"], []).append(event)
    return result


def _read_buyers(cipher: BuyerDataCipher) -> Callable[[Connection, list[int]], dict[int, BuyerData]]:
    def read(conn: Connection, pks: list[int]) -> dict[int, BuyerData]:
        query = select(amazon_orders.c.id, amazon_orders.c.buyer_data).where(amazon_orders.c.id.in_(pks))
        return {r.id: order_store.open_buyer(r.buyer_data, cipher) for r in conn.execute(query)}

    return read


def items(info: Info) -> BatchLoader[list[OrderItem]]:
    """As Amazon reported them: the node counts in the host's shipments (``rules.lines_as_shipped``)."""
    return _get(info, "items", _loader(info, order_store.items_by_order, list))


def blockers(info: Info) -> BatchLoader[list[BlockerRecord]]:
    """Open blockers only (resolved ones are history)."""
    return _get(info, "blockers", _loader(info, blocker_store.open_blockers, list))


def tracking(info: Info) -> BatchLoader[list[Tracking]]:
    return _get(info, "tracking", _loader(info, _read_tracking, list))


def stuck_shipments(info: Info) -> BatchLoader[list[outbox.StuckCall]]:
    """Shipment confirmations refused by Amazon or given up: the order's problems."""
    return _get(info, "stuck_shipments", _loader(info, _read_stuck_shipments, list))


def _read_stuck_shipments(conn: Connection, pks: list[int]) -> dict[int, list[outbox.StuckCall]]:
    return outbox.stuck_calls(conn, pks, CONFIRM_SHIPMENT)


def history(info: Info) -> BatchLoader[list[HistoryEvent]]:
    return _get(info, "history", _loader(info, _read_history, list))


def problems(info: Info) -> BatchLoader[list[OrderProblem]]:
    return _get(info, "problems", _loader(info, problems_by_order, list))


def buyers(info: Info) -> BatchLoader[BuyerData]:
    """Decrypted buyer data; the listing primes it when it already decrypted a row (buyer-name filter or sort)."""
    return _get(info, "buyers", _loader(info, _read_buyers(info.context.runtime.cipher), _no_buyer))


def _no_buyer() -> BuyerData:
    return Buyer(), None
