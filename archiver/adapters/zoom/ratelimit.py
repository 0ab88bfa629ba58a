"""Client-side rate limiting per Zoom category: one token bucket per category, shared by threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

# Requests per second by plan and category (Zoom rate-limits page). Resource-intensive is per
# minute at Zoom; expressed per second here.
LIMITS: dict[str, dict[str, float]] = {
    "pro": {"light": 30, "medium": 20, "heavy": 10, "resource": 10 / 60},
    "business": {"light": 80, "medium": 60, "heavy": 40, "resource": 20 / 60},
}
LIMITS["business_plus"] = LIMITS["enterprise"] = LIMITS["business"]


class RateLimiter:
    """Blocks just long enough to stay under the plan's per-second limit of each category."""

    def __init__(
        self,
        plan: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        headroom: float = 0.9,
    ) -> None:
        self._rates = {k: v * headroom for k, v in LIMITS[plan].items()}
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}

    def acquire(self, category: str) -> float:
        """Wait for a slot in the category; returns the seconds waited."""
        interval = 1.0 / self._rates[category]
        with self._lock:
            now = self._clock()
            slot = max(now, self._next.get(category, now))
            self._next[category] = slot + interval
        wait = slot - now
        if wait > 0:
            self._sleep(wait)
        return wait
