"""``amazonOrders`` (filtered, sorted, keyset-paginated) and ``amazonOrder``."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from sqlalchemy import ColumnElement, select
from strawberry.relay import PageInfo

from channel_plugin.api.context import Info
from channel_plugin.api.orders import loaders
from channel_plugin.api.orders.filters import (
    AmazonOrderFilter,
    AmazonOrderSort,
    SortDirection,
    buyer_name_text,
    conditions,
    terms,
)
from channel_plugin.api.orders.pagination import PageRequest, count, decode_cursor, load_page
from channel_plugin.api.orders.types import NODE_COLUMNS, AmazonOrder
from channel_plugin.api.security import check_page_size
from channel_plugin.api.stores.queries import store_or_error
from channel_plugin.storage.buyer_search import candidate_condition
from channel_plugin.storage.tables import amazon_orders, amazon_stores


@strawberry.type
class AmazonOrderEdge:
    cursor: str
    node: AmazonOrder


@strawberry.type(description="A page of Amazon orders.")
class AmazonOrderConnection:
    edges: list[AmazonOrderEdge]
    page_info: PageInfo
    counter: strawberry.Private[Callable[[], int]]

    @strawberry.field(description="How many orders match the filter across every page; counted only when asked for.")
    def total_count(self) -> int:
        return self.counter()


def _stores(info: Info, store_id: strawberry.ID | None) -> ColumnElement[bool]:
    """One store (an unknown one is a NOT_FOUND error), else every store: spelt as a store_id condition either way,
    so the (store_id, ...) indexes serve the query."""
    if store_id is not None:
        return amazon_orders.c.store_id == store_or_error(info, store_id).id
    with info.context.runtime.db.transaction(write=False) as conn:
        ids = list(conn.execute(select(amazon_stores.c.id)).scalars())
    return amazon_orders.c.store_id.in_(ids)


@strawberry.type
class OrdersQuery:
    @strawberry.field(
        description="Amazon orders, newest purchase first unless sorted otherwise; `first` is 1..100 (Recent "
        "Orders is `first: 10`), `after` an endCursor from the previous page of the same sort."
    )
    def amazon_orders(
        self,
        info: Info,
        store_id: strawberry.ID | None = None,
        filter: AmazonOrderFilter | None = None,
        sort: AmazonOrderSort | None = None,
        first: int = 10,
        after: str | None = None,
    ) -> AmazonOrderConnection:
        check_page_size(first)
        runtime = info.context.runtime
        order = sort or AmazonOrderSort()
        descending = order.direction is SortDirection.DESC
        cursor = decode_cursor(after, order.field, descending, runtime.cipher) if after is not None else None
        filters = conditions(filter)
        where = [_stores(info, store_id)]
        text = buyer_name_text(filter)
        candidates = candidate_condition(runtime.cipher, text, runtime.db.dialect) if text is not None else None
        if candidates is not None:
            where.append(candidates)
        request = PageRequest(where, filters, text, order.field, descending, cursor, first)
        with runtime.db.transaction(write=False) as conn:
            page = load_page(conn, request, runtime.cipher)
        loaders.register(info, [row["id"] for row in page.rows])
        buyers = loaders.buyers(info)
        for pk, data in page.buyers.items():
            buyers.prime(pk, data)

        def counter() -> int:
            if page.total is not None:
                return page.total
            with runtime.db.transaction(write=False) as conn:
                return count(conn, [*where, *terms(filters)], text, runtime.cipher)

        edges = [
            AmazonOrderEdge(cursor=c, node=AmazonOrder.of(row)) for row, c in zip(page.rows, page.cursors, strict=True)
        ]
        page_info = PageInfo(
            has_next_page=page.has_next,
            has_previous_page=cursor is not None,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        )
        return AmazonOrderConnection(edges=edges, page_info=page_info, counter=counter)

    @strawberry.field(description="One Amazon order by its Amazon order id (in any store unless storeId is given).")
    def amazon_order(
        self, info: Info, amazon_order_id: str, store_id: strawberry.ID | None = None
    ) -> AmazonOrder | None:
        stores = _stores(info, store_id)
        columns = [amazon_orders.c[n] for n in NODE_COLUMNS]
        query = (
            select(*columns)
            .where(stores, amazon_orders.c.amazon_order_id == amazon_order_id.strip())
            .order_by(amazon_orders.c.id)
            .limit(1)
        )
        with info.context.runtime.db.transaction(write=False) as conn:
            row = conn.execute(query).mappings().first()
        return AmazonOrder.of(row) if row is not None else None
