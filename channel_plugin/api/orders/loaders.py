"""DataLoaders by order primary key, made per request through ``Context.loader`` (never module-global: they cache).

Each one answers a whole page of orders with one SQL statement, so a page of 100 orders with items, blockers,
tracking, history and buyer data costs the same number of statements as a page of 10.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Connection, select
from strawberry.dataloader import DataLoader

from channel_plugin.api.context import Info
from channel_plugin.domain.model import Address, BlockerRecord, Buyer, HistoryEvent, OrderItem
from channel_plugin.engine.runtime import Runtime
from channel_plugin.storage import blockers as blocker_store
from channel_plugin.storage import orders as order_store
from channel_plugin.storage.tables import amazon_orders, order_events, order_tracking

T = TypeVar("T")
BuyerData = tuple[Buyer, Address | None]


@dataclass(frozen=True, slots=True)
class Tracking:
    commerce_shipment_id: str
    carrier: str
    tracking_number: str
    shipped_at: datetime


def _loader(
    runtime: Runtime, read: Callable[[Connection, list[int]], dict[int, T]], missing: Callable[[], T]
) -> DataLoader[int, T]:
    async def load(pks: list[int]) -> Sequence[T]:
        # No await inside the transaction: the unit of work lives in a context variable.
        with runtime.db.transaction(write=False) as conn:
            found = read(conn, pks)
        return [found[pk] if pk in found else missing() for pk in pks]

    return DataLoader(load_fn=load)


def _get(info: Info, name: str, factory: Callable[[Runtime], DataLoader[int, T]]) -> DataLoader[int, T]:
    loader: DataLoader[int, T] = info.context.loader(f"orders.{name}", factory)
    return loader


def _read_tracking(conn: Connection, pks: list[int]) -> dict[int, list[Tracking]]:
    result: dict[int, list[Tracking]] = {}
    query = select(order_tracking).where(order_tracking.c.order_id.in_(pks)).order_by(order_tracking.c.id)
    for r in conn.execute(query):
        result.setdefault(r.order_id, []).append(
            Tracking(r.commerce_shipment_id, r.carrier, r.tracking_number, r.shipped_at)
        )
    return result


def _read_history(conn: Connection, pks: list[int]) -> dict[int, list[HistoryEvent]]:
    result: dict[int, list[HistoryEvent]] = {}
    query = select(order_events).where(order_events.c.order_id.in_(pks)).order_by(order_events.c.id)
    for r in conn.execute(query):
        result.setdefault(r.order_id, []).append(HistoryEvent(r.at, r.kind, r.message))
    return result


def _buyers_loader(runtime: Runtime) -> DataLoader[int, BuyerData]:
    def read(conn: Connection, pks: list[int]) -> dict[int, BuyerData]:
        query = select(amazon_orders.c.id, amazon_orders.c.buyer_data).where(amazon_orders.c.id.in_(pks))
        return {r.id: order_store.open_buyer(r.buyer_data, runtime.cipher) for r in conn.execute(query)}

    return _loader(runtime, read, lambda: (Buyer(), None))


def items(info: Info) -> DataLoader[int, list[OrderItem]]:
    return _get(info, "items", lambda rt: _loader(rt, order_store.items_by_order, list))


def blockers(info: Info) -> DataLoader[int, list[BlockerRecord]]:
    """Open blockers only (resolved ones are history)."""
    return _get(info, "blockers", lambda rt: _loader(rt, blocker_store.open_blockers, list))


def tracking(info: Info) -> DataLoader[int, list[Tracking]]:
    return _get(info, "tracking", lambda rt: _loader(rt, _read_tracking, list))


def history(info: Info) -> DataLoader[int, list[HistoryEvent]]:
    return _get(info, "history", lambda rt: _loader(rt, _read_history, list))


def buyers(info: Info) -> DataLoader[int, BuyerData]:
    """Decrypted buyer data; the listing primes it when it already decrypted a row (buyer-name filter or sort)."""
    return _get(info, "buyers", _buyers_loader)
