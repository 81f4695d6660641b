"""Token buckets per SP-API operation, seeded from Amazon's default usage plans.

Amazon throttles each operation per selling partner and application with a token bucket; a client that keeps its
own bucket in step never needs the 429 to learn it went too fast. The plan can change per account, so every
response's ``x-amzn-RateLimit-Limit`` header (the current rate, when Amazon sends it) re-tunes the bucket.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from channel_plugin.amazon.timing import Timer

# operation -> (requests per second, burst), from the usage plans in Amazon's API models.
USAGE_PLANS: dict[str, tuple[float, int]] = {
    "searchOrders": (0.0056, 20),
    "getOrder": (0.5, 30),
    "confirmShipment": (2.0, 10),
    "createFeedDocument": (0.5, 15),
    "createFeed": (0.0083, 15),
    "getFeed": (2.0, 15),
    "getFeedDocument": (0.0222, 10),
}
DEFAULT_PLAN = (0.5, 10)


@dataclass
class TokenBucket:
    rate: float
    burst: int
    tokens: float
    updated: float

    def reserve(self, now: float) -> float:
        """Take one token, possibly on credit; returns how long to wait before the call may go out."""
        self._refill(now)
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    def drain(self, now: float) -> None:
        """Amazon said 429: whatever we thought we had, the server's bucket is empty."""
        self._refill(now)
        self.tokens = min(self.tokens, 0.0)

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(float(self.burst), self.tokens + elapsed * self.rate)
        self.updated = now


class RateLimiter:
    """One bucket per operation, created full on first use."""

    def __init__(self, timer: Timer, plans: dict[str, tuple[float, int]] | None = None) -> None:
        self._timer = timer
        self._plans = dict(USAGE_PLANS if plans is None else plans)
        self._buckets: dict[str, TokenBucket] = {}

    def bucket(self, operation: str) -> TokenBucket:
        bucket = self._buckets.get(operation)
        if bucket is None:
            rate, burst = self._plans.get(operation, DEFAULT_PLAN)
            bucket = TokenBucket(rate, burst, float(burst), self._timer.monotonic())
            self._buckets[operation] = bucket
        return bucket

    async def acquire(self, operation: str) -> None:
        wait = self.bucket(operation).reserve(self._timer.monotonic())
        if wait > 0:
            await self._timer.sleep(wait)

    def throttled(self, operation: str) -> None:
        self.bucket(operation).drain(self._timer.monotonic())

    def observe(self, operation: str, header: str | None) -> None:
        """Adopt the rate Amazon reports; a missing or unreadable header leaves the plan as it is."""
        if not header:
            return
        try:
            rate = float(header)
        except ValueError:
            return
        if math.isfinite(rate) and rate > 0:
            self.bucket(operation).rate = rate
