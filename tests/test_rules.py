"""The pure domain rules of DESIGN.md section 3: creation table, statuses, item checks, settings, drafts."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import pytest

from channel_plugin.domain.drafts import build_draft
from channel_plugin.domain.enums import (
    AmazonOrderStatus as S,
)
from channel_plugin.domain.enums import (
    BlockerKind,
    CustomerCreation,
    FulfillmentChannel,
    ImportState,
    OrderNumberSource,
    OrderStatusMode,
    ReserveQuantity,
)
from channel_plugin.domain.model import (
    Address,
    AmazonOrder,
    Buyer,
    Money,
    OrderItem,
    OrderStatusOption,
    Product,
    StoreView,
)
from channel_plugin.domain.rules import (
    Action,
    ItemNeed,
    StockLedger,
    can_reserve,
    decide,
    import_state_for,
    item_blockers,
    merge_status,
    quantities,
    ready_to_complete,
    status_after_shipment,
    system_message,
)
from channel_plugin.domain.settings import (
    OrderSettings,
    coerce_settings,
    effective_store_view,
    validate_settings,
)
from channel_plugin.errors import ValidationError

MFN = FulfillmentChannel.MERCHANT
AFN = FulfillmentChannel.AMAZON
RESERVE = ReserveQuantity.RESERVE
NO_RESERVE = ReserveQuantity.DO_NOT_RESERVE


# ----------------------------------------------------------------------------------------------------
# decide: the creation table
# ----------------------------------------------------------------------------------------------------


def _decide(**overrides: Any) -> Action:
    args: dict[str, Any] = {
        "status": S.UNSHIPPED,
        "channel": MFN,
        "import_state": None,
        "import_enabled": True,
        "reserve": RESERVE,
        "reserved": False,
        "before_integration": False,
    }
    args.update(overrides)
    return decide(**args)


CREATION_TABLE = [
    # merchant, pending: stored; RESERVE reserves PENDING only
    pytest.param({"status": S.PENDING, "reserve": RESERVE}, Action.RESERVE, id="mfn-pending-reserve"),
    pytest.param({"status": S.PENDING, "reserve": NO_RESERVE}, Action.WAIT, id="mfn-pending-do-not-reserve"),
    pytest.param(
        {"status": S.PENDING_AVAILABILITY, "reserve": RESERVE},
        Action.WAIT,
        id="mfn-pending-availability-reserve",
    ),
    pytest.param(
        {"status": S.PENDING_AVAILABILITY, "reserve": NO_RESERVE},
        Action.WAIT,
        id="mfn-pending-availability-do-not-reserve",
    ),
    pytest.param(
        {"status": S.PENDING, "reserve": RESERVE, "reserved": True, "import_state": ImportState.WAITING},
        Action.WAIT,
        id="mfn-pending-already-reserved",
    ),
    # merchant, importable
    pytest.param({"status": S.UNSHIPPED}, Action.IMPORT, id="mfn-unshipped"),
    pytest.param({"status": S.PARTIALLY_SHIPPED}, Action.IMPORT, id="mfn-partially-shipped"),
    pytest.param({"status": S.SHIPPED}, Action.IMPORT, id="mfn-shipped"),
    pytest.param({"status": S.UNSHIPPED, "reserve": NO_RESERVE}, Action.IMPORT, id="mfn-unshipped-do-not-reserve"),
    pytest.param(
        {"status": S.UNSHIPPED, "import_state": ImportState.WAITING, "reserved": True},
        Action.IMPORT,
        id="mfn-unshipped-after-reservation",
    ),
    pytest.param(
        {"status": S.UNSHIPPED, "import_state": ImportState.BLOCKED},
        Action.IMPORT,
        id="mfn-blocked-is-retried",
    ),
    # Amazon-fulfilled: stored until SHIPPED, never reserves
    pytest.param({"status": S.PENDING, "channel": AFN, "reserve": RESERVE}, Action.WAIT, id="afn-pending"),
    pytest.param({"status": S.PENDING_AVAILABILITY, "channel": AFN}, Action.WAIT, id="afn-pending-availability"),
    pytest.param({"status": S.UNSHIPPED, "channel": AFN}, Action.WAIT, id="afn-unshipped"),
    pytest.param({"status": S.PARTIALLY_SHIPPED, "channel": AFN}, Action.WAIT, id="afn-partially-shipped"),
    pytest.param({"status": S.SHIPPED, "channel": AFN}, Action.IMPORT, id="afn-shipped"),
    # canceled / unfulfillable before import
    pytest.param({"status": S.CANCELED}, Action.SKIP, id="mfn-canceled-new"),
    pytest.param(
        {"status": S.CANCELED, "import_state": ImportState.WAITING, "reserved": True},
        Action.SKIP,
        id="mfn-canceled-while-reserved",
    ),
    pytest.param(
        {"status": S.CANCELED, "import_state": ImportState.BLOCKED},
        Action.SKIP,
        id="mfn-canceled-while-blocked",
    ),
    pytest.param({"status": S.UNFULFILLABLE}, Action.SKIP, id="mfn-unfulfillable-new"),
    pytest.param({"status": S.CANCELED, "channel": AFN}, Action.SKIP, id="afn-canceled-new"),
    pytest.param({"status": S.UNFULFILLABLE, "channel": AFN}, Action.SKIP, id="afn-unfulfillable-new"),
    # canceled after import
    pytest.param(
        {"status": S.CANCELED, "import_state": ImportState.IMPORTED},
        Action.CANCEL_COMMERCE,
        id="mfn-canceled-after-import",
    ),
    pytest.param({"status": S.SHIPPED, "import_state": ImportState.IMPORTED}, Action.KEEP, id="imported-shipped-keeps"),
    # import disabled: view-only, no reservation, no order
    pytest.param({"status": S.PENDING, "import_enabled": False}, Action.VIEW_ONLY, id="disabled-mfn-pending"),
    pytest.param({"status": S.UNSHIPPED, "import_enabled": False}, Action.VIEW_ONLY, id="disabled-mfn-unshipped"),
    pytest.param(
        {"status": S.SHIPPED, "channel": AFN, "import_enabled": False},
        Action.VIEW_ONLY,
        id="disabled-afn-shipped",
    ),
    pytest.param(
        {"status": S.UNSHIPPED, "import_enabled": False, "import_state": ImportState.VIEW_ONLY},
        Action.VIEW_ONLY,
        id="disabled-stays-view-only",
    ),
    pytest.param(
        {"status": S.UNSHIPPED, "import_enabled": True, "import_state": ImportState.VIEW_ONLY},
        Action.IMPORT,
        id="re-enabled-imports-view-only-order",
    ),
    # purchased before the store was integrated
    pytest.param({"status": S.UNSHIPPED, "before_integration": True}, Action.IGNORE, id="before-integration-mfn"),
    pytest.param({"status": S.PENDING, "before_integration": True}, Action.IGNORE, id="before-integration-pending"),
    pytest.param(
        {"status": S.SHIPPED, "channel": AFN, "before_integration": True},
        Action.IGNORE,
        id="before-integration-afn",
    ),
    pytest.param(
        {"status": S.UNSHIPPED, "before_integration": True, "import_enabled": False},
        Action.IGNORE,
        id="before-integration-import-disabled",
    ),
]


@pytest.mark.parametrize(("situation", "expected"), CREATION_TABLE)
def test_decide_follows_the_creation_table(situation: dict[str, Any], expected: Action) -> None:
    assert _decide(**situation) is expected


@pytest.mark.parametrize(
    ("action", "current", "expected"),
    [
        pytest.param(Action.WAIT, None, ImportState.WAITING, id="wait"),
        pytest.param(Action.RESERVE, None, ImportState.WAITING, id="reserve-is-waiting"),
        pytest.param(Action.VIEW_ONLY, ImportState.WAITING, ImportState.VIEW_ONLY, id="view-only"),
        pytest.param(Action.SKIP, ImportState.BLOCKED, ImportState.SKIPPED, id="skip"),
        pytest.param(Action.KEEP, ImportState.IMPORTED, ImportState.IMPORTED, id="keep-imported"),
    ],
)
def test_import_state_for_action(action: Action, current: ImportState | None, expected: ImportState) -> None:
    assert import_state_for(action, current) is expected


# ----------------------------------------------------------------------------------------------------
# merge_status
# ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "incoming", "expected"),
    [
        pytest.param(None, S.PENDING, S.PENDING, id="new-order-takes-incoming"),
        pytest.param(S.PENDING, S.UNSHIPPED, S.UNSHIPPED, id="pending-to-unshipped"),
        pytest.param(S.UNSHIPPED, S.PARTIALLY_SHIPPED, S.PARTIALLY_SHIPPED, id="unshipped-to-partial"),
        pytest.param(S.PARTIALLY_SHIPPED, S.SHIPPED, S.SHIPPED, id="partial-to-shipped"),
        pytest.param(S.SHIPPED, S.UNSHIPPED, S.SHIPPED, id="amazon-lagging-never-unships"),
        pytest.param(S.PARTIALLY_SHIPPED, S.UNSHIPPED, S.PARTIALLY_SHIPPED, id="partial-never-goes-back"),
        pytest.param(S.UNSHIPPED, S.PENDING, S.UNSHIPPED, id="unshipped-never-back-to-pending"),
        pytest.param(S.COMPLETED, S.SHIPPED, S.COMPLETED, id="completed-is-final"),
        pytest.param(S.COMPLETED, S.CANCELED, S.COMPLETED, id="completed-ignores-cancel"),
        pytest.param(S.CANCELED, S.UNSHIPPED, S.CANCELED, id="canceled-is-final"),
        pytest.param(S.CANCELED, S.SHIPPED, S.CANCELED, id="canceled-ignores-shipped"),
        pytest.param(S.PENDING, S.CANCELED, S.CANCELED, id="pending-canceled"),
        pytest.param(S.UNSHIPPED, S.CANCELED, S.CANCELED, id="unshipped-canceled"),
        pytest.param(S.PENDING, S.UNFULFILLABLE, S.UNFULFILLABLE, id="pending-unfulfillable"),
        pytest.param(S.PARTIALLY_SHIPPED, S.CANCELED, S.PARTIALLY_SHIPPED, id="cancel-after-partial-ignored"),
        pytest.param(S.SHIPPED, S.CANCELED, S.SHIPPED, id="cancel-after-shipping-ignored"),
        pytest.param(S.ERROR, S.UNSHIPPED, S.UNSHIPPED, id="error-yields-to-unshipped"),
        pytest.param(S.ERROR, S.PENDING, S.PENDING, id="error-yields-to-pending"),
        pytest.param(S.ERROR, S.CANCELED, S.CANCELED, id="error-yields-to-canceled"),
        pytest.param(S.UNSHIPPED, S.ERROR, S.UNSHIPPED, id="unreadable-report-does-not-overwrite"),
    ],
)
def test_merge_status(current: S | None, incoming: S, expected: S) -> None:
    assert merge_status(current, incoming) is expected


# ----------------------------------------------------------------------------------------------------
# item_blockers, StockLedger, quantities, can_reserve
# ----------------------------------------------------------------------------------------------------

WIDGET = Product("WIDGET", "Widget")
GADGET = Product("GADGET", "Gadget")
DISABLED = Product("OLD-MODEL", "Old model", enabled=False)
UNMANAGED = Product("EBOOK", "E-book", manage_stock=False)
CATALOG: dict[str, Product | None] = {p.sku: p for p in (WIDGET, GADGET, DISABLED, UNMANAGED)}


def need(sku: str, qty: int, seller_sku: str | None = None) -> ItemNeed:
    return ItemNeed(seller_sku=seller_sku or sku, catalog_sku=sku, qty=qty)


def test_item_blockers_one_per_failing_item_in_item_order() -> None:
    needs = [
        need("MISSING", 1),
        need("WIDGET", 1),
        need("OLD-MODEL", 1),
        need("GADGET", 3),
    ]
    blockers = item_blockers(needs, CATALOG, StockLedger({"WIDGET": 5, "GADGET": 1, "OLD-MODEL": 9}), {})

    assert [(b.kind, b.seller_sku) for b in blockers] == [
        (BlockerKind.PRODUCT_NOT_FOUND, "MISSING"),
        (BlockerKind.PRODUCT_DISABLED, "OLD-MODEL"),
        (BlockerKind.OUT_OF_STOCK, "GADGET"),
    ]


def test_item_blockers_none_when_every_item_is_fine() -> None:
    needs = [need("WIDGET", 2), need("GADGET", 1)]
    assert item_blockers(needs, CATALOG, StockLedger({"WIDGET": 2, "GADGET": 1}), {}) == []


def test_product_not_found_message_names_the_sku() -> None:
    (blocker,) = item_blockers([need("MISSING", 1)], CATALOG, StockLedger({}), {})
    assert blocker.kind is BlockerKind.PRODUCT_NOT_FOUND
    assert "'MISSING'" in blocker.message


def test_product_not_found_message_names_catalog_and_seller_sku_when_matched() -> None:
    (blocker,) = item_blockers([need("CAT-1", 1, seller_sku="AMZ-1")], CATALOG, StockLedger({}), {})
    assert blocker.seller_sku == "AMZ-1"
    assert "'CAT-1'" in blocker.message
    assert "'AMZ-1'" in blocker.message


def test_product_disabled_message_names_the_sku() -> None:
    (blocker,) = item_blockers([need("OLD-MODEL", 1)], CATALOG, StockLedger({"OLD-MODEL": 10}), {})
    assert blocker.kind is BlockerKind.PRODUCT_DISABLED
    assert "'OLD-MODEL'" in blocker.message
    assert "disabled" in blocker.message


def test_out_of_stock_message_names_sku_and_quantities() -> None:
    (blocker,) = item_blockers([need("WIDGET", 3)], CATALOG, StockLedger({"WIDGET": 1}), {})
    assert blocker.kind is BlockerKind.OUT_OF_STOCK
    assert blocker.seller_sku == "WIDGET"
    assert "'WIDGET'" in blocker.message
    assert "has 1 salable unit(s)" in blocker.message
    assert "needs 3" in blocker.message


def test_out_of_stock_never_reports_negative_stock() -> None:
    (blocker,) = item_blockers([need("WIDGET", 1)], CATALOG, StockLedger({"WIDGET": -4}), {})
    assert "has 0 salable unit(s)" in blocker.message


@pytest.mark.parametrize(
    ("salable", "own", "qty", "blocked"),
    [
        pytest.param(0, 2, 2, False, id="own-reservation-covers-order"),
        pytest.param(1, 2, 3, False, id="own-reservation-plus-salable"),
        pytest.param(0, 2, 3, True, id="own-reservation-too-small"),
        pytest.param(0, 0, 1, True, id="no-stock-no-reservation"),
    ],
)
def test_own_reservation_counts_as_available(salable: int, own: int, qty: int, blocked: bool) -> None:
    blockers = item_blockers([need("WIDGET", qty)], CATALOG, StockLedger({"WIDGET": salable}), {"WIDGET": own})
    assert bool(blockers) is blocked


def test_two_items_of_the_same_sku_share_the_stock() -> None:
    needs = [need("WIDGET", 2), need("WIDGET", 2)]
    blockers = item_blockers(needs, CATALOG, StockLedger({"WIDGET": 3}), {})
    assert len(blockers) == 1
    assert blockers[0].kind is BlockerKind.OUT_OF_STOCK
    assert "has 1 salable unit(s)" in blockers[0].message
    assert "needs 2" in blockers[0].message

    assert item_blockers(needs, CATALOG, StockLedger({"WIDGET": 4}), {}) == []


def test_unmanaged_stock_never_blocks() -> None:
    assert item_blockers([need("EBOOK", 50)], CATALOG, StockLedger({"EBOOK": 0}), {}) == []
    assert item_blockers([need("EBOOK", 50)], CATALOG, StockLedger({}), {}) == []


def test_without_a_ledger_stock_is_not_checked_but_products_are() -> None:
    assert item_blockers([need("WIDGET", 99)], CATALOG, None, {}) == []
    kinds = [b.kind for b in item_blockers([need("MISSING", 1), need("OLD-MODEL", 1)], CATALOG, None, {})]
    assert kinds == [BlockerKind.PRODUCT_NOT_FOUND, BlockerKind.PRODUCT_DISABLED]


def test_ledger_two_orders_in_one_page_cannot_both_take_the_last_unit() -> None:
    ledger = StockLedger({"WIDGET": 1})
    first = [need("WIDGET", 1)]
    second = [need("WIDGET", 1)]

    assert item_blockers(first, CATALOG, ledger, {}) == []
    ledger.take(quantities(first, CATALOG), {})

    blockers = item_blockers(second, CATALOG, ledger, {})
    assert [b.kind for b in blockers] == [BlockerKind.OUT_OF_STOCK]
    assert "has 0 salable unit(s)" in blockers[0].message


def test_ledger_give_back_makes_the_units_available_again() -> None:
    ledger = StockLedger({"WIDGET": 1})
    ledger.take({"WIDGET": 1}, {})
    assert ledger.available("WIDGET") == 0
    ledger.give_back({"WIDGET": 1}, {})
    assert ledger.available("WIDGET") == 1
    assert item_blockers([need("WIDGET", 1)], CATALOG, ledger, {}) == []


def test_ledger_reserved_order_consumes_only_its_reservation() -> None:
    # The host's salable quantity already excludes the order's own reservation of 2.
    ledger = StockLedger({"WIDGET": 1})
    ledger.take({"WIDGET": 2}, {"WIDGET": 2})
    assert ledger.available("WIDGET") == 1
    ledger.take({"WIDGET": 1}, {})
    assert ledger.available("WIDGET") == 0


def test_ledger_unknown_sku_has_nothing() -> None:
    assert StockLedger({}).available("NOPE") == 0
    assert StockLedger({}).available("NOPE", own_reserved=2) == 2


def test_quantities_sum_stock_managed_skus_only() -> None:
    needs = [
        need("WIDGET", 2),
        need("WIDGET", 1, seller_sku="AMZ-WIDGET"),
        need("GADGET", 0),
        need("EBOOK", 4),
        need("MISSING", 1),
    ]
    assert quantities(needs, CATALOG) == {"WIDGET": 3}


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        pytest.param({"WIDGET": 2}, True, id="exactly-enough"),
        pytest.param({"WIDGET": 3}, False, id="one-short"),
        pytest.param({"WIDGET": 1, "GADGET": 1}, False, id="one-sku-missing"),
        pytest.param({}, True, id="nothing-to-reserve"),
    ],
)
def test_can_reserve(wanted: dict[str, int], expected: bool) -> None:
    assert can_reserve(wanted, StockLedger({"WIDGET": 2, "GADGET": 0})) is expected


# ----------------------------------------------------------------------------------------------------
# shipment and completion
# ----------------------------------------------------------------------------------------------------

TWO_LINES = (
    OrderItem(order_item_id="1", seller_sku="A", quantity_ordered=2),
    OrderItem(order_item_id="2", seller_sku="B", quantity_ordered=1),
)


@pytest.mark.parametrize(
    ("shipped", "expected"),
    [
        pytest.param({"A": 2, "B": 1}, S.SHIPPED, id="all-units"),
        pytest.param({"A": 1, "B": 1}, S.PARTIALLY_SHIPPED, id="one-unit-short"),
        pytest.param({"A": 2}, S.PARTIALLY_SHIPPED, id="one-line-missing"),
        pytest.param({}, S.PARTIALLY_SHIPPED, id="nothing"),
        pytest.param({"A": 3, "B": 1}, S.SHIPPED, id="more-than-ordered"),
    ],
)
def test_status_after_shipment(shipped: dict[str, int], expected: S) -> None:
    assert status_after_shipment(TWO_LINES, shipped) is expected


def test_status_after_shipment_two_lines_of_one_sku_half_shipped() -> None:
    items = (
        OrderItem(order_item_id="1", seller_sku="A", quantity_ordered=1),
        OrderItem(order_item_id="2", seller_sku="A", quantity_ordered=1),
    )
    assert status_after_shipment(items, {"A": 1}) is S.PARTIALLY_SHIPPED


@pytest.mark.parametrize(
    ("status", "state", "pending", "expected"),
    [
        pytest.param(S.SHIPPED, ImportState.IMPORTED, 0, True, id="shipped-confirmed"),
        pytest.param(S.INVOICE_UNCONFIRMED, ImportState.IMPORTED, 0, True, id="invoice-unconfirmed-confirmed"),
        pytest.param(S.SHIPPED, ImportState.IMPORTED, 1, False, id="confirmation-pending"),
        pytest.param(S.PARTIALLY_SHIPPED, ImportState.IMPORTED, 0, False, id="partially-shipped"),
        pytest.param(S.UNSHIPPED, ImportState.IMPORTED, 0, False, id="unshipped"),
        pytest.param(S.SHIPPED, ImportState.BLOCKED, 0, False, id="not-imported"),
        pytest.param(S.SHIPPED, ImportState.VIEW_ONLY, 0, False, id="view-only"),
        pytest.param(S.COMPLETED, ImportState.IMPORTED, 0, False, id="already-completed"),
    ],
)
def test_ready_to_complete(status: S, state: ImportState, pending: int, expected: bool) -> None:
    assert ready_to_complete(status, state, pending) is expected


# ----------------------------------------------------------------------------------------------------
# system message
# ----------------------------------------------------------------------------------------------------

MESSAGE_PREFIX = (
    "Your Amazon store(s) has orders that cannot be imported into Commerce. "
    "See Recent Orders in the store dashboard(s): "
)


def test_system_message_exact_text() -> None:
    assert system_message(["EU Store"]) == MESSAGE_PREFIX + "EU Store"


def test_system_message_sorts_and_deduplicates_store_names() -> None:
    assert system_message(iter(["US Store", "DE Store", "US Store"])) == MESSAGE_PREFIX + "DE Store, US Store"


@pytest.mark.parametrize("names", [pytest.param([], id="list"), pytest.param(iter(()), id="iterator")])
def test_system_message_clears_when_no_store_is_blocked(names: Any) -> None:
    assert system_message(names) is None


# ----------------------------------------------------------------------------------------------------
# settings
# ----------------------------------------------------------------------------------------------------

STORE_VIEWS = [
    StoreView("default", "Default Store View", "base", is_default=True),
    StoreView("french", "French", "base"),
    StoreView("b2b", "B2B", "wholesale", is_default=True),
]
STATUSES = [
    OrderStatusOption("processing", "Processing", "processing"),
    OrderStatusOption("amazon_ready", "Amazon ready", "processing"),
    OrderStatusOption("on_hold", "On hold", "holded"),
    OrderStatusOption("complete", "Complete", "complete"),
    OrderStatusOption("delivered", "Delivered", "complete"),
    OrderStatusOption("canceled", "Canceled", "canceled"),
    OrderStatusOption("voided", "Voided", "canceled"),
    OrderStatusOption("closed", "Closed", "closed"),
    OrderStatusOption("refunded", "Refunded", "closed"),
]


def _validate(changes: dict[str, Any], current: OrderSettings | None = None) -> OrderSettings:
    return validate_settings(current or OrderSettings(), changes, statuses=STATUSES, store_views=STORE_VIEWS)


def test_settings_defaults() -> None:
    settings = coerce_settings({})
    assert settings == OrderSettings()
    assert settings.as_dict() == {
        "import_enabled": True,
        "import_store_view": None,
        "customer_creation": "GUEST",
        "order_number_source": "COMMERCE",
        "reserve_quantity": "RESERVE",
        "order_status": "DEFAULT",
        "processing_order_status": None,
    }


def test_coerce_keeps_what_is_not_changed() -> None:
    base = coerce_settings({"customer_creation": "NEW_ACCOUNT", "order_number_source": "AMAZON"})
    changed = coerce_settings({"reserve_quantity": "DO_NOT_RESERVE"}, base)
    assert changed.customer_creation is CustomerCreation.NEW_ACCOUNT
    assert changed.order_number_source is OrderNumberSource.AMAZON
    assert changed.reserve_quantity is ReserveQuantity.DO_NOT_RESERVE


_ENUM_SETTINGS: list[tuple[str, type[StrEnum]]] = [
    ("customer_creation", CustomerCreation),
    ("order_number_source", OrderNumberSource),
    ("reserve_quantity", ReserveQuantity),
    ("order_status", OrderStatusMode),
]
_ENUM_CASES = [
    pytest.param(field, member, spelling, id=f"{field}-{spelling_id}-{member.name}")
    for field, enum in _ENUM_SETTINGS
    for member in enum
    for spelling_id, spelling in (
        ("upper", member.name),
        ("lower", member.name.lower()),
        ("mixed", member.name.title()),
        ("member", member),
    )
]


@pytest.mark.parametrize(("field", "member", "spelling"), _ENUM_CASES)
def test_every_enum_value_accepted_in_either_case(field: str, member: StrEnum, spelling: Any) -> None:
    assert getattr(coerce_settings({field: spelling}), field) is member


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("import_enabled", "yes", id="import-enabled-string"),
        pytest.param("import_enabled", 1, id="import-enabled-int"),
        pytest.param("import_enabled", None, id="import-enabled-null"),
        pytest.param("customer_creation", "ACCOUNT", id="customer-creation-unknown"),
        pytest.param("customer_creation", None, id="customer-creation-null"),
        pytest.param("order_number_source", "MAGENTO", id="order-number-source-unknown"),
        pytest.param("reserve_quantity", True, id="reserve-quantity-bool"),
        pytest.param("reserve_quantity", "DO NOT RESERVE", id="reserve-quantity-spaces"),
        pytest.param("order_status", 2, id="order-status-int"),
        pytest.param("order_status", ReserveQuantity.RESERVE, id="order-status-other-enum"),
        pytest.param("import_store_view", "", id="store-view-empty"),
        pytest.param("import_store_view", "   ", id="store-view-blank"),
        pytest.param("import_store_view", 7, id="store-view-int"),
        pytest.param("processing_order_status", "", id="processing-status-empty"),
        pytest.param("processing_order_status", ["processing"], id="processing-status-list"),
    ],
)
def test_bad_values_raise_naming_the_setting(field: str, value: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        coerce_settings({field: value})
    assert caught.value.field == field
    assert caught.value.message


def test_unknown_setting_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        coerce_settings({"reserve_qty": "RESERVE"})
    assert caught.value.field == "reserve_qty"
    assert caught.value.code == "UNKNOWN_FIELD"
    assert "reserve_quantity" in caught.value.message  # the known settings are listed


def test_bad_enum_message_lists_allowed_values() -> None:
    with pytest.raises(ValidationError) as caught:
        coerce_settings({"customer_creation": "ACCOUNT"})
    assert "GUEST" in caught.value.message
    assert "NEW_ACCOUNT" in caught.value.message


def test_validate_accepts_a_custom_processing_status() -> None:
    settings = _validate({"order_status": "custom", "processing_order_status": "amazon_ready"})
    assert settings.order_status is OrderStatusMode.CUSTOM
    assert settings.processing_order_status == "amazon_ready"


def test_validate_accepts_an_existing_store_view() -> None:
    assert _validate({"import_store_view": "french"}).import_store_view == "french"


def test_custom_requires_processing_order_status() -> None:
    with pytest.raises(ValidationError) as caught:
        _validate({"order_status": "CUSTOM"})
    assert caught.value.field == "processing_order_status"
    assert caught.value.code == "REQUIRED"


def test_custom_processing_status_must_exist() -> None:
    with pytest.raises(ValidationError) as caught:
        _validate({"order_status": "CUSTOM", "processing_order_status": "no_such_status"})
    assert caught.value.field == "processing_order_status"
    assert caught.value.code == "NOT_FOUND"
    assert "no_such_status" in caught.value.message


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("complete", id="code-complete"),
        pytest.param("canceled", id="code-canceled"),
        pytest.param("closed", id="code-closed"),
        pytest.param("delivered", id="state-complete"),
        pytest.param("voided", id="state-canceled"),
        pytest.param("refunded", id="state-closed"),
    ],
)
def test_custom_processing_status_cannot_be_final(code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _validate({"order_status": "CUSTOM", "processing_order_status": code})
    assert caught.value.field == "processing_order_status"
    assert caught.value.code == "NOT_ALLOWED"


@pytest.mark.parametrize("code", ["complete", "canceled", "closed"])
def test_forbidden_status_code_refused_even_if_host_files_it_under_processing(code: str) -> None:
    statuses = [OrderStatusOption(code, code.title(), "processing")]
    with pytest.raises(ValidationError) as caught:
        validate_settings(
            OrderSettings(),
            {"order_status": "CUSTOM", "processing_order_status": code},
            statuses=statuses,
            store_views=STORE_VIEWS,
        )
    assert caught.value.field == "processing_order_status"


def test_default_order_status_needs_no_processing_status() -> None:
    current = _validate({"order_status": "CUSTOM", "processing_order_status": "amazon_ready"})
    assert _validate({"order_status": "DEFAULT"}, current).order_status is OrderStatusMode.DEFAULT


def test_unknown_store_view_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        _validate({"import_store_view": "german"})
    assert caught.value.field == "import_store_view"
    assert caught.value.code == "NOT_FOUND"
    assert "german" in caught.value.message


def test_import_disabled_skips_host_checks() -> None:
    settings = _validate(
        {
            "import_enabled": False,
            "import_store_view": "german",
            "order_status": "CUSTOM",
            "processing_order_status": "not_yet_created",
        }
    )
    assert settings.import_enabled is False
    assert settings.import_store_view == "german"
    assert settings.processing_order_status == "not_yet_created"

    missing = _validate({"import_enabled": False, "order_status": "CUSTOM"})
    assert missing.order_status is OrderStatusMode.CUSTOM


def test_import_disabled_still_checks_types_and_enum_values() -> None:
    with pytest.raises(ValidationError) as caught:
        _validate({"import_enabled": False, "customer_creation": "ACCOUNT"})
    assert caught.value.field == "customer_creation"


def test_turning_import_back_on_checks_the_kept_settings() -> None:
    inert = _validate({"import_enabled": False, "import_store_view": "german"})
    with pytest.raises(ValidationError) as caught:
        _validate({"import_enabled": True}, inert)
    assert caught.value.field == "import_store_view"


@pytest.mark.parametrize(
    ("configured", "website", "expected"),
    [
        pytest.param("french", "base", "french", id="configured-exists"),
        pytest.param("german", "base", "default", id="configured-gone-falls-back-to-default"),
        pytest.param(None, "base", "default", id="unset-uses-website-default"),
        pytest.param(None, "wholesale", "b2b", id="other-website-default"),
    ],
)
def test_effective_store_view(configured: str | None, website: str, expected: str) -> None:
    settings = OrderSettings(import_store_view=configured)
    assert effective_store_view(settings, STORE_VIEWS, website) == expected


def test_effective_store_view_without_default_uses_a_view_of_the_website() -> None:
    views = [StoreView("other", "Other", "elsewhere", is_default=True), StoreView("only", "Only", "shop")]
    assert effective_store_view(OrderSettings(import_store_view="gone"), views, "shop") == "only"


def test_effective_store_view_without_any_view_raises() -> None:
    with pytest.raises(ValidationError) as caught:
        effective_store_view(OrderSettings(), [], "base")
    assert caught.value.field == "import_store_view"


# ----------------------------------------------------------------------------------------------------
# build_draft
# ----------------------------------------------------------------------------------------------------

WHEN = datetime(2026, 1, 15, 11, 0, tzinfo=UTC)


USD_TOTAL = Money(Decimal("45.97"), "USD")


def _order(channel: FulfillmentChannel = MFN, *, total: Money | None = USD_TOTAL) -> AmazonOrder:
    return AmazonOrder(
        amazon_order_id="111-1234567-7654321",
        purchase_date=WHEN,
        last_update_date=WHEN,
        status=S.UNSHIPPED if channel is MFN else S.SHIPPED,
        fulfillment_channel=channel,
        items=(
            OrderItem("i1", "AMZ-WIDGET", 2, item_price=Money(Decimal("19.99"), "USD")),
            OrderItem("i2", "GADGET", 1, quantity_shipped=1, item_price=Money(Decimal("5.99"), "USD")),
        ),
        grand_total=total,
        buyer=Buyer(name="Jane Doe", email="jane@example.com"),
        shipping_address=Address(name="Jane Doe", city="Seattle", country_code="US"),
        ship_service_level="Expedited",
    )


DRAFT_NEEDS = [ItemNeed("AMZ-WIDGET", "WIDGET", 2), ItemNeed("GADGET", "GADGET", 1)]


def _draft(
    order: AmazonOrder | None = None, settings: OrderSettings | None = None, reservation: str | None = "res-1"
) -> Any:
    return build_draft(
        order or _order(),
        DRAFT_NEEDS,
        CATALOG,
        settings or OrderSettings(),
        store_view="default",
        customer_id=None,
        reservation_reference=reservation,
        store_id=7,
    )


def test_draft_names_the_store_and_amazon_order_for_the_host() -> None:
    draft = _draft()
    assert draft.external_reference == f"amazon:7:{draft.amazon_order_id}"


def test_draft_items_use_catalog_sku_and_exact_unit_prices() -> None:
    draft = _draft()
    assert [(i.sku, i.seller_sku, i.qty, i.qty_shipped) for i in draft.items] == [
        ("WIDGET", "AMZ-WIDGET", 2, 0),
        ("GADGET", "GADGET", 1, 1),
    ]
    assert [i.name for i in draft.items] == ["Widget", "Gadget"]
    for item in draft.items:
        assert type(item.unit_price) is Decimal
    assert [i.unit_price for i in draft.items] == [Decimal("19.99"), Decimal("5.99")]
    assert draft.grand_total == Decimal("45.97")
    assert draft.currency == "USD"
    assert draft.store_view == "default"
    assert draft.customer_email == "jane@example.com"


def test_draft_total_summed_exactly_when_amazon_sent_none() -> None:
    draft = _draft(_order(total=None))
    assert draft.grand_total == Decimal("45.97")
    assert type(draft.grand_total) is Decimal


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param("AMAZON", "111-1234567-7654321", id="amazon-order-id"),
        pytest.param("COMMERCE", None, id="host-numbering"),
    ],
)
def test_draft_order_number_source(source: str, expected: str | None) -> None:
    draft = _draft(settings=coerce_settings({"order_number_source": source}))
    assert draft.increment_id == expected


def test_draft_uses_custom_status() -> None:
    settings = coerce_settings({"order_status": "CUSTOM", "processing_order_status": "amazon_ready"})
    assert _draft(settings=settings).status == "amazon_ready"


def test_draft_default_status_left_to_host() -> None:
    settings = coerce_settings({"order_status": "DEFAULT", "processing_order_status": "amazon_ready"})
    assert _draft(settings=settings).status is None


def test_draft_merchant_order_deducts_stock_and_keeps_reservation() -> None:
    draft = _draft(_order(MFN), reservation="res-1")
    assert draft.deduct_stock is True
    assert draft.reservation_reference == "res-1"


def test_draft_fba_order_leaves_merchant_stock_alone() -> None:
    draft = _draft(_order(AFN), reservation="res-1")
    assert draft.deduct_stock is False
    assert draft.reservation_reference is None
