"""``AmazonOrderFilter`` and ``AmazonOrderSort``, and the SQL conditions a filter stands for.

Every SQL-side filter is served by an index of ``amazon_orders`` (migration 0004). The buyer name is encrypted, so
its filter is two-step: ``buyer_search.candidate_condition`` narrows in SQL, ``buyer_search.name_matches`` decides
after decryption (see ``pagination``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from enum import Enum
from typing import Any

import strawberry
from graphql import GraphQLError
from sqlalchemy import ColumnElement, or_, type_coerce

from channel_plugin.api.orders.types import AmazonOrderStatus, FulfillmentChannel, ImportState, OrderProblemCode
from channel_plugin.storage import outbox
from channel_plugin.storage.cancellations import CANCEL_REJECTED, has_rejected_cancel
from channel_plugin.storage.outbox import CONFIRM_SHIPMENT
from channel_plugin.storage.tables import amazon_orders
from channel_plugin.storage.types import MAX_AMOUNT

_STORED_PLACES = Decimal("0.0001")  # ExactMoney keeps four decimal places


def bad_input(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})


@strawberry.input(
    description="A time range, both ends included; either may be left out. A time without an offset is taken as UTC."
)
class DateTimeRange:
    from_: datetime | None = strawberry.field(name="from", default=None)
    to: datetime | None = None


@strawberry.input(description="An amount range, both ends included; either may be left out (e.g. from: 10.5).")
class DecimalRange:
    from_: Decimal | None = strawberry.field(name="from", default=None)
    to: Decimal | None = None


@strawberry.input(
    description="Every field given must hold (AND); a list matches any of its values, an empty list does not filter."
)
class AmazonOrderFilter:
    purchase_date: DateTimeRange | None = None
    order_number: str | None = strawberry.field(
        default=None,
        description="An exact Amazon order id (e.g. 111-1234567-1234567); surrounding spaces are ignored.",
    )
    buyer_name: str | None = strawberry.field(
        default=None, description="Part of the buyer's (else the recipient's) name, in any case."
    )
    total: DecimalRange | None = strawberry.field(
        default=None, description="The order's grand total; orders without one never match a total range."
    )
    status: list[AmazonOrderStatus] | None = None  # type: ignore[valid-type]
    import_state: list[ImportState] | None = None  # type: ignore[valid-type]
    fulfillment_channel: FulfillmentChannel | None = None  # type: ignore[valid-type]
    problems: list[OrderProblemCode] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Orders with an open problem of any of these codes."
    )


@strawberry.enum(description="What amazonOrders can be sorted by; ties are broken by the order's internal id.")
class AmazonOrderSortField(Enum):
    PURCHASE_DATE = "PURCHASE_DATE"
    GRAND_TOTAL = "GRAND_TOTAL"
    BUYER_NAME = "BUYER_NAME"
    STATUS = "STATUS"
    LAST_UPDATE_DATE = "LAST_UPDATE_DATE"
    ORDER_NUMBER = "ORDER_NUMBER"
    IMPORT_STATE = "IMPORT_STATE"
    NOTES = "NOTES"


@strawberry.enum
class SortDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.input(
    description="Sorts the whole result, not just a page. GRAND_TOTAL: orders without a total count as the "
    "lowest. STATUS: alphabetical by code, newest purchase first within a status (oldest with ASC). BUYER_NAME: "
    "case-insensitive, orders without a name count as the lowest. IMPORT_STATE: like STATUS. NOTES: orders "
    "without notes count as the lowest."
)
class AmazonOrderSort:
    field: AmazonOrderSortField = AmazonOrderSortField.PURCHASE_DATE
    direction: SortDirection = SortDirection.DESC


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _amount(value: Decimal, rounding: str, name: str) -> Decimal:
    """Stored amounts have four decimal places, so a bound with more is rounded inwards: the same orders match."""
    if not value.is_finite() or abs(value) > MAX_AMOUNT:
        raise bad_input(f"filter.total.{name} must be an amount between -{MAX_AMOUNT} and {MAX_AMOUNT}.")
    return value.quantize(_STORED_PLACES, rounding=rounding)


def buyer_name_text(f: AmazonOrderFilter | None) -> str | None:
    """The buyer-name search text, or None when the filter does not search by name."""
    text = (f.buyer_name or "").strip() if f is not None else ""
    return text or None


@dataclass(frozen=True, slots=True)
class ColumnFilter:
    """What the filter asks of one column: its SQL terms, and the same test in Python for one value (a keyset
    segment that fixes the column to a value tests that value instead, so the planner seeks on the equality)."""

    column: str
    terms: tuple[ColumnElement[bool], ...]
    accepts: Callable[[Any], bool]
    # The same terms written so that no index on the column can serve them: when the page is read in another
    # column's order, walking that order's index and testing each row beats sorting every row in the range.
    scan_terms: tuple[ColumnElement[bool], ...] | None = None

    def terms_for(self, sort_column: str) -> tuple[ColumnElement[bool], ...]:
        return self.scan_terms if self.scan_terms is not None and sort_column != self.column else self.terms


def _range(column: str, low: Any, high: Any) -> ColumnFilter:
    col = amazon_orders.c[column]
    terms = ([col >= low] if low is not None else []) + ([col <= high] if high is not None else [])
    return ColumnFilter(
        column,
        tuple(terms),
        lambda v: v is not None and (low is None or v >= low) and (high is None or v <= high),
    )


def _amount_range(low: Any, high: Any) -> ColumnFilter:
    ranged = _range("grand_total", low, high)
    column = amazon_orders.c.grand_total
    unindexed = type_coerce(column + 0, column.type)  # bounds still bind as exact money
    scan = ([unindexed >= low] if low is not None else []) + ([unindexed <= high] if high is not None else [])
    return ColumnFilter(ranged.column, ranged.terms, ranged.accepts, tuple(scan))


def _one_of(column: str, values: list[str]) -> ColumnFilter:
    return ColumnFilter(column, (amazon_orders.c[column].in_(values),), lambda v: v in values)


def conditions(f: AmazonOrderFilter | None) -> list[ColumnFilter]:
    """The filter's conditions on ``amazon_orders``, per column (the buyer name's exact check is not among them)."""
    if f is None:
        return []
    found: list[ColumnFilter] = []
    dates = f.purchase_date
    if dates is not None and (dates.from_ is not None or dates.to is not None):
        since = _utc(dates.from_) if dates.from_ is not None else None
        until = _utc(dates.to) if dates.to is not None else None
        found.append(_range("purchase_date", since, until))
    number = (f.order_number or "").strip()
    if number:
        found.append(_one_of("amazon_order_id", [number]))
    total = f.total
    if total is not None and (total.from_ is not None or total.to is not None):
        least = _amount(total.from_, ROUND_CEILING, "from") if total.from_ is not None else None
        most = _amount(total.to, ROUND_FLOOR, "to") if total.to is not None else None
        found.append(_amount_range(least, most))
    if f.status:
        found.append(_one_of("status", [str(s) for s in f.status]))
    if f.import_state:
        found.append(_one_of("import_state", [str(s) for s in f.import_state]))
    if f.fulfillment_channel is not None:
        found.append(_one_of("fulfillment_channel", [str(f.fulfillment_channel)]))
    if f.problems:
        states = tuple(state for state, code in outbox.SHIPMENT_PROBLEMS.items() if code in f.problems)
        wanted = [outbox.has_stuck(CONFIRM_SHIPMENT, states)] if states else []
        if CANCEL_REJECTED in f.problems:
            wanted.append(has_rejected_cancel())
        # Not a column: no keyset segment ever fixes it, so ``accepts`` is never asked.
        found.append(ColumnFilter("problems", (or_(*wanted),), lambda _v: True))
    return found


def terms(filters: Sequence[ColumnFilter]) -> list[ColumnElement[bool]]:
    return [term for f in filters for term in f.terms]
