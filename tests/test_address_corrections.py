"""An admin's address correction reaches the Commerce order through the host, or the admin is told it did not."""

from __future__ import annotations

import pytest

from channel_plugin import HostError, hookimpl
from channel_plugin.testing import Sandbox, make_order

ADDRESS = """mutation($s: ID!, $id: String!, $input: ShippingAddressInput!) {
  updateShippingAddress(storeId: $s, amazonOrderId: $id, input: $input) {
    order { notes } shippingAddress { line1 city } commerceUpdated message errors { field code message } } }"""
NEW_ADDRESS = {"name": "Ann Lee", "line1": "9 Elm Rd", "city": "Leeds", "postalCode": "LS1 4AP", "countryCode": "GB"}


def _correct(sb: Sandbox, amazon_order_id: str) -> dict:
    body = sb.graphql(ADDRESS, {"s": str(sb.store.id), "id": amazon_order_id, "input": NEW_ADDRESS})
    assert "errors" not in body, body
    return body["data"]["updateShippingAddress"]


def _imported(sb: Sandbox) -> tuple[str, str]:
    order = make_order(items=[("RUG", 1)])
    sb.amazon.put_order(order)
    sb.sync()
    view = sb.order(order["orderId"])
    assert view is not None and view.commerce_order_id is not None
    return order["orderId"], view.commerce_order_id


def _host_line1(sb: Sandbox, commerce_order_id: str) -> str | None:
    order = sb.host.order(commerce_order_id)
    assert order is not None and order.shipping_address is not None
    return order.shipping_address.line1


def test_the_reference_host_creates_its_order_with_amazons_address(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "RUG", "qty": 3}])
    _, commerce_id = _imported(sb)
    assert _host_line1(sb, commerce_id) == "1 Main St"


def test_a_correction_of_an_imported_order_reaches_the_reference_hosts_order(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "RUG", "qty": 3}])
    amazon_id, commerce_id = _imported(sb)
    result = _correct(sb, amazon_id)
    increment_id = sb.host.order(commerce_id).increment_id
    assert result["errors"] == [] and result["commerceUpdated"] is True
    assert result["message"] == f"Shipping address saved; Commerce order #{increment_id} ships to it too."
    assert result["order"]["notes"] == result["message"]
    host_address = sb.host.order(commerce_id).shipping_address
    assert (host_address.name, host_address.line1, host_address.city, host_address.country_code) == (
        "Ann Lee",
        "9 Elm Rd",
        "Leeds",
        "GB",
    )
    assert host_address.line2 is None  # the whole address is replaced, nothing old survives


def _without_address_corrections(sb: Sandbox) -> None:
    """The reference host as a host that never implemented the optional service."""
    services = sb.pm.unregister(name="reference_host")
    services.__class__ = type("HostWithoutCorrections", (type(services),), {"commerce_update_shipping_address": None})
    sb.pm.register(services, name="reference_host")
    assert sb.pm.hook.commerce_update_shipping_address.get_hookimpls() == []


def test_without_the_host_service_the_payload_says_the_correction_stayed_in_the_plugin(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "RUG", "qty": 3}])
    amazon_id, commerce_id = _imported(sb)
    _without_address_corrections(sb)
    result = _correct(sb, amazon_id)
    increment_id = sb.host.order(commerce_id).increment_id
    assert result["errors"] == [] and result["commerceUpdated"] is False
    assert result["message"] == (
        f"Shipping address saved in the plugin's copy only: Commerce order #{increment_id} still ships to the old "
        "address. Change it in Commerce too."
    )
    assert result["order"]["notes"] == result["message"]
    assert sb.order(amazon_id).shipping_address.line1 == "9 Elm Rd"
    assert _host_line1(sb, commerce_id) == "1 Main St"


def test_a_correction_before_the_import_stays_in_the_plugin_until_the_order_is_created(make_sandbox):
    sb = make_sandbox()
    order = make_order(items=[("RUG", 1)])
    sb.amazon.put_order(order)
    sb.sync()
    assert sb.order(order["orderId"]).import_state == "BLOCKED"
    result = _correct(sb, order["orderId"])
    assert result["errors"] == [] and result["commerceUpdated"] is False
    assert result["message"].startswith("Shipping address saved in the plugin's copy only: there is no Commerce order")
    sb.host.add_product("RUG", qty=1)
    commerce_id = sb.order(order["orderId"]).commerce_order_id
    assert commerce_id is not None and _host_line1(sb, commerce_id) == "9 Elm Rd"


@pytest.mark.parametrize("answer", ["refuse", "False"])
def test_a_host_that_refuses_or_declines(make_sandbox, answer):
    sb = make_sandbox(catalog=[{"sku": "RUG", "qty": 3}])
    amazon_id, commerce_id = _imported(sb)

    class Refusing:
        @hookimpl(tryfirst=True)
        def commerce_update_shipping_address(self, order_id, address):
            if answer == "refuse":
                raise HostError("this order is already packed")
            return False

    sb.pm.register(Refusing())
    notes_before = sb.order(amazon_id).notes
    result = _correct(sb, amazon_id)
    assert _host_line1(sb, commerce_id) == "1 Main St"
    if answer == "refuse":  # nothing changes on either side, and the admin reads why
        assert [(e["field"], e["code"]) for e in result["errors"]] == [("amazonOrderId", "HOST_ERROR")]
        assert "this order is already packed" in result["errors"][0]["message"]
        assert result["commerceUpdated"] is False and result["message"] is None
        assert sb.order(amazon_id).shipping_address.line1 == "1 Main St" and sb.order(amazon_id).notes == notes_before
    else:
        assert result["errors"] == [] and result["commerceUpdated"] is False
        assert "still ships to the old address" in result["message"]
        assert sb.order(amazon_id).shipping_address.line1 == "9 Elm Rd"
