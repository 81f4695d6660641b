"""confirmShipment carries the host's ship method and Transparency codes (Amazon's PackageDetail.shippingMethod and
ConfirmShipmentOrderItem.transparencyCodes) when the shipment has them, box by box and line by line."""

from __future__ import annotations

import pytest

from channel_plugin.errors import HostError
from channel_plugin.testing import make_order


def imported(sb, *items):
    order = make_order(items=list(items))
    sb.amazon.put_order(order)
    sb.sync()
    view = sb.order(order["orderId"])
    assert view.import_state == "IMPORTED"
    return order, view.commerce_order_id


def lines_by_sku(order, package):
    skus = {i["orderItemId"]: i["product"]["sellerSku"] for i in order["orderItems"]}
    return {skus[line["orderItemId"]]: line for line in package["orderItems"]}


def test_the_ship_method_and_transparency_codes_reach_amazon(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "SERUM", "qty": 5}, {"sku": "MUG", "qty": 5}])
    order, commerce_id = imported(sb, ("SERUM", 2), ("MUG", 1))
    sb.host.ship(
        commerce_id, "UPS", "1Z1", shipping_method="Next Day Air", transparency_codes={"SERUM": ["AZ:T1", "AZ:T2"]}
    )
    sb.sync()
    [(_, package)] = sb.amazon.confirmations
    assert package["shippingMethod"] == "Next Day Air"
    lines = lines_by_sku(order, package)
    assert lines["SERUM"]["transparencyCodes"] == ["AZ:T1", "AZ:T2"]
    assert "transparencyCodes" not in lines["MUG"]
    assert sb.order(order["orderId"]).status == "COMPLETED"


def test_without_them_the_confirmation_has_neither_field(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    _order, commerce_id = imported(sb, ("MUG", 1))
    sb.host.ship(commerce_id, "UPS", "1Z1")
    sb.sync()
    [(_, package)] = sb.amazon.confirmations
    assert "shippingMethod" not in package
    assert all("transparencyCodes" not in line for line in package["orderItems"])


def test_each_box_carries_its_own_method_and_the_codes_of_the_units_it_holds(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "SERUM", "qty": 5}])
    order, commerce_id = imported(sb, ("SERUM", 3))
    sb.host.ship(
        commerce_id,
        "UPS",
        "1Z1",
        packages=[
            {"tracking": "1Z1", "items": {"SERUM": 2}},
            {"tracking": "1Z2", "items": {"SERUM": 1}, "shipping_method": "Ground"},
        ],
        shipping_method="Next Day Air",
        transparency_codes={"SERUM": ["T1", "T2", "T3"]},
    )
    sb.sync()
    first, second = (package for _, package in sb.amazon.confirmations)
    assert (first["shippingMethod"], second["shippingMethod"]) == ("Next Day Air", "Ground")
    assert lines_by_sku(order, first)["SERUM"]["transparencyCodes"] == ["T1", "T2"]
    assert lines_by_sku(order, second)["SERUM"]["transparencyCodes"] == ["T3"]


def test_more_codes_than_units_is_refused_and_nothing_ships(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "SERUM", "qty": 5}])
    order, commerce_id = imported(sb, ("SERUM", 1))
    with pytest.raises(HostError, match="more Transparency codes than units shipped for SERUM"):
        sb.host.ship(commerce_id, "UPS", "1Z1", transparency_codes={"SERUM": ["T1", "T2"]})
    assert sb.order(order["orderId"]).status == "UNSHIPPED"
    sb.sync()
    assert sb.amazon.confirmations == []
