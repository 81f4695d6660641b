"""Read-only snapshots of host data for the Sandbox and tests.

Frozen so that a test holding one cannot mistake it for a live row: asking again is the way to see a change.
Ids are strings because that is how the host contract passes them (``CommerceOrderRef.id``, customer ids).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from channel_plugin.domain.model import Address


@dataclass(frozen=True, slots=True)
class ProductView:
    sku: str
    name: str
    enabled: bool
    manage_stock: bool
    qty: int
    reserved: int

    @property
    def salable_qty(self) -> int:
        """Never below zero: the merchant may set stock under what is already reserved."""
        return max(0, self.qty - self.reserved)


@dataclass(frozen=True, slots=True)
class CustomerView:
    id: str
    website: str
    email: str
    name: str | None


@dataclass(frozen=True, slots=True)
class OrderItemView:
    id: int
    sku: str
    name: str
    qty: int
    qty_shipped: int
    qty_canceled: int
    unit_price: Decimal

    @property
    def qty_to_ship(self) -> int:
        return self.qty - self.qty_shipped - self.qty_canceled


@dataclass(frozen=True, slots=True)
class OrderView:
    id: str
    increment_id: str
    store_view: str
    state: str
    status: str
    customer_id: str | None
    customer_email: str | None
    customer_name: str | None
    currency: str
    grand_total: Decimal
    amazon_order_id: str | None
    stock_deducted: bool
    created_at: datetime
    updated_at: datetime
    items: tuple[OrderItemView, ...]
    shipping_address: Address | None = None
