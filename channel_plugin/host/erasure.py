"""The reference host's side of Amazon's Data Protection Policy: an order's buyer data erased on the plugin's word.

The order itself stays (its items, totals and shipments are the merchant's bookkeeping); its customer name and
email, its shipping address and, once no order of it remains, the customer account the import created are gone.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, delete, exists, select, update

from channel_plugin.host.schema import customers, order_addresses, orders


def erase_buyer_data(conn: Connection, order_ids: Sequence[str]) -> int:
    """Idempotent; ids that are not orders of this host are ignored. Returns how many orders were found."""
    pks = [int(i) for i in order_ids if i.isdigit()]
    if not pks:
        return 0
    owners = set(conn.execute(select(orders.c.customer_id).where(orders.c.id.in_(pks))).scalars()) - {None}
    found = conn.execute(update(orders).where(orders.c.id.in_(pks)).values(customer_id=None, buyer=None)).rowcount
    conn.execute(delete(order_addresses).where(order_addresses.c.order_id.in_(pks)))
    if owners:
        still_used = exists().where(orders.c.customer_id == customers.c.id)
        conn.execute(delete(customers).where(customers.c.id.in_(owners), ~still_used))
    return found or 0
