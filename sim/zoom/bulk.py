"""An enterprise-sized account generated from a spec, never stored: users and meetings by index.

`POST /zoom/bulk {"users": 100000, "meetings_per_day": 20000, "days": 30}` creates it in one call.
Nothing is materialised up front: user `i` and meeting `g` (day `g // M`, slot `g % M`) are
computed when asked for, deterministically from the spec, so 100,000 users and millions of
meetings cost no memory, and every lookup is O(1) or O(days):

- the host of meeting (day d, slot j) is `(j * A + d * OFFSET) mod N` with A coprime to N, so
  the slots a user hosts on a day are solved for directly (`j ≡ (u - d·OFFSET)·A⁻¹ mod N`)
  instead of scanning the day;
- a UUID carries its meeting index (masked, with a check prefix), a meeting ID is a base plus the
  index and a file ID is a UUID holding (meeting index, file number), so any of them is resolved
  without an index;
- participants of a meeting are its host and the next `p` users by index, so the meetings a user
  joined are those of the `max_extra_participants` users before them.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
import uuid as uuidlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sim.zoom.model import ZoomFile, ZoomMeeting

FIRST = ("Ada", "Ben", "Cleo", "Dev", "Eva", "Finn", "Gia", "Hugo", "Iris", "Jon", "Kai", "Lea")
MEETING_ID_BASE = 85_000_000_000
FILE_MAGIC = 0x51B0  # marks the file IDs of generated meetings
DAY_OFFSET = 7919
MIX = 0x9E3779B97F4A7C15  # odd: multiplying by it is a bijection modulo 2**64


@dataclass(frozen=True)
class BulkSpec:
    users: int
    meetings_per_day: int
    days: int
    seed: int = 1
    domain: str = "bulk.example.com"
    end_day: date | None = None  # the last day with meetings (default: today, UTC)
    max_extra_participants: int = 2  # each meeting has its host and 0..this many others
    file_size: int = 2048  # bytes of each generated MP4
    inactive_every: int = 0  # every n-th user is inactive (0: none)
    unrecorded_every: int = 0  # every n-th meeting slot has no cloud recording (0: none)
    transcript_every: int = 2  # every n-th recorded meeting also has a transcript (0: none)

    @staticmethod
    def from_doc(doc: dict[str, Any]) -> BulkSpec:
        end = doc.get("end_day")
        spec = BulkSpec(
            users=int(doc["users"]),
            meetings_per_day=int(doc.get("meetings_per_day", 0)),
            days=int(doc.get("days", 1)),
            seed=int(doc.get("seed", 1)),
            domain=str(doc.get("domain", "bulk.example.com")),
            end_day=date.fromisoformat(end) if end else None,
            max_extra_participants=int(doc.get("max_extra_participants", 2)),
            file_size=int(doc.get("file_size", 2048)),
            inactive_every=int(doc.get("inactive_every", 0)),
            unrecorded_every=int(doc.get("unrecorded_every", 0)),
            transcript_every=int(doc.get("transcript_every", 2)),
        )
        if spec.users < 1 or spec.meetings_per_day < 0 or spec.days < 1:
            raise ValueError("users ≥ 1, meetings_per_day ≥ 0 and days ≥ 1")
        if spec.inactive_every == 1 or spec.unrecorded_every == 1:
            raise ValueError("inactive_every and unrecorded_every must be 0 or at least 2")
        return spec


def _nth_kept(k: int, every: int) -> int:
    """The index of the k-th item kept when every `every`-th one (index ≡ every-1) is skipped."""
    return k if every == 0 else k + k // (every - 1)


def _kept_below(n: int, every: int) -> int:
    """How many of the indexes [0, n) are kept when every `every`-th one is skipped."""
    return n if every == 0 else n - n // every


class BulkCorpus:
    """The generated account (see the module docstring)."""

    def __init__(self, spec: BulkSpec, account_id: str) -> None:
        self.spec, self.account_id = spec, account_id
        n = spec.users
        self.stride = next(
            a for a in range(max(1, int(n * 0.618)), 2 * n + 2) if math.gcd(a, n) == 1
        )
        self.inverse = pow(self.stride, -1, n) if n > 1 else 0
        end = spec.end_day or datetime.now(UTC).date()
        self.first_day = end - timedelta(days=spec.days - 1)
        digest = hashlib.sha256(f"bulk-mask:{spec.seed}".encode()).digest()
        self._mask = int.from_bytes(digest[:8], "big")
        self._email = re.compile(rf"^[a-z]+\.(\d{{6,}})@{re.escape(spec.domain)}$")
        self.meeting = lru_cache(maxsize=4096)(self._meeting)

    # -- users ------------------------------------------------------------------------------
    def user_count(self, status: str) -> int:
        n, every = self.spec.users, self.spec.inactive_every
        active = _kept_below(n, every)
        return {"active": active, "inactive": n - active}.get(status, 0)

    def user_index(self, status: str, k: int) -> int:
        """The index of the k-th user with the status."""
        every = self.spec.inactive_every
        return _nth_kept(k, every) if status == "active" else (k + 1) * every - 1

    def user(self, i: int) -> dict[str, Any]:
        first = FIRST[i % len(FIRST)]
        every = self.spec.inactive_every
        return {
            "id": f"bu{i:06d}",
            "email": f"{first.lower()}.{i:06d}@{self.spec.domain}",
            "first_name": first,
            "last_name": f"Bulk{i}",
            "type": 2,
            "status": "inactive" if every and i % every == every - 1 else "active",
            "timezone": "UTC",
            "dept": "",
            "role_id": "2",
            "group_ids": [],
        }

    def find_user(self, key: str) -> int | None:
        """The index of the user with this id or email."""
        found = re.fullmatch(r"bu(\d{6,})", key) or self._email.fullmatch(key.lower())
        if found is None:
            return None
        i = int(found[1])
        return i if i < self.spec.users else None

    # -- meetings ---------------------------------------------------------------------------
    @property
    def total_meetings(self) -> int:
        return self.spec.meetings_per_day * self.spec.days

    def day_index(self, day: date) -> int:
        return (day - self.first_day).days

    def host_of(self, day: int, slot: int) -> int:
        return (slot * self.stride + day * DAY_OFFSET) % self.spec.users

    def slots_of(self, user: int, day: int) -> range:
        """The slots of day `day` that user `user` hosts."""
        n = self.spec.users
        first = ((user - day * DAY_OFFSET) * self.inverse) % n if n > 1 else 0
        return range(first, self.spec.meetings_per_day, n)

    def recorded_slot(self, slot: int) -> bool:
        every = self.spec.unrecorded_every
        return not every or slot % every != every - 1

    def extra_participants(self, g: int) -> int:
        limit = min(self.spec.max_extra_participants, self.spec.users - 1)
        return int.from_bytes(hashlib.sha256(f"p:{self.spec.seed}:{g}".encode()).digest()[:2]) % (
            limit + 1
        )

    def uuid_of(self, g: int) -> str:
        """16 bytes: a check of (seed, g), then g scrambled (an odd multiplier is invertible
        modulo 2**64, so consecutive meetings do not share a visible suffix)."""
        check = hashlib.sha256(f"uuid:{self.spec.seed}:{g}".encode()).digest()[:8]
        mixed = ((g * MIX) % 2**64) ^ self._mask
        return base64.b64encode(check + mixed.to_bytes(8, "big")).decode()

    def index_of_uuid(self, value: str) -> int | None:
        try:
            raw = base64.b64decode(value, validate=True)
        except ValueError:
            return None
        if len(raw) != 16:
            return None
        g = ((int.from_bytes(raw[8:], "big") ^ self._mask) * pow(MIX, -1, 2**64)) % 2**64
        if g >= self.total_meetings or raw != base64.b64decode(self.uuid_of(g)):
            return None
        return g

    def index_of_id(self, meeting_id: int) -> int | None:
        g = meeting_id - MEETING_ID_BASE
        return g if 0 <= g < self.total_meetings else None

    def file_id(self, g: int, k: int) -> str:
        return str(uuidlib.UUID(int=(FILE_MAGIC << 112) | (g << 8) | k))

    def file_of(self, file_id: str) -> tuple[ZoomFile, str] | None:
        """A generated file and its meeting's UUID."""
        try:
            value = uuidlib.UUID(file_id).int
        except ValueError:
            return None
        if value >> 112 != FILE_MAGIC:
            return None
        g, k = (value >> 8) & ((1 << 104) - 1), value & 0xFF
        if g >= self.total_meetings:
            return None
        m = self.meeting(g)
        return (m.files[k], m.uuid) if k < len(m.files) else None

    def _meeting(self, g: int) -> ZoomMeeting:
        spec = self.spec
        day, slot = divmod(g, spec.meetings_per_day)
        host = self.host_of(day, slot)
        start = datetime.combine(self.first_day + timedelta(days=day), datetime.min.time(), UTC)
        start += timedelta(minutes=6 * 60 + (slot * 37) % (12 * 60))
        people = [host] + [
            (host + o) % spec.users for o in range(1, self.extra_participants(g) + 1)
        ]
        participants = []
        for number, i in enumerate(people):
            user = self.user(i)
            participants.append(
                {
                    "name": f"{user['first_name']} {user['last_name']}",
                    "email": user["email"],
                    "user_id": user["id"],
                    "sessions": [(0, 30)] if number == 0 else [(number, 30)],
                }
            )
        files: list[ZoomFile] = []
        if self.recorded_slot(slot):
            files.append(
                ZoomFile(
                    self.file_id(g, 0),
                    "MP4",
                    "MP4",
                    "shared_screen_with_speaker_view",
                    spec.file_size,
                )
            )
            names = [p["name"] for p in participants]
            chat = "".join(
                f"00:0{i}:1{i}\t{name}:\tnote {i} of meeting {g}\n" for i, name in enumerate(names)
            )
            files.append(
                ZoomFile(
                    self.file_id(g, 1), "CHAT", "TXT", "chat_file", len(chat), content=chat.encode()
                )
            )
            if spec.transcript_every and g % spec.transcript_every == 0:
                vtt = f"WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\n{names[0]}: meeting {g}.\n"
                files.append(
                    ZoomFile(
                        self.file_id(g, 2),
                        "TRANSCRIPT",
                        "VTT",
                        "audio_transcript",
                        len(vtt),
                        content=vtt.encode(),
                    )
                )
        return ZoomMeeting(
            uuid=self.uuid_of(g),
            meeting_id=MEETING_ID_BASE + g,
            host_id=f"bu{host:06d}",
            topic=f"Bulk meeting {g}",
            start_time=start,
            duration=30,
            timezone="UTC",
            participants=participants,
            files=files,
        )

    # -- listings ---------------------------------------------------------------------------
    def days_between(self, start: datetime, end: datetime) -> range:
        """The day indexes whose meetings may start in [start, end)."""
        first = max(0, self.day_index(start.date()))
        last = min(self.spec.days - 1, self.day_index((end - timedelta(microseconds=1)).date()))
        return range(first, last + 1)

    def hosted(self, user: int, start: datetime, end: datetime, *, recorded: bool) -> Iterator[int]:
        """Indexes of the meetings the user hosted starting in [start, end), by day."""
        m = self.spec.meetings_per_day
        for day in self.days_between(start, end):
            for slot in self.slots_of(user, day):
                if recorded and not self.recorded_slot(slot):
                    continue
                if start <= self.meeting(day * m + slot).start_time < end:
                    yield day * m + slot

    def joined(self, user: int, start: datetime, end: datetime) -> Iterator[int]:
        """Indexes of the meetings the user attended without hosting them."""
        n, m = self.spec.users, self.spec.meetings_per_day
        for offset in range(1, min(self.spec.max_extra_participants, n - 1) + 1):
            host = (user - offset) % n
            for day in self.days_between(start, end):
                for slot in self.slots_of(host, day):
                    g = day * m + slot
                    if self.extra_participants(g) >= offset and (
                        start <= self.meeting(g).start_time < end
                    ):
                        yield g

    def between(self, start: datetime, end: datetime, *, recorded: bool) -> BulkRange:
        """Every meeting of the whole days overlapping [start, end), as a sliceable sequence
        (callers ask for whole UTC days, as Zoom's yyyy-mm-dd windows are)."""
        return BulkRange(self, self.days_between(start, end), recorded)


class BulkRange:
    """Meetings of consecutive days, day by day and slot by slot; `len()` and slices are O(page)."""

    def __init__(self, corpus: BulkCorpus, days: range, recorded: bool) -> None:
        self.corpus, self.days, self.recorded = corpus, days, recorded
        m = corpus.spec.meetings_per_day
        self.per_day = _kept_below(m, corpus.spec.unrecorded_every) if recorded else m

    def __len__(self) -> int:
        return len(self.days) * self.per_day

    def __getitem__(self, window: slice) -> list[ZoomMeeting]:
        start, stop, _ = window.indices(len(self))
        m, every = self.corpus.spec.meetings_per_day, self.corpus.spec.unrecorded_every
        found = []
        for k in range(start, stop):
            day_offset, n = divmod(k, self.per_day)
            slot = _nth_kept(n, every) if self.recorded else n
            found.append(self.corpus.meeting((self.days.start + day_offset) * m + slot))
        return found


class Concat(Sequence[Any]):
    """Sequences one after the other, sliced without copying the whole (explicit meetings or
    users first, then the bulk corpus's generated ones)."""

    def __init__(self, *parts: Sequence[Any]) -> None:
        self.parts = parts

    def __len__(self) -> int:
        return sum(len(p) for p in self.parts)

    def __getitem__(self, window):  # type: ignore[no-untyped-def,override]
        if not isinstance(window, slice):
            return self[window : window + 1][0]
        start, stop, _ = window.indices(len(self))
        found: list[Any] = []
        for part in self.parts:
            size = len(part)
            if start < size and stop > 0:
                found.extend(part[max(start, 0) : min(stop, size)])
            start, stop = start - size, stop - size
        return found


class BulkUsers(Sequence[dict[str, Any]]):
    """The bulk corpus's users with one status, in index order."""

    def __init__(self, bulk: BulkCorpus, status: str) -> None:
        self.bulk, self.status = bulk, status

    def __len__(self) -> int:
        return self.bulk.user_count(self.status)

    def __getitem__(self, window):  # type: ignore[no-untyped-def,override]
        start, stop, _ = window.indices(len(self))
        return [self.bulk.user(self.bulk.user_index(self.status, k)) for k in range(start, stop)]
