"""Shipped quantities follow shipments: the host's shipments count at once, and an order that shipped in full
(FBA orders arrive so, with nothing fulfilled per line) shipped every unit."""

from __future__ import annotations

import pytest

from channel_plugin.domain.enums import AmazonOrderStatus as S
from channel_plugin.domain.rules import shipped_units
from channel_plugin.testing import make_order

ITEMS = "query($id: String!) { amazonOrder(amazonOrderId: $id) { items { sellerSku quantityShipped } } }"


@pytest.mark.parametrize(
    ("status", "ordered", "reported", "tracked", "shipped"),
    [
        (S.UNSHIPPED, 3, 0, 0, 0),
        (S.PARTIALLY_SHIPPED, 3, 0, 2, 2),  # our shipment, not yet reported back by Amazon
        (S.PARTIALLY_SHIPPED, 3, 2, 1, 2),  # Amazon knows of more than the host told us
        (S.PARTIALLY_SHIPPED, 3, 0, 5, 3),  # never more than ordered
        (S.SHIPPED, 3, 0, 0, 3),  # FBA: shipped by Amazon, no per-line count
        (S.COMPLETED, 2, 0, 0, 2),
        (S.INVOICE_UNCONFIRMED, 2, 1, 0, 2),
        (S.CANCELED, 2, 0, 0, 0),
    ],
)
def test_shipped_units(status, ordered, reported, tracked, shipped):
    assert shipped_units(status, ordered=ordered, reported=reported, tracked=tracked) == shipped


def shipped_by_sku(sb, order_id):
    items = sb.graphql(ITEMS, {"id": order_id})["data"]["amazonOrder"]["items"]
    from_graphql = {i["sellerSku"]: i["quantityShipped"] for i in items}
    assert from_graphql == {i.seller_sku: i.quantity_shipped for i in sb.order(order_id).items}
    return from_graphql


def test_a_host_shipment_counts_at_once_and_the_rest_follows(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}, {"sku": "TEE", "qty": 5}])
    order = make_order(items=[("MUG", 2), ("TEE", 1)])
    sb.amazon.put_order(order)
    sb.sync()
    order_id = order["orderId"]
    assert shipped_by_sku(sb, order_id) == {"MUG": 0, "TEE": 0}
    sb.host.ship(sb.order(order_id).commerce_order_id, "UPS", "1Z1", items={"MUG": 1})
    assert shipped_by_sku(sb, order_id) == {"MUG": 1, "TEE": 0}
    sb.host.ship(sb.order(order_id).commerce_order_id, "UPS", "1Z2")
    assert shipped_by_sku(sb, order_id) == {"MUG": 2, "TEE": 1}
    sb.sync()
    assert sb.order(order_id).status == "COMPLETED"
    assert shipped_by_sku(sb, order_id) == {"MUG": 2, "TEE": 1}


def test_a_shipped_fba_order_reads_every_unit_shipped(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    order = make_order(status="SHIPPED", fulfilled_by="AMAZON", items=[("MUG", 3)])
    assert order["orderItems"][0]["fulfillment"]["quantityFulfilled"] == 0
    sb.amazon.put_order(order)
    sb.sync()
    assert sb.order(order["orderId"]).import_state == "IMPORTED"
    assert shipped_by_sku(sb, order["orderId"]) == {"MUG": 3}
