"""Shipping (part of) an order: the admin action that ends in ``commerce_shipment_created``.

Stock is not touched here: it left the salable pool when the order was created, shipped or not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, update

from channel_plugin.domain.model import Shipment, ShipmentItem, ShipmentPackage
from channel_plugin.errors import HostError
from channel_plugin.host.order_reads import load_order
from channel_plugin.host.schema import FINAL_STATES, order_items, shipment_items, shipments
from channel_plugin.host.sealing import BuyerSeal
from channel_plugin.host.views import OrderView

_INSERT_SHIPMENT = insert(shipments).returning(shipments.c.id)
_INSERT_ITEMS = insert(shipment_items)
_MARK_SHIPPED = (
    update(order_items)
    .where(order_items.c.id == bindparam("b_id"))
    .values(qty_shipped=order_items.c.qty_shipped + bindparam("b_qty"))
)


@dataclass(frozen=True, slots=True)
class ShipmentExtras:
    """What a shipment may carry beyond its units: the ship method and Transparency codes per catalog SKU."""

    shipping_method: str | None = None
    transparency_codes: Mapping[str, Sequence[str]] = field(default_factory=dict)


class Shipments:
    def __init__(self, clock: Callable[[], datetime], seal: BuyerSeal) -> None:
        self._clock = clock
        self._seal = seal

    def ship(
        self,
        conn: Connection,
        order_id: str,
        carrier: str,
        tracking_number: str,
        items: Mapping[str, int] | None,
        packages: Sequence[Mapping[str, Any]] | None = None,
        extras: ShipmentExtras = ShipmentExtras(),
    ) -> Shipment:
        """Ship ``items`` (catalog SKU -> units), or everything not yet shipped when None."""
        boxes = _packages(packages) if packages is not None else ()
        if boxes:
            if items is not None:
                raise HostError("give either items or packages, not both")
            total: Counter[str] = Counter()
            for box in boxes:
                for content in box.items:
                    total[content.sku] += content.qty
            items = dict(total)
        order = load_order(conn, order_id, self._seal, lock=True)
        if order.state in FINAL_STATES:
            raise HostError(f"order {order.increment_id} is {order.state} and cannot be shipped")
        per_line = _allocate(order, items)
        now = self._clock()
        shipment_id = conn.execute(
            _INSERT_SHIPMENT,
            {
                "order_id": int(order.id),
                "carrier": carrier,
                "tracking_number": tracking_number,
                "created_at": now,
            },
        ).scalar_one()
        conn.execute(
            _INSERT_ITEMS,
            [{"shipment_id": shipment_id, "order_item_id": line, "qty": qty} for line, qty in per_line.items()],
        )
        conn.execute(_MARK_SHIPPED, [{"b_id": line, "b_qty": qty} for line, qty in per_line.items()])
        shipped: Counter[str] = Counter()
        skus = {item.id: item.sku for item in order.items}
        for line, qty in per_line.items():
            shipped[skus[line]] += qty
        contents = tuple(ShipmentItem(sku, qty) for sku, qty in shipped.items())
        codes = extras.transparency_codes
        return Shipment(
            id=str(shipment_id),
            carrier=carrier,
            tracking_number=tracking_number,
            items=_with_codes(contents, codes),
            shipped_at=now,
            packages=_boxes_with_codes(boxes, codes),
            shipping_method=extras.shipping_method,
        )


def _with_codes(items: tuple[ShipmentItem, ...], codes: Mapping[str, Sequence[str]]) -> tuple[ShipmentItem, ...]:
    """The items with their SKU's Transparency codes; more codes than units shipped is the host admin's mistake."""
    left = {sku: list(found) for sku, found in codes.items()}
    result = tuple(_take_codes(item, left) for item in items)
    extra = sorted(sku for sku, found in left.items() if found)
    if extra:
        raise HostError(f"more Transparency codes than units shipped for {', '.join(extra)}")
    return result


def _boxes_with_codes(
    boxes: tuple[ShipmentPackage, ...], codes: Mapping[str, Sequence[str]]
) -> tuple[ShipmentPackage, ...]:
    """Each box takes, in order, as many of its SKUs' codes as it holds units."""
    left = {sku: list(found) for sku, found in codes.items()}
    return tuple(replace(box, items=tuple(_take_codes(item, left) for item in box.items)) for box in boxes)


def _take_codes(item: ShipmentItem, left: dict[str, list[str]]) -> ShipmentItem:
    pool = left.get(item.sku, [])
    taken, left[item.sku] = pool[: item.qty], pool[item.qty :]
    return replace(item, transparency_codes=tuple(taken)) if taken else item


def _packages(packages: Sequence[Mapping[str, Any]]) -> tuple[ShipmentPackage, ...]:
    boxes = []
    for number, package in enumerate(packages, 1):
        tracking = package.get("tracking")
        contents = package.get("items")
        if not isinstance(tracking, str) or not tracking.strip():
            raise HostError(f"package {number} needs a tracking number")
        if not isinstance(contents, Mapping) or not contents:
            raise HostError(f"package {number} needs items (catalog SKU -> units)")
        carrier, method = package.get("carrier"), package.get("shipping_method")
        boxes.append(
            ShipmentPackage(
                tracking.strip(),
                tuple(ShipmentItem(str(sku), int(qty)) for sku, qty in contents.items()),
                str(carrier) if carrier else None,
                str(method) if method else None,
            )
        )
    if not boxes:
        raise HostError("packages, when given, must list at least one package")
    return tuple(boxes)


def _allocate(order: OrderView, items: Mapping[str, int] | None) -> dict[int, int]:
    """Units to ship per order line id; a SKU on several lines fills them in order.

    Refuses, naming every problem at once, anything the order does not have left to ship.
    """
    if items is None:
        items = Counter()
        for item in order.items:
            if item.qty_to_ship > 0:
                items[item.sku] += item.qty_to_ship
        if not items:
            raise HostError(f"order {order.increment_id} has nothing left to ship")
    elif not items:
        raise HostError("a shipment needs at least one item")
    per_line: dict[int, int] = {}
    problems = []
    for sku, qty in items.items():
        lines = [item for item in order.items if item.sku == sku]
        left = sum(item.qty_to_ship for item in lines)
        if not lines:
            problems.append(f"order {order.increment_id} has no item {sku}")
        elif qty < 1 or qty > left:
            problems.append(f"cannot ship {qty} units of {sku}: {left} left to ship")
        for line in lines:
            take = min(qty, line.qty_to_ship)
            if take > 0:
                per_line[line.id] = take
                qty -= take
    if problems:
        raise HostError("; ".join(problems))
    return per_line
