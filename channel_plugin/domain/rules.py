"""What happens to an Amazon order: DESIGN.md section 3 as plain functions over plain data.

Read this module to know the product's behaviour; storage and pluggy only carry its answers out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from channel_plugin.domain.enums import (
    AmazonOrderStatus as S,
)
from channel_plugin.domain.enums import (
    BlockerKind,
    FulfillmentChannel,
    ImportState,
    ReserveQuantity,
)
from channel_plugin.domain.model import Blocker, OrderItem, Product


class Action(StrEnum):
    IGNORE = "IGNORE"  # purchased before the store was integrated: never stored
    WAIT = "WAIT"  # stored, not (yet) in an importable status
    RESERVE = "RESERVE"  # stored and its quantity reserved (merchant-fulfilled PENDING with RESERVE)
    VIEW_ONLY = "VIEW_ONLY"  # import disabled: stored and listed, nothing created
    SKIP = "SKIP"  # canceled or unfulfillable before import; any reservation released
    IMPORT = "IMPORT"  # check every item, then create the Commerce order or block
    CANCEL_COMMERCE = "CANCEL_COMMERCE"  # imported, canceled by Amazon before shipping: cancel in Commerce
    KEEP = "KEEP"  # imported (or finished): status bookkeeping only


MERCHANT_IMPORTABLE = frozenset({S.UNSHIPPED, S.PARTIALLY_SHIPPED, S.SHIPPED, S.INVOICE_UNCONFIRMED})
CANCELED_STATUSES = frozenset({S.CANCELED, S.UNFULFILLABLE})
_PROGRESS = {
    S.PENDING_AVAILABILITY: 0,
    S.PENDING: 0,
    S.UNSHIPPED: 1,
    S.PARTIALLY_SHIPPED: 2,
    S.SHIPPED: 3,
    S.INVOICE_UNCONFIRMED: 3,
    S.COMPLETED: 4,
}


SHIPPED_IN_FULL = frozenset({S.SHIPPED, S.INVOICE_UNCONFIRMED, S.COMPLETED})


def shipped_units(status: S, *, ordered: int, reported: int, tracked: int) -> int:
    """Units of one order line that have shipped, as the admin should see them.

    Amazon's own count (``reported``) lags behind our confirmations and is often missing altogether (FBA orders
    arrive SHIPPED with nothing fulfilled per line), so the larger of it and the units in the host's shipments
    (``tracked``) counts; an order that shipped in full (COMPLETED only ever follows SHIPPED) shipped every unit.
    """
    if status in SHIPPED_IN_FULL:
        return ordered
    return min(ordered, max(reported, tracked))


def lines_as_shipped(items: Iterable[OrderItem], status: S, tracked: Mapping[str, int]) -> list[OrderItem]:
    """The order's lines with ``shipped_units`` as their shipped quantity; ``tracked``: order item id -> units in
    the host's shipments."""
    return [
        replace(
            item,
            quantity_shipped=shipped_units(
                status,
                ordered=item.quantity_ordered,
                reported=item.quantity_shipped,
                tracked=tracked.get(item.order_item_id, 0),
            ),
        )
        for item in items
    ]


def merge_status(current: S | None, incoming: S) -> S:
    """The status to keep when Amazon reports ``incoming`` for an order stored as ``current``.

    Amazon lags behind our own shipment confirmations and never un-ships an order, so progress only moves forward;
    COMPLETED and CANCELED are final; ERROR (a payload we could not read) yields to any readable report.
    """
    if current is None or current is S.ERROR:
        return incoming
    if current in (S.COMPLETED, S.CANCELED):
        return current
    if incoming in CANCELED_STATUSES:
        return incoming if _PROGRESS.get(current, 0) < _PROGRESS[S.PARTIALLY_SHIPPED] else current
    if current is S.UNFULFILLABLE:
        return incoming
    return incoming if _PROGRESS.get(incoming, 0) >= _PROGRESS.get(current, 0) else current


def decide(
    *,
    status: S,
    channel: FulfillmentChannel,
    import_state: ImportState | None,
    import_enabled: bool,
    reserve: ReserveQuantity,
    reserved: bool,
    before_integration: bool,
) -> Action:
    """The creation table of DESIGN.md section 3 for one order, given where it stands now."""
    if import_state is None and before_integration:
        return Action.IGNORE
    if import_state is ImportState.IMPORTED:
        if status in CANCELED_STATUSES:
            return Action.CANCEL_COMMERCE
        return Action.KEEP
    if status in CANCELED_STATUSES:
        return Action.SKIP
    if status in (S.COMPLETED, S.ERROR):
        return Action.KEEP
    if not import_enabled:
        return Action.VIEW_ONLY
    if channel is FulfillmentChannel.AMAZON:
        return Action.IMPORT if status in (S.SHIPPED, S.INVOICE_UNCONFIRMED) else Action.WAIT
    if status in MERCHANT_IMPORTABLE:
        return Action.IMPORT
    if status is S.PENDING and reserve is ReserveQuantity.RESERVE and not reserved:
        return Action.RESERVE
    return Action.WAIT


def import_state_for(action: Action, current: ImportState | None) -> ImportState:
    """The import state an action leaves an order in (IMPORT's outcome is decided by the item checks)."""
    return {
        Action.WAIT: ImportState.WAITING,
        Action.RESERVE: ImportState.WAITING,
        Action.VIEW_ONLY: ImportState.VIEW_ONLY,
        Action.SKIP: ImportState.SKIPPED,
    }.get(action, current or ImportState.WAITING)


@dataclass(frozen=True, slots=True)
class ItemNeed:
    """One order item as the catalog sees it: which catalog SKU, how many units."""

    seller_sku: str
    catalog_sku: str
    qty: int


class StockLedger:
    """Salable quantities for one page of orders, so two orders in a page cannot both take the last unit.

    Starts from the host's salable quantity per SKU; an order's own pending reservation counts as available to
    that order (it becomes the order's deduction), and every accepted order consumes what it takes.
    """

    def __init__(self, salable: Mapping[str, int]) -> None:
        self._available = dict(salable)

    def available(self, sku: str, own_reserved: int = 0) -> int:
        return self._available.get(sku, 0) + own_reserved

    def take(self, needs: Mapping[str, int], own_reserved: Mapping[str, int]) -> None:
        for sku, qty in needs.items():
            self._available[sku] = self._available.get(sku, 0) + own_reserved.get(sku, 0) - qty

    def give_back(self, needs: Mapping[str, int], own_reserved: Mapping[str, int]) -> None:
        for sku, qty in needs.items():
            self._available[sku] = self._available.get(sku, 0) - own_reserved.get(sku, 0) + qty


def item_blockers(
    needs: Iterable[ItemNeed],
    products: Mapping[str, Product | None],
    ledger: StockLedger | None,
    own_reserved: Mapping[str, int],
) -> list[Blocker]:
    """One blocker per failing item: unknown product, disabled product, or not enough salable stock.

    ``ledger`` is None when stock does not matter (Amazon-fulfilled orders never touch merchant stock).
    Units already promised to earlier items of the same order count against later ones.
    """
    blockers: dict[tuple[BlockerKind, str], Blocker] = {}
    promised: dict[str, int] = {}
    for need in needs:
        product = products.get(need.catalog_sku)
        key_sku = need.seller_sku
        if product is None:
            via = "" if need.catalog_sku == need.seller_sku else f" (seller SKU {need.seller_sku!r})"
            blockers.setdefault(
                (BlockerKind.PRODUCT_NOT_FOUND, key_sku),
                Blocker(
                    BlockerKind.PRODUCT_NOT_FOUND,
                    need.seller_sku,
                    f"No catalog product has SKU {need.catalog_sku!r}{via}. "
                    "Create the product or match the seller SKU to one.",
                ),
            )
            continue
        if not product.enabled:
            blockers.setdefault(
                (BlockerKind.PRODUCT_DISABLED, key_sku),
                Blocker(
                    BlockerKind.PRODUCT_DISABLED,
                    need.seller_sku,
                    f"Product {product.sku!r} is disabled. Enable it to import this order.",
                ),
            )
            continue
        if ledger is None or not product.manage_stock:
            continue
        wanted = promised.get(need.catalog_sku, 0) + need.qty
        have = ledger.available(need.catalog_sku, own_reserved.get(need.catalog_sku, 0))
        if wanted > have:
            blockers.setdefault(
                (BlockerKind.OUT_OF_STOCK, key_sku),
                Blocker(
                    BlockerKind.OUT_OF_STOCK,
                    need.seller_sku,
                    f"Product {product.sku!r} has {max(have - promised.get(need.catalog_sku, 0), 0)} salable "
                    f"unit(s); this order needs {need.qty}.",
                ),
            )
            continue
        promised[need.catalog_sku] = wanted
    return list(blockers.values())


def quantities(needs: Iterable[ItemNeed], products: Mapping[str, Product | None]) -> dict[str, int]:
    """Units per stock-managed catalog SKU: what an import deducts or a reservation holds."""
    total: dict[str, int] = {}
    for need in needs:
        product = products.get(need.catalog_sku)
        if product is not None and product.manage_stock and need.qty > 0:
            total[need.catalog_sku] = total.get(need.catalog_sku, 0) + need.qty
    return total


def can_reserve(wanted: Mapping[str, int], ledger: StockLedger) -> bool:
    """Reserve a pending order only when every unit is salable, so reservations never exceed stock."""
    return all(ledger.available(sku) >= qty for sku, qty in wanted.items())


def status_after_shipment(items: Iterable[OrderItem], shipped: Mapping[str, int]) -> S:
    """SHIPPED once every ordered unit has shipped (by seller SKU, over all its lines), else PARTIALLY_SHIPPED."""
    ordered: dict[str, int] = {}
    for item in items:
        ordered[item.seller_sku] = ordered.get(item.seller_sku, 0) + item.quantity_ordered
    if all(shipped.get(sku, 0) >= qty for sku, qty in ordered.items()):
        return S.SHIPPED
    return S.PARTIALLY_SHIPPED


def ready_to_complete(status: S, import_state: ImportState, pending_confirmations: int) -> bool:
    """A shipped, imported order whose confirmations Amazon has all accepted is completed on the next cron.

    ``pending_confirmations`` counts every call Amazon has not accepted, queued or stuck: a refused confirmation
    keeps the order open (Amazon still says Unshipped) until a corrected resend is accepted.
    """
    return (
        import_state is ImportState.IMPORTED
        and status in (S.SHIPPED, S.INVOICE_UNCONFIRMED)
        and pending_confirmations == 0
    )


def system_message(store_names: Iterable[str]) -> str | None:
    """The admin banner while any store has orders that cannot be imported; None clears it."""
    names = sorted(set(store_names))
    if not names:
        return None
    return (
        "Your Amazon store(s) has orders that cannot be imported into Commerce. "
        f"See Recent Orders in the store dashboard(s): {', '.join(names)}"
    )


def cancel_refusal_message(refused_by_store: Mapping[str, int]) -> str | None:
    """The admin banner while Amazon refuses cancellations (the orders stay open there); None clears it."""
    return _counted_banner(
        refused_by_store,
        "Amazon refused {total} cancellation(s): those orders are still open on Amazon. "
        "See Amazon's reason on the order page: {names}",
    )


def refusal_message(stuck_by_store: Mapping[str, int]) -> str | None:
    """The admin banner while shipment confirmations are refused or unsent; None clears it."""
    return _counted_banner(
        stuck_by_store,
        "Amazon has not accepted {total} shipment confirmation(s), so those orders cannot complete. "
        "Correct and resend them from the order page: {names}",
    )


def _counted_banner(by_store: Mapping[str, int], template: str) -> str | None:
    total = sum(by_store.values())
    if not total:
        return None
    return template.format(total=total, names=", ".join(sorted(name for name, count in by_store.items() if count)))
