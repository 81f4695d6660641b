# Hookspecs are signatures with docstrings; pluggy never calls their bodies.
# mypy: disable-error-code="empty-body"
"""Every hook of the ``commerce`` plugin manager, in three groups.

1. Host lifecycle: the host fires them, the channel plugin implements them.
2. Host services: the host implements them (``firstresult``); an integrator may override one with ``tryfirst``.
3. Channel hooks: the plugin fires them for integrators (prefix ``channel_``).

Hooks are always called with keyword arguments. Decision hooks (``channel_resolve_sku``,
``channel_build_order`` and the host services) run inside the plugin's unit of work; notification hooks
(``channel_order_received``, ``channel_order_imported``, ``channel_order_blocked``, ``channel_blocker_resolved``,
``channel_status_changed``, ``channel_amazon_call_refused``) fire only after that unit of work has committed,
so a rolled-back import notifies nobody. ``docs/hooks.md`` is generated from this module (``channel-plugin
export-hook-docs``); a test fails when the two drift apart.

Exactly-once at the host boundary, for a host on the plugin's database and for one on its own, is the contract of
``commerce_find_orders`` (creation) and ``commerce_order_shipments`` (shipments): read their docstrings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import pluggy

from channel_plugin.types import (
    Address,
    AmazonCall,
    AmazonOrder,
    AmazonOrderStatus,
    Blocker,
    BlockerRecord,
    CommerceOrderDraft,
    CommerceOrderRef,
    HostError,
    OrderStatusOption,
    Product,
    Shipment,
    StoreInfo,
    StoreView,
)

PROJECT_NAME = "commerce"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


# --- 1. Host lifecycle: the host fires these; the channel plugin implements them ---------------------------------


@hookspec
def commerce_startup(host: Any) -> None:
    """The host has started and its services answer.

    :param host: the host object; the plugin reads ``host.pm`` (the host's plugin manager) and ``host.config`` (a
        mapping of ``channel_plugin.*`` keys such as ``channel_plugin.database_url``) when it has one.

    Fired once each time the host starts, before any other lifecycle hook. The entry point object creates a plugin
    instance of this host's own (its database, its SP-API clients) and registers it on ``host.pm``, so several hosts
    in one process never share state. Firing it again before ``commerce_shutdown`` raises ``RuntimeError``.
    """


@hookspec
def commerce_shutdown() -> None:
    """The host is stopping.

    Fired once, after the last other lifecycle hook. The plugin closes its SP-API clients and database connections
    and unregisters its instance from the host's manager; a later ``commerce_startup`` starts a fresh one.
    """


@hookspec
def commerce_cron(now: datetime) -> None:
    """One cron cycle: pull every active store, import, re-check blockers, send queued shipments, complete orders.

    :param now: the host's current time, timezone-aware UTC.

    Fired by the host on the cadence of ``plugin.toml``'s ``[cron] interval_seconds``.
    """


@hookspec
def commerce_shipment_created(order_id: str, shipment: Shipment) -> None:
    """The host shipped (part of) a Commerce order.

    :param order_id: the Commerce order id.
    :param shipment: carrier (the host's code, mapped to Amazon's carrier codes; "Other" with its name when
        Amazon doesn't know it), tracking number and the shipped catalog SKUs with quantities; ``packages``
        when the shipment went out in several boxes, each with its own tracking number and items.

    Fired after the host's transaction has committed. The plugin records the tracking, marks the Amazon order
    ``SHIPPED`` or ``PARTIALLY_SHIPPED`` and queues one confirmation per package to Amazon, sent (and retried
    until Amazon accepts it) by the next cron. A shipment whose hook never fires (the host died after its commit)
    is found by the shipment reconciliation when the host answers ``commerce_order_shipments``.
    """


@hookspec
def commerce_order_canceled(order_id: str) -> None:
    """The host canceled a Commerce order (by an admin, not through the plugin).

    :param order_id: the Commerce order id.

    Fired after the host's transaction has committed.
    """


@hookspec
def commerce_product_saved(sku: str) -> None:
    """A catalog product was created or changed (enabled, disabled, renamed).

    :param sku: the catalog SKU.

    Fired after the host's transaction has committed; the plugin re-checks at once every order blocked on it.
    """


@hookspec
def commerce_stock_changed(sku: str) -> None:
    """A product's quantity changed.

    :param sku: the catalog SKU.

    Fired after the host's transaction has committed; the plugin re-checks at once every order blocked on it.
    """


@hookspec
def commerce_asgi_apps() -> Mapping[str, Any]:
    """ASGI applications to mount in the host's web server.

    :return: a mapping of mount path (``"/amazon/graphql"``) to an ASGI application; the host receives one
        mapping per implementing plugin.

    Called once when the host builds its web server.
    """


# --- 2. Host services: the host implements these (firstresult) ------------------------------------------------


@hookspec(firstresult=True)
def commerce_find_product(sku: str, store_view: str) -> Product | None:
    """Look a catalog product up by SKU.

    :param sku: the catalog SKU (after ``channel_resolve_sku``).
    :param store_view: the store view code orders are placed in.
    :return: the product, or None when the catalog has no such SKU. Stops at the first non-None result.

    Runs inside the plugin's unit of work; called once per distinct SKU per page of orders.
    """


@hookspec(firstresult=True)
def commerce_salable_qty(sku: str, store_view: str) -> int | None:
    """How many units can still be sold: stock on hand less open reservations.

    :param sku: the catalog SKU of a stock-managed product.
    :param store_view: the store view code orders are placed in.
    :return: the salable quantity (0 or more). Stops at the first non-None result.

    Runs inside the plugin's unit of work; a host with concurrent writers should lock the product's stock row
    until that unit of work ends, so that two importers cannot sell the same unit twice.
    """


@hookspec(firstresult=True)
def commerce_find_products(skus: Sequence[str], store_view: str) -> Mapping[str, Product] | None:
    """Look up many catalog products at once: what the importer calls for a page of orders.

    :param skus: distinct catalog SKUs, sorted.
    :param store_view: the store view code orders are placed in.
    :return: catalog SKU -> product for the SKUs that exist (absent ones are unknown). Stops at the first
        non-None result; when no implementation answers, the plugin calls ``commerce_find_product`` per SKU.

    Optional for a host, but a page of 100 orders then costs one call instead of one per SKU. Asked only when the
    plugin that would answer ``commerce_find_product`` first implements this one too, so an integrator who
    overrides just ``commerce_find_product`` with ``tryfirst`` is asked per SKU. Runs inside the plugin's unit of
    work.
    """


@hookspec(firstresult=True)
def commerce_salable_qtys(skus: Sequence[str], store_view: str) -> Mapping[str, int] | None:
    """Salable quantities of many stock-managed products at once, locked like ``commerce_salable_qty``.

    :param skus: distinct catalog SKUs of stock-managed products, sorted (lock them in this order).
    :param store_view: the store view code orders are placed in.
    :return: catalog SKU -> salable quantity (a SKU left out counts as 0). Stops at the first non-None result;
        when no implementation answers, the plugin calls ``commerce_salable_qty`` per SKU.

    Asked only when the plugin that would answer ``commerce_salable_qty`` first implements this one too, so an
    integrator who overrides just ``commerce_salable_qty`` with ``tryfirst`` is asked per SKU. Runs inside the
    plugin's unit of work.
    """


@hookspec(firstresult=True)
def commerce_reserve(sku: str, qty: int, reference: str) -> bool | None:
    """Reserve ``qty`` units of ``sku`` so the storefront cannot oversell a pending Amazon order.

    :param sku: the catalog SKU.
    :param qty: how many units (1 or more).
    :param reference: the reservation's reference (``amazon:<store id>:<Amazon order id>``); several SKUs may
        share one reference.
    :return: True when reserved. Stops at the first non-None result.

    Runs inside the plugin's unit of work.
    """


@hookspec(firstresult=True)
def commerce_release(reference: str) -> int | None:
    """Release every reservation made under ``reference``.

    :param reference: the reference given to ``commerce_reserve``.
    :return: how many units were released. Stops at the first non-None result.

    Runs inside the plugin's unit of work; releasing an unknown reference is not an error.
    """


@hookspec(firstresult=True)
def commerce_find_or_create_customer(store_view: str, email: str, name: str | None) -> str | None:
    """Find the website's customer with this email, or create one (the NEW_ACCOUNT customer creation setting).

    :param store_view: the store view the order is placed in; the customer belongs to its website.
    :param email: the buyer's email as Amazon gives it.
    :param name: the buyer's name, when Amazon gives one.
    :return: the customer id. Stops at the first non-None result.

    Runs inside the plugin's unit of work.
    """


@hookspec(firstresult=True)
def commerce_create_order(draft: CommerceOrderDraft) -> CommerceOrderRef | None:
    """Create the Commerce order for an Amazon order.

    :param draft: store view, customer, items with prices, totals, status, and whether to deduct stock; when
        ``draft.reservation_reference`` is set, the host releases that reservation in the same step so the
        reserved units become the order's own deduction and are never counted twice.
    :return: the created order's id, increment id and status. Stops at the first non-None result.

    Runs inside the plugin's unit of work. Raise ``channel_plugin.HostError`` to refuse with a message the merchant
    sees as a HOST_ERROR blocker; any other exception marks the import FAILED (its message kept, retried by the
    next cron), and an answer that is not a ``CommerceOrderRef`` is a HOST_ERROR naming this hook. A host on its own
    database stores ``draft.external_reference`` with the order and commits the whole order or nothing of it (see
    ``commerce_find_orders`` for why, and what the plugin guarantees in return).
    """


@hookspec(firstresult=True)
def commerce_create_orders(drafts: Sequence[CommerceOrderDraft]) -> Sequence[CommerceOrderRef | HostError] | None:
    """Create the Commerce orders for a page of Amazon orders with set-based writes.

    :param drafts: the drafts, each as ``commerce_create_order`` would receive it.
    :return: one entry per draft, in order: the created order, or a ``HostError`` refusing that draft (and leaving
        nothing of it behind). Stops at the first non-None result; when no implementation answers, the plugin
        calls ``commerce_create_order`` per draft, each in its own savepoint.

    Optional for a host, and asked only when the plugin that would answer ``commerce_create_order`` first
    implements this one too. Runs inside the plugin's unit of work, in one savepoint: if it raises, the plugin
    rolls the savepoint back and creates the page's orders one by one instead.
    """


@hookspec(firstresult=True)
def commerce_find_orders(references: Sequence[str]) -> Mapping[str, CommerceOrderRef] | None:
    """The Commerce orders that already exist for these external references.

    :param references: ``draft.external_reference`` values (``amazon:<store id>:<Amazon order id>``), sorted; at
        most a page of orders.
    :return: external reference -> the order created for it (absent references have none). Stops at the first
        non-None result; when no implementation answers, the plugin assumes a failed attempt left no order behind.

    Called inside the plugin's unit of work, before creating orders that an earlier attempt may have created
    (after a failure, a timeout or a restart), and after a ``commerce_create_orders`` call that raised. An
    integrator who overrides ``commerce_create_order`` to create orders elsewhere overrides this one too.

    **Exactly-once creation.** A page of orders is imported in one database transaction of the plugin (its unit
    of work), and the host services are called inside it. What that means depends on where the host keeps its
    data.

    *A host on the plugin's database* (the reference host, ``channel_plugin.host``) joins that transaction: its
    orders, stock and reservations commit or roll back with the plugin's bookkeeping, so an interrupted import
    leaves nothing behind in either, and exactly-once creation needs nothing more from it.

    *A host on its own database* commits on its own, and the plugin cannot roll that back: the host may commit a
    Commerce order and then fail, time out, or lose the plugin's process (kill -9) before the plugin commits that
    the order is IMPORTED. For that host the plugin guarantees one Commerce order per Amazon order like this:

    - every draft carries ``external_reference`` = ``amazon:<store id>:<Amazon order id>``, the same on every
      attempt and in every process (``channel_build_order`` cannot change it);
    - before each attempt's unit of work starts, the plugin commits, in a transaction of its own, one more attempt
      for every order that attempt may create (its *creation intents*). That record survives a rollback and a
      kill -9, which anything written inside the unit of work would not, and needs no second connection while the
      unit of work holds SQLite's write lock or PostgreSQL's row locks (that would block, or deadlock). Splitting
      decision and creation into separate transactions would also work, but would take from a host on the
      plugin's database the atomic import it has;
    - inside the unit of work, an order on its first attempt is created straight away: no earlier attempt can have
      reached the host, so the host is not asked. Any other order (an earlier attempt was counted and never ended
      IMPORTED), and every order of a ``commerce_create_orders`` call that raised, is first looked up here, in one
      page-sized call; an order the host already has is adopted (IMPORTED, with a history event saying it was
      found, not created) and only the rest are created. When this lookup raises, those orders stay FAILED and are
      retried by the next cron.

    A host on its own database must therefore store ``external_reference`` with the order and answer this hook,
    and make ``commerce_create_order`` (or each draft of ``commerce_create_orders``) commit the whole order or
    nothing of it. Without this hook, the plugin still never sends one Amazon order to the host twice within one
    attempt, and a host on the plugin's database stays exactly-once; but for a host on its own database an attempt
    that failed *after* the host committed is created again on retry (at-least-once, a possible duplicate).
    """


@hookspec(firstresult=True)
def commerce_order_shipments(order_ids: Sequence[str]) -> Mapping[str, Sequence[Shipment]] | None:
    """Every shipment the host holds for these Commerce orders, for the periodic shipment reconciliation.

    :param order_ids: Commerce order ids of imported orders not yet fully shipped; at most 100.
    :return: order id -> its shipments, each with the same ``id`` that ``commerce_shipment_created`` carried (or
        would have); orders without shipments may be absent. Stops at the first non-None result; when no
        implementation answers, shipments are known only through ``commerce_shipment_created``.

    Called by the cron cycle outside any unit of work, at most every 15 minutes per store, for the IMPORTED
    merchant orders not yet fully shipped and purchased within the last 30 days, 100 orders a call and at most
    2,000 orders a run. A host that commits a shipment and dies before firing ``commerce_shipment_created`` has it
    recorded and confirmed to Amazon by the next reconciliation. The plugin records one tracking row per (order,
    shipment id), whether it heard of the shipment through the hook or found it here, and queues one Amazon
    confirmation per tracking row: Amazon gets one confirmation per shipment package however the plugin learnt of
    it, on a host on the plugin's database or on its own. So the host must give a shipment the same ``id`` in the
    hook and here.
    """


@hookspec(firstresult=True)
def commerce_cancel_order(order_id: str) -> bool | None:
    """Cancel a Commerce order and return its stock.

    :param order_id: the Commerce order id.
    :return: True when canceled. Stops at the first non-None result.

    Runs inside the plugin's unit of work.
    """


@hookspec(firstresult=True)
def commerce_complete_order(order_id: str) -> bool | None:
    """Move a shipped Commerce order to the complete state.

    :param order_id: the Commerce order id.
    :return: True when completed. Stops at the first non-None result.

    Runs inside the plugin's unit of work.
    """


@hookspec(firstresult=True)
def commerce_update_shipping_address(order_id: str, address: Address) -> bool | None:
    """Ship a Commerce order to a corrected address (an admin fixed it in the plugin after the import).

    :param order_id: the Commerce order id, of an order the plugin created that has not shipped yet.
    :param address: the whole new address; fields the admin left empty are None.
    :return: True when the order now ships to ``address``. Stops at the first non-None result; when no
        implementation answers, the correction stays in the plugin's copy and the admin is told to make it in
        Commerce too.

    Optional for a host. Runs inside the unit of work that also writes the plugin's own copy: raise
    ``channel_plugin.HostError`` to refuse, and the plugin's copy does not change either (the admin sees the
    message). A host on the plugin's database changes its copy in that same transaction.
    """


@hookspec(firstresult=True)
def commerce_erase_buyer_data(order_ids: Sequence[str]) -> int | None:
    """Erase the buyer's name, email, addresses and phone from these Commerce orders (Amazon's Data Protection
    Policy: buyer data goes 30 days after an order ends).

    :param order_ids: Commerce order ids of orders the plugin created whose end of life was 30 days ago or more
        (delivered, canceled, or never shipped past their latest delivery date); at most 100.
    :return: how many orders were erased (already-erased and unknown ids count or not, as the host likes). Stops at
        the first non-None result; when no implementation answers, the host is assumed to keep no buyer data of
        its own or to erase it itself.

    Optional for a host. Called by the cron cycle inside the unit of work that erases the plugin's own copy of the
    same orders, right after it: raise and the plugin's erasure of the page rolls back too, and both are tried
    again next cycle. Must be idempotent: an order may be named again after a rollback. A customer account the
    host created only for these orders is buyer data too.
    """


@hookspec(firstresult=True)
def commerce_order_statuses() -> Sequence[OrderStatusOption] | None:
    """Every order status the host knows, with its state, for the custom processing status setting.

    :return: the statuses. Stops at the first non-None result.
    """


@hookspec(firstresult=True)
def commerce_store_views() -> Sequence[StoreView] | None:
    """Every store view of the host, with its website and whether it is the website's default.

    :return: the store views. Stops at the first non-None result.
    """


# --- 3. Channel hooks: the plugin fires these for integrators -------------------------------------------------


@hookspec(firstresult=True)
def channel_resolve_sku(store: StoreInfo, seller_sku: str) -> str | None:
    """Map an Amazon seller SKU to the catalog SKU to import it as.

    :param store: the Amazon store the order belongs to.
    :param seller_sku: the seller SKU on the Amazon order item.
    :return: the catalog SKU, or None to fall through to the next implementation (and finally to the seller SKU
        itself). Stops at the first non-None result. Not called for a seller SKU an admin matched to a product
        (``matchProduct``): the merchant's explicit choice wins over every rule.

    Runs inside the import's unit of work, once per distinct seller SKU per page.
    """


@hookspec
def channel_order_received(order: AmazonOrder) -> None:
    """An Amazon order was stored for the first time, or Amazon reported a change to it.

    :param order: the order as Amazon described it.

    Fires after commit, once per stored change (a redelivered, unchanged payload does not fire it again).
    """


@hookspec(firstresult=True)
def channel_build_order(order: AmazonOrder, draft: CommerceOrderDraft) -> CommerceOrderDraft | None:
    """Adjust the Commerce order draft before the host creates it.

    :param order: the Amazon order being imported.
    :param draft: the draft the plugin built from the order settings; change it in place.
    :return: the draft to create. The plugin's own implementation runs last and returns ``draft``; wrap it with
        ``@hookimpl(wrapper=True)`` to see and replace the result, or change ``draft`` in place and return None.

    Runs inside the import's unit of work, once per import attempt that passed every blocker check.
    """


@hookspec
def channel_order_imported(order: AmazonOrder, commerce_order: CommerceOrderRef) -> None:
    """A Commerce order was created for an Amazon order.

    :param order: the Amazon order.
    :param commerce_order: the host's id, increment id and status of the new Commerce order.

    Fires after commit, once per Amazon order.
    """


@hookspec
def channel_order_blocked(order: AmazonOrder, blockers: Sequence[Blocker]) -> None:
    """An Amazon order could not be imported and is now BLOCKED.

    :param order: the Amazon order.
    :param blockers: one per failing item (PRODUCT_NOT_FOUND, PRODUCT_DISABLED, OUT_OF_STOCK, INVALID_ORDER_DATA,
        HOST_ERROR) with the seller SKU and a message.

    Fires after commit when an order becomes blocked or its set of blockers changes; re-checks that find the same
    blockers do not fire it again.
    """


@hookspec
def channel_blocker_resolved(order: AmazonOrder, blocker: BlockerRecord) -> None:
    """A blocker no longer holds (the product appeared, was enabled, got stock, or the SKU was matched).

    :param order: the Amazon order.
    :param blocker: the stored blocker, with ``resolved_at`` set.

    Fires after commit, once per blocker.
    """


@hookspec
def channel_status_changed(order: AmazonOrder, old: AmazonOrderStatus, new: AmazonOrderStatus) -> None:
    """A stored Amazon order's status changed (from Amazon, a shipment, a completion or a cancel).

    :param order: the Amazon order.
    :param old: the status before.
    :param new: the status now.

    Fires after commit, once per change; not for an order's first arrival (see ``channel_order_received``).
    """


@hookspec
def channel_amazon_call_refused(order: AmazonOrder, call: AmazonCall, message: str) -> None:
    """A call to Amazon stopped for good: Amazon refused it (a 4xx other than 429, or a cancellation its feed's
    processing report refused), or it failed on throttling, server errors or the network at every attempt and the
    plugin stopped retrying.

    :param order: the Amazon order the call was about; it is not completed while the call is stuck.
    :param call: the call, with its operation, stable reference, payload and ``problem`` code: a shipment
        confirmation (``confirmShipment``, reference the ``packageReferenceId``) or a cancellation (``createFeed``,
        reference the feed message id, problem ``CANCEL_REJECTED``).
    :param message: Amazon's message (or the last failure), for the merchant.

    Fires after commit, once per refusal; again only if a corrected resend is refused too. An admin resends a
    shipment with the ``resendShipmentConfirmation`` mutation, which keeps the same ``packageReferenceId``, and may
    cancel a refused order again.
    """
