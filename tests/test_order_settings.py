"""Every order setting value, through the Sandbox on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from channel_plugin.errors import ValidationError
from channel_plugin.testing import make_order


def put_and_sync(sandbox, *orders):
    for order in orders:
        sandbox.amazon.put_order(order)
    sandbox.sync()


def commerce_of(sandbox, order):
    view = sandbox.order(order["orderId"])
    assert view.import_state == "IMPORTED", view.notes
    return sandbox.host.order(view.commerce_order_id)


def test_defaults(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    order = make_order(items=[("MUG", 1)])
    put_and_sync(sb, order)
    commerce = commerce_of(sb, order)
    assert commerce.store_view == "default"
    assert commerce.customer_id is None
    assert commerce.increment_id == "000000001"
    assert (commerce.state, commerce.status) == ("processing", "processing")


def test_import_disabled_stores_orders_view_only_and_reserves_nothing(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}], settings={"import_enabled": False})
    unshipped = make_order(items=[("MUG", 1)])
    pending = make_order(status="PENDING", items=[("MUG", 1)])
    put_and_sync(sb, unshipped, pending)
    for order in (unshipped, pending):
        assert sb.order(order["orderId"]).import_state == "VIEW_ONLY"
    assert sb.host.orders() == []
    assert sb.host.salable_qty("MUG") == 5


def test_switching_import_back_on_imports_orders_still_importable(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}], settings={"import_enabled": False})
    unshipped = make_order(items=[("MUG", 1)])
    canceled = make_order(items=[("MUG", 1)])
    put_and_sync(sb, unshipped, canceled)
    sb.amazon.set_status(canceled["orderId"], "CANCELED")
    sb.sync()
    sb.update_settings(import_enabled=True)
    sb.sync()
    assert sb.order(unshipped["orderId"]).import_state == "IMPORTED"
    assert sb.order(canceled["orderId"]).import_state == "SKIPPED"
    assert sb.host.salable_qty("MUG") == 4


def test_other_settings_are_inert_while_import_is_disabled(make_sandbox):
    sb = make_sandbox(settings={"import_enabled": False})
    saved = sb.update_settings(order_status="CUSTOM", processing_order_status="no_such_status")
    assert saved.processing_order_status == "no_such_status"
    with pytest.raises(ValidationError) as err:
        sb.update_settings(import_enabled=True)
    assert err.value.field == "processing_order_status"


def test_import_store_view(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}], settings={"import_store_view": "fr"})
    order = make_order(items=[("MUG", 1)])
    put_and_sync(sb, order)
    assert commerce_of(sb, order).store_view == "fr"
    with pytest.raises(ValidationError) as err:
        sb.update_settings(import_store_view="xx")
    assert err.value.field == "import_store_view"


def test_guest_customer_creation(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    order = make_order(items=[("MUG", 1)], buyer_email="ada@marketplace.amazon.com")
    put_and_sync(sb, order)
    commerce = commerce_of(sb, order)
    assert commerce.customer_id is None
    assert commerce.customer_email == "ada@marketplace.amazon.com"
    assert sb.host.customers() == []


def test_new_account_finds_or_creates_the_customer_by_email(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}], settings={"customer_creation": "NEW_ACCOUNT"})
    first = make_order(items=[("MUG", 1)], buyer_email="ada@marketplace.amazon.com", buyer_name="Ada L")
    second = make_order(items=[("MUG", 1)], buyer_email="ada@marketplace.amazon.com", buyer_name="Ada L")
    other = make_order(items=[("MUG", 1)], buyer_email="alan@marketplace.amazon.com")
    put_and_sync(sb, first, second, other)
    ids = [commerce_of(sb, o).customer_id for o in (first, second, other)]
    assert ids[0] is not None and ids[0] == ids[1] != ids[2]
    assert sorted(c.email for c in sb.host.customers()) == ["ada@marketplace.amazon.com", "alan@marketplace.amazon.com"]


def test_amazon_order_number_source(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}], settings={"order_number_source": "AMAZON"})
    order = make_order(items=[("MUG", 1)])
    put_and_sync(sb, order)
    assert commerce_of(sb, order).increment_id == order["orderId"]
    assert sb.order(order["orderId"]).commerce_increment_id == order["orderId"]


def test_custom_processing_status(make_sandbox):
    sb = make_sandbox(
        catalog=[{"sku": "MUG", "qty": 5}],
        settings={"order_status": "CUSTOM", "processing_order_status": "ready_to_ship"},
    )
    order = make_order(items=[("MUG", 1)])
    put_and_sync(sb, order)
    commerce = commerce_of(sb, order)
    assert (commerce.state, commerce.status) == ("processing", "ready_to_ship")


def test_a_host_custom_status_can_be_chosen(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    sb.host.add_status("amazon_new", "New from Amazon", "processing")
    sb.update_settings(order_status="CUSTOM", processing_order_status="amazon_new")
    order = make_order(items=[("MUG", 1)])
    put_and_sync(sb, order)
    assert commerce_of(sb, order).status == "amazon_new"


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"order_status": "CUSTOM"}, "processing_order_status", "REQUIRED"),
        ({"order_status": "CUSTOM", "processing_order_status": "complete"}, "processing_order_status", "NOT_ALLOWED"),
        ({"order_status": "CUSTOM", "processing_order_status": "canceled"}, "processing_order_status", "NOT_ALLOWED"),
        ({"order_status": "CUSTOM", "processing_order_status": "closed"}, "processing_order_status", "NOT_ALLOWED"),
        ({"order_status": "CUSTOM", "processing_order_status": "nope"}, "processing_order_status", "NOT_FOUND"),
        ({"customer_creation": "SOMETIMES"}, "customer_creation", "INVALID"),
        ({"reserve_quantity": 1}, "reserve_quantity", "INVALID"),
        ({"import_enabled": "yes"}, "import_enabled", "INVALID"),
        ({"colour": "blue"}, "colour", "UNKNOWN_FIELD"),
    ],
)
def test_invalid_settings_are_rejected_naming_the_field_and_nothing_is_saved(make_sandbox, changes, field, code):
    sb = make_sandbox()
    with pytest.raises(ValidationError) as err:
        sb.update_settings(**changes)
    assert (err.value.field, err.value.code) == (field, code)
    assert field in str(err.value)
    order = make_order(items=[("MUG", 1)])
    sb.host.add_product("MUG", qty=1)
    put_and_sync(sb, order)
    assert commerce_of(sb, order).status == "processing"


def test_sandbox_rejects_invalid_settings_up_front():
    from channel_plugin.testing import Sandbox

    with pytest.raises(ValidationError) as err:
        Sandbox(settings={"order_number_source": "EBAY"})
    assert err.value.field == "order_number_source"
