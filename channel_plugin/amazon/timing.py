"""Time for the SP-API client: real seconds in production, the Sandbox's manual clock in tests.

Rate-limit waits and retry backoff go through a ``Timer`` so that a test with Amazon's real usage plans
(searchOrders refills one call every three minutes) runs in milliseconds: sleeping moves the Sandbox clock.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

from channel_plugin.clock import ManualClock


class Timer(Protocol):
    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemTimer:
    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class ManualTimer:
    """Sleeping advances the clock instead of waiting: the Sandbox's time passes only when someone waits."""

    def __init__(self, clock: ManualClock) -> None:
        self._clock = clock
        self.slept = 0.0

    def monotonic(self) -> float:
        return self._clock.now().timestamp()

    async def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.slept += seconds
            self._clock.advance(seconds)
