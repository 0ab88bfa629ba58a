"""Slots of one Zoom rate-limit category shared by instances: the grid of call instants and who
holds which slot (pure: no I/O, no clock; times are wall-clock seconds since the epoch).

A category allows `per_window` calls per `window` seconds. Time is cut into a grid of instants
`g * window / per_window` (g an integer); slot s owns the instants with g % per_window == s, one
per window. An instance calls only at instants of the slots it holds (or up to `slack` after
one), and no two instances hold a slot at the same time, so no two calls share an instant and
any window of `window` seconds holds at most ceil(1.05 * per_window) calls, however many
instances there are and however their calls are spread over their slots.
"""

from __future__ import annotations

import bisect
import functools
import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

MAX_STATE = 30_000  # characters of a row's state (a Table string property holds 32K)


@dataclass(frozen=True)
class Grid:
    """`per_window` evenly spaced call instants per `window` seconds."""

    per_window: int
    window: float

    @property
    def spacing(self) -> float:
        """Seconds between two instants of the grid."""
        return self.window / self.per_window

    @property
    def slack(self) -> float:
        """How late after its instant a call may still go: a twentieth of the window. Then any
        window holds at most ceil(1.05 * per_window) calls, under Zoom's limit for every plan
        and category at 90% headroom, and a caller between two of its instants need not wait."""
        return self.window / 20

    def instant(self, index: int) -> float:
        """The time of grid instant `index`."""
        return index * self.window / self.per_window

    def index_at(self, moment: float) -> int:
        """The first grid instant at or after `moment`."""
        # The epsilon keeps an instant read back from instant() from rounding to the next one.
        return math.ceil(moment * self.per_window / self.window - 1e-6)

    def next_index(
        self, earliest: int, slots: Mapping[int, float], keys: Sequence[int] | None = None
    ) -> int | None:
        """The first instant >= `earliest` of any slot, before that slot's lease ends (`keys`:
        the slots sorted, when the caller keeps them so)."""
        ordered = sorted(slots) if keys is None else keys
        if not ordered:
            return None
        base, offset = divmod(earliest, self.per_window)
        first = bisect.bisect_left(ordered, offset)
        # Instants in increasing order: the slots from `offset` on, then each one window later.
        # A slot whose lease has ended before its instant is past for good, so one turn will do.
        for step in range(len(ordered)):
            later, at = divmod(first + step, len(ordered))
            slot = ordered[at]
            index = (base + later) * self.per_window + slot
            if self.instant(index) < slots[slot]:
                return index
        return None


@dataclass(frozen=True)
class Terms:
    """How leases behave: their length, the clock skew tolerated between instances, turns."""

    lease: float = 12.0  # a claim holds its slots this long; renewed after half of it
    grace: float = 2.0  # others take a slot only this long after its lease ended (clock skew)
    turn: float = 12.0  # when instances outnumber slots, a holder yields after holding this long

    @property
    def alive(self) -> float:
        """How long an instance's interest counts after it last wrote."""
        return self.lease + self.grace


@dataclass(frozen=True)
class Interest:
    """One instance's demand as it last wrote it."""

    want: int  # slots it would use
    since: float  # start of its current turn (waiting or holding)
    seen: float  # when it last wrote
    rate: float = 0.0  # calls per second it made between its last two writes
    refused: int = 0  # per-second 429s it saw between its last two writes


@dataclass
class Leases:
    """A category's row: each slot's holder and lease end, and each instance's interest."""

    slots: list[tuple[str, float] | None]
    interest: dict[str, Interest] = field(default_factory=dict)

    @classmethod
    def empty(cls, size: int) -> Leases:
        """No slot held, nobody interested."""
        return cls([None] * size)

    @classmethod
    def from_json(cls, text: str, size: int) -> Leases:
        """The stored row; a row for another number of slots (a plan change) keeps what fits."""
        doc = json.loads(text)
        slots: list[tuple[str, float] | None] = [
            (str(held[0]), float(held[1])) if held else None for held in doc.get("slots", [])
        ]
        interest = {
            holder: Interest(int(v[0]), float(v[1]), float(v[2]), float(v[3]), int(v[4]))
            for holder, v in dict(doc.get("interest", {})).items()
        }
        return cls((slots + [None] * size)[:size], interest)

    def to_json(self) -> str:
        """Compact JSON for the row's one property. Table strings hold 32K characters: room for
        every slot and about 500 interested instances; past that, those heard from longest ago
        are left out (they are written again with their next claim)."""
        interest = sorted(self.interest.items(), key=lambda item: -item[1].seen)
        while True:
            doc = {
                "slots": [[held[0], round(held[1], 3)] if held else None for held in self.slots],
                "interest": {
                    h: [i.want, round(i.since, 3), round(i.seen, 3), round(i.rate, 3), i.refused]
                    for h, i in interest
                },
            }
            text = json.dumps(doc, separators=(",", ":"))
            if len(text) <= MAX_STATE or not interest:
                return text
            interest = interest[: len(interest) * 9 // 10]

    def held_by(self, holder: str, now: float) -> dict[int, float]:
        """The slots `holder` holds at `now`, with their lease ends."""
        return {
            slot: held[1]
            for slot, held in enumerate(self.slots)
            if held and held[0] == holder and held[1] > now
        }

    def holders(self, now: float, terms: Terms) -> set[str]:
        """Instances whose slots others may not take yet."""
        return {held[0] for held in self.slots if held and held[1] + terms.grace > now}

    def live(self, now: float, terms: Terms) -> dict[str, Interest]:
        """The interest of instances that wrote recently enough to count."""
        return {h: i for h, i in self.interest.items() if i.seen + terms.alive > now}


@functools.cache
def spread(size: int) -> tuple[int, ...]:
    """Slots in the order they are handed out and kept: each next one as far as can be from
    those before it (around the window), so the first k (and so each instance's slots) are
    spread evenly, not bunched: a caller whose calls take longer than the grid's spacing can
    use spread slots, where it would miss most of a bunch and wait for the next window."""
    order, distance = [0], [min(s, size - s) for s in range(size)]
    for _ in range(size - 1):
        far = max(range(size), key=lambda s: distance[s])
        order.append(far)
        for s in range(size):
            distance[s] = min(distance[s], abs(s - far), size - abs(s - far))
    return tuple(order)


def shares(demand: Mapping[str, tuple[int, float]], size: int) -> dict[str, int]:
    """Max-min fair slots for each instance's (want, since): nobody gets more than the fair
    level, and the slots left over go one each to the longest-standing of those wanting more."""
    low, high = 0, size
    while low < high:
        mid = (low + high + 1) // 2
        if sum(min(want, mid) for want, _ in demand.values()) <= size:
            low = mid
        else:
            high = mid - 1
    result = {holder: min(want, low) for holder, (want, _) in demand.items()}
    spare = size - sum(result.values())
    for _, holder in sorted((since, h) for h, (want, since) in demand.items() if want > low)[
        :spare
    ]:
        result[holder] += 1
    return result


def allocate(
    leases: Leases,
    me: str,
    want: int,
    now: float,
    terms: Terms,
    *,
    rate: float = 0.0,
    refused: int = 0,
) -> tuple[Leases, dict[int, float]]:
    """The row after `me` claims, renews or gives back slots, and the slots it may use.

    Each interested instance gets its max-min fair share (shares()); a holder over its share
    keeps the excess only until its current lease ends (calls may be booked on it), and others
    take it then. Free slots go first to instances waiting for their first slot, oldest first,
    then to holders below their share; when instances outnumber slots, a holder yields after
    `terms.turn` and queues again.
    """
    size = len(leases.slots)
    others = {h: i for h, i in leases.live(now, terms).items() if h != me and i.want > 0}
    held = Counter(h[0] for h in leases.slots if h and h[1] + terms.grace > now)
    mine = leases.held_by(me, now)
    previous = leases.interest.get(me)
    since = previous.since if previous and previous.seen + terms.alive > now else now
    waiting = any(h not in held for h in others)
    if len(others) + 1 > size and waiting and mine and now - since >= terms.turn:
        since = now  # my turn is over: queue again behind those waiting
    demand = {h: (i.want, i.since) for h, i in others.items()}
    if want > 0:
        demand[me] = (want, since)
    share = shares(demand, size)
    order = spread(size)
    keep = [slot for slot in order if slot in mine][: share.get(me, 0)]
    free = [
        slot
        for slot in order
        if (h := leases.slots[slot]) is None
        or (h[0] == me and h[1] <= now)
        or h[1] + terms.grace <= now
    ]
    # Free slots are kept for those ahead in the queue (waiters first, then by turn).
    queue = sorted(demand, key=lambda h: (held[h] > 0, demand[h][1], h))
    ahead = queue[: queue.index(me)] if me in queue else []
    reserved = sum(max(0, share[h] - held[h]) for h in ahead)
    take = free[: max(0, min(share.get(me, 0) - len(keep), len(free) - reserved))]
    until = now + terms.lease
    slots = [None if h and h[0] != me and h[1] + terms.grace <= now else h for h in leases.slots]
    for slot in (*keep, *take):
        slots[slot] = (me, until)
    interest = dict(others)
    if want > 0:
        interest[me] = Interest(want, since, now, rate, refused)
    usable = dict.fromkeys((*keep, *take), until)
    # Slots given back stay booked until their lease ends: calls may be waiting for them.
    usable.update({slot: end for slot, end in mine.items() if slot not in usable})
    return Leases(slots, interest), usable


def needs_write(before: Leases, after: Leases, me: str, now: float, terms: Terms) -> bool:
    """True when `me`'s claim must be stored: its slots or lease ends changed, its demand
    changed, or others would soon forget its interest."""

    def own(leases: Leases) -> dict[int, float]:
        return {slot: held[1] for slot, held in enumerate(leases.slots) if held and held[0] == me}

    if own(before) != own(after):
        return True
    old, new = before.interest.get(me), after.interest.get(me)
    if old is None or new is None:
        return (old is None) != (new is None)
    return old.want != new.want or now - old.seen > terms.lease / 2


def summary(leases: Leases, grid: Grid, now: float, terms: Terms) -> dict[str, Any]:
    """A category as the admin sees it: calls allowed per window, slots held and by how many
    instances, how many wait, and the calls per window and 429s the instances last reported."""
    live = leases.live(now, terms)
    holding = leases.holders(now, terms)
    held = sum(1 for h in leases.slots if h and h[1] + terms.grace > now)
    return {
        "allowed": grid.per_window,
        "held": held,
        "instances": len(holding),
        "waiting": sum(1 for h, i in live.items() if i.want > 0 and h not in holding),
        "recent_calls": round(sum(i.rate for i in live.values()) * grid.window, 2),
        "recent_429s": sum(i.refused for i in live.values()),
    }
