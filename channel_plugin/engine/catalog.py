"""The catalog as one page of orders sees it: SKUs resolved, products found and stock read once per page.

Every answer comes from a hook through ``Runtime.hooks`` (an integrator's ``channel_resolve_sku``, the host's
services); an answer of the wrong type or a hook that refuses or fails becomes a message for the orders that needed
it, never a crashed page. Only a transient database error ends the page, so that all of it is retried.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Connection

from channel_plugin.domain.model import AmazonOrder, Product
from channel_plugin.domain.rules import ItemNeed
from channel_plugin.engine.hooks import Hooks
from channel_plugin.errors import ChannelError
from channel_plugin.storage.stores import StoreRecord, sku_match_map


@dataclass
class PageCatalog:
    catalog_sku: dict[str, str] = field(default_factory=dict)  # seller SKU -> catalog SKU
    products: dict[str, Product | None] = field(default_factory=dict)
    salable: dict[str, int] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)  # seller SKU -> why the host could not answer

    def needs(self, order: AmazonOrder) -> list[ItemNeed]:
        return [
            ItemNeed(i.seller_sku, self.catalog_sku.get(i.seller_sku, i.seller_sku), i.quantity_ordered)
            for i in order.items
        ]

    def problems_of(self, order: AmazonOrder) -> dict[str, str]:
        return {i.seller_sku: self.problems[i.seller_sku] for i in order.items if i.seller_sku in self.problems}


def load_page_catalog(
    hooks: Hooks,
    conn: Connection,
    store: StoreRecord,
    store_view: str,
    orders: Iterable[AmazonOrder],
) -> PageCatalog:
    """Resolve every distinct seller SKU once: an admin's match first, then integrators' rules, else the SKU."""
    page = PageCatalog()
    seller_skus = sorted({i.seller_sku for o in orders for i in o.items})
    if not seller_skus:
        return page
    matched = sku_match_map(conn, store.id, seller_skus)
    info = store.info()
    for seller_sku in seller_skus:
        if seller_sku in matched:
            page.catalog_sku[seller_sku] = matched[seller_sku]
            continue
        try:
            resolved = hooks.resolve_sku(info, seller_sku)
        except ChannelError as exc:
            page.problems[seller_sku] = str(exc)
            continue
        page.catalog_sku[seller_sku] = resolved or seller_sku

    by_catalog: dict[str, list[str]] = {}
    for seller_sku, sku in page.catalog_sku.items():
        by_catalog.setdefault(sku, []).append(seller_sku)

    def note_problems(messages: dict[str, str]) -> None:
        for sku, message in messages.items():
            for seller_sku in by_catalog.get(sku, []):
                page.problems[seller_sku] = message

    found = hooks.find_products(sorted(by_catalog), store_view)
    note_problems(found.messages())
    page.products.update(found.answers)
    managed = sorted(sku for sku, p in found.answers.items() if p is not None and p.enabled and p.manage_stock)
    salable = hooks.salable_qtys(managed, store_view)
    note_problems(salable.messages())
    page.salable.update(salable.answers)
    return page
