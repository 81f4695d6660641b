"""Import a page of Amazon order payloads, or re-check stored orders, in one unit of work.

A page is read (bad payloads set aside with their reason), its orders stored or locked, decided and carried out
(``evaluate``), then written with one statement per kind of change; notifications fire after the commit.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from channel_plugin.amazon.payloads import order_id_of, parse_order
from channel_plugin.domain.enums import AmazonOrderStatus as S
from channel_plugin.domain.enums import BlockerKind, FulfillmentChannel, ImportState
from channel_plugin.domain.model import AmazonOrder, Blocker
from channel_plugin.domain.rules import StockLedger, merge_status
from channel_plugin.domain.settings import effective_store_view
from channel_plugin.engine.catalog import load_page_catalog
from channel_plugin.engine.dberrors import ConcurrentWriteError, describe_error, is_transient
from channel_plugin.engine.evaluate import PageContext, Work, carry_out, create_pending, plan
from channel_plugin.engine.hooks import Hooks
from channel_plugin.engine.runtime import Notifications, Runtime
from channel_plugin.errors import OrderDataError
from channel_plugin.storage import blockers as blocker_store
from channel_plugin.storage import intents
from channel_plugin.storage import orders as order_store
from channel_plugin.storage.stores import StoreRecord, load_settings
from channel_plugin.storage.tables import sync_errors

log = logging.getLogger("channel_plugin")


@dataclass
class PageResult:
    received: int = 0
    imported: int = 0
    blocked: int = 0
    failed: int = 0
    invalid: int = 0
    ignored: int = 0
    unchanged: int = 0

    def add(self, other: PageResult) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def import_page(rt: Runtime, store: StoreRecord, payloads: Sequence[Any]) -> PageResult:
    """Store and import one page of payloads (either API shape); bad ones are recorded, never fatal."""
    result = PageResult()
    latest: dict[str, AmazonOrder] = {}
    invalid: list[tuple[Any, OrderDataError]] = []
    for payload in payloads:
        try:
            order = parse_order(payload)
        except OrderDataError as exc:
            invalid.append((payload, exc))
            continue
        if order.purchase_date < store.integrated_at:
            result.ignored += 1
            continue
        seen = latest.get(order.amazon_order_id)
        if seen is None or order.last_update_date >= seen.last_update_date:
            latest[order.amazon_order_id] = order
    creatable = [oid for oid, order in latest.items() if order.status in CREATABLE]
    try:
        for attempt in rt.retrying():
            with attempt:
                page = PageResult(ignored=result.ignored)
                _record_intents(rt, store, amazon_order_ids=creatable)
                with rt.unit_of_work() as (conn, notes):
                    order_store.claim(conn, store.id, [*latest, *(order_id_of(p) for p, _ in invalid)])
                    works = _store_page(rt, conn, store, list(latest.values()), page)
                    _record_invalid(rt, conn, store, invalid, page)
                    _evaluate(rt, conn, notes, store, works, page)
    except Exception as exc:
        if is_transient(exc):
            raise
        return _isolate(rt, store, payloads, exc)
    return page


# Amazon statuses in which a payload may lead to a Commerce order (the rules decide; this only bounds the intents).
CREATABLE = frozenset({S.UNSHIPPED, S.PARTIALLY_SHIPPED, S.SHIPPED, S.INVOICE_UNCONFIRMED})


def _record_intents(
    rt: Runtime, store: StoreRecord, *, amazon_order_ids: Sequence[str] = (), pks: Sequence[int] = ()
) -> None:
    """Commit, before the unit of work can call the host, that this attempt may create these orders' Commerce
    orders: the unit of work's own writes vanish on rollback or kill -9, this record does not (``storage.intents``)."""
    if amazon_order_ids or pks:
        with rt.db.transaction() as conn:
            intents.mark_candidates(conn, store.id, rt.clock(), amazon_order_ids=amazon_order_ids, pks=pks)


def _isolate(rt: Runtime, store: StoreRecord, payloads: Sequence[Any], exc: Exception) -> PageResult:
    """A page that cannot be stored is retried order by order, so one bad order never stops the others.

    The order that still fails on its own is recorded as a sync error of its store, with the reason.
    """
    if len(payloads) > 1:
        log.warning("store %s: a page failed (%s); importing its orders one by one", store.id, type(exc).__name__)
        total = PageResult()
        for payload in payloads:
            total.add(import_page(rt, store, [payload]))
        return total
    order_id = order_id_of(payloads[0]) if payloads else None
    with rt.db.transaction() as conn:
        conn.execute(
            insert(sync_errors),
            {
                "store_id": store.id,
                "at": rt.clock(),
                "amazon_order_id": order_id,
                "message": f"the order could not be stored: {describe_error(exc)}",
            },
        )
    log.error("store %s: order %s could not be stored (%s)", store.id, order_id, type(exc).__name__)
    return PageResult(failed=1)


def recheck(rt: Runtime, store: StoreRecord, pks: Iterable[int]) -> PageResult:
    """Decide stored orders again (blocked, failed, view-only, or touched by a catalog change) without Amazon."""
    ids = list(pks)
    for attempt in rt.retrying():
        with attempt:
            page = PageResult()
            _record_intents(rt, store, pks=ids)
            with rt.unit_of_work() as (conn, notes):
                rows = order_store.lock_orders_by_pk(conn, ids)
                items = order_store.items_by_order(conn, [stored.pk for stored, _ in rows])
                works = [
                    Work(
                        pk=stored.pk,
                        order=order_store.rebuild_order(columns, items[stored.pk], rt.cipher),
                        stored=stored,
                        received=False,
                        status=stored.status,
                        import_state=stored.import_state,
                        store_id=store.id,
                        commerce_order_id=stored.commerce_order_id,
                        commerce_increment_id=stored.commerce_increment_id,
                        reserved=stored.reserved,
                        completed_at=stored.completed_at,
                    )
                    for stored, columns in rows
                    if columns["store_id"] == store.id and stored.status is not S.ERROR
                ]
                _evaluate(rt, conn, notes, store, works, page)
    return page


def _store_page(
    rt: Runtime, conn: Connection, store: StoreRecord, orders: list[AmazonOrder], page: PageResult
) -> list[Work]:
    """Read (locked) what is stored of the page; Amazon's changes to stored orders are written now, new orders
    only once ``_persist`` knows their final state."""
    stored = order_store.lock_orders(conn, store.id, [o.amazon_order_id for o in orders])
    same_second = _stored_copies(
        rt, conn, [r.pk for o in orders if (r := stored.get(o.amazon_order_id)) and _same_time(o, r)]
    )
    works: list[Work] = []
    changed: list[dict[str, Any]] = []
    item_rows: list[dict[str, Any]] = []
    for order in orders:
        row = stored.get(order.amazon_order_id)
        if row is None:
            works.append(Work(0, order, None, True, order.status, ImportState.WAITING, store.id))
            continue
        if row.status is not S.ERROR and (
            order.last_update_date < row.last_update_date
            or (row.pk in same_second and not _differs(rt, order, row, same_second[row.pk]))
        ):
            page.unchanged += 1
            continue
        kept = order_store.edited_address(row.buyer_data, rt.cipher)
        if kept is not None:
            order = replace(order, shipping_address=kept)  # the admin's correction outlives Amazon's copy
        works.append(
            Work(
                row.pk,
                order,
                row,
                True,
                merge_status(row.status, order.status),
                row.import_state,
                store.id,
                row.commerce_order_id,
                row.commerce_increment_id,
                row.reserved,
                completed_at=row.completed_at,
            )
        )
        changed.append({"_pk": row.pk, **order_store.order_columns(order, rt.cipher, address_edited=kept is not None)})
        item_rows.extend(order_store.item_rows(row.pk, order))
    order_store.update_many(conn, changed)
    order_store.replace_items(conn, [c["_pk"] for c in changed], item_rows)
    page.received += len(works)
    return works


def _same_time(order: AmazonOrder, row: order_store.StoredRow) -> bool:
    return order.last_update_date == row.last_update_date and row.status is not S.ERROR


def _stored_copies(rt: Runtime, conn: Connection, pks: list[int]) -> dict[int, AmazonOrder]:
    """The stored copies of orders Amazon sent again with the same ``lastUpdatedTime``: Amazon stamps to the
    second, so two changes in one second share a time and only their content tells them apart."""
    if not pks:
        return {}
    rows = order_store.lock_orders_by_pk(conn, pks)
    items = order_store.items_by_order(conn, pks)
    return {row.pk: order_store.rebuild_order(columns, items[row.pk], rt.cipher) for row, columns in rows}


def _differs(rt: Runtime, order: AmazonOrder, row: order_store.StoredRow, stored: AmazonOrder) -> bool:
    """Whether a same-second copy says something new: a status that moves the stored one, or other content.

    The stored status may be the plugin's own (COMPLETED), so statuses are compared through ``merge_status``; an
    address an admin corrected is the stored one, so Amazon's is not compared against it; nor is buyer data that was
    erased, which a copy of the same order must not bring back."""
    if merge_status(row.status, order.status) is not row.status:
        return True
    erased = row.buyer_data is None
    edited = not erased and order_store.edited_address(row.buyer_data, rt.cipher) is not None
    address = stored.shipping_address if edited or erased else order.shipping_address
    buyer = stored.buyer if erased else order.buyer
    return replace(order, status=stored.status, buyer=buyer, shipping_address=address) != stored


def _record_invalid(
    rt: Runtime, conn: Connection, store: StoreRecord, invalid: list[tuple[Any, OrderDataError]], page: PageResult
) -> None:
    """Unreadable payloads: an ERROR order with an INVALID_ORDER_DATA blocker, or a sync error when there is no id.

    An unreadable update of an order already stored changes nothing but its history: the last good data stays.
    """
    if not invalid:
        return
    page.invalid += len(invalid)
    now = rt.clock()
    by_id = {order_id_of(p): (p, e) for p, e in invalid}
    anonymous = {f"payload {_digest(p)}: {e}" for p, e in invalid if order_id_of(p) is None}
    # Windows overlap, so the same payload comes again: its digest in the message lets it be recorded only once.
    anonymous -= set(
        conn.execute(
            select(sync_errors.c.message).where(
                sync_errors.c.store_id == store.id,
                sync_errors.c.amazon_order_id.is_(None),
                sync_errors.c.message.in_(sorted(anonymous)),
            )
        ).scalars()
    )
    if anonymous:
        conn.execute(
            insert(sync_errors),
            [{"store_id": store.id, "at": now, "amazon_order_id": None, "message": m} for m in sorted(anonymous)],
        )
        log.warning("store %s: %d order payload(s) without a usable order id set aside", store.id, len(anonymous))
    named = {k: v for k, v in by_id.items() if k is not None}
    stored = order_store.lock_orders(conn, store.id, named)
    # The same unreadable payload seen again (windows overlap) is not news: record each problem once.
    repeated = {oid for oid, row in stored.items() if row.error_message == str(named[oid][1])}
    page.unchanged += len(repeated)
    order_store.bump_events(
        conn,
        [
            {"_pk": stored[oid].pk, "_kind": "INVALID", "_message": _unreadable(named[oid][1]), "_at": now}
            for oid in sorted(repeated)
        ],
    )
    named = {oid: v for oid, v in named.items() if oid not in repeated}
    rows = [
        {
            "store_id": store.id,
            "amazon_order_id": oid,
            "status": S.ERROR.value,
            "import_state": ImportState.BLOCKED.value,
            "created_at": now,
            "updated_at": now,
            "purchase_date": now,
            "last_update_date": now,
            "fulfillment_channel": FulfillmentChannel.MERCHANT.value,
            "error_message": str(exc),
            "notes": _unreadable(exc),
            "raw_payload": rt.cipher.encrypt({"payload": _plain(payload)}),
        }
        for oid, (payload, exc) in sorted(named.items())
        if oid not in stored
    ]
    inserted = order_store.insert_orders(conn, rows) if rows else {}
    events = []
    desired: dict[int, list[blocker_store.DesiredBlocker]] = {}
    for oid, (_payload, exc) in named.items():
        pk = inserted.get(oid) or (stored[oid].pk if oid in stored else None)
        if pk is None:
            continue
        message = _unreadable(exc)
        events.append({"order_id": pk, "at": now, "kind": "INVALID", "message": message})
        if oid in inserted:
            desired[pk] = [blocker_store.DesiredBlocker(Blocker(BlockerKind.INVALID_ORDER_DATA, None, str(exc)), None)]
        else:
            order_store.update_columns(conn, pk, {"error_message": str(exc), "notes": message, "updated_at": now})
    order_store.insert_events(conn, events)
    blocker_store.sync_blockers(conn, store.id, desired, now)


def _unreadable(exc: Exception) -> str:
    return f"Amazon sent order data that cannot be read: {exc}"


def _plain(payload: Any) -> Any:
    """The payload as plain JSON for its sealed copy, since recording a bad order must never fail on the badness it
    records: characters UTF-8 cannot hold (lone surrogates) become "?", and one too deeply nested to write keeps
    only its digest."""
    try:
        text = json.dumps(payload, default=str, ensure_ascii=False)
    except (RecursionError, ValueError):
        return {"unwritable": _digest(payload)}
    return json.loads(text.encode("utf-8", "replace").decode("utf-8"))


def _digest(payload: Any) -> str:
    """A short, stable name for a payload that has no usable order id (its text is never shown: it may hold buyer
    data), so the merchant can tell two such payloads apart and a repeated one is recognised."""
    try:
        text = json.dumps(payload, sort_keys=True, default=str)
    except (RecursionError, ValueError):
        text = type(payload).__name__
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def _evaluate(
    rt: Runtime, conn: Connection, notes: Notifications, store: StoreRecord, works: list[Work], page: PageResult
) -> None:
    if not works:
        return
    settings = load_settings(conn, store.id)
    views = rt.hooks.store_views()
    store_view = effective_store_view(settings, views, store.website) if views else "default"
    catalog = load_page_catalog(rt.hooks, conn, store, store_view, (w.order for w in works))
    ctx = PageContext(rt, store, settings, store_view, catalog, StockLedger(catalog.salable))
    for w in sorted(works, key=lambda w: (w.order.purchase_date, w.order.amazon_order_id)):
        if w.stored is None:
            w.event("RECEIVED", f"Received from Amazon with status {w.status.value}.")
        elif w.status is not w.stored.status:
            w.event("STATUS", f"Amazon status changed from {w.stored.status.value} to {w.status.value}.")
        carry_out(w, plan(w, ctx), ctx)
    create_pending(ctx)
    _persist(rt, conn, notes, store, works, page)


def _persist(
    rt: Runtime, conn: Connection, notes: Notifications, store: StoreRecord, works: list[Work], page: PageResult
) -> None:
    now = rt.clock()
    _insert_new(rt, conn, store, [w for w in works if w.stored is None], now)
    updates = [_bookkeeping(w, now) for w in works if w.stored is not None and w.events]
    events: list[dict[str, Any]] = []
    for w in works:
        events.extend({"order_id": w.pk, "at": now, "kind": k, "message": m} for k, m in w.events)
    order_store.update_bookkeeping(conn, updates)
    order_store.insert_events(conn, events)
    seen_again = [(w.pk, r) for w in works if (r := w.repeated) is not None]
    order_store.bump_events(conn, [{"_pk": pk, "_kind": k, "_message": m, "_at": now} for pk, (k, m) in seen_again])
    # An order imported (or skipped for good: canceled before import) will never be created again.
    settled = [w for w in works if w.imported is not None or w.import_state is ImportState.SKIPPED]
    intents.settle(conn, store.id, [w.order.amazon_order_id for w in settled])
    desired = {w.pk: w.desired_blockers for w in works if w.desired_blockers is not None}
    resolved, changed = blocker_store.sync_blockers(conn, store.id, desired, now)
    for w in works:
        _announce(notes, w, resolved.get(w.pk, []), w.pk in changed)
        page.imported += w.imported is not None
        page.blocked += w.import_state is ImportState.BLOCKED
        page.failed += w.import_state is ImportState.FAILED


def _bookkeeping(w: Work, now: datetime) -> dict[str, Any]:
    """The columns the engine owns (Amazon's own columns come from ``order_columns``)."""
    return {
        "_pk": w.pk,
        "status": w.status.value,
        "import_state": w.import_state.value,
        "commerce_order_id": w.commerce_order_id,
        "commerce_increment_id": w.commerce_increment_id,
        "reserved": w.reserved or None,
        "reservation_reference": w.reference if w.reserved else None,
        "notes": w.events[-1][1] if w.events else None,
        "error_message": w.error,
        "updated_at": now,
        "completed_at": w.completed_at,
        "sku_map": w.sku_map if w.sku_map is not None else (w.stored.sku_map if w.stored else None),
    }


def _insert_new(rt: Runtime, conn: Connection, store: StoreRecord, fresh: list[Work], now: datetime) -> None:
    """New orders are written once, in their final state, with their items.

    The page claimed these order ids (``claim``), so no other importer can have stored them meanwhile; if one did
    anyway, the unique constraint refuses it and the whole page is retried, Commerce orders included.
    """
    if not fresh:
        return
    rows = []
    for w in sorted(fresh, key=lambda w: w.order.amazon_order_id):
        row = _bookkeeping(w, now)
        del row["_pk"]
        row.update(
            order_store.order_columns(w.order, rt.cipher),
            store_id=store.id,
            created_at=now,
            amazon_order_id=w.order.amazon_order_id,
        )
        rows.append(row)
    inserted = order_store.insert_orders(conn, rows)
    if len(inserted) != len(rows):
        raise ConcurrentWriteError(f"another writer stored {len(rows) - len(inserted)} of this page's orders first")
    item_rows = []
    for w in fresh:
        w.pk = inserted[w.order.amazon_order_id]
        item_rows.extend(order_store.item_rows(w.pk, w.order))
    order_store.replace_items(conn, [], item_rows)


def _announce(notes: Notifications, w: Work, resolved: list[Any], blockers_changed: bool) -> None:
    order = w.order
    if w.received:
        notes.add(Hooks.order_received, order)
    if w.stored is not None and w.status is not w.stored.status:
        notes.add(Hooks.status_changed, order, w.stored.status, w.status)
    elif w.stored is None and w.status is not order.status:
        notes.add(Hooks.status_changed, order, order.status, w.status)
    for record in resolved:
        notes.add(Hooks.blocker_resolved, order, record)
    if w.imported is not None:
        notes.add(Hooks.order_imported, order, w.imported)
    if w.import_state is ImportState.BLOCKED and blockers_changed and w.desired_blockers:
        notes.add(Hooks.order_blocked, order, [d.blocker for d in w.desired_blockers])
