"""Column types that keep money exact and times in UTC on both SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect
from sqlalchemy.types import TypeDecorator

_SCALE = Decimal(10000)
MAX_AMOUNT = Decimal(2**63 - 1) / _SCALE
"""The largest amount ``ExactMoney`` stores: whole ten-thousandths in a signed 64-bit integer."""
_CENT = Decimal("0.01")


class ExactMoney(TypeDecorator[Decimal]):
    """A Decimal stored as whole ten-thousandths in a BIGINT.

    SQLite has no exact decimal type (NUMERIC becomes a float there), so the amount is scaled to an integer:
    exact, sortable and range-filterable on both dialects. Amounts with more than four decimal places are refused
    rather than rounded.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        scaled = Decimal(value) * _SCALE
        if scaled != scaled.to_integral_value():
            raise ValueError(f"amount {value} has more than 4 decimal places")
        return int(scaled)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return trim_amount(Decimal(int(value)) / _SCALE)


def trim_amount(amount: Decimal) -> Decimal:
    """Two decimal places when that is exact (``19.90``), otherwise as many as the amount needs (``0.1234``)."""
    cents = amount.quantize(_CENT)
    if cents == amount:
        return cents
    return amount.normalize()


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in, timezone-aware UTC out; a naive datetime is a bug and is refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError(f"expected a timezone-aware datetime, got {value!r}")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        stored: datetime = value
        if stored.tzinfo is None:
            return stored.replace(tzinfo=UTC)
        return stored.astimezone(UTC)
