"""Acceptance: 31 days after each kind of order ends, no buyer data is left anywhere, and none ever reached a log.

Every order gets its own buyer (name, email, street), so a leftover string names the kind of order that kept it.
Each text column of every table, the plugin's and the reference host's, is scanned for them.
"""

import logging
from datetime import timedelta

from sqlalchemy import MetaData, select

from channel_plugin.engine.sync import run_cron
from channel_plugin.hookspecs import hookimpl
from channel_plugin.host.schema import order_addresses
from channel_plugin.host.schema import orders as host_orders
from channel_plugin.storage.tables import amazon_orders
from channel_plugin.testing import make_order

DAY = 86400
DELIVERY_DAYS = 5


def _buyer(kind):
    tag = kind.replace("_", "")
    return {
        "buyer_name": f"Zelda {tag.title()}",
        "buyer_email": f"zelda.{tag}@marketplace.amazon.com",
        "ship_to": {
            "name": f"Zelda {tag.title()}",
            "addressLine1": f"{len(tag)} {tag.title()} Lane",
            "city": "Seattle",
            "stateOrRegion": "WA",
            "postalCode": "98101",
            "countryCode": "US",
            "phone": "+1 206 555 0199",
        },
    }


def _needles(kind):
    buyer = _buyer(kind)
    return [buyer["buyer_name"], buyer["buyer_email"], buyer["ship_to"]["addressLine1"]]


def _put(sb, kind, sku, status="UNSHIPPED"):
    order = make_order(
        items=[(sku, 1)], status=status, purchase_date=sb.clock.now() - timedelta(hours=1), **_buyer(kind)
    )
    latest = sb.clock.now() + timedelta(days=DELIVERY_DAYS)
    order["fulfillment"]["deliverByWindow"] = {"latestDateTime": latest.strftime("%Y-%m-%dT%H:%M:%SZ")}
    if kind == "unreadable":
        order["orderItems"][0]["quantityOrdered"] = -1
    sb.amazon.put_order(order)
    return order["orderId"]


def _leftovers(sb, needles):
    """Every (table, needle) where a buyer string is still stored, in any text column of any table."""
    tables = MetaData()
    found = set()
    with sb.db.engine.connect() as conn:
        tables.reflect(bind=conn)
        for table in tables.sorted_tables:
            for row in conn.execute(select(table)):
                text = " ".join(str(value) for value in row if value is not None)
                found |= {(table.name, needle) for needle in needles if needle in text}
    return found


def _sealed(sb):
    """The plugin's encrypted buyer columns, per Amazon order id, for orders that still hold any."""
    with sb.db.engine.connect() as conn:
        rows = conn.execute(
            select(amazon_orders.c.amazon_order_id).where(
                (amazon_orders.c.buyer_data.is_not(None))
                | (amazon_orders.c.raw_payload.is_not(None))
                | (amazon_orders.c.buyer_name_tokens.is_not(None))
            )
        )
        return set(rows.scalars())


def _host_sealed(sb):
    """The reference host's orders that still hold a sealed buyer or address."""
    with sb.db.engine.connect() as conn:
        buyers = conn.execute(select(host_orders.c.id).where(host_orders.c.buyer.is_not(None))).scalars()
        addresses = conn.execute(select(order_addresses.c.order_id)).scalars()
        return {str(pk) for pk in [*buyers, *addresses]}


def test_no_buyer_data_survives_day_31_after_any_kind_of_order_ends(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 50}])
    kinds = {
        "delivered": _put(sb, "delivered", "MUG"),
        "canceled": _put(sb, "canceled", "MUG"),
        "never_shipped": _put(sb, "never_shipped", "MUG"),
        "blocked": _put(sb, "blocked", "NO-SUCH-SKU"),
        "pending": _put(sb, "pending", "MUG", status="PENDING"),
        "unreadable": _put(sb, "unreadable", "MUG"),
    }
    sb.sync()
    assert sb.order(kinds["blocked"]).import_state == "BLOCKED"
    assert sb.order(kinds["never_shipped"]).import_state == "IMPORTED"
    sb.update_settings(import_enabled=False)
    kinds["view_only"] = _put(sb, "view_only", "MUG")
    sb.sync()
    assert sb.order(kinds["view_only"]).import_state == "VIEW_ONLY"
    sb.host.ship(sb.order(kinds["delivered"]).commerce_order_id, "UPS", "1Z1")
    sb.amazon.set_status(kinds["canceled"], "CANCELED")
    sb.sync()
    assert sb.order(kinds["delivered"]).status == "COMPLETED"
    assert sb.order(kinds["canceled"]).status == "CANCELED"
    everyone = [needle for kind in kinds for needle in _needles(kind)]
    assert _leftovers(sb, everyone) == set()  # encrypted at rest, in the plugin's tables and the host's
    imported = {kinds[k]: sb.order(kinds[k]).commerce_order_id for k in ("delivered", "canceled", "never_shipped")}
    assert _host_sealed(sb) == set(imported.values())

    # Day 29 after the delivered and canceled orders ended: everything is still kept.
    sb.clock.advance(29 * DAY)
    sb.sync()
    assert _sealed(sb) == set(kinds.values())

    # Day 31 after they ended: the delivered, canceled and unreadable orders are erased everywhere.
    sb.clock.advance(2 * DAY)
    sb.sync()
    ended = ["delivered", "canceled", "unreadable"]
    assert _sealed(sb) == {kinds[k] for k in kinds if k not in ended}
    assert _host_sealed(sb) == {imported[kinds["never_shipped"]]}
    assert _leftovers(sb, [n for k in ended for n in _needles(k)]) == set()

    # Day 31 after the latest delivery date of the orders that never shipped, whatever their import state.
    sb.clock.advance(DELIVERY_DAYS * DAY)
    sb.sync()
    assert _sealed(sb) == set()
    assert _host_sealed(sb) == set()
    assert sb.host.customers() == []


def test_a_debug_log_of_a_full_sync_holds_no_buyer_data(make_sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy")
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    shipped = _put(sb, "delivered", "MUG")
    _put(sb, "blocked", "NO-SUCH-SKU")
    _put(sb, "unreadable", "MUG")
    sb.sync()
    sb.host.ship(sb.order(shipped).commerce_order_id, "UPS", "1Z1")
    sb.sync()
    sb.clock.advance(40 * DAY)
    sb.sync()
    assert "sqlalchemy.engine" in {record.name.rsplit(".", 1)[0] for record in caplog.records}
    for kind in ("delivered", "blocked", "unreadable"):
        for needle in _needles(kind):
            assert needle not in caplog.text


class _HostDownOnce:
    """A host whose erasure fails the first time it is asked."""

    def __init__(self):
        self.calls = 0

    @hookimpl(tryfirst=True)
    def commerce_erase_buyer_data(self, order_ids):
        self.calls += 1
        if self.calls == 1:
            raise RuntimeError("host database unavailable")


def test_a_host_that_fails_to_erase_is_asked_again_and_the_plugin_keeps_nothing_back(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    canceled = _put(sb, "canceled", "MUG")
    sb.sync()
    sb.amazon.set_status(canceled, "CANCELED")
    sb.sync()
    flaky = _HostDownOnce()
    sb.pm.register(flaky)
    sb.clock.advance(31 * DAY)
    sb.sync()
    assert _sealed(sb) == {canceled}
    sb.sync()
    assert flaky.calls == 2
    assert _sealed(sb) == set()
    assert _leftovers(sb, _needles("canceled")) == set()


def test_an_erased_order_read_again_unchanged_does_not_bring_its_buyer_back(make_sandbox):
    sb = make_sandbox(catalog=[{"sku": "MUG", "qty": 5}])
    since = sb.clock.now() - timedelta(days=1)
    _put(sb, "never_shipped", "MUG")
    sb.sync()
    sb.clock.advance((DELIVERY_DAYS + 31) * DAY)
    sb.sync()
    assert _sealed(sb) == set()
    [backfill] = run_cron(sb.runtime, since=since)
    assert (backfill.pulled.received, backfill.pulled.unchanged) == (0, 1)
