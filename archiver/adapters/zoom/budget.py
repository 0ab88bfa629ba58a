"""One Zoom rate budget for every instance of the app, kept in Table storage (`<prefix>zoombudget`).

Zoom counts calls per account (every instance, every app) and category: Light, Medium and Heavy
per second, Resource-intensive per minute; Heavy and Resource-intensive also share a daily cap
(figures and source in ratelimit.py). Asking the table before each call would add a Table round
trip to every Zoom call (bench/budget.py measures it) and make one entity the bottleneck of the
whole app. Instead instances lease shares of the rate and take the daily cap in batches:

- Per-second limits: slots (slots.py). A category's allowed calls per window (90% of the plan's,
  the same headroom as the in-process limiter) form a grid of instants; slot s is every
  per_window-th instant. An instance leases slots in the category's row, read and replaced under
  its etag (a lost race reads again), for `lease` seconds and renews after half of it. In
  between it books calls on its own slots' instants in process, threads taking the next free
  one (or one at most a twentieth of a window ago, so a caller between two instants need not
  wait): no I/O per call. Every call of the app thus has an instant of its own, and any window
  holds at most ceil(1.05 * per_window) calls whatever the number of instances (Business+: 76 of
  80 Light, 57 of 60 Medium, 38 of 40 Heavy, 19 of 20 Resource-intensive a minute; Pro: 29, 19,
  10 of 10, 10 of 10); the number only decides how slots are shared. Shares are max-min fair over
  the instances that want the category (demand is twice the calls they made, doubling while
  callers wait for instants), an instance's slots are spread over the window, a newcomer gets
  the slots others give back at their next renewal, and when instances outnumber slots they
  take turns.
- An instance that dies: its slots stay booked until their lease ends plus a grace (clock skew
  between instances), then others take them, so it holds nobody back longer than lease + grace
  (14 s by default). A thread that woke later than the slack after its instant (a paused
  process) books again instead of calling late.
- The daily cap (daily.py): permits are taken in batches of at most 50 under the day row's
  etag, so the total granted never passes the budget (the cap less a reserve, 10% by default);
  past it, BudgetExhaustedError with retry_after until 00:00 UTC. A daily-limit 429 is written
  to the day row and every instance stops that category until Zoom said.
- Worst case. Per second: the bound above, while instances' clocks agree within the grace; a
  skew of s seconds lets a window catch up to 2 * per_window * s more calls of a neighbour (1.4
  at 10 ms on Business+ Light), and network jitter moves calls across Zoom's windows: what is
  left of the headroom absorbs both (nothing is left on Pro's Heavy and Resource-intensive,
  whose limits are 10: a rare 429 there is retried like any other). Per day: none: permits are
  counted before calls, retries included. Permits an instance held when it died are lost for
  the day (under-use, at most 50 each); the reserve is left to other apps of the account. A
  per-second 429 (another app using the account's rate) holds this instance's calls of the
  category back for Retry-After.
- Storage down: an instance uses what it holds until its leases end, then Zoom calls fail with
  ServiceUnavailableError (retried later): it never calls Zoom without counting.
Cost per instance and category in use: a read and a write per half lease (6 s), a read of the
day row every 10 s and one claim per 50 Heavy calls.
"""

from __future__ import annotations

import logging
import math
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from archiver.adapters.ledger import Tables
from archiver.adapters.zoom.budgetrows import BudgetRows, day_row, rate_row
from archiver.adapters.zoom.daily import RACES, DailyBudget
from archiver.adapters.zoom.ratelimit import DAILY_LIMITS, LIMITS, WINDOWS
from archiver.adapters.zoom.slots import Grid, Leases, Terms, allocate, needs_write, summary
from archiver.errors import ServiceUnavailableError

log = logging.getLogger(__name__)

HEADROOM = 0.9
BEHIND = 0.05  # seconds a thread waits while another thread of the instance claims slots
POLL = 1.5  # most seconds between two looks at the row while waiting for a slot
RETRY = 1.0  # seconds before renewing again after storage failed
WAITING = 0.1  # share of the time callers wait for instants above which more slots would help


def plan_grids(plan: str, headroom: float = HEADROOM) -> dict[str, Grid]:
    """Each category's grid: the plan's calls per window, less the headroom."""
    return {
        category: Grid(
            max(1, math.floor(per_second * WINDOWS[category] * headroom + 1e-9)), WINDOWS[category]
        )
        for category, per_second in LIMITS[plan].items()
    }


@dataclass
class _Lane:
    """This instance's slots of one category, and what it books on them."""

    grid: Grid
    want: int
    slots: dict[int, float] = field(default_factory=dict)  # slot -> lease end
    keys: tuple[int, ...] = ()  # the slots, sorted
    next_index: int = 0  # the first grid instant not booked yet
    claimed_at: float = -math.inf
    renew_at: float = -math.inf
    calls: int = 0  # booked since the last claim
    waited: float = 0.0  # seconds callers waited for their instants since the last claim
    refused: int = 0  # per-second 429s since the last claim
    waiting: int = 0  # threads that have no instant yet
    paused_until: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)  # never held across I/O
    io: threading.Lock = field(default_factory=threading.Lock)  # one claim at a time


class SharedBudget:
    """Zoom's per-second limits and daily cap, shared by every instance through one table."""

    def __init__(
        self,
        tables: Tables,
        *,
        plan: str,
        daily_limit: int | None = None,
        reserve_percent: int = 10,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        instance: str | None = None,
        grids: Mapping[str, Grid] | None = None,
        terms: Terms | None = None,
    ) -> None:
        self.plan = plan
        # Not a secret: tells this process's leases from others' in the table.
        self.instance = instance or secrets.token_hex(4)
        self._rows = BudgetRows(tables)
        self._clock, self._sleep = clock, sleep
        self._terms = terms or Terms()
        self._grids = dict(grids or plan_grids(plan))
        self._lanes = {
            category: _Lane(grid, want=max(1, grid.per_window // 4))
            for category, grid in self._grids.items()
        }
        self.daily = DailyBudget(
            self._rows,
            limit=daily_limit or DAILY_LIMITS[plan],
            reserve_percent=reserve_percent,
            instance=self.instance,
            clock=clock,
        )

    # -- the Limiter port -------------------------------------------------------------------
    def acquire(self, category: str) -> float:
        """Wait for this instance's next instant of the category; returns the seconds waited.
        BudgetExhaustedError when the day's budget of the category is spent."""
        started = self._clock()
        self.daily.take(category)
        slack = self._grids[category].slack
        while True:
            instant = self._book(category)
            self._sleep(max(0.0, instant - self._clock()))
            if self._clock() <= instant + slack:
                return self._clock() - started
            # Woke too late (a paused process): calling now could crowd a later instant,
            # perhaps another instance's; book again.

    def reserve(self, category: str) -> float:
        """Book the next instant of the category (counted against the day) without waiting
        for it: the time at which the call may be made."""
        self.daily.take(category)
        return self._book(category)

    def refused(self, category: str, *, daily: bool, retry_after: float | None) -> None:
        """Zoom answered 429: a daily limit stops the category for every instance; a
        per-second one holds this instance's calls of the category back for Retry-After."""
        if daily:
            self.daily.mark_exhausted(category, retry_after)
            return
        lane = self._lanes[category]
        with lane.lock:
            resume = self._clock() + (retry_after or min(1.0, lane.grid.window))
            lane.paused_until = max(lane.paused_until, resume)
            lane.refused += 1

    def remaining_today(self, category: str) -> int | None:
        """Calls of the category this instance may still make today (the budget not granted
        yet plus the permits it holds); None when the category has no daily cap."""
        return self.daily.remaining(category)

    # -- booking ----------------------------------------------------------------------------
    def _book(self, category: str) -> float:
        """The next free instant of one of this instance's slots (one up to the grid's slack
        ago will do); claims slots first when it holds none that reach far enough."""
        lane = self._lanes[category]
        with lane.lock:
            lane.waiting += 1
        try:
            while True:
                with lane.lock:
                    renew = self._clock() >= lane.renew_at
                if renew:  # before booking, so a slow renewal does not make the instant stale
                    self._claim(category, lane, must=False)
                now = self._clock()
                with lane.lock:
                    earliest = max(now - lane.grid.slack, lane.paused_until)
                    start = max(lane.next_index, lane.grid.index_at(earliest))
                    index = lane.grid.next_index(start, lane.slots, lane.keys)
                    if index is not None:
                        lane.next_index = index + 1
                        lane.calls += 1
                        booked = lane.grid.instant(index)
                        lane.waited += max(0.0, booked - now)
                if index is not None:
                    return booked
                self._claim(category, lane, must=True)
        finally:
            with lane.lock:
                lane.waiting -= 1

    def _claim(self, category: str, lane: _Lane, *, must: bool) -> None:
        """Renew, grow or shrink this instance's slots (`must`: it has no instant left)."""
        if not lane.io.acquire(blocking=False):
            if must:
                self._sleep(BEHIND)  # another thread is claiming for this instance
            return
        try:
            self._claim_now(category, lane, must=must)
        finally:
            lane.io.release()

    def _claim_now(self, category: str, lane: _Lane, *, must: bool) -> None:
        now = self._clock()
        with lane.lock:
            if not must and now < lane.renew_at:
                return  # renewed meanwhile
            start = max(lane.next_index, lane.grid.index_at(now - lane.grid.slack))
            if must and lane.grid.next_index(start, lane.slots, lane.keys) is not None:
                return  # another thread got slots meanwhile
            holding = any(until > now for until in lane.slots.values())
            booked_out = must and holding and now < lane.renew_at
            want, rate, refused = self._demand(lane, now)
        if booked_out:
            # Every instant up to the lease's end is booked: the renewal, when due, adds more.
            self._sleep(lane.renew_at - now)
            return
        try:
            usable, poll = self._store(category, want, rate, refused, now)
        except ServiceUnavailableError:
            if must:
                raise
            log.warning("could not renew Zoom rate slots", extra={"category": category})
            with lane.lock:
                lane.renew_at = now + RETRY
            return
        live = any(until > now for until in usable.values())
        with lane.lock:
            lane.slots, lane.keys, lane.claimed_at = usable, tuple(sorted(usable)), now
            lane.renew_at = now + (self._terms.lease / 2 if live else poll)
            lane.calls = lane.refused = 0
            lane.waited = 0.0
        if must and not live:
            self._sleep(poll)  # wait for a slot to come free

    def _demand(self, lane: _Lane, now: float) -> tuple[int, float, int]:
        """Slots to ask for (called under lane.lock), and the rate and 429s to report. Callers
        that waited for their instants more than a tenth of the time would use more: twice as
        many; otherwise twice the calls made per window, so the spacing of the slots stays
        well under the time a call takes."""
        size = lane.grid.per_window
        held = sum(1 for until in lane.slots.values() if until > now)
        elapsed = now - lane.claimed_at
        measured = math.isfinite(elapsed) and elapsed > 0
        rate = lane.calls / elapsed if measured else 0.0
        if held == 0:
            want = lane.want
        elif measured and lane.waited / elapsed > WAITING:
            want = 2 * held
        else:
            want = math.ceil(2 * rate * lane.grid.window)
        lane.want = max(1, min(size, max(want, lane.waiting)))
        return lane.want, rate, lane.refused

    def _store(
        self, category: str, want: int, rate: float, refused: int, now: float
    ) -> tuple[dict[int, float], float]:
        """One claim against the category's row: the slots this instance may use, and when to
        look again if it got none."""
        grid, terms, row = self._grids[category], self._terms, rate_row(category)
        for _ in range(RACES):
            text, etag = self._rows.read(row)
            before = Leases.from_json(text, grid.per_window) if text else None
            current = before or Leases.empty(grid.per_window)
            after, usable = allocate(
                current, self.instance, want, now, terms, rate=rate, refused=refused
            )
            write = before is None or needs_write(current, after, self.instance, now, terms)
            if write and not self._rows.write(row, after.to_json(), etag):
                continue  # another instance wrote first
            frees = [h[1] + terms.grace - now for h in after.slots if h and h[0] != self.instance]
            return usable, max(BEHIND, min([POLL, *frees]))
        raise ServiceUnavailableError(
            f"the Zoom rate budget's {category} row kept changing", service="storage"
        )

    # -- what the admin sees ----------------------------------------------------------------
    def report(self) -> dict[str, Any]:
        """Today's Heavy calls against the daily budget, and each category's shared rate."""
        rows = self._rows.read_all()
        now = self._clock()
        categories = {}
        for category, grid in self._grids.items():
            text = rows.get(rate_row(category))
            size = grid.per_window
            leases = Leases.from_json(text, size) if text else Leases.empty(size)
            categories[category] = {
                "per": "minute" if grid.window == 60 else "second",
                "zoom_limit": round(LIMITS[self.plan][category] * grid.window),
                **summary(leases, grid, now, self._terms),
            }
        day = self.daily.status(rows.get(day_row(self.daily.day_of(now))), now)
        return {"plan": self.plan, "heavy_today": day, "categories": categories}
