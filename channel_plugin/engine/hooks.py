"""Every hook call the plugin makes, in one place: one typed method per hook, one way to judge what comes back.

The engine and the API never name a hook; they ask ``Runtime.hooks``. Every method

- picks the page-sized form of a host service when the plugin that would answer its single form answers the
  page-sized one too, so an integrator who overrides only the single form with ``tryfirst`` is still the one asked;
- checks the answer's type and shape: a wrong answer is a ``HookResultError`` naming the hook and what was wrong,
  never buyer data;
- classifies failures one way: transient database errors pass through untouched so the whole unit of work is
  retried, a ``HostError`` (a refusal the merchant should read) passes through as it is, and any other exception
  becomes a ``HookFailedError`` (an unexpected failure, retried later);
- runs host writes in a savepoint, so a refused or failed write leaves nothing of itself behind.

Notifications never raise: each implementation is called on its own, and one that fails is logged (the hook, the
plugin, the order id and the exception's type, nothing of the buyer) without keeping the others from running.

Naming, for whoever adds a hook: the method is the hook's name without its ``commerce_`` or ``channel_`` prefix
(``commerce_store_views`` -> ``store_views``, ``channel_order_imported`` -> ``order_imported``); a host service
with a page-sized form is offered only under the plural name (``find_products``), which falls back to the single
form item by item.
"""

from __future__ import annotations

import logging
import reprlib
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import pluggy

from channel_plugin.domain.enums import AmazonOrderStatus
from channel_plugin.domain.model import (
    AmazonOrder,
    Blocker,
    BlockerRecord,
    CommerceOrderDraft,
    CommerceOrderRef,
    OrderStatusOption,
    Product,
    StoreInfo,
    StoreView,
)
from channel_plugin.engine.dberrors import describe_error, is_transient
from channel_plugin.errors import ChannelError, HookFailedError, HookResultError, HostError

log = logging.getLogger("channel_plugin")

T = TypeVar("T")
Item = TypeVar("Item")


@dataclass
class Lookup(Generic[T]):
    """A page-sized answer: per catalog SKU asked, the host's answer or, in ``problems``, why there is none."""

    what: str  # what was asked of the host, as in "The host could not <what> 'MUG'"
    answers: dict[str, T] = field(default_factory=dict)
    problems: dict[str, ChannelError] = field(default_factory=dict)

    def messages(self) -> dict[str, str]:
        """Why each SKU in ``problems`` has no answer, in words for the merchant."""
        return {sku: f"The host could not {self.what} {sku!r}: {exc}" for sku, exc in self.problems.items()}


class Hooks:
    """The plugin's side of the ``commerce`` plugin manager (tox's ``Plugin`` around its manager is the model)."""

    def __init__(self, pm: pluggy.PluginManager, savepoint: Callable[[], AbstractContextManager[object]]) -> None:
        self._pm = pm
        self._savepoint = savepoint

    # --- channel hooks that decide (inside the unit of work) ------------------------------------------------------

    def resolve_sku(self, store: StoreInfo, seller_sku: str) -> str | None:
        """The catalog SKU integrators map ``seller_sku`` to, or None when no rule applies."""
        answer = self._call("channel_resolve_sku", repr(seller_sku), store=store, seller_sku=seller_sku)
        if answer is None:
            return None
        if not isinstance(answer, str) or not answer.strip():
            raise HookResultError(
                f"channel_resolve_sku returned {_describe(answer)} for {seller_sku!r}; "
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
                f"{hook} returned {_describe(answer)} for product {sku!r}; expected a Product or None"
            )

        what = "look up product"
        return self._lookup("commerce_find_product", "commerce_find_products", what, skus, store_view, check)

    def salable_qtys(self, skus: Sequence[str], store_view: str) -> Lookup[int]:
        """Each stock-managed SKU's salable quantity (never below 0); 0 for one a page-sized answer leaves out."""

        def check(hook: str, sku: str, answer: object) -> int:
            if isinstance(answer, bool) or not isinstance(answer, int):
                raise HookResultError(
                    f"{hook} returned {_describe(answer)} as the salable quantity of {sku!r}; expected a whole number"
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
                f"commerce_release returned {_describe(answer)}; expected the number of units released "
                "(is a host loaded?)"
            )
        return answer

    def create_orders(self, drafts: Sequence[CommerceOrderDraft]) -> list[CommerceOrderRef | ChannelError]:
        """Per draft, in order, the created order or why it was not created (a ``HostError`` is a refusal).

        The page-sized form runs in one savepoint; if it fails as a whole it is rolled back and every draft is
        created on its own, each in its own savepoint.
        """
        if not drafts:
            return []
        if self._uses_batch("commerce_create_order", "commerce_create_orders"):
            created = self._create_batch(drafts)
            if created is not None:
                return created
        return [self._create_one(draft) for draft in drafts]

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

    # --- the one way every call is made and judged ----------------------------------------------------------------

    def _call(self, hook: str, about: str | None, **kwargs: Any) -> object:
        try:
            return getattr(self._pm.hook, hook)(**kwargs)
        except HostError:
            raise
        except Exception as exc:
            if is_transient(exc):
                raise
            where = f" for {about}" if about else ""
            raise HookFailedError(f"{hook} failed{where}: {describe_error(exc)}") from exc

    def _confirm(self, hook: str, refusal: str, **kwargs: Any) -> None:
        """A service that answers True when done: False or no answer is a refusal, anything else a wrong answer."""
        answer = self._call(hook, None, **kwargs)
        if answer is True:
            return
        if answer is None or answer is False:
            raise HostError(refusal)
        raise HookResultError(f"{hook} returned {_describe(answer)}; expected True or False")

    def _list_of(self, hook: str, kind: type[Item]) -> list[Item]:
        answer = self._call(hook, None)
        if answer is None:
            return []
        if isinstance(answer, str | bytes) or not isinstance(answer, Sequence):
            raise HookResultError(f"{hook} returned {_describe(answer)}; expected a list of {kind.__name__}")
        wrong = [item for item in answer if not isinstance(item, kind)]
        if wrong:
            raise HookResultError(f"{hook} returned {_describe(wrong[0])} in its list; expected {kind.__name__} items")
        return list(answer)

    def _lookup(
        self,
        single: str,
        batch: str,
        what: str,
        skus: Sequence[str],
        store_view: str,
        check: Callable[[str, str, object], T],
        missing: object = None,
    ) -> Lookup[T]:
        """One page-sized call when the rule allows it (SKUs it leaves out get ``missing``), else one per SKU."""
        found: Lookup[T] = Lookup(what)
        if not skus:
            return found

        def judge(hook: str, sku: str, answer: object) -> None:
            try:
                found.answers[sku] = check(hook, sku, answer)
            except HookResultError as exc:
                found.problems[sku] = exc

        if self._uses_batch(single, batch):
            try:
                answers = self._call(batch, None, skus=list(skus), store_view=store_view)
                if not isinstance(answers, Mapping):
                    raise HookResultError(f"{batch} returned {_describe(answers)}; expected a mapping of SKU to answer")
            except ChannelError as exc:
                found.problems = dict.fromkeys(skus, exc)
                return found
            for sku in skus:
                judge(batch, sku, answers.get(sku, missing))
            return found
        for sku in skus:
            try:
                answer = self._call(single, None, sku=sku, store_view=store_view)
            except ChannelError as exc:
                found.problems[sku] = exc
                continue
            judge(single, sku, answer)
        return found

    def _create_batch(self, drafts: Sequence[CommerceOrderDraft]) -> list[CommerceOrderRef | ChannelError] | None:
        """The host's set-based create in one savepoint; None (after rolling it back) means "go one by one"."""
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

    def _create_one(self, draft: CommerceOrderDraft) -> CommerceOrderRef | ChannelError:
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

    def _uses_batch(self, single: str, batch: str) -> bool:
        """True when the plugin that would answer ``single`` first also answers ``batch`` first.

        A host that implements both gets the fast path; an integrator who overrides only the single form with
        ``tryfirst`` (as the host contract promises they may) is still the one asked.
        """
        batch_plugin = self._first_answering(batch)
        if batch_plugin is None:
            return False
        single_plugin = self._first_answering(single)
        return single_plugin is None or single_plugin is batch_plugin

    def _first_answering(self, hook: str) -> object | None:
        impls = self._implementations(hook)
        return impls[-1].plugin if impls else None  # pluggy calls the last one first

    def _implementations(self, hook: str) -> list[pluggy.HookImpl]:
        """The hook's implementations that answer (wrappers only surround them), last called first."""
        return [i for i in getattr(self._pm.hook, hook).get_hookimpls() if not (i.hookwrapper or i.wrapper)]

    def _notify(self, hook: str, **kwargs: Any) -> None:
        """Call each implementation on its own (in pluggy's order), so one that fails cannot silence another."""
        impls = self._implementations(hook)
        for impl in reversed(impls):
            others = [i.plugin for i in impls if i is not impl]
            try:
                self._pm.subset_hook_caller(hook, others)(**kwargs)
            except Exception as exc:
                name = self._pm.get_name(impl.plugin)
                order_id = kwargs["order"].amazon_order_id
                log.error("hook %s of %s failed for order %s: %s", hook, name, order_id, type(exc).__name__)


def _describe(value: object) -> str:
    """A short picture of a wrong answer; only for hooks whose answers hold no buyer data."""
    return f"{reprlib.repr(value)} ({type(value).__name__})"
