"""Carry one page's decisions out, order by order, inside the page's unit of work.

The rules say what should happen (``domain.rules.decide``); this module asks the host to do it through
``Runtime.hooks``: reserve, release, create, complete or cancel. Each host write runs in a savepoint, so one order's
failure rolls back only that order, and the page goes on; a transient database error ends the page so that the
whole of it is retried.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection

from channel_plugin.domain.drafts import build_draft, external_reference, order_currency
from channel_plugin.domain.enums import AmazonOrderStatus as S
from channel_plugin.domain.enums import BlockerKind, CustomerCreation, FulfillmentChannel, ImportState
from channel_plugin.domain.model import AmazonOrder, Blocker, CommerceOrderDraft, CommerceOrderRef
from channel_plugin.domain.rules import (
    Action,
    ItemNeed,
    StockLedger,
    can_reserve,
    decide,
    import_state_for,
    item_blockers,
    quantities,
)
from channel_plugin.domain.settings import OrderSettings
from channel_plugin.engine.catalog import PageCatalog
from channel_plugin.engine.runtime import Runtime
from channel_plugin.errors import ChannelError, HostError
from channel_plugin.storage import intents
from channel_plugin.storage.blockers import DesiredBlocker
from channel_plugin.storage.orders import StoredRow
from channel_plugin.storage.stores import StoreRecord


@dataclass(slots=True)
class Work:
    """One order's state while its page is processed, and what must be written and announced afterwards."""

    pk: int
    order: AmazonOrder
    stored: StoredRow | None
    received: bool
    status: S
    import_state: ImportState
    store_id: int
    commerce_order_id: str | None = None
    commerce_increment_id: str | None = None
    reserved: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    completed_at: datetime | None = None
    events: list[tuple[str, str]] = field(default_factory=list)
    repeated: tuple[str, str] | None = None
    desired_blockers: list[DesiredBlocker] | None = None
    imported: CommerceOrderRef | None = None
    sku_map: dict[str, str] | None = None

    def event(self, kind: str, message: str) -> None:
        self.events.append((kind, message))

    def seen_again(self, kind: str, message: str) -> None:
        """The outcome the order's last event recorded, found again: counted on that event, not added."""
        self.repeated = (kind, message)

    @property
    def reference(self) -> str:
        return reservation_reference(self.store_id, self.order.amazon_order_id, self.stored)


def reservation_reference(store_id: int, amazon_order_id: str, stored: StoredRow | None) -> str:
    """``amazon:<store id>:<Amazon order id>``, so two stores holding the same order id never share a reservation.

    An order reserved before references named the store keeps the reference it was reserved under (stored with
    it), so releasing it still finds its units.
    """
    if stored is not None and stored.reservation_reference:
        return stored.reservation_reference
    return external_reference(store_id, amazon_order_id)


@dataclass
class PageContext:
    rt: Runtime
    store: StoreRecord
    settings: OrderSettings
    store_view: str
    catalog: PageCatalog
    ledger: StockLedger
    pending: list[Pending] = field(default_factory=list)


def plan(w: Work, ctx: PageContext) -> Action:
    return decide(
        status=w.status,
        channel=w.order.fulfillment_channel,
        import_state=None if w.stored is None else w.import_state,
        import_enabled=ctx.settings.import_enabled,
        reserve=ctx.settings.reserve_quantity,
        reserved=bool(w.reserved),
        before_integration=w.order.purchase_date < ctx.store.integrated_at,
    )


def carry_out(w: Work, action: Action, ctx: PageContext) -> None:
    if action in (Action.WAIT, Action.VIEW_ONLY, Action.SKIP, Action.RESERVE):
        if action in (Action.VIEW_ONLY, Action.SKIP):
            _release(w, ctx)
        new_state = import_state_for(action, w.import_state)
        if new_state is not w.import_state:
            w.import_state = new_state
            w.event(new_state.value, _STATE_MESSAGES[new_state])
        if action in (Action.VIEW_ONLY, Action.SKIP):
            w.desired_blockers = []  # nothing will be imported, so nothing blocks it: no banner, no open blockers
        if action is Action.RESERVE:
            _reserve(w, ctx)
    elif action is Action.IMPORT:
        _import(w, ctx)
    elif action is Action.CANCEL_COMMERCE:
        _cancel_commerce(w, ctx)


_STATE_MESSAGES = {
    ImportState.WAITING: "Stored; waiting for Amazon to release the order for shipping.",
    ImportState.VIEW_ONLY: "Stored as view-only: order import is disabled for this store.",
    ImportState.SKIPPED: "Not imported: Amazon canceled the order before it was imported.",
}


def _reserve(w: Work, ctx: PageContext) -> None:
    needs = ctx.catalog.needs(w.order)
    wanted = quantities(needs, ctx.catalog.products)
    if not wanted:
        return
    if ctx.catalog.problems_of(w.order) or not can_reserve(wanted, ctx.ledger):
        w.event("NOT_RESERVED", "Quantity not reserved: not every item is salable right now.")
        return
    try:
        ctx.rt.hooks.reserve(wanted, w.reference)
    except ChannelError as exc:
        w.event("NOT_RESERVED", f"Quantity not reserved: {exc}")
        return
    ctx.ledger.take(wanted, {})
    w.reserved = wanted
    units = sum(wanted.values())
    w.event("RESERVED", f"Reserved {units} unit(s) so the storefront cannot oversell them.")


def _release(w: Work, ctx: PageContext) -> None:
    if not w.reserved:
        return
    ctx.rt.hooks.release(w.reference)
    ctx.ledger.give_back(w.reserved, {})
    units = sum(w.reserved.values())
    w.reserved = {}
    w.event("RELEASED", f"Released the {units} reserved unit(s).")


def _block(w: Work, blockers: list[Blocker], catalog_sku: dict[str, str]) -> None:
    """A re-check that finds the order blocked for the same reasons counts on its last event instead of adding
    one: every cycle re-checks blocked orders, and one event per cycle buries the history in copies."""
    w.import_state = ImportState.BLOCKED
    w.desired_blockers = [DesiredBlocker(b, catalog_sku.get(b.seller_sku or "")) for b in blockers]
    message = "Not imported: " + "; ".join(b.message for b in blockers)
    stored = w.stored
    if stored is None or stored.import_state is not ImportState.BLOCKED or stored.notes != message:
        w.event("BLOCKED", message)
    elif not w.events:
        w.seen_again("BLOCKED", message)


def _import(w: Work, ctx: PageContext) -> None:
    """Check every item now (in purchase order, so the oldest order gets the last unit); create later, in bulk."""
    order = w.order
    catalog = ctx.catalog
    needs = catalog.needs(order)
    blockers = [Blocker(BlockerKind.HOST_ERROR, sku, msg) for sku, msg in catalog.problems_of(order).items()]
    merchant = order.fulfillment_channel is FulfillmentChannel.MERCHANT
    if not blockers:
        blockers = item_blockers(needs, catalog.products, ctx.ledger if merchant else None, w.reserved)
    if not blockers and order_currency(order) is None:
        blockers = [Blocker(BlockerKind.INVALID_ORDER_DATA, None, "The order carries no amounts or currency.")]
    if blockers:
        _block(w, blockers, catalog.catalog_sku)
        return
    wanted = quantities(needs, catalog.products) if merchant else {}
    own = w.reserved if merchant else {}
    ctx.ledger.take(wanted, own)
    pending = Pending(w, needs, wanted, own)
    try:
        pending.draft = _draft(w, ctx, needs)
    except ChannelError as exc:
        _refused(pending, ctx, exc)
        return
    ctx.pending.append(pending)


@dataclass(slots=True)
class Pending:
    """An order that passed every check, waiting for the page's Commerce orders to be created together."""

    work: Work
    needs: list[ItemNeed]
    wanted: dict[str, int]
    own: dict[str, int]
    draft: CommerceOrderDraft | None = None


def _draft(w: Work, ctx: PageContext, needs: list[ItemNeed]) -> CommerceOrderDraft:
    order = w.order
    customer_id = None
    if ctx.settings.customer_creation is CustomerCreation.NEW_ACCOUNT and order.buyer.email:
        customer_id = ctx.rt.hooks.find_or_create_customer(ctx.store_view, order.buyer.email, order.buyer.name)
    draft = build_draft(
        order,
        needs,
        ctx.catalog.products,
        ctx.settings,
        store_view=ctx.store_view,
        customer_id=customer_id,
        reservation_reference=w.reference if w.reserved else None,
        store_id=ctx.store.id,
    )
    reference = draft.external_reference
    built = ctx.rt.hooks.build_order(order, draft)
    built.external_reference = reference  # the one field no hook may change: it is how the host finds the order
    return built


def create_pending(ctx: PageContext) -> None:
    """Create every planned Commerce order of the page: one page-sized call, or one savepoint per order without it.

    Orders an earlier attempt may already have created in the host (``storage.intents``) are first looked up with
    ``commerce_find_orders`` and adopted; so are those of a page-sized call that failed, before they are created one
    by one, since a host on its own database may have committed some of them before it failed.
    """
    pending = [p for p in ctx.pending if p.draft is not None]
    ctx.pending.clear()
    if not pending:
        return
    first = intents.first_attempts(_conn(ctx), ctx.store.id, [p.work.order.amazon_order_id for p in pending])
    pending = _adopt_existing(ctx, pending, [p for p in pending if p.work.order.amazon_order_id not in first])
    hooks = ctx.rt.hooks
    results: list[CommerceOrderRef | ChannelError] | None = None
    if pending and hooks.creates_orders_at_once():
        results = hooks.create_orders([p.draft for p in pending if p.draft is not None])
        if results is None:
            pending = _adopt_existing(ctx, pending, pending)
    if results is None:
        results = [hooks.create_order(p.draft) for p in pending if p.draft is not None]
    for item, result in zip(pending, results, strict=True):
        if isinstance(result, CommerceOrderRef):
            _imported(item.work, ctx, item.needs, result)
        else:
            _refused(item, ctx, result)


def _conn(ctx: PageContext) -> Connection:
    conn = ctx.rt.db.current()
    if conn is None:
        raise RuntimeError("Commerce orders are only created inside a unit of work")
    return conn


def _adopt_existing(ctx: PageContext, pending: list[Pending], ask: list[Pending]) -> list[Pending]:
    """Ask the host which of ``ask`` already have a Commerce order; adopt those, and return what is left to create.

    A host that does not implement ``commerce_find_orders`` is taken at its word that a failed attempt left nothing
    behind (true of a host whose writes join the plugin's unit of work). When the host cannot answer, the orders
    asked about wait for the next attempt rather than risk a second Commerce order.
    """
    if not ask:
        return pending
    by_reference = {p.draft.external_reference: p for p in ask if p.draft is not None}
    try:
        found = ctx.rt.hooks.find_orders(sorted(r for r in by_reference if r is not None))
    except ChannelError as exc:
        for item in ask:
            _refused(item, ctx, HostLookupError(f"could not ask the host whether it already has the order: {exc}"))
        return [p for p in pending if p not in ask]
    if not found:
        return pending
    adopted = []
    for reference, ref in found.items():
        item = by_reference[reference]
        _imported(item.work, ctx, item.needs, ref, found=True)
        adopted.append(item)
    return [p for p in pending if p not in adopted]


class HostLookupError(ChannelError):
    """The host could not say whether an earlier attempt created the order; the import is retried later."""


def _refused(item: Pending, ctx: PageContext, reason: ChannelError) -> None:
    """A refusal (``HostError``) blocks the order with the host's message; an unexpected failure marks it FAILED."""
    w = item.work
    ctx.ledger.give_back(item.wanted, item.own)
    if isinstance(reason, HostError):
        _block(w, [Blocker(BlockerKind.HOST_ERROR, None, f"The host refused the order: {reason}")], {})
        return
    w.import_state = ImportState.FAILED
    w.error = str(reason)
    w.event("FAILED", f"Import failed and will be retried: {w.error}")


def _imported(w: Work, ctx: PageContext, needs: list[ItemNeed], ref: CommerceOrderRef, *, found: bool = False) -> None:
    w.import_state = ImportState.IMPORTED
    w.imported = ref
    w.sku_map = {n.seller_sku: n.catalog_sku for n in needs}
    w.commerce_order_id = ref.id
    w.commerce_increment_id = ref.increment_id
    w.reserved = {}
    w.error = None
    w.desired_blockers = []
    if found:
        w.event(
            "IMPORTED",
            f"Commerce order #{ref.increment_id} found in the host (an earlier attempt created it before it was "
            f"interrupted) and adopted, not created again; status {ref.status}.",
        )
    else:
        w.event("IMPORTED", f"Commerce order #{ref.increment_id} created with status {ref.status}.")
    if w.order.fulfillment_channel is FulfillmentChannel.MERCHANT:
        return
    try:
        ctx.rt.hooks.complete_order(ref.id)
    except ChannelError:
        w.event("COMPLETE_FAILED", "Fulfilled by Amazon, but the host did not complete the order; retried next cron.")
    else:
        w.status = S.COMPLETED
        w.completed_at = ctx.rt.clock()
        w.event("COMPLETED", f"Fulfilled by Amazon: Commerce order #{ref.increment_id} completed.")


def _cancel_commerce(w: Work, ctx: PageContext) -> None:
    if w.stored is not None and w.stored.status is S.CANCELED:
        return
    if w.commerce_order_id is None:
        raise RuntimeError("CANCEL_COMMERCE planned for an order that has no Commerce order")
    try:
        ctx.rt.hooks.cancel_order(w.commerce_order_id)
    except ChannelError as exc:
        w.error = f"{type(exc).__name__}: {exc}"
        w.event("CANCEL_FAILED", f"Amazon canceled the order but Commerce order could not be canceled: {exc}")
        return
    w.event(
        "CANCELED",
        f"Canceled by Amazon: Commerce order #{w.commerce_increment_id} canceled and its stock returned.",
    )
