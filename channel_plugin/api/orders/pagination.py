"""Keyset pagination of ``amazonOrders``: opaque cursors holding the sort key and the id, never an offset.

A page is ``WHERE <filter> AND (key, id) after (cursor key, cursor id) ORDER BY key, id LIMIT first + 1``. The
"after" is spelt portably, without row values: ``k > v OR (k = v AND id > i)``, whose disjuncts are read as
consecutive segments (``k = v AND id > i`` first, then ``k > v``), each an exact range of one index, so a page
costs the same at any depth and stays stable while orders are inserted. A nullable key (the grand total) counts
NULL as its lowest value: its NULL block (``IS NULL``, ordered by id) is read before (ASC) or after (DESC) its
value block (``IS NOT NULL``), each again a plain range of the same index on both dialects.

BUYER_NAME cannot be sorted in SQL: buyer names are encrypted. That sort reads the id and buyer blob of every order
the filter matches, decrypts and sorts them in Python, then loads the page's rows; fine for the order counts of a
store today, and the cursor is still a keyset one (the sort key, sealed with the buyer-data cipher so the name
never travels in clear, plus the id).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import ColumnElement, Connection, RowMapping, func, select

from channel_plugin.api.orders.filters import AmazonOrderSortField, ColumnFilter, bad_input, terms
from channel_plugin.api.orders.loaders import BuyerData
from channel_plugin.api.orders.types import NODE_COLUMNS
from channel_plugin.errors import ValidationError
from channel_plugin.storage.buyer_search import buyer_display_name, name_matches
from channel_plugin.storage.crypto import BuyerDataCipher
from channel_plugin.storage.orders import open_buyer
from channel_plugin.storage.tables import amazon_orders

F = AmazonOrderSortField
_ID = amazon_orders.c.id
_SQL_KEYS: dict[AmazonOrderSortField, tuple[str, ...]] = {
    F.PURCHASE_DATE: ("purchase_date",),
    F.LAST_UPDATE_DATE: ("last_update_date",),
    F.GRAND_TOTAL: ("grand_total",),  # nullable: read in two segments
    F.STATUS: ("status", "purchase_date"),  # served by (store_id, status, purchase_date, id)
    F.IMPORT_STATE: ("import_state", "purchase_date"),  # served by (store_id, import_state, purchase_date, id)
    F.ORDER_NUMBER: ("amazon_order_id",),  # served by the (store_id, amazon_order_id) unique constraint
    # No index: the dashboard's notes column is sortable, but sorting a large store by it reads every match.
    F.NOTES: ("notes",),
}
_NULLABLE = {F.GRAND_TOTAL, F.NOTES}
_FIRST_BATCH = 50  # a name search reads candidates in batches: this many (or 2 x first + 2) first
_BATCH_CAP = 2000


@dataclass(frozen=True, slots=True)
class Cursor:
    key: tuple[Any, ...]
    pk: int


@dataclass(slots=True)
class Page:
    rows: list[RowMapping]
    cursors: list[str]
    has_next: bool
    total: int | None = None  # known for free on some paths (BUYER_NAME sort)
    buyers: dict[int, BuyerData] = field(default_factory=dict)  # decrypted on the way: primes the buyer loader


@dataclass(frozen=True, slots=True)
class PageRequest:
    where: Sequence[ColumnElement[bool]]  # the stores, and the SQL candidate condition of a name search
    filters: Sequence[ColumnFilter]  # the filter's conditions per column
    name_text: str | None  # the buyer-name search, checked exactly after decryption
    sort: AmazonOrderSortField
    descending: bool
    after: Cursor | None
    first: int


# --- cursors ------------------------------------------------------------------------------------------------------


def encode_cursor(sort: AmazonOrderSortField, descending: bool, key: Sequence[Any], pk: int) -> str:
    values = [v.isoformat() if isinstance(v, datetime) else str(v) if isinstance(v, Decimal) else v for v in key]
    raw = json.dumps([sort.value, "DESC" if descending else "ASC", values, pk], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(text: str, sort: AmazonOrderSortField, descending: bool, cipher: BuyerDataCipher) -> Cursor:
    """The cursor's position, or a BAD_USER_INPUT error when it is malformed or belongs to another sort."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        field_name, direction, values, pk = raw
        if (field_name, direction) != (sort.value, "DESC" if descending else "ASC"):
            raise bad_input("This cursor belongs to another sort order; start again without `after`.")
        if type(pk) is not int or not 0 < pk < 2**63 or not isinstance(values, list):
            raise ValueError
        return Cursor(_decode_key(sort, values, cipher), pk)
    except (ValueError, TypeError, KeyError, AttributeError, binascii.Error, InvalidOperation, ValidationError):
        raise bad_input("Malformed cursor: use an endCursor or cursor value this API returned.") from None


def _decode_key(sort: AmazonOrderSortField, values: list[Any], cipher: BuyerDataCipher) -> tuple[Any, ...]:
    if sort is F.BUYER_NAME:
        [sealed] = values
        has_name, folded = cipher.decrypt(sealed)["k"]
        if type(has_name) is not int or not isinstance(folded, str):
            raise ValueError
        return ((has_name, folded),)
    names = _SQL_KEYS[sort]
    if len(values) != len(names):
        raise ValueError
    return tuple(_decode_value(name, value) for name, value in zip(names, values, strict=True))


def _decode_value(column: str, value: Any) -> Any:
    if column == "notes" and value is None:
        return None
    if column == "grand_total":
        if value is None:
            return None
        amount = Decimal(value)
        if not isinstance(value, str) or not amount.is_finite():
            raise ValueError
        return amount
    if not isinstance(value, str):
        raise ValueError
    if column in ("purchase_date", "last_update_date"):
        when = datetime.fromisoformat(value)
        if when.tzinfo is None:
            raise ValueError
        return when
    return value


# --- SQL-sorted pages ---------------------------------------------------------------------------------------------


def _beyond(column: Any, value: Any, descending: bool) -> ColumnElement[bool]:
    result: ColumnElement[bool] = column < value if descending else column > value
    return result


def _order(columns: Sequence[Any], descending: bool) -> list[Any]:
    return [c.desc() if descending else c.asc() for c in (*columns, _ID)]


def _blocks(sort: AmazonOrderSortField, descending: bool) -> list[tuple[str, list[Any], list[Any]]]:
    """The result as consecutive blocks: (name, WHERE terms, key columns). A nullable key has a NULL block (the
    lowest values, ordered by id alone) beside its value block."""
    columns = [amazon_orders.c[name] for name in _SQL_KEYS[sort]]
    if sort not in _NULLABLE:
        return [("value", [], columns)]
    [column] = columns
    blocks = [("null", [column.is_(None)], []), ("value", [column.is_not(None)], columns)]
    return blocks[::-1] if descending else blocks


Segment = tuple[dict[str, Any], list[Any], list[Any]]  # (columns fixed to a value, other WHERE terms, ORDER BY)


def _segments(sort: AmazonOrderSortField, descending: bool, after: Cursor | None) -> Iterator[Segment]:
    """Each segment still to read, in result order.

    After a cursor (k1..kn = v1..vn, id = i) the rest of its block is the disjunction
    ``(k1 = v1 AND .. AND kn = vn AND id > i) OR (k1 = v1 AND .. AND kn > vn) OR .. OR (k1 > v1)``; its disjuncts
    are read one after the other, each an equality prefix plus one strict bound: a plain range of the (store,
    [filter,] key, id) index, so a page costs the same at any depth and however many orders tie on the key.
    """
    blocks = _blocks(sort, descending)
    if after is not None:
        blocks = blocks[[b[0] for b in blocks].index("null" if after.key[0] is None else "value") :]
    for index, (_, where, columns) in enumerate(blocks):
        if after is None or index > 0:
            yield {}, where, _order(columns, descending)
            continue
        values = after.key if columns else ()
        for depth in range(len(columns), -1, -1):
            equal = {c.name: v for c, v in zip(columns[:depth], values[:depth], strict=True)}
            bound = columns[depth] if depth < len(columns) else _ID
            beyond = _beyond(bound, values[depth] if depth < len(columns) else after.pk, descending)
            yield equal, [*where, beyond], _order(columns, descending)


def _fetch(
    conn: Connection, request: PageRequest, after: Cursor | None, limit: int, *, buyer: bool
) -> list[RowMapping]:
    columns = [amazon_orders.c[n] for n in NODE_COLUMNS] + ([amazon_orders.c.buyer_data] if buyer else [])
    rows: list[RowMapping] = []
    for equal, where, order in _segments(request.sort, request.descending, after):
        if len(rows) >= limit:
            break
        # A column the segment fixes is tested here, not in SQL: the planner then seeks on the equality alone.
        if any(f.column in equal and not f.accepts(equal[f.column]) for f in request.filters):
            continue
        fixed = [amazon_orders.c[name] == value for name, value in equal.items()]
        sort_column = _SQL_KEYS[request.sort][0]
        kept = [t for f in request.filters if f.column not in equal for t in f.terms_for(sort_column)]
        query = select(*columns).where(*request.where, *kept, *fixed, *where)
        rows.extend(conn.execute(query.order_by(*order).limit(limit - len(rows))).mappings())
    return rows


def _key_of(row: RowMapping, sort: AmazonOrderSortField) -> tuple[Any, ...]:
    return tuple(row[name] for name in _SQL_KEYS[sort])


def _sql_page(conn: Connection, request: PageRequest, cipher: BuyerDataCipher) -> list[RowMapping]:
    """The first ``first + 1`` orders after the cursor; with a name search, batches are read after the cursor until
    that many pass the exact check (the SQL candidate condition only narrows)."""
    want = request.first + 1
    text = request.name_text
    if text is None:
        return _fetch(conn, request, request.after, want, buyer=False)
    found: list[RowMapping] = []
    position, batch = request.after, max(2 * want, _FIRST_BATCH)
    while True:
        rows = _fetch(conn, request, position, batch, buyer=True)
        for row in rows:
            if name_matches(cipher, row["buyer_data"], text):
                found.append(row)
                if len(found) == want:
                    return found
        if len(rows) < batch:
            return found
        position = Cursor(_key_of(rows[-1], request.sort), rows[-1]["id"])
        batch = min(batch * 4, _BATCH_CAP)


# --- BUYER_NAME: sorted in Python ---------------------------------------------------------------------------------


def _name_key(data: BuyerData) -> tuple[int, str]:
    name = buyer_display_name(*data)
    return (1, name.casefold()) if name else (0, "")


def _name_page(conn: Connection, request: PageRequest, cipher: BuyerDataCipher) -> Page:
    query = select(_ID, amazon_orders.c.buyer_data).where(*request.where, *terms(request.filters))
    entries: list[tuple[tuple[int, str], int, BuyerData]] = []
    for r in conn.execute(query):
        if request.name_text is not None and not name_matches(cipher, r.buyer_data, request.name_text):
            continue
        data = open_buyer(r.buyer_data, cipher)
        entries.append((_name_key(data), r.id, data))
    entries.sort(key=lambda e: (e[0], e[1]), reverse=request.descending)
    start = 0
    if request.after is not None:
        mark = (request.after.key[0], request.after.pk)
        start = sum(1 for e in entries if ((e[0], e[1]) >= mark if request.descending else (e[0], e[1]) <= mark))
    chosen = entries[start : start + request.first + 1]
    columns = [amazon_orders.c[n] for n in NODE_COLUMNS]
    by_pk = {}
    if chosen:
        by_pk = {r["id"]: r for r in conn.execute(select(*columns).where(_ID.in_([e[1] for e in chosen]))).mappings()}
    kept = [e for e in chosen if e[1] in by_pk]
    page = kept[: request.first]
    return Page(
        rows=[by_pk[e[1]] for e in page],
        cursors=[encode_cursor(F.BUYER_NAME, request.descending, [_seal(cipher, e[0])], e[1]) for e in page],
        has_next=len(kept) > request.first,
        total=len(entries),
        buyers={e[1]: e[2] for e in page},
    )


def _seal(cipher: BuyerDataCipher, key: tuple[int, str]) -> str:
    return cipher.encrypt({"k": list(key)})


# --- entry points -------------------------------------------------------------------------------------------------


def load_page(conn: Connection, request: PageRequest, cipher: BuyerDataCipher) -> Page:
    if request.sort is F.BUYER_NAME:
        return _name_page(conn, request, cipher)
    rows = _sql_page(conn, request, cipher)
    page = rows[: request.first]
    return Page(
        rows=page,
        cursors=[encode_cursor(request.sort, request.descending, _key_of(r, request.sort), r["id"]) for r in page],
        has_next=len(rows) > request.first,
        buyers={r["id"]: open_buyer(r["buyer_data"], cipher) for r in page if "buyer_data" in r},
    )


def count(
    conn: Connection, where: Sequence[ColumnElement[bool]], name_text: str | None, cipher: BuyerDataCipher
) -> int:
    """How many orders match: COUNT(*) in SQL, or the exact matches among the name search's candidates."""
    if name_text is None:
        total: int = conn.execute(select(func.count()).select_from(amazon_orders).where(*where)).scalar_one()
        return total
    rows = conn.execute(select(amazon_orders.c.buyer_data).where(*where))
    return sum(1 for r in rows if name_matches(cipher, r.buyer_data, name_text))
