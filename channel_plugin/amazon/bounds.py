"""The bounds every value Amazon sends must fit before it is stored: what both SQLite and PostgreSQL accept, and
what the reference host's tables hold, so a value one database takes and the other refuses never gets that far.

Each bound has a name, and ``OrderDataError`` messages quote it, so the merchant reads which rule an order broke.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

ID_LENGTH = 64
"""Order and item ids: ``amazon_orders.amazon_order_id`` and ``amazon_order_items.order_item_id``."""
SKU_LENGTH = 255
ASIN_LENGTH = 16
MARKETPLACE_LENGTH = 32
SERVICE_LEVEL_LENGTH = 64
NAME_LENGTH = 255
"""Buyer and recipient names, emails, companies and address lines: the host's customer and address columns."""
TITLE_LENGTH = 2000
"""Titles are only shown, never copied into the host, so the bound is a sanity limit, not a column size."""
POSTAL_CODE_LENGTH = 20
COUNTRY_CODE_LENGTH = 2
PHONE_LENGTH = 40
MAX_ITEMS = 1000
"""Items in one order: Amazon's own orders hold far fewer; more is a payload that would stall a page."""
MAX_QUANTITY = 100_000
"""Units of one item: well inside PostgreSQL's INTEGER, and past any real marketplace order."""
MAX_AMOUNT = Decimal("9999999999.9999")
"""Amounts are stored in ten-thousandths in a BIGINT (``ExactMoney``); ten billion leaves room for sums."""
AMOUNT_PLACES = 4
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
"""Amazon's own sandbox dates orders in 1970; earlier, or ``LATEST`` and after, is a broken clock or a hostile
payload (and past year 9999 a date Python cannot even hold)."""
LATEST = datetime(2100, 1, 1, tzinfo=UTC)

# C0 and C1 control characters and lone surrogates: PostgreSQL refuses NUL in text, and UTF-8 cannot encode
# surrogates, so such a value would fail on one database and not the other. Free text may keep tab and newlines.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
PLAIN_DECIMAL = re.compile(r"^-?[0-9]{1,20}(\.[0-9]{1,20})?$")

# ISO 4217 active codes (2026), fixed here rather than read from the platform, so the same order reads the same
# everywhere. X-codes (precious metals, test, "no currency") are not money a marketplace charges in.
CURRENCIES = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF
    CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD
    GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR
    LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK
    PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT
    TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
    ZWL
    """.split()  # noqa: SIM905 - a table of codes reads best as one
)


def shown(value: object, limit: int = 40) -> str:
    """A value quoted in an error: ``repr`` (so control characters show escaped), cut short so a megabyte of
    hostile text never becomes a megabyte of error message."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"
