"""What a merchant sees in the dashboard: each test drives the page and asserts the text on screen."""

from __future__ import annotations

import re

import pytest

from channel_plugin.testing import make_order
from tests.browser.conftest import screenshot

expect = pytest.importorskip("playwright.sync_api").expect


def signed_in(page_for, served, path="stores/1", **kwargs):
    page = page_for(served, **kwargs)
    page.goto(served.url(path) + f"#token={served.token}")
    return page


def test_the_store_dashboard_shows_the_store_its_counts_chart_and_recent_orders(serve, page_for):
    served = serve()
    page = signed_in(page_for, served)
    expect(page.get_by_role("heading", name="Demo Store US", level=1)).to_be_visible()
    assert "#token" not in page.url  # the token left the address bar for sessionStorage
    expect(page.locator(".facts")).to_contain_text("Active")
    expect(page.locator(".facts")).to_contain_text(re.compile(r"Last sync.*UTC — OK"))
    counts = served.sandbox.graphql("{ amazonStores { importStateCounts { importState count } } }")
    for c in counts["data"]["amazonStores"][0]["importStateCounts"]:
        expect(page.locator(f'.counts [data-state="{c["importState"]}"] .count')).to_have_text(str(c["count"]))
    summary = "Orders per day from 2025-12-17 to 2026-01-15: 43 in all, 3 waiting, 34 imported, 5 blocked, 1 skipped"
    chart = page.get_by_role("img", name=summary)
    expect(chart).to_be_visible()
    expect(page.locator(".chart .bar rect")).not_to_have_count(0)
    rows = page.get_by_role("region", name="Recent Orders: the 10 newest").locator("tbody tr")
    expect(rows).to_have_count(10)
    newest = served.sandbox.graphql("{ amazonOrders(first: 10) { edges { node { amazonOrderId } } } }")
    expect(rows.locator("td:nth-child(2)")).to_have_text(
        [e["node"]["amazonOrderId"] for e in newest["data"]["amazonOrders"]["edges"]]
    )
    dates = rows.locator("td:nth-child(1)").all_inner_texts()
    assert dates == sorted(dates, reverse=True)
    expect(page.locator(".system-message")).to_contain_text("cannot be imported into Commerce")
    screenshot(page, "dashboard.png")

    page.set_viewport_size({"width": 390, "height": 800})  # a narrow window: nothing wider than the screen
    expect(page.get_by_role("heading", name="Demo Store US")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_all_orders_filter_sort_page_and_reload_keep_the_view(serve, page_for):
    served = serve()
    page = signed_in(page_for, served, "stores/1/orders")
    expect(page.locator(".result-count")).to_have_text("43 orders · page 1")
    rows = page.locator("table.orders tbody tr")
    expect(rows).to_have_count(25)

    page.get_by_role("button", name="Next page").click()  # cursor pagination, whole result
    expect(page.locator(".result-count")).to_have_text("43 orders · page 2")
    expect(rows).to_have_count(18)
    assert "after=" in page.url
    page.reload()
    expect(page.locator(".result-count")).to_have_text("43 orders · page 2")
    page.get_by_role("button", name="Previous page").click()
    expect(page.locator(".result-count")).to_have_text("43 orders · page 1")

    page.get_by_label("Total from").fill("24.5")
    page.get_by_label("Total to").fill("30.07")
    page.get_by_label("Unshipped").check()
    page.get_by_role("button", name="Apply filters").click()
    chips = page.get_by_role("group", name="Applied filters")
    expect(chips).to_contain_text("Total: 24.5 to 30.07")
    expect(chips).to_contain_text("Status: Unshipped")
    totals = page.locator("table.orders tbody tr td:nth-child(5)")
    wanted = served.sandbox.graphql(
        '{ amazonOrders(first: 50, filter: {status: [UNSHIPPED], total: {from: "24.5", to: "30.07"}}) '
        "{ edges { node { grandTotal { amount } } } } }"
    )
    amounts = [e["node"]["grandTotal"]["amount"] for e in wanted["data"]["amazonOrders"]["edges"]]
    assert len(amounts) > 2
    expect(totals).to_have_text([f"${a}" for a in amounts])
    expect(page.locator(".result-count")).to_have_text(f"{len(amounts)} orders · page 1")
    shown = amounts

    page.get_by_role("button", name="Grand total").press("Enter")  # keyboard: sort on the column, descending
    expect(page.locator("th[aria-sort=descending]")).to_have_text(re.compile("Grand total"))
    page.get_by_role("button", name="Grand total").click()  # again: ascending
    expect(page.locator("th[aria-sort=ascending]")).to_have_text(re.compile("Grand total"))
    ascending = [t.replace("$", "") for t in totals.all_inner_texts()]
    assert ascending == sorted(ascending, key=float) and len(ascending) == len(shown)
    assert "sort=GRAND_TOTAL%3AASC" in page.url and "status=UNSHIPPED" in page.url and "min=24.5" in page.url
    screenshot(page, "orders-filtered.png")

    page.reload()  # the URL keeps filters and sort
    expect(chips).to_contain_text("Total: 24.5 to 30.07")
    assert [t.replace("$", "") for t in totals.all_inner_texts()] == ascending

    page.get_by_role("button", name="Remove filter Status: Unshipped").click()
    expect(chips).not_to_contain_text("Status")
    assert "status=" not in page.url
    page.get_by_role("button", name="Clear all").click()
    expect(page.get_by_role("group", name="Applied filters")).to_have_count(0)
    expect(page.locator(".result-count")).to_have_text("43 orders · page 1")

    page.get_by_label("Buyer name").fill("lovelace")
    page.get_by_role("button", name="Apply filters").click()
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td").nth(3)).to_have_text("Ada Lovelace")


def test_an_order_opens_its_address_is_corrected_and_an_unshipped_order_is_canceled(serve, page_for):
    served = serve()
    page = signed_in(page_for, served, "stores/1/orders")
    page.get_by_label("Buyer name").fill("Ada")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".result-count")).to_have_text("1 order · page 1")
    page.locator("table.orders tbody tr").first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Order \d{3}-"))
    expect(page.get_by_role("link", name=re.compile(r"Open Commerce order #"))).to_be_visible()
    expect(page.locator("#sec-items + .table-wrap")).to_contain_text("MUG-BLUE")
    expect(page.locator(".history")).to_contain_text("Commerce order")
    screenshot(page, "order-details.png")

    page.get_by_role("button", name="Edit address").click()
    page.get_by_label("City (required)").fill("Cambridge")
    page.get_by_label("Country code (required)").fill("G")
    page.get_by_role("button", name="Save address").click()
    expect(page.locator('[data-field="countryCode"] .field-error')).to_have_text(re.compile("two-letter"))
    page.get_by_label("Country code (required)").fill("GB")
    page.get_by_role("button", name="Save address").click()
    expect(page.locator("address")).to_contain_text("Cambridge")
    expect(page.locator("address")).to_contain_text("GB")
    expect(page.locator(".shipping [role=status]")).to_have_text(re.compile(r"Commerce order #\d+ ships to it too"))

    page.get_by_role("button", name="Cancel order…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("This cannot be undone")
    dialog.get_by_role("button", name="Keep the order").click()
    expect(dialog).to_be_hidden()
    page.get_by_role("button", name="Cancel order…").click()
    page.get_by_label("Reason (Amazon's code)").select_option("NO_INVENTORY")
    page.get_by_role("button", name="Cancel the order").click()
    expect(page.locator(".facts").first).to_contain_text("Canceled")
    expect(page.get_by_role("button", name="Cancel order…")).to_have_count(0)

    page.goto(served.url("stores/1/orders?buyer=Ken&state=BLOCKED"))
    expect(page.locator(".result-count")).to_have_text("1 order · page 1")
    page.locator("table.orders tbody tr").first.get_by_role("link").click()
    expect(page.locator(".blockers")).to_contain_text("MUG-GREEN-FBA")
    expect(page.get_by_role("link", name="Open in Seller Central")).to_have_attribute(
        "href", re.compile(r"^https://sellercentral")
    )


def test_settings_disable_fields_while_import_is_off_and_show_server_errors_by_their_field(serve, page_for):
    served = serve()
    page = signed_in(page_for, served, "stores/1/settings")
    form = page.get_by_role("form", name="Order settings")
    expect(page.get_by_label("Customer")).to_have_value("GUEST")
    expect(form).to_contain_text("Default: guest checkout.")
    page.get_by_label("Import Amazon orders into Commerce").uncheck()
    for name in ("Store view for imported orders", "Customer", "Order number", "Reserve quantity", "Order status"):
        expect(page.get_by_label(name, exact=True)).to_be_disabled()
    page.get_by_label("Import Amazon orders into Commerce").check()
    expect(page.get_by_label("Customer")).to_be_enabled()
    options = page.get_by_label("Processing status").locator("option").all_inner_texts()
    assert not any(re.search(r"\((complete|canceled|closed)\)", o) for o in options)

    page.get_by_label("Order status").select_option("CUSTOM")
    page.get_by_role("button", name="Save settings").click()
    error = page.locator('[data-field="processingOrderStatus"] .field-error')
    expect(error).to_have_text(re.compile("required"))
    expect(page.get_by_label("Processing status")).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Processing status").select_option("processing")
    page.get_by_label("Customer").select_option("NEW_ACCOUNT")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status").filter(has_text="Settings saved.")).to_be_visible()
    screenshot(page, "settings.png")
    page.reload()
    expect(page.get_by_label("Customer")).to_have_value("NEW_ACCOUNT")
    expect(page.get_by_label("Processing status")).to_have_value("processing")


def test_matching_a_sku_imports_its_orders_and_the_banner_appears_then_clears(serve, page_for):
    def one_good_order(sandbox):
        sandbox.amazon.put_order(make_order(items=[("MUG-BLUE", 1)]))
        sandbox.sync()

    served = serve(seed=one_good_order)
    page = signed_in(page_for, served)
    expect(page.get_by_role("heading", name="Demo Store US")).to_be_visible()
    expect(page.locator(".system-message")).to_have_count(0)

    blocked = [make_order(items=[("MUG-GREEN-FBA", 1)], buyer_name=n) for n in ("Ann Ng", "Bo Li")]
    for order in blocked:
        served.sandbox.amazon.put_order(order)
    served.sandbox.sync()
    page.get_by_role("link", name="Blockers").click()
    banner = page.locator(".system-message")
    expect(banner).to_contain_text(
        "Your Amazon store(s) has orders that cannot be imported into Commerce. "
        "See Recent Orders in the store dashboard(s): Demo Store US"
    )
    expect(banner.get_by_role("link", name="Open Demo Store US")).to_have_attribute("href", "stores/1")
    group = page.locator('.blocker-group[data-sku="MUG-GREEN-FBA"]')
    expect(group.locator(".blocked-count")).to_have_text("2")
    expect(group).to_contain_text("Product not found")

    group.get_by_role("button", name=f"Retry order {blocked[0]['orderId']}").click()
    expect(page.get_by_role("status").filter(has_text="retried")).to_have_text(
        "1 order retried: 0 imported, 1 still not imported."
    )
    page.get_by_label("Catalog SKU for MUG-GREEN-FBA").fill("MUG-BLUE")
    page.get_by_role("button", name="Match product").click()
    expect(page.get_by_role("status").filter(has_text="retried")).to_have_text(
        "2 orders retried: 2 imported, 0 still not imported."
    )
    expect(page.locator(".empty")).to_contain_text("Nothing is blocked")
    expect(banner).to_have_count(0)

    page.get_by_role("link", name="All Orders").click()
    page.get_by_label("Buyer name").fill("Bo Li")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("table.orders tbody tr td:nth-child(7)")).to_have_text(["Imported"])


def test_a_wrong_token_and_an_unreachable_api_are_clear_states(serve, page_for):
    served = serve(seed=None)
    page = page_for(served)
    page.goto(served.url() + "#token=not-a-token")
    expect(page.get_by_role("alert")).to_contain_text("That token was not accepted")
    page.get_by_label("API token").fill(served.token)
    page.get_by_label("API token").press("Enter")
    expect(page.get_by_role("heading", name="Amazon stores")).to_be_visible()
    expect(page.get_by_role("link", name="Demo Store US")).to_be_visible()

    page.route("**/graphql", lambda route: route.abort())
    page.reload()
    expect(page.get_by_role("alert")).to_contain_text("The Amazon orders API is unreachable")
    page.unroute("**/graphql")
    page.get_by_role("button", name="Try again").click()
    expect(page.get_by_role("link", name="Demo Store US")).to_be_visible()

    page.goto(served.url("stores/1/blockers"))
    expect(page.locator(".empty")).to_have_text("Nothing is blocked: every order that can be imported has been.")


def test_an_order_amazon_would_not_cancel_shows_amazons_message_on_its_page(serve, page_for):
    served = serve(seed=None)
    sb = served.sandbox
    order = make_order(items=[("MUG-BLUE", 2)])
    sb.amazon.put_order(order)
    sb.sync()
    sb.amazon.refuse_cancel(order["orderId"], "The buyer already received the order.")
    sb.cancel(order["orderId"], "NoInventory")
    sb.sync()
    sb.sync()
    page = signed_in(page_for, served, f"stores/1/orders/{order['orderId']}")
    problems = page.get_by_role("alert", name="Problems")
    expect(problems).to_contain_text("Cancel rejected")
    expect(problems).to_contain_text("18028: The buyer already received the order.")
    expect(page.get_by_role("region", name="Order")).to_contain_text("StatusUnshipped")
