"""Every type a hook receives or returns, in one public module: what hosts and integrators import.

``from channel_plugin.types import AmazonOrder, CommerceOrderDraft`` is the supported spelling; where the types are
defined inside the package may change. ``docs/hooks.md`` describes each of them field by field, and a test fails
when a hook can reach a type that is missing here or undocumented there.
"""

from __future__ import annotations

from channel_plugin.domain.calls import AmazonCall
from channel_plugin.domain.enums import AmazonOrderStatus, BlockerKind, FulfillmentChannel, OrderProblemCode
from channel_plugin.domain.model import (
    Address,
    AmazonOrder,
    Blocker,
    BlockerRecord,
    Buyer,
    CommerceOrderDraft,
    CommerceOrderRef,
    DraftItem,
    Money,
    OrderItem,
    OrderStatusOption,
    Product,
    Shipment,
    ShipmentItem,
    ShipmentPackage,
    StoreInfo,
    StoreView,
)
from channel_plugin.errors import HostError

# docs/hooks.md describes them in this (alphabetical) order.
__all__ = [
    "Address",
    "AmazonCall",
    "AmazonOrder",
    "AmazonOrderStatus",
    "Blocker",
    "BlockerKind",
    "BlockerRecord",
    "Buyer",
    "CommerceOrderDraft",
    "CommerceOrderRef",
    "DraftItem",
    "FulfillmentChannel",
    "HostError",
    "Money",
    "OrderItem",
    "OrderProblemCode",
    "OrderStatusOption",
    "Product",
    "Shipment",
    "ShipmentItem",
    "ShipmentPackage",
    "StoreInfo",
    "StoreView",
]
