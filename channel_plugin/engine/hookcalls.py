"""How the plugin calls a hook and judges what comes back: the one way behind every method of ``Hooks``.

- The page-sized form of a host service is used when the plugin that would answer its single form answers the
  page-sized one too, so an integrator who overrides only the single form with ``tryfirst`` is still the one asked.
- A wrong answer (type or shape) is a ``HookResultError`` naming the hook and what was wrong, never buyer data.
- Failures are classified one way: transient database errors pass through untouched so the whole unit of work is
  retried, a ``HostError`` (a refusal the merchant should read) passes through as it is, and any other exception
  becomes a ``HookFailedError`` (an unexpected failure, retried later).
- Notifications never raise: each implementation is called on its own, and one that fails is logged (the hook,
  the plugin, the order id and the exception's type, nothing of the buyer) without silencing the others.
"""

from __future__ import annotations

import logging
import reprlib
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import pluggy

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


class HookCalls:
    """A ``commerce`` plugin manager seen through the rules above (tox's ``Plugin`` around its manager is the model).

    Host writes run in ``savepoint()``, so a refused or failed write leaves nothing of itself behind.
    """

    def __init__(self, pm: pluggy.PluginManager, savepoint: Callable[[], AbstractContextManager[object]]) -> None:
        self._pm = pm
        self._savepoint = savepoint

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
        raise HookResultError(f"{hook} returned {describe_answer(answer)}; expected True or False")

    def _list_of(self, hook: str, kind: type[Item]) -> list[Item]:
        answer = self._call(hook, None)
        if answer is None:
            return []
        if isinstance(answer, str | bytes) or not isinstance(answer, Sequence):
            raise HookResultError(f"{hook} returned {describe_answer(answer)}; expected a list of {kind.__name__}")
        wrong = [item for item in answer if not isinstance(item, kind)]
        if wrong:
            raise HookResultError(
                f"{hook} returned {describe_answer(wrong[0])} in its list; expected {kind.__name__} items"
            )
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
                    raise HookResultError(
                        f"{batch} returned {describe_answer(answers)}; expected a mapping of SKU to answer"
                    )
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


def describe_answer(value: object) -> str:
    """A short picture of a wrong answer; only for hooks whose answers hold no buyer data."""
    return f"{reprlib.repr(value)} ({type(value).__name__})"
