"""DESIGN.md section 3's creation table, row by row, through the Sandbox on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from channel_plugin.testing import make_order


def put_and_sync(sandbox, *orders):
    for order in orders:
        sandbox.amazon.put_order(order)
    return sandbox.sync()


def test_merchant_pending_is_stored_and_reserved(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    order = make_order(status="PENDING", items=[("MUG", 2)])
    put_and_sync(sb, order)
    view = sb.order(order["orderId"])
    assert view.status == "PENDING"
    assert view.import_state == "WAITING"
    assert view.commerce_order_id is None
    assert sb.host.salable_qty("MUG") == 3
    assert sb.host.orders() == []


def test_merchant_pending_with_do_not_reserve_reserves_nothing(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}], settings={"reserve_quantity": "DO_NOT_RESERVE"})
    order = make_order(status="PENDING", items=[("MUG", 2)])
    put_and_sync(sb, order)
    assert sb.order(order["orderId"]).import_state == "WAITING"
    assert sb.host.salable_qty("MUG") == 5


def test_merchant_pending_availability_is_stored_without_reservation(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    order = make_order(status="PENDING_AVAILABILITY", items=[("MUG", 2)])
    put_and_sync(sb, order)
    assert sb.order(order["orderId"]).import_state == "WAITING"
    assert sb.host.salable_qty("MUG") == 5


def test_pending_order_is_not_reserved_beyond_stock(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 1}])
    order = make_order(status="PENDING", items=[("MUG", 2)])
    put_and_sync(sb, order)
    view = sb.order(order["orderId"])
    assert view.import_state == "WAITING"
    assert "not reserved" in view.notes.lower()
    assert sb.host.salable_qty("MUG") == 1


@pytest.mark.parametrize("status", ["UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED"])
def test_merchant_importable_status_creates_commerce_order_taking_stock_for_every_item(make_sandbox, status):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}, {"sku": "TEE", "qty": 3}])
    order = make_order(status=status, items=[("MUG", 2, "14.90"), ("TEE", 1, "20.00")])
    put_and_sync(sb, order)
    view = sb.order(order["orderId"])
    assert view.import_state == "IMPORTED"
    commerce = sb.host.order(view.commerce_order_id)
    # An order Amazon already reports as shipped (shipped from Seller Central) has nothing left to confirm.
    assert commerce.state == ("complete" if status == "SHIPPED" else "processing")
    assert sorted((i.sku, i.qty) for i in commerce.items) == [("MUG", 2), ("TEE", 1)]
    assert str(commerce.grand_total) == "49.80"
    assert sb.host.salable_qty("MUG") == 3
    assert sb.host.salable_qty("TEE") == 2


def test_pending_reservation_becomes_the_orders_deduction_never_counted_twice(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    order = make_order(status="PENDING", items=[("MUG", 2)])
    put_and_sync(sb, order)
    assert sb.host.salable_qty("MUG") == 3
    sb.amazon.set_status(order["orderId"], "Unshipped")
    sb.sync()
    view = sb.order(order["orderId"])
    assert view.import_state == "IMPORTED"
    assert sb.host.salable_qty("MUG") == 3
    assert sb.host.product("MUG").qty == 3


def test_reserved_units_count_as_available_to_their_own_order(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 2}])
    order = make_order(status="PENDING", items=[("MUG", 2)])
    put_and_sync(sb, order)
    assert sb.host.salable_qty("MUG") == 0
    sb.amazon.set_status(order["orderId"], "UNSHIPPED")
    sb.sync()
    assert sb.order(order["orderId"]).import_state == "IMPORTED"
    assert sb.host.product("MUG").qty == 0


@pytest.mark.parametrize("status", ["PENDING", "UNSHIPPED", "PARTIALLY_SHIPPED"])
def test_amazon_fulfilled_before_shipped_is_stored_only_and_never_reserves(make_sandbox, status):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    order = make_order(status=status, fulfilled_by="AMAZON", items=[("MUG", 2)])
    put_and_sync(sb, order)
    view = sb.order(order["orderId"])
    assert view.import_state == "WAITING"
    assert view.commerce_order_id is None
    assert sb.host.salable_qty("MUG") == 5


def test_amazon_fulfilled_shipped_is_created_without_touching_stock_then_completed(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 0}])
    order = make_order(status="SHIPPED", fulfilled_by="AMAZON", items=[("MUG", 2)], buyer_name=None, buyer_email=None)
    put_and_sync(sb, order)
    view = sb.order(order["orderId"])
    assert view.import_state == "IMPORTED"
    assert view.status == "COMPLETED"
    assert sb.host.order(view.commerce_order_id).state == "complete"
    assert sb.host.product("MUG").qty == 0


def test_fba_order_without_buyer_name_or_address_imports(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 0}], settings={"customer_creation": "NEW_ACCOUNT"})
    order = make_order(status="SHIPPED", fulfilled_by="AMAZON", items=[("MUG", 1)])
    assert "buyer" not in order and "recipient" not in order
    put_and_sync(sb, order)
    view = sb.order(order["orderId"])
    assert view.import_state == "IMPORTED"
    assert view.buyer.name is None and view.shipping_address is None
    assert sb.host.order(view.commerce_order_id).customer_id is None


@pytest.mark.parametrize("status", ["CANCELED", "UNFULFILLABLE"])
def test_canceled_before_import_is_skipped(make_sandbox, status):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    order = make_order(status=status, items=[("MUG", 2)])
    put_and_sync(sb, order)
    assert sb.order(order["orderId"]).import_state == "SKIPPED"
    assert sb.host.orders() == []


def test_canceled_before_import_releases_the_reservation(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    order = make_order(status="PENDING", items=[("MUG", 2)])
    put_and_sync(sb, order)
    assert sb.host.salable_qty("MUG") == 3
    sb.amazon.set_status(order["orderId"], "Canceled")
    sb.sync()
    view = sb.order(order["orderId"])
    assert (view.status, view.import_state) == ("CANCELED", "SKIPPED")
    assert sb.host.salable_qty("MUG") == 5
    assert "Released" in " ".join(e.message for e in view.history)


def test_canceled_after_import_cancels_the_commerce_order_and_returns_stock(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    order = make_order(items=[("MUG", 2)])
    put_and_sync(sb, order)
    assert sb.host.salable_qty("MUG") == 3
    sb.amazon.set_status(order["orderId"], "CANCELLED")
    sb.sync()
    view = sb.order(order["orderId"])
    assert view.status == "CANCELED"
    assert sb.host.order(view.commerce_order_id).state == "canceled"
    assert sb.host.salable_qty("MUG") == 5
    assert view.notes.startswith("Canceled by Amazon")


def test_orders_purchased_before_integration_are_never_imported(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    old = make_order(items=[("MUG", 1)], purchase_date=sb.store.integrated_at - timedelta(minutes=1))
    new = make_order(items=[("MUG", 1)], purchase_date=sb.store.integrated_at + timedelta(minutes=1))
    put_and_sync(sb, old, new)
    assert sb.order(old["orderId"]) is None
    assert sb.order(new["orderId"]).import_state == "IMPORTED"


def test_oldest_order_gets_the_last_unit(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 1}])
    start = sb.clock.now() - timedelta(days=1)
    late = make_order(items=[("MUG", 1)], purchase_date=start + timedelta(hours=2))
    early = make_order(items=[("MUG", 1)], purchase_date=start)
    put_and_sync(sb, late, early)
    assert sb.order(early["orderId"]).import_state == "IMPORTED"
    assert sb.order(late["orderId"]).import_state == "BLOCKED"
    assert sb.host.salable_qty("MUG") == 0


def test_a_v0_shaped_order_imports_like_a_v2026_one(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    v0 = {
        "AmazonOrderId": "902-3159896-1390916",
        "PurchaseDate": "2026-01-14T10:00:00Z",
        "LastUpdateDate": "2026-01-14T10:00:00Z",
        "OrderStatus": "Unshipped",
        "FulfillmentChannel": "MFN",
        "OrderTotal": {"CurrencyCode": "USD", "Amount": "29.80"},
        "BuyerInfo": {"BuyerEmail": "v0buyer@marketplace.amazon.com"},
        "OrderItems": [
            {
                "OrderItemId": "68828574383266",
                "SellerSKU": "MUG",
                "ASIN": "B00000O0",
                "QuantityOrdered": 2,
                "QuantityShipped": 0,
                "ItemPrice": {"CurrencyCode": "USD", "Amount": "29.80"},
            },
        ],
    }
    sb.amazon.put_order(v0)
    sb.sync()
    view = sb.order("902-3159896-1390916")
    assert view.import_state == "IMPORTED"
    assert str(view.items[0].item_price.amount) == "14.90"
    assert sb.host.salable_qty("MUG") == 3
