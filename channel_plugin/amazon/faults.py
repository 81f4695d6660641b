"""Fault injection for the fake SP-API server: the misbehaviours of the real Amazon that the sync must survive."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ScriptedFault:
    operation: str | None
    status: int
    body: str | None


@dataclass
class Faults:
    """Switched on by tests (or the admin endpoint); all off by default.

    ``throttle_rate`` and ``error_rate`` are the chances that an SP-API call is answered 429 or 500;
    ``slow_seconds`` delays every searchOrders page; ``fail_next`` scripts exact answers for the next calls.
    """

    throttle_rate: float = 0.0
    error_rate: float = 0.0
    slow_seconds: float = 0.0
    seed: int = 0
    _scripted: list[ScriptedFault] = field(default_factory=list)
    _expire_tokens: bool = False
    _bad_page_tokens: int = 0
    _rng: random.Random = field(default_factory=random.Random)
    injected: Counter[int] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._rng.seed(self.seed)

    def reseed(self, seed: int) -> None:
        """Random faults are reproducible: the same seed gives the same calls the same answers."""
        self.seed = seed
        self._rng.seed(seed)

    def fail_next(self, status: int, *, operation: str | None = None, times: int = 1, body: str | None = None) -> None:
        """Answer the next ``times`` calls (of ``operation``, or any) with this status and raw body."""
        self._scripted.extend([ScriptedFault(operation, status, body)] * times)

    def expire_access_tokens(self) -> None:
        """Every access token issued so far is now expired, as after an hour without a refresh."""
        self._expire_tokens = True

    def reject_pagination_tokens(self, times: int = 1) -> None:
        """The next ``times`` searchOrders calls that carry a pagination token are told it is invalid, as
        Amazon does once a token has aged out."""
        self._bad_page_tokens += times

    def take_bad_page_token(self) -> bool:
        if self._bad_page_tokens:
            self._bad_page_tokens -= 1
            self.injected[400] += 1
            return True
        return False

    def take_expiry(self) -> bool:
        expired, self._expire_tokens = self._expire_tokens, False
        return expired

    def pick(self, operation: str) -> ScriptedFault | None:
        """The fault for this call, if any: a scripted one first, else a random 429 or 500."""
        for index, fault in enumerate(self._scripted):
            if fault.operation in (None, operation):
                del self._scripted[index]
                self.injected[fault.status] += 1
                return fault
        roll = self._rng.random()
        if roll < self.throttle_rate:
            self.injected[429] += 1
            return ScriptedFault(operation, 429, None)
        if roll < self.throttle_rate + self.error_rate:
            self.injected[500] += 1
            return ScriptedFault(operation, 500, None)
        return None

    def clear(self) -> None:
        self.throttle_rate = self.error_rate = self.slow_seconds = 0.0
        self._scripted.clear()
        self._expire_tokens = False
        self._bad_page_tokens = 0
