"""A shipment confirmation Amazon refused, as the merchant sees it: counted in the banner, explained on the order
page, corrected and resent from there."""

from __future__ import annotations

import re

import pytest

from channel_plugin.testing import Sandbox, make_order
from tests.browser.conftest import screenshot

expect = pytest.importorskip("playwright.sync_api").expect


def refused_shipment(sandbox: Sandbox) -> None:
    order = make_order("111-0000000-0000400", items=[("MUG-BLUE", 1)])
    sandbox.amazon.put_order(order)
    sandbox.sync()
    sandbox.host.ship(sandbox.order(order["orderId"]).commerce_order_id, "UPS", "1Z-TYPO")
    sandbox.amazon_server.faults.fail_next(400, operation="confirmShipment")
    sandbox.sync()


def test_a_refused_confirmation_is_shown_and_resent_from_the_order_page(serve, page_for):
    served = serve(seed=refused_shipment)
    page = page_for(served)
    page.goto(served.url("stores/1/orders/111-0000000-0000400") + f"#token={served.token}")
    expect(page.locator(".system-message")).to_contain_text("Amazon has not accepted 1 shipment confirmation(s)")
    problem = page.locator(".problems .problem")
    expect(problem).to_contain_text("Amazon refused the shipment confirmation")
    expect(problem).to_contain_text("request is invalid")
    expect(page.get_by_label("Tracking number")).to_have_value("1Z-TYPO")
    screenshot(page, "order-refused-shipment.png")

    page.get_by_label("Tracking number").fill("1Z999AA10123456784")
    page.get_by_role("button", name="Resend to Amazon").click()
    expect(page.locator(".problems")).to_have_count(0)
    expect(page.locator(".history")).to_contain_text(re.compile(r"queued again for package \d+ with UPS"))
    expect(page.locator(".system-message")).to_have_count(0)
