"""Client-side rate limiting per Zoom category: the plans' limits, the port a limiter offers the
Zoom client, and the in-process limiter (one bucket per category, shared by a process's threads).

Zoom's rate-limits page (developers.zoom.us/docs/api/rate-limits, also published under
/docs/commerce/rate-limits; the older marketplace.zoom.us/docs/api-reference/rate-limits says the
same): limits are per account, shared by every app
on it, counted per category. Pro: Light 30/s, Medium 20/s, Heavy 10/s, Resource-intensive 10/min;
Business+ (Business, Education, Enterprise, Partners): 80/s, 60/s, 40/s, 20/min. Heavy and
Resource-intensive share one daily cap, 30,000 (Pro) or 60,000 (Business+) a day, reset at
00:00 UTC.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from archiver.adapters.retry import utcnow
from archiver.errors import BudgetExhaustedError

# Requests per second by plan and category. Resource-intensive is per minute at Zoom; expressed
# per second here.
LIMITS: dict[str, dict[str, float]] = {
    "pro": {"light": 30, "medium": 20, "heavy": 10, "resource": 10 / 60},
    "business": {"light": 80, "medium": 60, "heavy": 40, "resource": 20 / 60},
}
LIMITS["business_plus"] = LIMITS["enterprise"] = LIMITS["business"]
# The window Zoom counts each category over, in seconds.
WINDOWS = {"light": 1.0, "medium": 1.0, "heavy": 1.0, "resource": 60.0}
# The daily cap Heavy and Resource-intensive share, by plan.
DAILY_LIMITS = {"pro": 30_000, "business": 60_000, "business_plus": 60_000, "enterprise": 60_000}
# Which daily counter a category's calls count against (paid plans cap "heavy" only; a daily-limit
# 429 on another category, as Free accounts get, marks that category's own counter).
DAILY_BUCKET = {"light": "light", "medium": "medium", "heavy": "heavy", "resource": "heavy"}
HEAVY = "heavy"
LABELS = {"light": "Light", "medium": "Medium", "heavy": "Heavy + Resource-intensive"}


class Limiter(Protocol):
    """What the Zoom client asks of a rate limiter."""

    def acquire(self, category: str) -> float:
        """Wait until a call of the category may be made; returns the seconds waited.
        BudgetExhaustedError when the day's budget of the category is spent."""
        ...

    def refused(self, category: str, *, daily: bool, retry_after: float | None) -> None:
        """Zoom answered 429: per second (slow down) or daily (stop until `retry_after`)."""
        ...

    def remaining_today(self, category: str) -> int | None:
        """Calls of the category left today, or None when it has no daily cap."""
        ...


def seconds_to_midnight(now: datetime) -> float:
    """Seconds from `now` to the next 00:00 UTC, when Zoom's daily limits reset."""
    utc = now.astimezone(UTC)
    midnight = datetime(utc.year, utc.month, utc.day, tzinfo=UTC) + timedelta(days=1)
    return (midnight - utc).total_seconds()


def exhausted_by_zoom(
    category: str, seconds: float, *, where: str = "", status: int | None = None
) -> BudgetExhaustedError:
    """The error for a category Zoom itself refused for the rest of the day."""
    bucket = DAILY_BUCKET[category]
    return BudgetExhaustedError(
        f"Zoom's daily limit of {LABELS[bucket]} calls is reached{where}; calls resume in "
        f"{int(seconds)} s",
        category=bucket,
        retry_after=seconds,
        service="zoom",
        status=status,
        hint="wait for retry_after (Zoom resets daily limits at 00:00 UTC), or use an "
        "endpoint of another category",
    )


class RateLimiter:
    """Blocks just long enough to stay under the plan's per-second limit of each category.

    One process's view only: the default for tests and a single machine. The function app,
    whose instances share one Zoom account, uses the shared budget (budget.py).
    """

    def __init__(
        self,
        plan: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = utcnow,
        headroom: float = 0.9,
    ) -> None:
        self._rates = {k: v * headroom for k, v in LIMITS[plan].items()}
        self._clock = clock
        self._sleep = sleep
        self._now = now
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}
        self._exhausted: dict[str, float] = {}  # daily bucket -> clock() when calls may resume

    def acquire(self, category: str) -> float:
        """Wait for a slot in the category; returns the seconds waited."""
        interval = 1.0 / self._rates[category]
        with self._lock:
            now = self._clock()
            resume = self._exhausted.get(DAILY_BUCKET[category], now)
            if resume > now:
                raise exhausted_by_zoom(category, resume - now)
            slot = max(now, self._next.get(category, now))
            self._next[category] = slot + interval
        wait = slot - now
        if wait > 0:
            self._sleep(wait)
        return wait

    def refused(self, category: str, *, daily: bool, retry_after: float | None) -> None:
        """A daily 429 stops the category's calls until Zoom said (else 00:00 UTC); a
        per-second one holds this process's next call of the category back a while."""
        with self._lock:
            now = self._clock()
            if daily:
                seconds = retry_after or seconds_to_midnight(self._now())
                self._exhausted[DAILY_BUCKET[category]] = now + seconds
            else:
                held = now + (retry_after or WINDOWS[category])
                self._next[category] = max(self._next.get(category, now), held)

    def remaining_today(self, category: str) -> int | None:
        """0 after Zoom refused the category for the day; else None (not counted here)."""
        with self._lock:
            resume = self._exhausted.get(DAILY_BUCKET[category], 0.0)
            return 0 if resume > self._clock() else None
