"""The host services that make creation and shipment exactly-once across the host boundary.

One function per service: it calls the hook, checks the shape of the answer and returns plain data, so the engine
never trusts a host's answer unchecked. ``None`` means no host implements the service.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pluggy

from channel_plugin.domain.model import CommerceOrderRef, Shipment
from channel_plugin.errors import HostError


def find_orders(pm: pluggy.PluginManager, references: Sequence[str]) -> dict[str, CommerceOrderRef] | None:
    """The Commerce orders that already exist for these external references (absent ones have none)."""
    if not references:
        return {}
    found = pm.hook.commerce_find_orders(references=list(references))
    if found is None:
        return None
    if not isinstance(found, Mapping) or not all(isinstance(r, CommerceOrderRef) for r in found.values()):
        raise HostError(f"commerce_find_orders returned {type(found).__name__}; expected reference -> CommerceOrderRef")
    wanted = set(references)
    return {ref: order for ref, order in found.items() if ref in wanted}


def order_shipments(pm: pluggy.PluginManager, order_ids: Sequence[str]) -> dict[str, list[Shipment]] | None:
    """Every shipment the host holds for these Commerce orders (absent orders have none)."""
    if not order_ids:
        return {}
    found = pm.hook.commerce_order_shipments(order_ids=list(order_ids))
    if found is None:
        return None
    if not isinstance(found, Mapping) or not all(
        isinstance(shipments, Sequence) and all(isinstance(s, Shipment) for s in shipments)
        for shipments in found.values()
    ):
        raise HostError(
            f"commerce_order_shipments returned {type(found).__name__}; expected order id -> a list of Shipment"
        )
    wanted = set(order_ids)
    return {oid: list(shipments) for oid, shipments in found.items() if oid in wanted}
