"""Every hook call the plugin makes, in one place: one typed method per hook, one way to judge what comes back.

The engine and the API never name a hook; they ask ``Runtime.hooks``. How each call is made, which form of a
page-sized service is used, how an answer is checked and how a failure is classified is ``HookCalls``' job
(``engine/hookcalls.py``), the same for every method here.

Naming, for whoever adds a hook: the method is the hook's name without its ``commerce_`` or ``channel_`` prefix
(``commerce_store_views`` -> ``store_views``, ``channel_order_imported`` -> ``order_imported``); a host service
with a page-sized form is offered only under the plural name (``find_products``), which falls back to the single
form item by item; creation is the exception (``creates_orders_at_once``, ``create_orders``, ``create_order``),
because between a failed page-sized call and the one-by-one retry the host must be asked what it already created.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from channel_plugin.domain.calls import AmazonCall
from channel_plugin.domain.enums import AmazonOrderStatus
from channel_plugin.domain.model import (
    Address,
    AmazonOrder,
    Blocker,
    BlockerRecord,
    CommerceOrderDraft,
    CommerceOrderRef,
    OrderStatusOption,
    Product,
    Shipment,
    StoreInfo,
    StoreView,
)
from channel_plugin.engine.hookcalls import HookCalls, Lookup, describe_answer
from channel_plugin.errors import ChannelError, HookResultError, HostError

log = logging.getLogger("channel_plugin")


class Hooks(HookCalls):
    """One typed method per hook the plugin calls; ``HookCalls`` says how each call is made and judged."""

    # --- channel hooks that decide (inside the unit of work) ------------------------------------------------------

    def resolve_sku(self, store: StoreInfo, seller_sku: str) -> str | None:
        """The catalog SKU integrators map ``seller_sku`` to, or None when no rule applies."""
        answer = self._call("channel_resolve_sku", repr(seller_sku), store=store, seller_sku=seller_sku)
        if answer is None:
            return None
        if not isinstance(answer, str) or not answer.strip():
            raise HookResultError(
                f"channel_resolve_sku returned {describe_answer(answer)} for {seller_sku!r}; "
                "expected a catalog SKU string or None"
            )
        return answer.strip()

    def build_order(self, order: AmazonOrder, draft: CommerceOrderDraft) -> CommerceOrderDraft:
        built = self._call("channel_build_order", f"order {order.amazon_order_id}", order=order, draft=draft)
        if not isinstance(built, CommerceOrderDraft):
            raise HookResultError(f"channel_build_order returned {type(built).__name__}; expected a CommerceOrderDraft")
        return built

    # --- host services that read ----------------------------------------------------------------------------------

    def store_views(self) -> list[StoreView]:
        return self._list_of("commerce_store_views", StoreView)

    def order_statuses(self) -> list[OrderStatusOption]:
        return self._list_of("commerce_order_statuses", OrderStatusOption)

    def find_products(self, skus: Sequence[str], store_view: str) -> Lookup[Product | None]:
        """Each SKU's product, None for a SKU the catalog lacks."""

        def check(hook: str, sku: str, answer: object) -> Product | None:
            if answer is None or isinstance(answer, Product):
                return answer
            raise HookResultError(
                f"{hook} returned {describe_answer(answer)} for product {sku!r}; expected a Product or None"
            )

        what = "look up product"
        return self._lookup("commerce_find_product", "commerce_find_products", what, skus, store_view, check)

    def salable_qtys(self, skus: Sequence[str], store_view: str) -> Lookup[int]:
        """Each stock-managed SKU's salable quantity (never below 0); 0 for one a page-sized answer leaves out."""

        def check(hook: str, sku: str, answer: object) -> int:
            if isinstance(answer, bool) or not isinstance(answer, int):
                raise HookResultError(
                    f"{hook} returned {describe_answer(answer)} as the salable quantity of {sku!r}; "
                    "expected a whole number"
                )
            return max(answer, 0)

        what = "read the salable quantity of"
        return self._lookup("commerce_salable_qty", "commerce_salable_qtys", what, skus, store_view, check, missing=0)

    def find_or_create_customer(self, store_view: str, email: str, name: str | None) -> str | None:
        """The customer's id, or None when the host keeps the order a guest's."""
        answer = self._call("commerce_find_or_create_customer", None, store_view=store_view, email=email, name=name)
        if answer is None:
            return None
        if isinstance(answer, bool) or not isinstance(answer, str | int):
            raise HookResultError(
                f"commerce_find_or_create_customer returned {type(answer).__name__}; expected a customer id"
            )
        return str(answer)

    # --- host services that write ---------------------------------------------------------------------------------

    def reserve(self, quantities: Mapping[str, int], reference: str) -> None:
        """Reserve every SKU's quantity under ``reference``, all or nothing (one savepoint); raises HostError."""
        with self._savepoint():
            for sku, qty in sorted(quantities.items()):
                refusal = f"the host refused to reserve {qty} of {sku!r}"
                self._confirm("commerce_reserve", refusal, sku=sku, qty=qty, reference=reference)

    def release(self, reference: str) -> int:
        """How many units the host released; releasing an unknown reference is 0, not an error."""
        answer = self._call("commerce_release", None, reference=reference)
        if isinstance(answer, bool) or not isinstance(answer, int):
            raise HookResultError(
                f"commerce_release returned {describe_answer(answer)}; expected the number of units released "
                "(is a host loaded?)"
            )
        return answer

    def creates_orders_at_once(self) -> bool:
        """True when ``create_orders`` (the page-sized form) is the one to use; see the rule in ``HookCalls``."""
        return self._uses_batch("commerce_create_order", "commerce_create_orders")

    def create_orders(self, drafts: Sequence[CommerceOrderDraft]) -> list[CommerceOrderRef | ChannelError] | None:
        """Per draft, in order, the created order or why not (a ``HostError`` is a refusal), from one page-sized
        call in one savepoint; None when that call failed as a whole and was rolled back.

        After None the caller creates the drafts one by one with ``create_order``, but first asks the host which of
        them it already has (``find_orders``): a host on its own database may have committed some before failing.
        """
        try:
            with self._savepoint():
                answers = self._call("commerce_create_orders", None, drafts=list(drafts))
                if answers is None:
                    return None
                if isinstance(answers, str | bytes) or not isinstance(answers, Sequence) or len(answers) != len(drafts):
                    raise HookResultError(
                        f"commerce_create_orders returned {type(answers).__name__}; expected one result per draft"
                    )
        except ChannelError as exc:
            log.warning("batch order creation failed (%s); creating the page's orders one by one", type(exc).__name__)
            return None
        return [
            answer
            if isinstance(answer, CommerceOrderRef | HostError)
            else HookResultError(
                f"commerce_create_orders returned {type(answer).__name__} for a draft; "
                "expected a CommerceOrderRef or a HostError"
            )
            for answer in answers
        ]

    def create_order(self, draft: CommerceOrderDraft) -> CommerceOrderRef | ChannelError:
        """The created order or why it was not created, in its own savepoint."""
        try:
            with self._savepoint():
                ref = self._call("commerce_create_order", f"order {draft.amazon_order_id}", draft=draft)
                if not isinstance(ref, CommerceOrderRef):
                    raise HookResultError(
                        f"commerce_create_order returned {type(ref).__name__}; expected a CommerceOrderRef "
                        "(is a host loaded?)"
                    )
                return ref
        except ChannelError as exc:
            return exc

    def update_shipping_address(self, order_id: str, address: Address) -> bool:
        """True when the host now ships the order to ``address``; False when no host service took the correction.

        A refusal is the host's ``HostError``, raised as it is so the caller rolls its own copy back too.
        """
        answer = self._call("commerce_update_shipping_address", None, order_id=order_id, address=address)
        if answer is None or isinstance(answer, bool):
            return answer is True
        raise HookResultError(f"commerce_update_shipping_address returned {type(answer).__name__}; expected a bool")

    # --- host services of the exactly-once boundary (page-sized reads) -----------------------------------------------

    def find_orders(self, references: Sequence[str]) -> dict[str, CommerceOrderRef] | None:
        """The Commerce orders that already exist for these external references (absent ones have none); None when
        no host implements ``commerce_find_orders``."""
        if not references:
            return {}
        found = self._call("commerce_find_orders", None, references=list(references))
        if found is None:
            return None
        if not isinstance(found, Mapping) or not all(isinstance(r, CommerceOrderRef) for r in found.values()):
            raise HookResultError(
                f"commerce_find_orders returned {type(found).__name__}; expected reference -> CommerceOrderRef"
            )
        wanted = set(references)
        return {ref: order for ref, order in found.items() if ref in wanted}

    def order_shipments(self, order_ids: Sequence[str]) -> dict[str, list[Shipment]] | None:
        """Every shipment the host holds for these Commerce orders (absent orders have none); None when no host
        implements ``commerce_order_shipments``."""
        if not order_ids:
            return {}
        found = self._call("commerce_order_shipments", None, order_ids=list(order_ids))
        if found is None:
            return None
        if not isinstance(found, Mapping) or not all(
            isinstance(shipments, Sequence) and all(isinstance(s, Shipment) for s in shipments)
            for shipments in found.values()
        ):
            raise HookResultError(
                f"commerce_order_shipments returned {type(found).__name__}; expected order id -> a list of Shipment"
            )
        wanted = set(order_ids)
        return {oid: list(shipments) for oid, shipments in found.items() if oid in wanted}

    def cancel_order(self, order_id: str) -> None:
        """Cancel a Commerce order and return its stock, in a savepoint; raises HostError when the host did not."""
        with self._savepoint():
            refusal = f"the host did not cancel Commerce order {order_id}"
            self._confirm("commerce_cancel_order", refusal, order_id=order_id)

    def complete_order(self, order_id: str) -> None:
        """Complete a shipped Commerce order, in a savepoint; raises HostError when the host did not."""
        with self._savepoint():
            refusal = f"the host did not complete Commerce order {order_id}"
            self._confirm("commerce_complete_order", refusal, order_id=order_id)

    def erase_buyer_data(self, order_ids: Sequence[str]) -> None:
        """Ask the host to erase its copy of these Commerce orders' buyer data (a host without the service keeps
        none, or erases on its own). Raises when the host failed, so that the caller can ask again later."""
        if not order_ids:
            return
        answer = self._call("commerce_erase_buyer_data", None, order_ids=list(order_ids))
        if answer is not None and (isinstance(answer, bool) or not isinstance(answer, int)):
            raise HookResultError(
                f"commerce_erase_buyer_data returned {describe_answer(answer)}; expected a count of orders or None"
            )

    # --- channel notifications (after commit; never raise) --------------------------------------------------------

    def order_received(self, order: AmazonOrder) -> None:
        self._notify("channel_order_received", order=order)

    def order_imported(self, order: AmazonOrder, commerce_order: CommerceOrderRef) -> None:
        self._notify("channel_order_imported", order=order, commerce_order=commerce_order)

    def order_blocked(self, order: AmazonOrder, blockers: Sequence[Blocker]) -> None:
        self._notify("channel_order_blocked", order=order, blockers=blockers)

    def blocker_resolved(self, order: AmazonOrder, blocker: BlockerRecord) -> None:
        self._notify("channel_blocker_resolved", order=order, blocker=blocker)

    def status_changed(self, order: AmazonOrder, old: AmazonOrderStatus, new: AmazonOrderStatus) -> None:
        self._notify("channel_status_changed", order=order, old=old, new=new)

    def amazon_call_refused(self, order: AmazonOrder, call: AmazonCall, message: str) -> None:
        self._notify("channel_amazon_call_refused", order=order, call=call, message=message)
