"""Buyer data erased from every order that has ended, in the plugin's tables and then in the host's.

Which orders have ended, and when, is ``domain.retention``'s rule; this module finds the orders it names, a page
at a time, clears their buyer data (name, email, address, phone, the raw payload and the name search tokens) and
asks the host, through ``commerce_erase_buyer_data``, to erase its copy of the same orders. Both happen in one unit
of work: a host that fails rolls the page back, so the plugin asks again next cycle instead of forgetting that the
host still holds the data (a host on the plugin's database erases in the same transaction).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, or_, select, update

from channel_plugin.domain.enums import AmazonOrderStatus
from channel_plugin.domain.retention import BUYER_DATA_RETENTION, UNDATED_ORDER_LIFE, OrderLife, must_erase
from channel_plugin.engine.runtime import Runtime
from channel_plugin.errors import ChannelError
from channel_plugin.storage.tables import amazon_orders

log = logging.getLogger("channel_plugin")

PAGE = 100
"""Orders erased per unit of work, and per ``commerce_erase_buyer_data`` call."""

_o = amazon_orders.c


def erase_buyer_data(rt: Runtime) -> int:
    """Erase every ended order's buyer data; returns how many orders were erased in the plugin's tables."""
    now = rt.clock()
    erased = 0
    after = 0
    while True:
        with rt.db.transaction(write=False) as conn:
            rows = conn.execute(
                select(
                    _o.id,
                    _o.status,
                    _o.purchase_date,
                    _o.updated_at,
                    _o.deliver_by,
                    _o.shipped_at,
                    _o.completed_at,
                    _o.commerce_order_id,
                )
                .where(
                    _o.id > after,
                    or_(_o.buyer_data.is_not(None), _o.raw_payload.is_not(None)),
                    _may_have_ended(now - BUYER_DATA_RETENTION),
                )
                .order_by(_o.id)
                .limit(500)
            ).all()
        if not rows:
            return erased
        after = rows[-1].id
        due = [row for row in rows if must_erase(_life(row), now)]
        for start in range(0, len(due), PAGE):
            page = due[start : start + PAGE]
            try:
                erased += _erase_page(rt, [r.id for r in page], [r.commerce_order_id for r in page], now)
            except ChannelError as exc:
                log.warning("the host could not erase buyer data of %d orders; retried next cycle: %s", len(page), exc)


def _may_have_ended(cutoff: datetime) -> ColumnElement[bool]:
    """Orders with any date the rule could end them on before ``cutoff``: the rule then decides, in Python, on far
    fewer rows than every order still holding buyer data."""
    return or_(
        _o.updated_at <= cutoff,
        _o.deliver_by <= cutoff,
        _o.shipped_at <= cutoff,
        _o.completed_at <= cutoff,
        _o.purchase_date <= cutoff - UNDATED_ORDER_LIFE,
    )


def _life(row: Row[*tuple[Any, ...]]) -> OrderLife:
    return OrderLife(
        status=AmazonOrderStatus(row.status),
        purchase_date=row.purchase_date,
        updated_at=row.updated_at,
        deliver_by=row.deliver_by,
        shipped_at=row.shipped_at,
        completed_at=row.completed_at,
    )


def _erase_page(rt: Runtime, pks: list[int], commerce_ids: list[str | None], now: datetime) -> int:
    with rt.db.transaction() as conn:
        done = conn.execute(
            update(amazon_orders)
            .where(_o.id.in_(pks))
            .values(buyer_data=None, buyer_name_tokens=None, raw_payload=None, buyer_data_erased_at=now)
        ).rowcount
        rt.hooks.erase_buyer_data([c for c in commerce_ids if c is not None])
    return done or 0
