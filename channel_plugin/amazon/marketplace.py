"""An in-process Amazon marketplace: orders that tests and the demo add and change, served like ``searchOrders``.

It keeps Amazon's behaviours that the sync must cope with: every change stamps the order's last-updated time from
the marketplace clock, searches only accept windows that end at least two minutes before now, results come in
pages with a pagination token, and writes (shipment confirmations, cancellations) change what later searches see.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from channel_plugin.amazon.client import SearchPage
from channel_plugin.amazon.payloads import order_id_of
from channel_plugin.domain.enums import AmazonOrderStatus, parse_amazon_status

PAGE_SIZE = 100
MIN_AGE = timedelta(minutes=2)

_V2026_SPELLING = {AmazonOrderStatus.CANCELED: "CANCELLED"}
_V0_SPELLING = {
    AmazonOrderStatus.PENDING: "Pending",
    AmazonOrderStatus.PENDING_AVAILABILITY: "PendingAvailability",
    AmazonOrderStatus.UNSHIPPED: "Unshipped",
    AmazonOrderStatus.PARTIALLY_SHIPPED: "PartiallyShipped",
    AmazonOrderStatus.SHIPPED: "Shipped",
    AmazonOrderStatus.CANCELED: "Canceled",
    AmazonOrderStatus.UNFULFILLABLE: "Unfulfillable",
    AmazonOrderStatus.INVOICE_UNCONFIRMED: "InvoiceUnconfirmed",
}


_CANCELABLE = frozenset(
    {
        AmazonOrderStatus.PENDING,
        AmazonOrderStatus.PENDING_AVAILABILITY,
        AmazonOrderStatus.UNSHIPPED,
        AmazonOrderStatus.CANCELED,
    }
)


class CancelRefused(Exception):
    """Amazon processed a cancellation and refused it; the message is what its processing report says."""


def _status_of(payload: Any) -> AmazonOrderStatus | None:
    status = payload.get("OrderStatus") or (payload.get("fulfillment") or {}).get("fulfillmentStatus")
    try:
        return parse_amazon_status(str(status))
    except ValueError:
        return None


def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(slots=True)
class _Entry:
    payload: str
    updated_at: datetime
    seq: int


@dataclass
class FakeMarketplace:
    """One seller account's orders. Payloads are kept as given (v2026 or v0 shape, valid or not)."""

    clock: Callable[[], datetime]
    page_size: int = PAGE_SIZE
    _orders: dict[str, _Entry] = field(default_factory=dict)
    _log: list[tuple[datetime, int, str]] = field(default_factory=list)
    _seq: int = 0
    confirmations: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    cancellations: list[tuple[str, str]] = field(default_factory=list)
    search_calls: int = 0
    _packages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    _refusals: dict[str, str] = field(default_factory=dict)

    def put_order(self, order: Any, *, updated_at: datetime | None = None) -> str:
        """Add or replace an order, stamped as last updated now. Returns the key it is stored under.

        ``updated_at`` in the past is Amazon's lag: an order changed then that searches only see from now on.
        """
        payload = json.loads(json.dumps(order))
        key = order_id_of(payload) or f"<no id #{self._seq + 1}>"
        when = updated_at or self.clock()
        if when > self.clock():
            raise ValueError("an order cannot be updated in the future")
        self._stamp(payload, when)
        self._store(key, payload, when)
        return key

    def put_orders(self, orders: Sequence[Any]) -> None:
        for order in orders:
            self.put_order(order)

    def set_status(self, amazon_order_id: str, status: str) -> None:
        """Change an order's status; ``status`` in either API's spelling ("UNSHIPPED", "Unshipped", "Canceled")."""
        self._change(amazon_order_id, self.payload(amazon_order_id), parse_amazon_status(status))

    def _change(self, amazon_order_id: str, payload: Any, status: AmazonOrderStatus) -> None:
        if "AmazonOrderId" in payload:
            payload["OrderStatus"] = _V0_SPELLING[status]
        else:
            payload.setdefault("fulfillment", {})["fulfillmentStatus"] = _V2026_SPELLING.get(status, status.value)
        self._stamp(payload)
        self._store(amazon_order_id, payload)

    def payload(self, amazon_order_id: str) -> Any:
        """A copy of the order as the marketplace holds it now."""
        try:
            return json.loads(self._orders[amazon_order_id].payload)
        except KeyError:
            raise KeyError(f"the marketplace has no order {amazon_order_id!r}") from None

    def search_orders(
        self,
        *,
        marketplace_ids: Sequence[str],
        last_updated_after: datetime,
        last_updated_before: datetime,
        pagination_token: str | None = None,
    ) -> SearchPage:
        self.search_calls += 1
        if last_updated_before > self.clock() - MIN_AGE:
            raise ValueError("lastUpdatedBefore must be at least 2 minutes before the current time")
        if pagination_token is None:
            position = bisect.bisect_left(self._log, (last_updated_after,))
        else:
            try:
                position = int(pagination_token)
            except ValueError:
                raise ValueError(f"invalid pagination token {pagination_token!r}") from None
        page: list[Any] = []
        while position < len(self._log) and len(page) < self.page_size:
            updated_at, seq, key = self._log[position]
            position += 1
            if updated_at >= last_updated_before:
                break
            entry = self._orders[key]
            if entry.seq == seq:  # the latest version of this order, not one it has since replaced
                page.append(json.loads(entry.payload))
        more = position < len(self._log) and self._log[position][0] < last_updated_before
        return SearchPage(page, str(position) if more and len(page) == self.page_size else None)

    def confirm_shipment(self, amazon_order_id: str, payload: Mapping[str, Any]) -> None:
        """One package; a package sent again under the same ``packageReferenceId`` replaces the first."""
        order = self.payload(amazon_order_id)
        package = dict(payload)
        key = (amazon_order_id, str(package.get("packageReferenceId")))
        if key in self._packages:
            self.confirmations = [c for c in self.confirmations if (c[0], str(c[1].get("packageReferenceId"))) != key]
        self._packages[key] = package
        self.confirmations.append((amazon_order_id, package))
        shipped: dict[str, int] = {}
        for (order_id, _), sent in self._packages.items():
            if order_id == amazon_order_id:
                for line in sent.get("orderItems", []):
                    shipped[line["orderItemId"]] = shipped.get(line["orderItemId"], 0) + int(line["quantity"])
        for item in order.get("orderItems", []):
            done = item.setdefault("fulfillment", {})
            if item.get("orderItemId") in shipped:
                done["quantityFulfilled"] = shipped[item["orderItemId"]]
        complete = all(
            int(i.get("fulfillment", {}).get("quantityFulfilled") or 0) >= int(i.get("quantityOrdered") or 0)
            for i in order.get("orderItems", [])
        )
        status = AmazonOrderStatus.SHIPPED if complete else AmazonOrderStatus.PARTIALLY_SHIPPED
        self._change(amazon_order_id, order, status)

    def refuse_cancel(self, amazon_order_id: str, message: str) -> None:
        """Amazon will refuse the next cancellations of this order with ``message`` (as it does, for example, for
        an order the buyer already received)."""
        self.payload(amazon_order_id)
        self._refusals[amazon_order_id] = message

    def cancel_order(self, amazon_order_id: str, reason: str) -> None:
        """Cancel as a processed acknowledgement feed does; raises CancelRefused when Amazon would not."""
        payload = self.payload(amazon_order_id)
        if amazon_order_id in self._refusals:
            raise CancelRefused(self._refusals[amazon_order_id])
        status = _status_of(payload)
        if status not in _CANCELABLE:
            raise CancelRefused(f"The order is {status.value if status else 'unreadable'} and cannot be canceled.")
        self.cancellations.append((amazon_order_id, reason))
        self.set_status(amazon_order_id, "CANCELED")

    def _stamp(self, payload: Any, when: datetime | None = None) -> None:
        if not isinstance(payload, dict):
            return
        if "AmazonOrderId" in payload:
            payload["LastUpdateDate"] = _iso(when or self.clock())
        else:
            payload["lastUpdatedTime"] = _iso(when or self.clock())

    def _store(self, key: str, payload: Any, when: datetime | None = None) -> None:
        """Keep the order as JSON text, as Amazon would send it: no caller can change it behind our back."""
        self._seq += 1
        when = when or self.clock()
        self._orders[key] = _Entry(json.dumps(payload), when, self._seq)
        bisect.insort(self._log, (when, self._seq, key))
