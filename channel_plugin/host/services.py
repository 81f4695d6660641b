"""The host services (hookspecs group 2) the reference host answers for the plugin.

Each joins the caller's unit of work through ``Database.transaction()``: the plugin calls them inside its
import, so an order, its stock deduction and the plugin's own bookkeeping commit or roll back together. None
of them fires a lifecycle hook; the plugin asked for the change and already knows about it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from channel_plugin.domain.model import (
    Address,
    CommerceOrderDraft,
    CommerceOrderRef,
    OrderStatusOption,
    Product,
    Shipment,
    StoreView,
)
from channel_plugin.errors import HostError
from channel_plugin.hookspecs import hookimpl
from channel_plugin.host import addresses, catalog, erasure, lookups
from channel_plugin.host.customers import Customers, StoreViews
from channel_plugin.host.order_reads import load_order
from channel_plugin.host.orders import Orders
from channel_plugin.host.schema import FINAL_STATES
from channel_plugin.host.sealing import BuyerSeal
from channel_plugin.host.statuses import StatusRegistry
from channel_plugin.storage.db import Database


class HostServices:
    """Registered on the plugin manager by ``ReferenceHost.register()``; an integrator may override any method
    with a ``tryfirst`` hookimpl of the same name."""

    def __init__(
        self,
        db: Database,
        store_views: StoreViews,
        statuses: StatusRegistry,
        customers: Customers,
        orders: Orders,
        seal: BuyerSeal,
    ) -> None:
        self._db = db
        self._seal = seal
        self._store_views = store_views
        self._statuses = statuses
        self._customers = customers
        self._orders = orders

    @hookimpl
    def commerce_find_product(self, sku: str, store_view: str) -> Product | None:
        with self._db.transaction(write=False) as conn:
            found = catalog.find(conn, sku)
        if found is None:
            return None
        return Product(sku=found.sku, name=found.name, enabled=found.enabled, manage_stock=found.manage_stock)

    @hookimpl
    def commerce_salable_qty(self, sku: str, store_view: str) -> int | None:
        with self._db.transaction(write=False) as conn:
            return catalog.salable(conn, sku, lock=True)

    @hookimpl
    def commerce_find_products(self, skus: Sequence[str], store_view: str) -> Mapping[str, Product] | None:
        """One statement for the whole list; SKUs the catalog lacks are absent from the answer."""
        with self._db.transaction(write=False) as conn:
            found = catalog.find_many(conn, skus)
        return {
            sku: Product(sku=p.sku, name=p.name, enabled=p.enabled, manage_stock=p.manage_stock)
            for sku, p in found.items()
        }

    @hookimpl
    def commerce_salable_qtys(self, skus: Sequence[str], store_view: str) -> Mapping[str, int] | None:
        """One statement locking every row in SKU order; SKUs the catalog lacks are absent from the answer."""
        with self._db.transaction(write=False) as conn:
            return catalog.salable_many_locked(conn, skus)

    @hookimpl
    def commerce_reserve(self, sku: str, qty: int, reference: str) -> bool | None:
        with self._db.transaction() as conn:
            return catalog.reserve(conn, sku, qty, reference)

    @hookimpl
    def commerce_release(self, reference: str) -> int | None:
        with self._db.transaction() as conn:
            return catalog.release(conn, reference)

    @hookimpl
    def commerce_find_or_create_customer(self, store_view: str, email: str, name: str | None) -> str | None:
        with self._db.transaction() as conn:
            return self._customers.find_or_create(conn, store_view, email, name)

    @hookimpl
    def commerce_create_order(self, draft: CommerceOrderDraft) -> CommerceOrderRef | None:
        with self._db.transaction() as conn:
            return self._orders.create(conn, draft)

    @hookimpl
    def commerce_create_orders(
        self, drafts: Sequence[CommerceOrderDraft]
    ) -> Sequence[CommerceOrderRef | HostError] | None:
        """A fixed handful of statements however many drafts; a refused draft is a HostError entry, not a raise."""
        with self._db.transaction() as conn:
            return self._orders.create_many(conn, drafts)

    @hookimpl
    def commerce_find_orders(self, references: Sequence[str]) -> Mapping[str, CommerceOrderRef] | None:
        """Orders by the ``external_reference`` stored with them: after a rolled-back import there are none."""
        with self._db.transaction(write=False) as conn:
            return lookups.orders_by_reference(conn, references)

    @hookimpl
    def commerce_order_shipments(self, order_ids: Sequence[str]) -> Mapping[str, Sequence[Shipment]] | None:
        with self._db.transaction(write=False) as conn:
            return lookups.shipments_of(conn, order_ids)

    @hookimpl
    def commerce_cancel_order(self, order_id: str) -> bool | None:
        """Idempotent: an order the admin already canceled reports True rather than an error."""
        with self._db.transaction() as conn:
            self._orders.cancel(conn, order_id)
        return True

    @hookimpl
    def commerce_complete_order(self, order_id: str) -> bool | None:
        with self._db.transaction() as conn:
            self._orders.complete(conn, order_id)
        return True

    @hookimpl
    def commerce_update_shipping_address(self, order_id: str, address: Address) -> bool | None:
        """The order ships to ``address`` from now on; refused once it is complete, canceled or closed."""
        with self._db.transaction() as conn:
            order = load_order(conn, order_id, self._seal, lock=True)
            if order.state in FINAL_STATES:
                raise HostError(
                    f"Commerce order {order.increment_id} is {order.state}: its address can no longer change"
                )
            addresses.replace_address(conn, int(order.id), address, self._seal)
        return True

    @hookimpl
    def commerce_erase_buyer_data(self, order_ids: Sequence[str]) -> int | None:
        with self._db.transaction() as conn:
            return erasure.erase_buyer_data(conn, order_ids)

    @hookimpl
    def commerce_order_statuses(self) -> Sequence[OrderStatusOption] | None:
        with self._db.transaction(write=False) as conn:
            return self._statuses.all(conn)

    @hookimpl
    def commerce_store_views(self) -> Sequence[StoreView] | None:
        return self._store_views.all
