"""The daily cap Zoom's Heavy and Resource-intensive calls share, counted per UTC day in the
budget table. Instances take permits in batches under the day row's etag, so the total granted
never passes the day's budget (the cap less a reserve) and a Heavy call costs no Table round
trip; a daily-limit 429 is written to the same row, so every instance stops until it resets.
"""

from __future__ import annotations

import json
import logging
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from archiver.adapters.zoom.budgetrows import BudgetRows, day_row
from archiver.adapters.zoom.ratelimit import (
    DAILY_BUCKET,
    HEAVY,
    LABELS,
    exhausted_by_zoom,
    seconds_to_midnight,
)
from archiver.errors import BudgetExhaustedError, ServiceUnavailableError

log = logging.getLogger(__name__)

BATCH = 50  # most permits one claim takes: what an instance that dies holding them wastes
REFRESH = 10.0  # seconds between reads of the day's row, for limits other instances met
RACES = 20  # conditional writes tried before giving up on a row other instances keep changing


@dataclass
class _Day:
    """This instance's view of one UTC day."""

    key: str
    left: int = 0  # permits held here, not yet used
    granted: int = 0  # permits granted to this instance today
    used: int = 0  # permits this instance used today
    total: int = 0  # permits granted to every instance, as last read
    exhausted: dict[str, float] = field(default_factory=dict)  # bucket -> when calls resume
    read_at: float = -math.inf


def _state(text: str | None) -> dict[str, Any]:
    doc = json.loads(text) if text else {}
    return {
        "granted": int(doc.get("granted", 0)),
        "holders": dict(doc.get("holders", {})),
        "exhausted": {k: float(v) for k, v in dict(doc.get("exhausted", {})).items()},
    }


class DailyBudget:
    """One instance's share of the day's Heavy budget, and the daily limits Zoom reported."""

    def __init__(
        self,
        rows: BudgetRows,
        *,
        limit: int,
        reserve_percent: int,
        instance: str,
        clock: Callable[[], float],
    ) -> None:
        self.limit = limit
        self.reserve = math.ceil(limit * reserve_percent / 100)
        self.budget = limit - self.reserve
        self._rows, self._me, self._clock = rows, instance, clock
        self._lock = threading.Lock()  # guards _day; never held across I/O
        self._io = threading.Lock()  # one read-modify-write of the day row at a time
        self._day = _Day(self.day_of(clock()))

    @staticmethod
    def day_of(now: float) -> str:
        """The UTC day (yyyy-mm-dd) of a moment."""
        return datetime.fromtimestamp(now, UTC).date().isoformat()

    def _today(self, now: float) -> _Day:
        key = self.day_of(now)
        if self._day.key != key:
            self._day = _Day(key)  # a new UTC day: permits of the last one are void
        return self._day

    def take(self, category: str) -> None:
        """Count one call against the day; BudgetExhaustedError when none is left."""
        bucket = DAILY_BUCKET[category]
        now = self._clock()
        with self._lock:
            day = self._today(now)
            self._check(day, bucket, now)
            stale = now - day.read_at > REFRESH
            if not stale and (bucket != HEAVY or self._use(day)):
                return
        with self._io:
            self._sync(now, need=bucket == HEAVY)
        with self._lock:
            day = self._today(now)
            self._check(day, bucket, now)
            if bucket != HEAVY or self._use(day):
                return
            raise self._spent(day, now)

    @staticmethod
    def _use(day: _Day) -> bool:
        if day.left <= 0:
            return False
        day.left -= 1
        day.used += 1
        return True

    def _check(self, day: _Day, bucket: str, now: float) -> None:
        resume = day.exhausted.get(bucket, 0.0)
        if resume > now:
            raise exhausted_by_zoom(bucket, resume - now)

    def _spent(self, day: _Day, now: float) -> BudgetExhaustedError:
        seconds = seconds_to_midnight(datetime.fromtimestamp(now, UTC))
        return BudgetExhaustedError(
            f"the day's budget of {LABELS[HEAVY]} Zoom calls is spent: {day.total:,} of "
            f"{self.budget:,} granted ({self.limit:,} a day less {self.reserve:,} kept in "
            f"reserve); it resets at 00:00 UTC, in {int(seconds)} s",
            category=HEAVY,
            retry_after=seconds,
            service="zoom",
            hint="wait for retry_after, or use a Medium endpoint instead",
        )

    def _sync(self, now: float, *, need: bool) -> None:
        """Read the day row (limits met elsewhere, the total granted) and, when this instance
        is out of permits, take a batch. Storage trouble only matters when permits are needed."""
        with self._lock:
            day = self._today(now)
            need = need and day.left <= 0
            if not need and now - day.read_at <= REFRESH:
                return  # another thread read it meanwhile
        try:
            for _ in range(RACES):
                text, etag = self._rows.read(day_row(day.key))
                state = _state(text)
                with self._lock:
                    for bucket, resume in state["exhausted"].items():
                        day.exhausted[bucket] = max(day.exhausted.get(bucket, 0.0), resume)
                    day.total, day.read_at = state["granted"], now
                    available = self.budget - state["granted"]
                if not need or available <= 0 or day.exhausted.get(HEAVY, 0.0) > now:
                    return
                batch = min(available, max(1, min(BATCH, available // 8)))
                state["granted"] += batch
                state["holders"][self._me] = [day.granted + batch, day.used]
                if self._rows.write(day_row(day.key), json.dumps(state), etag):
                    with self._lock:
                        day.left, day.granted = day.left + batch, day.granted + batch
                        day.total = state["granted"]
                    return
            raise ServiceUnavailableError(
                "the Zoom rate budget's day row kept changing", service="storage"
            )
        except ServiceUnavailableError:
            if need:
                raise
            log.warning("could not read the Zoom budget's day row; using what is known")
            with self._lock:
                day.read_at = now

    def mark_exhausted(self, category: str, retry_after: float | None) -> None:
        """Zoom answered with a daily-limit 429: no instance calls the category again until
        it said (else 00:00 UTC)."""
        bucket = DAILY_BUCKET[category]
        now = self._clock()
        midnight = seconds_to_midnight(datetime.fromtimestamp(now, UTC))
        resume = now + (retry_after if retry_after else midnight)
        with self._lock:
            day = self._today(now)
            day.exhausted[bucket] = max(day.exhausted.get(bucket, 0.0), resume)
            day.left = 0 if bucket == HEAVY else day.left
        log.warning("Zoom's daily limit reached", extra={"category": bucket})
        try:
            with self._io:
                for _ in range(RACES):
                    text, etag = self._rows.read(day_row(day.key))
                    state = _state(text)
                    state["exhausted"][bucket] = max(state["exhausted"].get(bucket, 0.0), resume)
                    state["holders"][self._me] = [day.granted, day.used]
                    if self._rows.write(day_row(day.key), json.dumps(state), etag):
                        return
        except ServiceUnavailableError:
            log.warning("could not record Zoom's daily limit in the budget table")

    def remaining(self, category: str) -> int | None:
        """Calls of the category this instance may still make today, as far as it knows (read
        again if older than REFRESH): the budget not yet granted plus the permits it holds.
        None for a category without a daily cap."""
        bucket = DAILY_BUCKET[category]
        now = self._clock()
        with self._lock:
            stale = now - self._today(now).read_at > REFRESH
        if stale:
            with self._io:
                self._sync(now, need=False)
        with self._lock:
            day = self._today(now)
            if day.exhausted.get(bucket, 0.0) > now:
                return 0
            if bucket != HEAVY:
                return None
            return max(0, self.budget - day.total) + day.left

    def status(self, text: str | None, now: float) -> dict[str, Any]:
        """Today's row as the admin sees it."""
        state = _state(text)
        used = sum(int(v[1]) for v in state["holders"].values())
        resume = state["exhausted"].get(HEAVY, 0.0)
        return {
            "day": self.day_of(now),
            "limit": self.limit,
            "reserve": self.reserve,
            "budget": self.budget,
            "used": used,
            "granted": state["granted"],
            "remaining": max(0, self.budget - state["granted"]) if resume <= now else 0,
            "exhausted_until": datetime.fromtimestamp(resume, UTC).isoformat()
            if resume > now
            else None,
            "resets_in_seconds": int(seconds_to_midnight(datetime.fromtimestamp(now, UTC))),
        }
