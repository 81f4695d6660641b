"""The enumerations of DESIGN.md section 3, named exactly as the GraphQL API and the Sandbox spell them."""

from __future__ import annotations

from enum import StrEnum


class AmazonOrderStatus(StrEnum):
    PENDING = "PENDING"
    PENDING_AVAILABILITY = "PENDING_AVAILABILITY"
    UNSHIPPED = "UNSHIPPED"
    PARTIALLY_SHIPPED = "PARTIALLY_SHIPPED"
    SHIPPED = "SHIPPED"
    CANCELED = "CANCELED"
    UNFULFILLABLE = "UNFULFILLABLE"
    INVOICE_UNCONFIRMED = "INVOICE_UNCONFIRMED"
    COMPLETED = "COMPLETED"
    ERROR = "ERROR"


class ImportState(StrEnum):
    WAITING = "WAITING"
    IMPORTED = "IMPORTED"
    BLOCKED = "BLOCKED"
    VIEW_ONLY = "VIEW_ONLY"
    SKIPPED = "SKIPPED"
    FAILED = "FAILED"


class FulfillmentChannel(StrEnum):
    MERCHANT = "MERCHANT"
    AMAZON = "AMAZON"


class BlockerKind(StrEnum):
    PRODUCT_NOT_FOUND = "PRODUCT_NOT_FOUND"
    PRODUCT_DISABLED = "PRODUCT_DISABLED"
    OUT_OF_STOCK = "OUT_OF_STOCK"
    INVALID_ORDER_DATA = "INVALID_ORDER_DATA"
    HOST_ERROR = "HOST_ERROR"


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
