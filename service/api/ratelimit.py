"""Per-client token buckets: a burst of `burst` requests, then `per_minute` a minute; 429 with Retry-After."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable


class RateLimiter:
    """In-process limiter keyed by client address. With several workers each keeps its own buckets.

    `per_minute=0` disables limiting. `clock` is injectable for tests.
    """

    MAX_CLIENTS = 10_000

    def __init__(self, per_minute: int, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute < 0 or burst < 1:
            raise ValueError("per_minute must be >= 0 and burst >= 1")
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, last time)
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def acquire(self, client: str) -> float:
        """Take one token for `client`; returns 0 when allowed, else the seconds until a token is available."""
        if not self.enabled:
            return 0.0
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._buckets[client] = (tokens - 1, now)
                self._prune(now)
                return 0.0
            self._buckets[client] = (tokens, now)
            return (1 - tokens) / self.rate

    def retry_after(self, wait: float) -> str:
        return str(max(1, math.ceil(wait)))

    def _prune(self, now: float) -> None:
        # Idle clients whose buckets have refilled carry no state worth keeping.
        if len(self._buckets) <= self.MAX_CLIENTS:
            return
        full_after = self.burst / self.rate
        self._buckets = {c: v for c, v in self._buckets.items() if now - v[1] < full_after}
