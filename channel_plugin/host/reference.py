"""The embedded reference Commerce host: what the demo, the Sandbox and the tests run the plugin on.

It is also the worked example for a real host's developers: the host services it registers are the
contract, and its admin actions show when a host fires its lifecycle hooks (after its own transaction has
committed, so a plugin reacting to one always sees the committed change).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pluggy
from sqlalchemy import Connection

from channel_plugin.domain.model import Shipment, StoreView
from channel_plugin.errors import HostError
from channel_plugin.host import catalog
from channel_plugin.host.customers import DEFAULT_STORE_VIEWS, Customers, StoreViews
from channel_plugin.host.order_reads import all_orders, find_order
from channel_plugin.host.orders import Orders
from channel_plugin.host.schema import metadata
from channel_plugin.host.sealing import BuyerSeal
from channel_plugin.host.services import HostServices
from channel_plugin.host.shipments import ShipmentExtras, Shipments
from channel_plugin.host.statuses import StatusRegistry
from channel_plugin.host.views import CustomerView, OrderView, ProductView
from channel_plugin.storage.crypto import BuyerDataCipher, generate_key
from channel_plugin.storage.db import Database


def _utc_now() -> datetime:
    return datetime.now(UTC)


class ReferenceHost:
    """A small Commerce host sharing one ``Database`` with the plugin.

    :param db: the database; the host's ``host_*`` tables live beside the plugin's.
    :param pm: the ``commerce`` plugin manager, with the hookspecs already added.
    :param clock: the host's time, timezone-aware UTC (the Sandbox passes its own clock).
    :param store_views: the host's store views; two on website ``base`` by default.
    :param config: the host configuration the plugin reads at startup (``channel_plugin.*`` keys).
    :param cipher: encrypts the host's buyer data at rest; a host whose database outlives the process passes
        the same key every time (the embedded host and the Sandbox pass the plugin's). By default, a new key.
    """

    def __init__(
        self,
        db: Database,
        pm: pluggy.PluginManager,
        *,
        clock: Callable[[], datetime] = _utc_now,
        store_views: Sequence[StoreView] | None = None,
        config: Mapping[str, str] | None = None,
        cipher: BuyerDataCipher | None = None,
    ) -> None:
        seal = BuyerSeal(cipher or BuyerDataCipher([generate_key()]))
        self.config: dict[str, str] = dict(config or {})
        self._db = db
        self._pm = pm
        self._clock = clock
        self._store_views = StoreViews(DEFAULT_STORE_VIEWS if store_views is None else store_views)
        self._statuses = StatusRegistry()
        self._seal = seal
        self._customers = Customers(self._store_views, seal, is_sqlite=db.is_sqlite)
        self._orders = Orders(self._statuses, self._store_views, clock, seal, is_sqlite=db.is_sqlite)
        self._shipments = Shipments(clock, seal)
        self._services = HostServices(db, self._store_views, self._statuses, self._customers, self._orders, seal)

    @property
    def pm(self) -> pluggy.PluginManager:
        """The plugin manager, which a plugin reaches through the ``host`` passed to ``commerce_startup``."""
        return self._pm

    @property
    def store_views(self) -> tuple[StoreView, ...]:
        return self._store_views.all

    # --- running --------------------------------------------------------------------------------------------

    def create_schema(self) -> None:
        """Create the host tables that are missing and seed the order statuses; safe to run again."""
        metadata.create_all(self._db.engine)
        with self._admin_transaction() as conn:
            self._statuses.seed(conn)

    def register(self) -> None:
        """Put the host services on the plugin manager, as a host does before loading any plugin."""
        self._pm.register(self._services, name="reference_host")

    def start(self) -> None:
        self._pm.hook.commerce_startup(host=self)

    def stop(self) -> None:
        """Tell the plugins the host is stopping; ``start`` may follow again."""
        self._pm.hook.commerce_shutdown()

    def run_cron(self, now: datetime | None = None) -> None:
        self._pm.hook.commerce_cron(now=self._clock() if now is None else now)

    # --- admin actions: each commits, then fires its lifecycle hook -----------------------------------------

    def add_product(
        self, sku: str, qty: int = 0, enabled: bool = True, manage_stock: bool = True, name: str | None = None
    ) -> None:
        with self._admin_transaction() as conn:
            catalog.add(conn, sku=sku, name=name or sku, qty=qty, enabled=enabled, manage_stock=manage_stock)
        self._pm.hook.commerce_product_saved(sku=sku)

    def set_stock(self, sku: str, qty: int) -> None:
        with self._admin_transaction() as conn:
            catalog.set_stock(conn, sku, qty)
        self._pm.hook.commerce_stock_changed(sku=sku)

    def set_enabled(self, sku: str, enabled: bool) -> None:
        with self._admin_transaction() as conn:
            catalog.set_enabled(conn, sku, enabled)
        self._pm.hook.commerce_product_saved(sku=sku)

    def add_status(self, code: str, label: str, state: str) -> None:
        """A custom order status, e.g. for the plugin's custom processing status setting."""
        with self._admin_transaction() as conn:
            self._statuses.add(conn, code, label, state)

    def ship(
        self,
        commerce_order_id: str,
        carrier: str,
        tracking: str,
        items: Mapping[str, int] | None = None,
        *,
        packages: Sequence[Mapping[str, Any]] | None = None,
        shipping_method: str | None = None,
        transparency_codes: Mapping[str, Sequence[str]] | None = None,
    ) -> Shipment:
        """Ship ``items`` (catalog SKU -> units) or, when None, everything not yet shipped.

        ``packages`` splits the shipment into boxes, each ``{"tracking": ..., "items": {sku: units}}`` (and
        optionally ``"carrier"`` and ``"shipping_method"``); the shipment then holds what the boxes hold and
        ``items`` must be None. ``shipping_method`` is the carrier's service; ``transparency_codes`` (catalog SKU
        -> codes, one per unit) go to Amazon with the units they belong to, box by box.
        """
        extras = ShipmentExtras(
            shipping_method, {sku: list(codes) for sku, codes in (transparency_codes or {}).items()}
        )
        with self._admin_transaction() as conn:
            shipment = self._shipments.ship(conn, commerce_order_id, carrier, tracking, items, packages, extras)
        self._pm.hook.commerce_shipment_created(order_id=commerce_order_id, shipment=shipment)
        return shipment

    def cancel(self, commerce_order_id: str) -> None:
        """Cancel as an admin would: unshipped stock goes back, and the plugin hears of both changes."""
        with self._admin_transaction() as conn:
            restocked = self._orders.cancel(conn, commerce_order_id)
            if restocked is None:
                raise HostError(f"Commerce order {commerce_order_id} is already canceled")
        self._pm.hook.commerce_order_canceled(order_id=commerce_order_id)
        for sku in restocked:
            self._pm.hook.commerce_stock_changed(sku=sku)

    # --- reading -------------------------------------------------------------------------------------------

    def salable_qty(self, sku: str) -> int:
        with self._db.transaction(write=False) as conn:
            qty = catalog.salable(conn, sku, lock=False)
        if qty is None:
            raise HostError(f"no product with SKU {sku}")
        return qty

    def product(self, sku: str) -> ProductView | None:
        with self._db.transaction(write=False) as conn:
            return catalog.find(conn, sku)

    def order(self, commerce_order_id: str) -> OrderView | None:
        with self._db.transaction(write=False) as conn:
            return find_order(conn, commerce_order_id, self._seal)

    def orders(self) -> list[OrderView]:
        with self._db.transaction(write=False) as conn:
            return all_orders(conn, self._seal)

    def customers(self) -> list[CustomerView]:
        with self._db.transaction(write=False) as conn:
            return self._customers.all(conn)

    @contextmanager
    def _admin_transaction(self) -> Iterator[Connection]:
        """The admin action's own unit of work: its hook must fire after a commit, not inside a caller's."""
        if self._db.current() is not None:
            raise RuntimeError("host admin actions commit on their own; call them outside db.transaction()")
        with self._db.transaction() as conn:
            yield conn
