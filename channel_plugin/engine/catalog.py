"""The catalog as one page of orders sees it: SKUs resolved, products found and stock read once per page.

Every answer comes from a hook (an integrator's ``channel_resolve_sku``, the host's services); an answer of the
wrong type or a hook that raises becomes a message for the orders that needed it, never a crashed page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import pluggy
from sqlalchemy import Connection

from channel_plugin.domain.model import AmazonOrder, Product
from channel_plugin.domain.rules import ItemNeed
from channel_plugin.engine.services import use_batch
from channel_plugin.errors import HostError
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


def _describe(value: object) -> str:
    return f"{value!r} ({type(value).__name__})"


def load_page_catalog(
    pm: pluggy.PluginManager,
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
            resolved = pm.hook.channel_resolve_sku(store=info, seller_sku=seller_sku)
        except Exception as exc:
            page.problems[seller_sku] = f"channel_resolve_sku failed for {seller_sku!r}: {type(exc).__name__}: {exc}"
            continue
        if resolved is not None and (not isinstance(resolved, str) or not resolved.strip()):
            page.problems[seller_sku] = (
                f"channel_resolve_sku returned {_describe(resolved)} for {seller_sku!r}; "
                "expected a catalog SKU string or None"
            )
            continue
        page.catalog_sku[seller_sku] = resolved.strip() if resolved else seller_sku

    wanted = sorted({page.catalog_sku[s] for s in seller_skus if s in page.catalog_sku})
    by_catalog: dict[str, list[str]] = {}
    for seller_sku, sku in page.catalog_sku.items():
        by_catalog.setdefault(sku, []).append(seller_sku)

    def fail(sku: str, message: str) -> None:
        for seller_sku in by_catalog.get(sku, []):
            page.problems[seller_sku] = message

    found = _find_products(pm, wanted, store_view, fail)
    page.products.update(found)
    managed = sorted(sku for sku, p in found.items() if p is not None and p.enabled and p.manage_stock)
    page.salable.update(_salable(pm, managed, store_view, fail))
    return page


def _ask_host(
    pm: pluggy.PluginManager,
    single: str,
    batch_name: str,
    skus: list[str],
    store_view: str,
    what: str,
    fail: Callable[[str, str], None],
) -> dict[str, object]:
    """The host's answer per SKU: one batch call when the same plugin offers it, else one call per SKU.

    A batch answer leaves out SKUs it knows nothing of; a single call answers None for them.
    """
    if not skus:
        return {}
    if use_batch(pm, single, batch_name):
        try:
            batch = getattr(pm.hook, batch_name)(skus=skus, store_view=store_view)
        except Exception as exc:
            batch = exc
        if isinstance(batch, Mapping):
            return {sku: batch[sku] for sku in skus if sku in batch}
        for sku in skus:
            if isinstance(batch, Exception):
                fail(sku, _host_failure(what, sku, batch))
            else:
                fail(sku, f"{batch_name} returned {_describe(batch)}; expected a mapping of SKU to answer")
        return {}
    answers: dict[str, object] = {}
    for sku in skus:
        try:
            answers[sku] = getattr(pm.hook, single)(sku=sku, store_view=store_view)
        except Exception as exc:
            fail(sku, _host_failure(what, sku, exc))
    return answers


def _find_products(
    pm: pluggy.PluginManager, skus: list[str], store_view: str, fail: Callable[[str, str], None]
) -> dict[str, Product | None]:
    answers = _ask_host(
        pm, "commerce_find_product", "commerce_find_products", skus, store_view, "look up product", fail
    )
    found: dict[str, Product | None] = {}
    for sku in skus:
        product = answers.get(sku)
        if product is not None and not isinstance(product, Product):
            fail(sku, f"the host returned {_describe(product)} for product {sku!r}; expected a Product or None")
            continue
        found[sku] = product
    return found


def _salable(
    pm: pluggy.PluginManager, skus: list[str], store_view: str, fail: Callable[[str, str], None]
) -> dict[str, int]:
    what = "read the salable quantity of"
    answers = _ask_host(pm, "commerce_salable_qty", "commerce_salable_qtys", skus, store_view, what, fail)
    salable: dict[str, int] = {}
    for sku in skus:
        qty = answers.get(sku, 0)
        if isinstance(qty, bool) or not isinstance(qty, int):
            fail(sku, f"the host returned {_describe(qty)} as the salable quantity of {sku!r}; expected a whole number")
            continue
        salable[sku] = max(qty, 0)
    return salable


def _host_failure(what: str, sku: str, exc: Exception) -> str:
    if isinstance(exc, HostError):
        return f"The host could not {what} {sku!r}: {exc}"
    return f"The host failed to {what} {sku!r}: {type(exc).__name__}: {exc}"
