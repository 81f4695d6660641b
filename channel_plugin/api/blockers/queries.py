"""``importBlockers`` (keyset-paged, newest first), ``blockedSkus``, and the per-order outcome a retry reports."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Sequence
from typing import Any

import strawberry
from graphql import GraphQLError
from sqlalchemy import ColumnElement, Connection, distinct, func, select
from strawberry.relay import PageInfo

from channel_plugin.api.blockers.types import (
    BlockedSku,
    ImportBlocker,
    ImportBlockerConnection,
    ImportBlockerEdge,
    OrderImportResult,
)
from channel_plugin.api.context import Info
from channel_plugin.api.security import check_page_size
from channel_plugin.api.stores.queries import store_or_error
from channel_plugin.domain.enums import AmazonOrderStatus, BlockerKind, ImportState
from channel_plugin.engine.runtime import Runtime
from channel_plugin.storage.tables import amazon_orders, import_blockers

_CURSOR_PREFIX = "blocker:"
_CHUNK = 500


def encode_cursor(blocker_id: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{blocker_id}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    """The blocker id a cursor stands for; anything else is the caller's mistake (BAD_USER_INPUT)."""
    try:
        text = base64.urlsafe_b64decode(cursor.encode("ascii")).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    number = text.removeprefix(_CURSOR_PREFIX)
    if not text.startswith(_CURSOR_PREFIX) or not number.isdigit() or len(number) > 18:
        raise GraphQLError("after is not a cursor this query returned.", extensions={"code": "BAD_USER_INPUT"})
    return int(number)


def _with_order() -> Any:
    return select(import_blockers, amazon_orders.c.amazon_order_id).join(
        amazon_orders, amazon_orders.c.id == import_blockers.c.order_id
    )


def _conditions(store_pk: int | None, resolved: bool | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if store_pk is not None:
        conditions.append(import_blockers.c.store_id == store_pk)
    if resolved is not None:
        conditions.append(
            import_blockers.c.resolved_at.is_not(None) if resolved else import_blockers.c.resolved_at.is_(None)
        )
    return conditions


def _counter(rt: Runtime, conditions: list[ColumnElement[bool]]) -> Any:
    def count() -> int:
        with rt.db.transaction(write=False) as conn:
            total: int = conn.execute(select(func.count()).select_from(import_blockers).where(*conditions)).scalar_one()
        return total

    return count


def order_pks(conn: Connection, store_id: int, amazon_order_ids: Iterable[str]) -> dict[str, int]:
    """Amazon order id -> primary key, for those of the ids the store has."""
    ids = sorted(set(amazon_order_ids))
    found: dict[str, int] = {}
    for start in range(0, len(ids), _CHUNK):
        rows = conn.execute(
            select(amazon_orders.c.amazon_order_id, amazon_orders.c.id).where(
                amazon_orders.c.store_id == store_id, amazon_orders.c.amazon_order_id.in_(ids[start : start + _CHUNK])
            )
        )
        found.update({r.amazon_order_id: r.id for r in rows})
    return found


def order_results(conn: Connection, pks: Sequence[int]) -> list[OrderImportResult]:
    """Where these orders stand now (in the order given): status, import state, notes and open blockers."""
    rows: dict[int, Any] = {}
    blockers: dict[int, list[ImportBlocker]] = {}
    unique = list(dict.fromkeys(pks))
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start : start + _CHUNK]
        rows.update((r.id, r) for r in conn.execute(select(amazon_orders).where(amazon_orders.c.id.in_(chunk))))
        open_rows = conn.execute(
            _with_order()
            .where(import_blockers.c.order_id.in_(chunk), import_blockers.c.resolved_at.is_(None))
            .order_by(import_blockers.c.id)
        )
        for b in open_rows:
            blockers.setdefault(b.order_id, []).append(ImportBlocker.of(b))
    return [
        OrderImportResult(
            amazon_order_id=rows[pk].amazon_order_id,
            status=AmazonOrderStatus(rows[pk].status),
            import_state=ImportState(rows[pk].import_state),
            notes=rows[pk].notes,
            commerce_order_id=rows[pk].commerce_order_id,
            blockers=blockers.get(pk, []),
        )
        for pk in unique
        if pk in rows
    ]


@strawberry.type
class BlockersQuery:
    @strawberry.field(
        description="Import blockers, newest first: open ones by default, resolved ones with "
        "resolved: true, both with resolved: null; every store's unless storeId is given."
    )
    def import_blockers(
        self,
        info: Info,
        store_id: strawberry.ID | None = None,
        resolved: bool | None = False,
        first: int = 10,
        after: str | None = None,
    ) -> ImportBlockerConnection:
        check_page_size(first)
        before_id = decode_cursor(after) if after is not None else None
        store_pk = store_or_error(info, store_id).id if store_id is not None else None
        conditions = _conditions(store_pk, resolved)
        page = _with_order().where(*conditions)
        if before_id is not None:
            page = page.where(import_blockers.c.id < before_id)
        with info.context.runtime.db.transaction(write=False) as conn:
            rows = list(conn.execute(page.order_by(import_blockers.c.id.desc()).limit(first + 1)))
        edges = [ImportBlockerEdge(cursor=encode_cursor(r.id), node=ImportBlocker.of(r)) for r in rows[:first]]
        return ImportBlockerConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=len(rows) > first,
                has_previous_page=before_id is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            count_total=_counter(info.context.runtime, conditions),
        )

    @strawberry.field(description="A store's open blockers grouped by seller SKU and kind, earliest ship-by first.")
    def blocked_skus(self, info: Info, store_id: strawberry.ID) -> list[BlockedSku]:
        store = store_or_error(info, store_id)
        query = (
            select(
                import_blockers.c.seller_sku,
                import_blockers.c.kind,
                func.count(distinct(import_blockers.c.order_id)).label("orders"),
                func.min(amazon_orders.c.ship_by).label("earliest_ship_by"),
            )
            .join(amazon_orders, amazon_orders.c.id == import_blockers.c.order_id)
            .where(import_blockers.c.store_id == store.id, import_blockers.c.resolved_at.is_(None))
            .group_by(import_blockers.c.seller_sku, import_blockers.c.kind)
        )
        with info.context.runtime.db.transaction(write=False) as conn:
            groups = [
                BlockedSku(
                    seller_sku=r.seller_sku,
                    kind=BlockerKind(r.kind),
                    orders=r.orders,
                    earliest_ship_by=r.earliest_ship_by,
                )
                for r in conn.execute(query)
            ]
        return sorted(
            groups,
            key=lambda g: (
                g.earliest_ship_by is None,
                g.earliest_ship_by.timestamp() if g.earliest_ship_by else 0.0,
                -g.orders,
                g.seller_sku or "",
                g.kind,
            ),
        )
