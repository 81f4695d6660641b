"""The enumerations of DESIGN.md section 3, named exactly as the GraphQL API and the Sandbox spell them.

Members that reach hooks carry attribute docstrings, which ``docs/hooks.md`` prints.
"""

from __future__ import annotations

from enum import StrEnum


class AmazonOrderStatus(StrEnum):
    """An Amazon order's status: Amazon's eight, spelled one way whatever the API version, plus two of our own."""

    PENDING = "PENDING"
    """Placed but not yet paid for: stored, and its units reserved with RESERVE; no Commerce order yet."""
    PENDING_AVAILABILITY = "PENDING_AVAILABILITY"
    """A preorder not yet available: stored, nothing reserved."""
    UNSHIPPED = "UNSHIPPED"
    """Paid and ready to ship: the Commerce order is created (merchant-fulfilled)."""
    PARTIALLY_SHIPPED = "PARTIALLY_SHIPPED"
    """Some units have shipped."""
    SHIPPED = "SHIPPED"
    """Every unit has shipped (an FBA order's Commerce order is created now, then completed)."""
    CANCELED = "CANCELED"
    """Canceled by the buyer, Amazon or an admin."""
    UNFULFILLABLE = "UNFULFILLABLE"
    """Amazon cannot fulfil it (FBA)."""
    INVOICE_UNCONFIRMED = "INVOICE_UNCONFIRMED"
    """Every unit has shipped, but the seller has not yet confirmed to Amazon that the invoice reached the buyer."""
    COMPLETED = "COMPLETED"
    """Ours: shipped and its Commerce order completed."""
    ERROR = "ERROR"
    """Ours: Amazon's data for the order could not be read; it stays blocked until a readable version arrives."""


class ImportState(StrEnum):
    WAITING = "WAITING"
    IMPORTED = "IMPORTED"
    BLOCKED = "BLOCKED"
    VIEW_ONLY = "VIEW_ONLY"
    SKIPPED = "SKIPPED"
    FAILED = "FAILED"


class FulfillmentChannel(StrEnum):
    """Who ships an Amazon order."""

    MERCHANT = "MERCHANT"
    """The merchant ships it (MFN): it takes the merchant's stock."""
    AMAZON = "AMAZON"
    """Amazon ships it from its warehouses (AFN, FBA): it never touches the merchant's stock."""


class BlockerKind(StrEnum):
    """Why an item keeps an Amazon order from being imported."""

    PRODUCT_NOT_FOUND = "PRODUCT_NOT_FOUND"
    """No catalog product has the item's (resolved) SKU."""
    PRODUCT_DISABLED = "PRODUCT_DISABLED"
    """The catalog product is disabled."""
    OUT_OF_STOCK = "OUT_OF_STOCK"
    """The product's salable quantity is below what the order needs."""
    INVALID_ORDER_DATA = "INVALID_ORDER_DATA"
    """Amazon's order data cannot be read as an order (a missing amount, an unknown status, ...)."""
    HOST_ERROR = "HOST_ERROR"
    """The host refused or failed (a ``HostError`` or an unexpected error from a host service)."""


class CustomerCreation(StrEnum):
    GUEST = "GUEST"
    NEW_ACCOUNT = "NEW_ACCOUNT"


class OrderNumberSource(StrEnum):
    COMMERCE = "COMMERCE"
    AMAZON = "AMAZON"


class ReserveQuantity(StrEnum):
    RESERVE = "RESERVE"
    DO_NOT_RESERVE = "DO_NOT_RESERVE"


class OrderStatusMode(StrEnum):
    DEFAULT = "DEFAULT"
    CUSTOM = "CUSTOM"


class CancelReason(StrEnum):
    """Amazon's cancellation reason codes (the order acknowledgement feed's ``CancelReason``)."""

    NO_INVENTORY = "NoInventory"
    SHIPPING_ADDRESS_UNDELIVERABLE = "ShippingAddressUndeliverable"
    CUSTOMER_EXCHANGE = "CustomerExchange"
    BUYER_CANCELED = "BuyerCanceled"
    GENERAL_ADJUSTMENT = "GeneralAdjustment"
    CARRIER_CREDIT_DECISION = "CarrierCreditDecision"
    RISK_ASSESSMENT_INFORMATION_NOT_VALID = "RiskAssessmentInformationNotValid"
    CARRIER_COVERAGE_FAILURE = "CarrierCoverageFailure"
    CUSTOMER_RETURN = "CustomerReturn"
    MERCHANDISE_NOT_RECEIVED = "MerchandiseNotReceived"


AMAZON_STATUSES = frozenset(
    s for s in AmazonOrderStatus if s not in (AmazonOrderStatus.COMPLETED, AmazonOrderStatus.ERROR)
)

_STATUS_SPELLINGS: dict[str, AmazonOrderStatus] = {
    "PENDING": AmazonOrderStatus.PENDING,
    "PENDINGAVAILABILITY": AmazonOrderStatus.PENDING_AVAILABILITY,
    "UNSHIPPED": AmazonOrderStatus.UNSHIPPED,
    "PARTIALLYSHIPPED": AmazonOrderStatus.PARTIALLY_SHIPPED,
    "SHIPPED": AmazonOrderStatus.SHIPPED,
    "CANCELED": AmazonOrderStatus.CANCELED,
    "CANCELLED": AmazonOrderStatus.CANCELED,
    "UNFULFILLABLE": AmazonOrderStatus.UNFULFILLABLE,
    "INVOICEUNCONFIRMED": AmazonOrderStatus.INVOICE_UNCONFIRMED,
}


def parse_amazon_status(raw: str) -> AmazonOrderStatus:
    """Accept Amazon's status in either API's spelling (v0 ``PartiallyShipped``, v2026 ``PARTIALLY_SHIPPED``).

    Amazon's two APIs disagree on case, underscores and even on "Canceled" vs "CANCELLED"; callers should not care.
    """
    key = raw.replace("_", "").replace(" ", "").upper()
    try:
        return _STATUS_SPELLINGS[key]
    except KeyError:
        known = ", ".join(sorted(s.value for s in AMAZON_STATUSES))
        raise ValueError(f"unknown Amazon order status {raw!r} (expected one of {known})") from None


class OrderProblemCode(StrEnum):
    """Why an order needs a person: a call to Amazon it refused, or one the plugin stopped retrying.

    A shipment problem keeps the order from completing until a corrected resend is accepted.
    """

    SHIPMENT_REJECTED = "SHIPMENT_REJECTED"
    """Amazon refused the shipment confirmation (a 4xx other than throttling); its message says what to correct."""
    SHIPMENT_NOT_SENT = "SHIPMENT_NOT_SENT"
    """Every attempt failed on throttling, server errors or the network, and the plugin stopped retrying."""
    CANCEL_REJECTED = "CANCEL_REJECTED"
    """Amazon's processing report refused a cancellation; the order is back in the status it had before."""
