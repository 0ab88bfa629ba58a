"""Simulated time for a known set of threads: it moves only when every one of them sleeps.

Work between sleeps (Table round trips to Azurite included) takes no simulated time, so what a
test counts per simulated second does not depend on how fast or loaded the machine is.
"""

from __future__ import annotations

import heapq
import itertools
import threading


class SimClock:
    """`time()` and `sleep()` for `parties` threads; each calls `done()` when it finishes."""

    def __init__(self, start: float, parties: int) -> None:
        self._now = start
        self._active = parties
        self._sleepers: list[tuple[float, int]] = []
        self._order = itertools.count()
        self._changed = threading.Condition()

    def time(self) -> float:
        with self._changed:
            return self._now

    def sleep(self, seconds: float) -> None:
        with self._changed:
            wake = self._now + max(0.0, seconds)
            heapq.heappush(self._sleepers, (wake, next(self._order)))
            self._active -= 1
            self._advance()
            while self._now < wake:
                self._changed.wait()

    def done(self) -> None:
        with self._changed:
            self._active -= 1
            self._advance()

    def _advance(self) -> None:
        # Sleepers woken count as active at once, so time waits for them to sleep again.
        while self._active == 0 and self._sleepers:
            self._now = max(self._now, self._sleepers[0][0])
            while self._sleepers and self._sleepers[0][0] <= self._now:
                heapq.heappop(self._sleepers)
                self._active += 1
            self._changed.notify_all()
