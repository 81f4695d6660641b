"""The hook facade (``Runtime.hooks``): every hook called one way, every answer checked, every failure classified.

Throwaway plugins on a fresh plugin manager answer each service with garbage, refuse, fail or hit a transient
database error; the facade must say which hook answered what, keep buyer data out of it, and let only the
transient database error through untouched.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from decimal import Decimal

import pytest
from sqlalchemy.exc import OperationalError

from channel_plugin import HostError, hookimpl
from channel_plugin.amazon.payloads import parse_order
from channel_plugin.domain.enums import AmazonOrderStatus
from channel_plugin.domain.model import Address, CommerceOrderDraft, CommerceOrderRef, Product, StoreInfo, StoreView
from channel_plugin.engine.hookcalls import Lookup
from channel_plugin.engine.hooks import Hooks
from channel_plugin.errors import ChannelError, HookFailedError, HookResultError
from channel_plugin.manager import get_plugin_manager
from channel_plugin.testing import make_order

EMAIL = "jane.doe@marketplace.amazon.com"
ORDER = parse_order(make_order("111-0000001-0000001", items=[("MUG", 1)], buyer_email=EMAIL))
STORE = StoreInfo(1, "Sandbox US", "A2SANDBOXSELLER", "ATVPDKIKX0DER", "NA", "base")
REF = CommerceOrderRef("7", "000000007", "processing")


def draft() -> CommerceOrderDraft:
    return CommerceOrderDraft("111-0000001-0000001", "default", "USD", Decimal("10.00"), [], customer_email=EMAIL)


def facade(*plugins: object) -> Hooks:
    pm = get_plugin_manager(entry_points=False)
    for plugin in plugins:
        pm.register(plugin)
    return Hooks(pm, contextlib.nullcontext)


def answering(hook: str, answer: object = None, raises: BaseException | None = None, **marks: bool) -> object:
    """A plugin implementing ``hook`` (taking none of its arguments, as pluggy allows) with a fixed answer."""

    def impl(self: object) -> object:
        if raises is not None:
            raise raises
        return answer

    impl.__name__ = hook
    return type(f"Throwaway_{hook}", (), {hook: hookimpl(**marks)(impl)})()


# Each service as the engine calls it; lookups and page-sized creation report per item instead of raising.
SERVICES = {
    "resolve_sku": ("channel_resolve_sku", lambda h: h.resolve_sku(STORE, "MUG")),
    "build_order": ("channel_build_order", lambda h: h.build_order(ORDER, draft())),
    "store_views": ("commerce_store_views", lambda h: h.store_views()),
    "order_statuses": ("commerce_order_statuses", lambda h: h.order_statuses()),
    "find_product": ("commerce_find_product", lambda h: h.find_products(["MUG"], "default")),
    "find_products": ("commerce_find_products", lambda h: h.find_products(["MUG"], "default")),
    "salable_qty": ("commerce_salable_qty", lambda h: h.salable_qtys(["MUG"], "default")),
    "salable_qtys": ("commerce_salable_qtys", lambda h: h.salable_qtys(["MUG"], "default")),
    "customer": ("commerce_find_or_create_customer", lambda h: h.find_or_create_customer("default", EMAIL, "Jane")),
    "reserve": ("commerce_reserve", lambda h: h.reserve({"MUG": 2}, "amazon:1:111-0000001-0000001")),
    "release": ("commerce_release", lambda h: h.release("amazon:1:111-0000001-0000001")),
    "create_order": ("commerce_create_order", lambda h: [h.create_order(draft())]),
    "create_orders": ("commerce_create_orders", lambda h: h.create_orders([draft()])),
    "cancel_order": ("commerce_cancel_order", lambda h: h.cancel_order("7")),
    "complete_order": ("commerce_complete_order", lambda h: h.complete_order("7")),
    "find_orders": ("commerce_find_orders", lambda h: h.find_orders(["amazon:1:111-0000001-0000001"])),
    "order_shipments": ("commerce_order_shipments", lambda h: h.order_shipments(["7"])),
    "erase_buyer_data": ("commerce_erase_buyer_data", lambda h: h.erase_buyer_data(["7"])),
    "update_address": (
        "commerce_update_shipping_address",
        lambda h: h.update_shipping_address("7", Address(name="Jane Doe", city="Seattle")),
    ),
}


def failure(service: str, *plugins: object) -> object:
    """What the engine sees go wrong: the raised error, or the one reported for the SKU or the draft."""
    try:
        result = SERVICES[service][1](facade(*plugins))
    except ChannelError as exc:
        return exc
    if isinstance(result, Lookup):
        return result.problems.get("MUG")
    if isinstance(result, list) and result and isinstance(result[0], ChannelError):
        return result[0]
    return None


WRONG_ANSWERS = [
    ("resolve_sku", 42, "channel_resolve_sku returned 42 (int) for 'MUG'; expected a catalog SKU string or None"),
    ("build_order", {"name": "Jane Doe"}, "channel_build_order returned dict; expected a CommerceOrderDraft"),
    ("store_views", "default", "commerce_store_views returned 'default' (str); expected a list of StoreView"),
    ("order_statuses", [("processing", "Processing")], "commerce_order_statuses returned ('processing', 'Pro"),
    ("find_product", "MUG", "commerce_find_product returned 'MUG' (str) for product 'MUG'; expected a Product"),
    ("find_products", ["MUG"], "commerce_find_products returned ['MUG'] (list); expected a mapping of SKU"),
    ("salable_qty", 2.5, "commerce_salable_qty returned 2.5 (float) as the salable quantity of 'MUG'"),
    ("salable_qtys", {"MUG": True}, "commerce_salable_qtys returned True (bool) as the salable quantity of 'MUG'"),
    ("customer", {"email": EMAIL}, "commerce_find_or_create_customer returned dict; expected a customer id"),
    ("reserve", "yes", "commerce_reserve returned 'yes' (str); expected True or False"),
    ("release", "3", "commerce_release returned '3' (str); expected the number of units released"),
    ("create_order", {"id": "7"}, "commerce_create_order returned dict; expected a CommerceOrderRef"),
    ("create_orders", [{"id": "7"}], "commerce_create_orders returned dict for a draft; expected a CommerceOrderRef"),
    ("cancel_order", 1, "commerce_cancel_order returned 1 (int); expected True or False"),
    ("complete_order", "done", "commerce_complete_order returned 'done' (str); expected True or False"),
    ("find_orders", ["7"], "commerce_find_orders returned list; expected reference -> CommerceOrderRef"),
    ("order_shipments", {"7": "box"}, "commerce_order_shipments returned dict; expected order id -> a list of"),
    ("erase_buyer_data", "all", "commerce_erase_buyer_data returned 'all' (str); expected a count of orders or None"),
    ("update_address", "moved", "commerce_update_shipping_address returned str; expected a bool"),
]


def test_every_service_is_covered():
    assert {case[0] for case in WRONG_ANSWERS} == set(SERVICES)


@pytest.mark.parametrize(("service", "answer", "message"), WRONG_ANSWERS, ids=[c[0] for c in WRONG_ANSWERS])
def test_a_wrong_answer_is_a_hook_result_error_naming_the_hook(service, answer, message):
    error = failure(service, answering(SERVICES[service][0], answer))
    assert isinstance(error, HookResultError)
    assert message in str(error)
    assert EMAIL not in str(error) and "Jane" not in str(error)


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_a_transient_database_error_propagates_untouched_from_every_service(service):
    victim = OperationalError("UPDATE stock", {}, sqlite3.OperationalError("database is locked"))
    with pytest.raises(OperationalError) as raised:
        SERVICES[service][1](facade(answering(SERVICES[service][0], raises=victim)))
    assert raised.value is victim


# A page-sized create that raises is not the end of it: the drafts are created one by one (tested below).
@pytest.mark.parametrize("service", sorted(set(SERVICES) - {"create_orders"}))
def test_a_host_refusal_keeps_its_message_and_anything_else_is_a_hook_failure(service):
    hook = SERVICES[service][0]
    refusal = failure(service, answering(hook, raises=HostError("the ERP is closed for stocktaking")))
    assert type(refusal) is HostError and str(refusal) == "the ERP is closed for stocktaking"
    crash = failure(service, answering(hook, raises=KeyError("boom")))
    assert isinstance(crash, HookFailedError) and not isinstance(crash, HostError)
    assert f"{hook} failed" in str(crash) and "KeyError: 'boom'" in str(crash)


@pytest.mark.parametrize("service", ["reserve", "cancel_order", "complete_order"])
def test_a_service_that_answers_false_or_nothing_has_refused(service):
    hook = SERVICES[service][0]
    assert type(failure(service, answering(hook, False))) is HostError
    assert type(failure(service, answering(hook, None))) is HostError
    assert failure(service, answering(hook, True)) is None


def test_no_answer_where_an_answer_is_required_is_named_as_such():
    assert "commerce_create_order returned NoneType" in str(failure("create_order"))
    assert "commerce_release returned None (NoneType)" in str(failure("release"))
    hooks = facade()
    assert hooks.store_views() == [] and hooks.order_statuses() == [] and hooks.resolve_sku(STORE, "MUG") is None


class Host:
    """Both forms of the page-sized services, as the reference host offers them; it records what it was asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    @hookimpl
    def commerce_find_product(self, sku, store_view):
        self.asked.append("find_product")
        return Product(sku, "Mug")

    @hookimpl
    def commerce_find_products(self, skus, store_view):
        self.asked.append("find_products")
        return {sku: Product(sku, "Mug") for sku in skus if sku != "GONE"}

    @hookimpl
    def commerce_salable_qty(self, sku, store_view):
        self.asked.append("salable_qty")
        return 8

    @hookimpl
    def commerce_salable_qtys(self, skus, store_view):
        self.asked.append("salable_qtys")
        return {sku: 8 for sku in skus if sku != "GONE"}

    @hookimpl
    def commerce_create_order(self, draft):
        self.asked.append("create_order")
        return REF

    @hookimpl
    def commerce_create_orders(self, drafts):
        self.asked.append("create_orders")
        return [REF if d.amazon_order_id != "REFUSED" else HostError("no") for d in drafts]


def test_the_page_sized_form_is_used_when_the_same_plugin_answers_both():
    host = Host()
    hooks = facade(host)
    products = hooks.find_products(["GONE", "MUG"], "default")
    assert products.answers == {"GONE": None, "MUG": Product("MUG", "Mug")} and not products.problems
    assert hooks.salable_qtys(["GONE", "MUG"], "default").answers == {"GONE": 0, "MUG": 8}
    refused = draft()
    refused.amazon_order_id = "REFUSED"
    assert hooks.creates_orders_at_once()
    created = hooks.create_orders([draft(), refused])
    assert created is not None and created[0] == REF and type(created[1]) is HostError
    assert host.asked == ["find_products", "salable_qtys", "create_orders"]


@pytest.mark.parametrize(
    ("single", "answer", "call", "expected"),
    [
        ("commerce_find_product", Product("MUG", "Mug", enabled=False), "find_products", Product("MUG", "Mug", False)),
        ("commerce_salable_qty", 3, "salable_qtys", 3),
    ],
)
def test_a_tryfirst_override_of_the_single_form_is_asked_instead_of_the_hosts_page_sized_form(
    single, answer, call, expected
):
    host = Host()
    hooks = facade(host, answering(single, answer, tryfirst=True))
    assert getattr(hooks, call)(["MUG"], "default").answers == {"MUG": expected}
    assert host.asked == []


def test_a_tryfirst_create_order_that_answers_nothing_lets_the_host_create_one_by_one():
    host = Host()
    hooks = facade(host, answering("commerce_create_order", None, tryfirst=True))
    assert not hooks.creates_orders_at_once()
    assert [hooks.create_order(d) for d in (draft(), draft())] == [REF, REF]
    assert host.asked == ["create_order", "create_order"]


def test_an_integrator_overriding_both_forms_is_asked_page_sized():
    host = Host()
    both = type(
        "Both",
        (),
        {
            "commerce_salable_qty": hookimpl(tryfirst=True)(lambda self, sku, store_view: 1),
            "commerce_salable_qtys": hookimpl(tryfirst=True)(lambda self, skus, store_view: dict.fromkeys(skus, 1)),
        },
    )()
    assert facade(host, both).salable_qtys(["MUG", "CUP"], "default").answers == {"MUG": 1, "CUP": 1}
    assert host.asked == []


def test_a_page_sized_create_that_fails_as_a_whole_is_rolled_back_and_reported_as_none(caplog):
    """The engine then asks the host what it already has before creating one by one (tests/test_own_db_host.py)."""
    host = Host()

    class BulkDown:
        @hookimpl(tryfirst=True)
        def commerce_create_orders(self, drafts):
            raise RuntimeError("bulk endpoint down")

        @hookimpl(tryfirst=True)
        def commerce_create_order(self, draft):
            return None  # lets the host create it

    hooks = facade(host, BulkDown())
    assert hooks.creates_orders_at_once()
    assert hooks.create_orders([draft(), draft()]) is None
    assert [hooks.create_order(d) for d in (draft(), draft())] == [REF, REF]
    assert host.asked == ["create_order", "create_order"]
    assert "creating the page's orders one by one" in caplog.text


class Listener:
    def __init__(self, name: str, seen: list[str], fail: bool = False) -> None:
        self.name, self.seen, self.fail = name, seen, fail

    @hookimpl
    def channel_order_imported(self, order, commerce_order):
        self.seen.append(self.name)
        if self.fail:
            raise RuntimeError(f"webhook rejected {order.buyer.email}")


def test_a_failing_notification_is_logged_without_buyer_data_and_the_other_listeners_still_hear(caplog):
    seen: list[str] = []
    hooks = facade(Listener("first", seen), Listener("grumpy", seen, fail=True), Listener("last", seen))
    with caplog.at_level(logging.ERROR, logger="channel_plugin"):
        hooks.order_imported(ORDER, REF)
    assert seen == ["last", "grumpy", "first"]  # pluggy's order: the last registered first
    assert "channel_order_imported" in caplog.text and ORDER.amazon_order_id in caplog.text
    assert "RuntimeError" in caplog.text and EMAIL not in caplog.text


def test_every_notification_reaches_its_hook():
    heard: list[tuple[str, object]] = []

    class Everything:
        @hookimpl
        def channel_order_received(self, order):
            heard.append(("received", order.amazon_order_id))

        @hookimpl
        def channel_order_blocked(self, order, blockers):
            heard.append(("blocked", tuple(blockers)))

        @hookimpl
        def channel_blocker_resolved(self, order, blocker):
            heard.append(("resolved", blocker))

        @hookimpl
        def channel_status_changed(self, order, old, new):
            heard.append(("status", (old, new)))

    hooks = facade(Everything())
    hooks.order_received(ORDER)
    hooks.order_blocked(ORDER, [])
    hooks.blocker_resolved(ORDER, "a blocker")
    hooks.status_changed(ORDER, AmazonOrderStatus.PENDING, AmazonOrderStatus.UNSHIPPED)
    assert heard == [
        ("received", ORDER.amazon_order_id),
        ("blocked", ()),
        ("resolved", "a blocker"),
        ("status", (AmazonOrderStatus.PENDING, AmazonOrderStatus.UNSHIPPED)),
    ]


def test_store_views_come_back_as_a_list():
    views = (StoreView("default", "Default", "base", True),)
    assert facade(answering("commerce_store_views", views)).store_views() == list(views)


def test_a_transient_error_in_a_decision_hook_retries_the_whole_page(make_sandbox):
    """Before the facade, the catalog turned this into a HOST_ERROR blocker while the rest of the engine retried."""
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    calls = []

    class Flaky:
        @hookimpl
        def channel_resolve_sku(self, store, seller_sku):
            calls.append(seller_sku)
            if len(calls) == 1:
                raise OperationalError("SELECT sku_rules", {}, sqlite3.OperationalError("database is locked"))

    sb.pm.register(Flaky())
    order = make_order(items=[("MUG", 2)])
    sb.amazon.put_order(order)
    sb.sync()
    view = sb.order(order["orderId"])
    assert view.import_state == "IMPORTED" and not view.blockers
    assert calls == ["MUG", "MUG"] and sb.host.salable_qty("MUG") == 3
