"""Abuse limits with the `limits` library: failed authentication per client address, slot
queries and booking writes per account. Counters live in Redis when RATE_LIMIT_STORAGE_URL
names it (shared by every API worker), else in this process's memory.

Over a limit, the answer is 429 with Retry-After (seconds until the moving window frees a hit).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from api.errors import TooManyRequests
from dispatch.config import Settings

AUTH_FAILURES = "auth_failures"
SLOT_QUERIES = "slot_queries"
BOOKINGS = "bookings"


@dataclass
class Limiter:
    """The app's limits (app.state.limiter); disabled, every check passes."""

    strategy: MovingWindowRateLimiter
    items: dict[str, RateLimitItem]
    enabled: bool = True

    def check(self, name: str, key: str) -> None:
        """Refuse (429) when the key has no hit left under the named limit."""
        if not self.enabled:
            return
        item = self.items[name]
        if not self.strategy.test(item, name, key):
            raise TooManyRequests(self._retry_after_s(item, name, key))

    def hit(self, name: str, key: str) -> None:
        """Count one hit; refuse (429) when this hit is over the limit."""
        if not self.enabled:
            return
        item = self.items[name]
        if not self.strategy.hit(item, name, key):
            raise TooManyRequests(self._retry_after_s(item, name, key))

    def count(self, name: str, key: str) -> None:
        """Count one hit without refusing this request (a failure already answered)."""
        if self.enabled:
            self.strategy.hit(self.items[name], name, key)

    def _retry_after_s(self, item: RateLimitItem, name: str, key: str) -> int:
        stats = self.strategy.get_window_stats(item, name, key)
        return max(1, math.ceil(stats.reset_time - time.time()))


def build_limiter(settings: Settings) -> Limiter:
    """The limiter of these settings: Redis storage when configured, memory otherwise."""
    storage = storage_from_string(settings.rate_limit_storage_url or "memory://")
    return Limiter(
        strategy=MovingWindowRateLimiter(storage),
        items={
            AUTH_FAILURES: parse(settings.auth_failure_limit),
            SLOT_QUERIES: parse(settings.slot_query_limit),
            BOOKINGS: parse(settings.booking_limit),
        },
        enabled=settings.rate_limit_enabled,
    )


def get_limiter(request: Request) -> Limiter:
    """The app's limiter."""
    limiter: Limiter = request.app.state.limiter
    return limiter


LimiterDep = Annotated[Limiter, Depends(get_limiter)]


def client_address(request: Request) -> str:
    """The client's address as the server saw it (behind a proxy, run uvicorn with
    --proxy-headers so that this is the real client)."""
    return request.client.host if request.client else "unknown"
