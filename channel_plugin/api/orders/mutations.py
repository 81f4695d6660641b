"""Admin actions on Amazon orders: retry imports, match a SKU, sync now, cancel, correct a shipping address.

A sync, and a retry of more than a page of orders, run in the background (``engine.jobs``): the payload carries
the job, which ``storeJob(id)`` follows.

Expected failures come back as ``errors`` (the engine's ValidationError, converted); nothing here raises on purpose.
"""

from __future__ import annotations

from collections.abc import Sequence

import strawberry
from sqlalchemy import select

from channel_plugin.api.blockers.queries import order_pks, order_results
from channel_plugin.api.blockers.types import OrderImportResult
from channel_plugin.api.context import Info
from channel_plugin.api.errors import UserError, UserErrorCode, user_errors
from channel_plugin.api.jobs.types import StoreJob, StoreSyncResult
from channel_plugin.api.orders.types import ShippingAddress
from channel_plugin.api.security import MAX_PAGE_SIZE
from channel_plugin.api.stores.queries import parse_store_id
from channel_plugin.domain.enums import CancelReason, ImportState
from channel_plugin.engine import admin
from channel_plugin.engine.runtime import Runtime
from channel_plugin.errors import ValidationError
from channel_plugin.storage import blockers as blocker_store
from channel_plugin.storage.stores import StoreRecord
from channel_plugin.storage.tables import amazon_orders

AmazonCancelReason = strawberry.enum(
    CancelReason, name="AmazonCancelReason", description="Amazon's reason codes for a seller's cancellation."
)


@strawberry.input(
    description="The whole new address: fields left out are cleared. Required: name, line1, city, "
    "countryCode (ISO 3166-1 alpha-2, such as US or GB)."
)
class ShippingAddressInput:
    name: str | None = None
    company: str | None = None
    line1: str | None = None
    line2: str | None = None
    line3: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country_code: str | None = None
    phone: str | None = None


@strawberry.type(description="A seller SKU and the catalog product its orders are placed with.")
class SkuMatch:
    seller_sku: str
    product_sku: str


@strawberry.type
class RetryOrderImportPayload:
    results: list[OrderImportResult] = strawberry.field(
        description="Where each re-checked order stands; empty when the retry went to the background (see job)."
    )
    job: StoreJob | None = strawberry.field(
        description=f"Without amazonOrderIds and more than {MAX_PAGE_SIZE} orders to re-check: the background "
        "job doing it; poll storeJob(id)."
    )
    errors: list[UserError]


@strawberry.type
class MatchProductPayload:
    match: SkuMatch | None
    results: list[OrderImportResult] = strawberry.field(description="Every order that was blocked on the SKU.")
    errors: list[UserError]


@strawberry.type
class SyncStorePayload:
    job: StoreJob | None = strawberry.field(
        description="The background sync (the one already running for this store, if any): poll storeJob(id) "
        "until its state is not RUNNING; its sync field then holds the outcome."
    )
    sync: StoreSyncResult | None = strawberry.field(
        description="Always null: the sync runs in the background; read job.sync once it has finished.",
        deprecation_reason="The sync runs in the background: use job, then storeJob(id).sync.",
    )
    errors: list[UserError]


@strawberry.type
class CancelAmazonOrderPayload:
    order: OrderImportResult | None
    errors: list[UserError]


@strawberry.type
class UpdateShippingAddressPayload:
    order: OrderImportResult | None
    shipping_address: ShippingAddress | None
    commerce_updated: bool = strawberry.field(
        description="True when the Commerce order ships to the new address too; false when the correction stays "
        "in the plugin's copy (no Commerce order yet, or the host takes no corrections) or nothing was saved."
    )
    message: str | None = strawberry.field(
        description="What changed where, in a sentence for the admin; null when nothing was saved."
    )
    errors: list[UserError]


def _store(rt: Runtime, store_id: strawberry.ID) -> StoreRecord:
    pk = parse_store_id(store_id)
    if pk is None:
        raise ValidationError("store_id", f"no Amazon store with id {store_id!r}", "NOT_FOUND")
    return admin.require_store(rt, pk)


def _errors(exc: ValidationError, *, input_prefix: str | None = None) -> list[UserError]:
    if isinstance(exc, admin.InvalidAddress):
        return [e for problem in exc.problems for e in user_errors(problem, prefix=input_prefix)]
    return user_errors(exc)


def _results(rt: Runtime, pks: Sequence[int]) -> list[OrderImportResult]:
    with rt.db.transaction(write=False) as conn:
        return order_results(conn, pks)


def _order_result(rt: Runtime, store_id: int, amazon_order_id: str) -> OrderImportResult | None:
    with rt.db.transaction(write=False) as conn:
        pk = order_pks(conn, store_id, [amazon_order_id]).get(amazon_order_id)
        results = order_results(conn, [pk]) if pk is not None else []
    return results[0] if results else None


def _retryable(rt: Runtime, store_id: int) -> list[int]:
    """The orders ``retry_orders`` takes when none are named: every blocked and failed one."""
    states = [ImportState.BLOCKED.value, ImportState.FAILED.value]
    with rt.db.transaction(write=False) as conn:
        rows = conn.execute(
            select(amazon_orders.c.id)
            .where(amazon_orders.c.store_id == store_id, amazon_orders.c.import_state.in_(states))
            .order_by(amazon_orders.c.id)
        )
        return [r.id for r in rows]


@strawberry.type
class OrdersMutation:
    @strawberry.mutation(
        description="Re-check orders now: the named ones, or every blocked and failed one of the store when "
        f"amazonOrderIds is left out (at most {MAX_PAGE_SIZE} named at once). Reports where each order stands."
    )
    def retry_order_import(
        self, info: Info, store_id: strawberry.ID, amazon_order_ids: list[str] | None = None
    ) -> RetryOrderImportPayload:
        rt = info.context.runtime
        try:
            store = _store(rt, store_id)
            if amazon_order_ids is not None and len(set(amazon_order_ids)) > MAX_PAGE_SIZE:
                raise ValidationError("amazon_order_ids", f"at most {MAX_PAGE_SIZE} orders at once")
        except ValidationError as exc:
            return RetryOrderImportPayload(results=[], job=None, errors=_errors(exc))
        errors: list[UserError] = []
        if amazon_order_ids is None:
            pks = _retryable(rt, store.id)
            if len(pks) > MAX_PAGE_SIZE:  # a request answers in bounded time: the rest goes to the background
                try:
                    job = info.context.runtime.jobs.start_retry(store, pks)
                except ValidationError as exc:
                    return RetryOrderImportPayload(results=[], job=None, errors=_errors(exc))
                return RetryOrderImportPayload(results=[], job=StoreJob.of(job), errors=[])
        else:
            wanted = list(dict.fromkeys(amazon_order_ids))
            with rt.db.transaction(write=False) as conn:
                found = order_pks(conn, store.id, wanted)
            pks = [found[oid] for oid in wanted if oid in found]
            errors = [
                UserError(
                    field="amazonOrderIds", code=UserErrorCode.NOT_FOUND, message=f"No order {oid!r} in this store."
                )
                for oid in wanted
                if oid not in found
            ]
            amazon_order_ids = [oid for oid in wanted if oid in found]
        if pks:
            admin.retry_orders(rt, store.id, amazon_order_ids)
        return RetryOrderImportPayload(results=_results(rt, pks), job=None, errors=errors)

    @strawberry.mutation(
        description="Match an Amazon seller SKU to a catalog product, then retry every order blocked on that SKU."
    )
    def match_product(
        self, info: Info, store_id: strawberry.ID, seller_sku: str, product_sku: str
    ) -> MatchProductPayload:
        rt = info.context.runtime
        try:
            store = _store(rt, store_id)
            with rt.db.transaction(write=False) as conn:
                blocked = blocker_store.orders_blocked_on(conn, seller_sku=seller_sku, store_id=store.id)
            admin.match_product(rt, store.id, seller_sku, product_sku)
        except ValidationError as exc:
            return MatchProductPayload(match=None, results=[], errors=_errors(exc))
        return MatchProductPayload(
            match=SkuMatch(seller_sku=seller_sku, product_sku=product_sku),
            results=_results(rt, sorted(blocked.get(store.id, []))),
            errors=[],
        )

    @strawberry.mutation(
        description="Start the store's sync now, in the background, as the cron would run it: pull from Amazon, "
        "re-check, send queued calls, complete shipped orders. Answers at once with the job to poll."
    )
    def sync_store(self, info: Info, store_id: strawberry.ID) -> SyncStorePayload:
        try:
            job = info.context.runtime.jobs.start_sync(_store(info.context.runtime, store_id))
        except ValidationError as exc:
            return SyncStorePayload(job=None, sync=None, errors=_errors(exc))
        return SyncStorePayload(job=StoreJob.of(job), sync=None, errors=[])

    @strawberry.mutation(
        description="Cancel an UNSHIPPED order with one of Amazon's reason codes: Amazon is told "
        "(queued), the Commerce order is canceled and its stock returned."
    )
    def cancel_amazon_order(
        self,
        info: Info,
        store_id: strawberry.ID,
        amazon_order_id: str,
        reason: AmazonCancelReason,  # type: ignore[valid-type]
    ) -> CancelAmazonOrderPayload:
        rt = info.context.runtime
        try:
            store = _store(rt, store_id)
            admin.cancel_order(rt, store.id, amazon_order_id, reason)
        except ValidationError as exc:
            return CancelAmazonOrderPayload(order=None, errors=_errors(exc))
        return CancelAmazonOrderPayload(order=_order_result(rt, store.id, amazon_order_id), errors=[])

    @strawberry.mutation(
        description="Correct the shipping address of a merchant-fulfilled order before it ships "
        "(PENDING or UNSHIPPED). Every invalid field is reported; nothing changes unless all are valid."
    )
    def update_shipping_address(
        self, info: Info, store_id: strawberry.ID, amazon_order_id: str, input: ShippingAddressInput
    ) -> UpdateShippingAddressPayload:
        rt = info.context.runtime
        fields = {name: getattr(input, name) for name in admin.ADDRESS_FIELDS}
        try:
            store = _store(rt, store_id)
            correction = admin.update_shipping_address(rt, store.id, amazon_order_id, fields)
        except ValidationError as exc:
            return UpdateShippingAddressPayload(
                order=None,
                shipping_address=None,
                commerce_updated=False,
                message=None,
                errors=_errors(exc, input_prefix="input"),
            )
        return UpdateShippingAddressPayload(
            order=_order_result(rt, store.id, amazon_order_id),
            shipping_address=ShippingAddress.of(correction.address),
            commerce_updated=correction.commerce_updated,
            message=correction.message,
            errors=[],
        )
