"""Shipping addresses of the reference host's orders: written with the order, replaced by an admin's correction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import Connection, Row, bindparam, delete, insert, select

from channel_plugin.domain.model import Address
from channel_plugin.host.schema import order_addresses
from channel_plugin.host.sealing import BuyerSeal

_INSERT = insert(order_addresses)
_DELETE = delete(order_addresses).where(order_addresses.c.order_id == bindparam("order_id"))
_ONE = select(order_addresses).where(order_addresses.c.order_id == bindparam("order_id"))
_MANY = select(order_addresses).where(order_addresses.c.order_id.in_(bindparam("order_ids", expanding=True)))


def address_row(order_pk: int, address: Address, seal: BuyerSeal) -> dict[str, Any]:
    return {"order_id": order_pk, "sealed": seal.seal(asdict(address))}


def insert_addresses(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """The addresses of a page of new orders, in one statement."""
    if rows:
        conn.execute(_INSERT, list(rows))


def replace_address(conn: Connection, order_pk: int, address: Address, seal: BuyerSeal) -> None:
    """The whole address is replaced, as the admin's correction is a whole address: nothing old survives."""
    conn.execute(_DELETE, {"order_id": order_pk})
    conn.execute(_INSERT, address_row(order_pk, address, seal))


def find_address(conn: Connection, order_pk: int, seal: BuyerSeal) -> Address | None:
    row = conn.execute(_ONE, {"order_id": order_pk}).first()
    return _address(row, seal) if row is not None else None


def find_addresses(conn: Connection, order_pks: Sequence[int], seal: BuyerSeal) -> dict[int, Address]:
    if not order_pks:
        return {}
    return {row.order_id: _address(row, seal) for row in conn.execute(_MANY, {"order_ids": list(order_pks)})}


def _address(row: Row[*tuple[Any, ...]], seal: BuyerSeal) -> Address:
    return Address(**seal.open(row.sealed))
