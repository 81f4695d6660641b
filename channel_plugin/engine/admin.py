"""What an admin (through GraphQL, the CLI or the Sandbox) and the host's catalog events ask of the engine."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, select

from channel_plugin.domain.enums import AmazonOrderStatus as S
from channel_plugin.domain.enums import CancelReason, FulfillmentChannel, ImportState
from channel_plugin.domain.model import Address, AmazonOrder
from channel_plugin.domain.settings import OrderSettings, effective_store_view, validate_settings
from channel_plugin.engine.evaluate import reservation_reference
from channel_plugin.engine.fulfillment import _status_note, add_event, load_order
from channel_plugin.engine.hooks import Hooks
from channel_plugin.engine.importer import PageResult, recheck
from channel_plugin.engine.runtime import Runtime
from channel_plugin.errors import ChannelError, HostError, ValidationError
from channel_plugin.storage import blockers as blocker_store
from channel_plugin.storage import cancellations
from channel_plugin.storage import orders as order_store
from channel_plugin.storage.orders import StoredRow
from channel_plugin.storage.stores import (
    StoreRecord,
    get_store,
    load_settings,
    save_settings,
    save_sku_match,
)
from channel_plugin.storage.tables import amazon_orders

PAGE = 100


def require_store(rt: Runtime, store_id: int) -> StoreRecord:
    with rt.db.transaction(write=False) as conn:
        store = get_store(conn, store_id)
    if store is None:
        raise ValidationError("store_id", f"no Amazon store with id {store_id}", "NOT_FOUND")
    return store


def update_settings(rt: Runtime, store_id: int, changes: Mapping[str, Any]) -> OrderSettings:
    """Validate against the host's statuses and store views, then save; nothing is saved when anything is wrong."""
    require_store(rt, store_id)
    statuses = rt.hooks.order_statuses()
    views = rt.hooks.store_views()
    with rt.db.transaction() as conn:
        old = load_settings(conn, store_id)
        new = validate_settings(old, changes, statuses=statuses, store_views=views)
        save_settings(conn, store_id, new, rt.clock())
    if old.import_enabled and not new.import_enabled:
        retry_orders(rt, store_id)  # blocked orders become view-only now, so the banner clears at once
    return new


def recheck_in_pages(rt: Runtime, store: StoreRecord, pks: Sequence[int]) -> PageResult:
    total = PageResult()
    ordered = sorted(set(pks))
    for start in range(0, len(ordered), PAGE):
        total.add(recheck(rt, store, ordered[start : start + PAGE]))
    return total


def retry_orders(rt: Runtime, store_id: int, amazon_order_ids: Sequence[str] | None = None) -> PageResult:
    """Re-check the named orders now, or every blocked and failed order of the store when none are named."""
    store = require_store(rt, store_id)
    with rt.db.transaction(write=False) as conn:
        query = select(amazon_orders.c.id).where(amazon_orders.c.store_id == store_id)
        if amazon_order_ids is None:
            query = query.where(amazon_orders.c.import_state.in_([ImportState.BLOCKED.value, ImportState.FAILED.value]))
        else:
            query = query.where(amazon_orders.c.amazon_order_id.in_(list(amazon_order_ids)))
        pks = [r.id for r in conn.execute(query)]
    return recheck_in_pages(rt, store, pks)


def match_product(rt: Runtime, store_id: int, seller_sku: str, product_sku: str) -> PageResult:
    """Match an Amazon seller SKU to a catalog product, then retry every order blocked on that SKU."""
    store = require_store(rt, store_id)
    if not seller_sku.strip():
        raise ValidationError("seller_sku", "must not be empty")
    views = rt.hooks.store_views()
    with rt.db.transaction() as conn:
        settings = load_settings(conn, store_id)
        view = effective_store_view(settings, views, store.website) if views else "default"
        lookup = rt.hooks.find_products([product_sku], view)
        if product_sku in lookup.problems:
            raise ValidationError("product_sku", lookup.messages()[product_sku], "HOST_ERROR")
        if lookup.answers.get(product_sku) is None:
            raise ValidationError("product_sku", f"no catalog product has SKU {product_sku!r}", "NOT_FOUND")
        save_sku_match(conn, store_id, seller_sku, product_sku, rt.clock())
        blocked = blocker_store.orders_blocked_on(conn, seller_sku=seller_sku, store_id=store_id)
    return recheck_in_pages(rt, store, blocked.get(store_id, []))


def on_catalog_change(rt: Runtime, sku: str) -> PageResult:
    """A product was saved or its stock changed: re-check at once every order blocked on it, in every store."""
    with rt.db.transaction(write=False) as conn:
        blocked = blocker_store.orders_blocked_on(conn, catalog_sku=sku)
    total = PageResult()
    for store_id, pks in blocked.items():
        total.add(recheck_in_pages(rt, require_store(rt, store_id), pks))
    return total


def _order_in_store(
    rt: Runtime, conn: Connection, store_id: int, amazon_order_id: str
) -> tuple[int, StoredRow, AmazonOrder]:
    """The order (locked) an admin names, or NOT_FOUND on ``amazon_order_id``."""
    pk = order_store.named_order_pk(conn, store_id, amazon_order_id)
    stored, _columns, order = load_order(rt, conn, pk)
    return pk, stored, order


def cancel_order(rt: Runtime, store_id: int, amazon_order_id: str, reason: CancelReason | str) -> None:
    """An admin cancels an UNSHIPPED order: Amazon is told (queued), the Commerce order canceled, stock returned."""
    try:
        code = reason if isinstance(reason, CancelReason) else CancelReason(reason)
    except ValueError:
        allowed = ", ".join(r.value for r in CancelReason)
        raise ValidationError("reason", f"{reason!r} is not an Amazon cancel reason ({allowed})") from None
    require_store(rt, store_id)
    with rt.unit_of_work() as (conn, notes):
        pk, stored, order = _order_in_store(rt, conn, store_id, amazon_order_id)
        if stored.status is not S.UNSHIPPED:
            raise ValidationError(
                "amazon_order_id",
                f"only UNSHIPPED orders can be canceled; {amazon_order_id} is {stored.status.value}",
                "NOT_CANCELABLE",
            )
        now = rt.clock()
        if stored.commerce_order_id is not None:
            try:
                rt.hooks.cancel_order(stored.commerce_order_id)
            except HostError as exc:
                raise ValidationError(
                    "amazon_order_id", f"the host could not cancel the Commerce order: {exc}", "HOST_ERROR"
                ) from exc
        if stored.reserved:
            rt.hooks.release(reservation_reference(store_id, amazon_order_id, stored))
        cancellations.request(
            conn, store_id=store_id, order_pk=pk, reason=code.value, previous_status=stored.status, now=now
        )
        state = ImportState.IMPORTED if stored.commerce_order_id else ImportState.SKIPPED
        resolved, _ = blocker_store.sync_blockers(conn, store_id, {pk: []}, now)
        add_event(
            conn,
            pk,
            "CANCELED",
            f"Canceled by an admin ({code.value}); cancellation to Amazon queued.",
            now,
            status=S.CANCELED.value,
            import_state=state.value,
            reserved=None,
            reservation_reference=None,
        )
        _status_note(notes, order, stored.status, S.CANCELED)
        for record in resolved.get(pk, []):
            notes.add(Hooks.blocker_resolved, order, record)


def on_host_canceled(rt: Runtime, commerce_order_id: str) -> bool:
    """The host canceled a Commerce order itself: an unshipped Amazon order is canceled on Amazon too."""
    with rt.unit_of_work() as (conn, notes):
        pk = order_store.pk_for_commerce_order(conn, commerce_order_id)
        if pk is None:
            return False
        stored, columns, order = load_order(rt, conn, pk)
        now = rt.clock()
        if stored.status not in (S.UNSHIPPED, S.PENDING):
            add_event(
                conn,
                pk,
                "HOST_CANCELED",
                f"The Commerce order was canceled in the host; the Amazon order is {stored.status.value} "
                "and was left as it is.",
                now,
            )
            return True
        cancellations.request(
            conn,
            store_id=columns["store_id"],
            order_pk=pk,
            reason=CancelReason.GENERAL_ADJUSTMENT.value,
            previous_status=stored.status,
            now=now,
        )
        add_event(
            conn, pk, "CANCELED", "Canceled in the host; cancellation to Amazon queued.", now, status=S.CANCELED.value
        )
        _status_note(notes, order, stored.status, S.CANCELED)
    return True


# ---- shipping address --------------------------------------------------------------------------------------------

ADDRESS_FIELDS = tuple(Address.__dataclass_fields__)
REQUIRED_ADDRESS_FIELDS = ("name", "line1", "city", "country_code")
ADDRESS_EDITABLE = frozenset({S.PENDING, S.PENDING_AVAILABILITY, S.UNSHIPPED})
_MAX_LENGTH = {"postal_code": 20, "country_code": 2, "phone": 40}
_POSTAL_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 -]*")
_PHONE = re.compile(r"\+?[0-9 ().\-/]*[0-9][0-9 ().\-/]*(?:\s*(?:x|ext\.?)\s*[0-9]{1,6})?", re.IGNORECASE)
_ISO_3166_ALPHA2 = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
    CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR
    GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO
    JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR
    MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO
    RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV
    TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"""
COUNTRY_CODES = frozenset(_ISO_3166_ALPHA2.split())  # ISO 3166-1 alpha-2, the officially assigned codes


class InvalidAddress(ValidationError):
    """Every problem with a shipping address at once, in ``problems``; the first is also the error's own field.

    Messages never repeat the values given: an address is buyer data.
    """

    def __init__(self, problems: Sequence[ValidationError]) -> None:
        super().__init__(problems[0].field, problems[0].message, problems[0].code)
        self.problems = tuple(problems)


def check_address(fields: Mapping[str, Any]) -> Address:
    """A new shipping address from plain fields (snake_case, as ``Address`` names them), trimmed, blanks as None.

    Required: name, line1, city, country_code (an ISO 3166-1 alpha-2 code, any case). Raises InvalidAddress.
    """
    unknown = [k for k in fields if k not in ADDRESS_FIELDS]
    problems = [ValidationError(k, "is not an address field", "UNKNOWN_FIELD") for k in unknown]
    clean: dict[str, str | None] = {}
    for name in ADDRESS_FIELDS:
        value = fields.get(name)
        if value is not None and not isinstance(value, str):
            problems.append(ValidationError(name, "must be text"))
            continue
        text = value.strip() if value else ""
        clean[name] = text or None
        limit = _MAX_LENGTH.get(name, 255)
        if not text:
            if name in REQUIRED_ADDRESS_FIELDS:
                problems.append(ValidationError(name, "is required", "REQUIRED"))
        elif any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in text):
            problems.append(ValidationError(name, "must be a single line without control characters"))
        elif len(text) > limit:
            problems.append(ValidationError(name, f"must be at most {limit} characters"))
        elif name == "country_code" and text.upper() not in COUNTRY_CODES:
            problems.append(ValidationError(name, "must be an ISO 3166-1 alpha-2 country code, such as US or GB"))
        elif name == "postal_code" and not _POSTAL_CODE.fullmatch(text):
            problems.append(ValidationError(name, "may hold only letters, digits, spaces and hyphens"))
        elif name == "phone" and not _PHONE.fullmatch(text):
            problems.append(ValidationError(name, "must be a phone number (digits, spaces, + ( ) . - /, extension)"))
    if problems:
        raise InvalidAddress(problems)
    if clean["country_code"]:
        clean["country_code"] = clean["country_code"].upper()
    return Address(**clean)


NOT_IMPORTED_YET = (
    "Shipping address saved in the plugin's copy only: there is no Commerce order yet. "
    "The Commerce order created for it will ship to this address."
)


@dataclass(frozen=True, slots=True)
class AddressCorrection:
    """A saved address correction and whether the Commerce order ships to it too, said in a sentence for the
    admin: a correction that stays in the plugin's copy must never look like one the merchant will ship to."""

    address: Address
    commerce_updated: bool
    message: str


def update_shipping_address(
    rt: Runtime, store_id: int, amazon_order_id: str, fields: Mapping[str, Any]
) -> AddressCorrection:
    """An admin corrects the shipping address of a merchant-fulfilled order that has not shipped yet.

    The buyer-data blob is sealed again with the new address; an imported order's Commerce order is corrected
    through ``commerce_update_shipping_address`` in the same unit of work, so with a host on the plugin's database
    both copies change or neither does, and a host's refusal leaves the plugin's copy as it was. The
    ADDRESS_UPDATED event (the notes) says which copies changed. Raises ValidationError: store_id /
    amazon_order_id NOT_FOUND, amazon_order_id NOT_ALLOWED (shipped, canceled, fulfilled by Amazon) or HOST_ERROR
    (the host refused), or InvalidAddress. Never logs the address.
    """
    require_store(rt, store_id)
    with rt.db.transaction() as conn:
        pk, stored, order = _order_in_store(rt, conn, store_id, amazon_order_id)
        if stored.status not in ADDRESS_EDITABLE:
            raise ValidationError(
                "amazon_order_id",
                f"the shipping address can only change before the order ships; {amazon_order_id} is "
                f"{stored.status.value}",
                "NOT_ALLOWED",
            )
        if order.fulfillment_channel is FulfillmentChannel.AMAZON:
            raise ValidationError(
                "amazon_order_id", "Amazon fulfils this order: change its address in Seller Central", "NOT_ALLOWED"
            )
        address = check_address(fields)
        sealed = order_store.order_columns(replace(order, shipping_address=address), rt.cipher, address_edited=True)
        buyer_columns = {k: v for k, v in sealed.items() if k.startswith("buyer_")}
        updated = stored.commerce_order_id is not None and update_commerce_address(
            rt, stored.commerce_order_id, address
        )
        number = stored.commerce_increment_id
        if stored.commerce_order_id is None:
            message = NOT_IMPORTED_YET
        elif updated:
            message = f"Shipping address saved; Commerce order #{number} ships to it too."
        else:
            message = (
                f"Shipping address saved in the plugin's copy only: Commerce order #{number} still ships to the old "
                "address. Change it in Commerce too."
            )
        add_event(conn, pk, "ADDRESS_UPDATED", message, rt.clock(), **buyer_columns)
    return AddressCorrection(address, updated, message)


def update_commerce_address(rt: Runtime, commerce_order_id: str, address: Address) -> bool:
    """True when the host now ships the order to ``address``; False when no host service took the correction.

    A HostError refusal becomes HOST_ERROR, raised inside the unit of work so the plugin's copy rolls back too.
    """
    try:
        return rt.hooks.update_shipping_address(commerce_order_id, address)
    except ChannelError as exc:
        raise ValidationError("amazon_order_id", f"the host refused the new address: {exc}", "HOST_ERROR") from exc
