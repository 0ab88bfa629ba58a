"""The Zoom simulator's state: users, meeting instances, files, tokens, rate-limit counters."""

from __future__ import annotations

import hashlib
import random
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

BLOCK = 64 * 1024
# Per-second limits by plan and category (Zoom's rate-limits page); daily caps for heavy.
PLAN_LIMITS = {
    "pro": {"light": 30, "medium": 20, "heavy": 10, "resource": 10 / 60},
    "business": {"light": 80, "medium": 60, "heavy": 40, "resource": 20 / 60},
}
DAILY = {"pro": 30000, "business": 60000}
# Heavy and Resource-intensive share one daily cap (Zoom's rate-limits page); a daily cap set for
# another category through `daily_limit` counts that category alone (as on Free accounts).
DAILY_BUCKET = {"heavy": "heavy", "resource": "heavy", "medium": "medium", "light": "light"}
# Zoom refuses past-meeting and report calls for meetings older than this (400 code 12702).
PAST_MEETING_DAYS = 365


# What each endpoint needs: its granular :admin scope, or the classic scope of accounts that have
# not migrated (Zoom's granular-scope table; ../shared/reference/zoom-api.md).
ENDPOINT_SCOPES = {
    "users": ("user:read:list_users:admin", "user:read:admin"),
    "user": ("user:read:user:admin", "user:read:admin"),
    "recordings": ("cloud_recording:read:list_user_recordings:admin", "recording:read:admin"),
    "meeting_recordings": (
        "cloud_recording:read:list_recording_files:admin",
        "recording:read:admin",
    ),
    "past_meeting": ("meeting:read:past_meeting:admin", "meeting:read:admin"),
    "past_participants": ("meeting:read:list_past_participants:admin", "meeting:read:admin"),
    "report": ("report:read:list_meeting_participants:admin", "report:read:admin"),
    "archive": ("archiving:read:list_archived_files:admin", "recording:read:admin"),
}
DEFAULT_SCOPES = frozenset(granular for granular, _ in ENDPOINT_SCOPES.values())


def block_bytes(file_id: str, index: int, size: int) -> bytes:
    """Deterministic content of one 64 KiB block of a generated file."""
    data = random.Random(f"{file_id}:{index}").randbytes(BLOCK)
    start = index * BLOCK
    return data[: max(0, min(BLOCK, size - start))]


def iter_content(file_id: str, size: int, start: int = 0, end: int | None = None):  # type: ignore[no-untyped-def]
    """Bytes [start, end] of a generated file, block by block (no whole file in memory)."""
    last = size - 1 if end is None else end
    index = start // BLOCK
    while index * BLOCK <= last:
        block = block_bytes(file_id, index, size)
        lo = max(start - index * BLOCK, 0)
        hi = min(last - index * BLOCK + 1, len(block))
        yield block[lo:hi]
        index += 1


@dataclass
class ZoomFile:
    """A recording file: generated media (size) or stored text (content).

    `file_id` is the simulator's own, stable id (downloads use it). `listed` says whether the
    listing shows it as `id`: Zoom's spec says CC and TIMELINE file objects have no `id`,
    `status`, `file_size`, `recording_type` or `play_url` (both forms of TIMELINE are seen in
    real answers). `listed_size` is the `file_size` the listing claims when it differs from the
    bytes served (reported repeatedly against Zoom). `download_url` overrides the URL listed.
    """

    file_id: str
    file_type: str
    file_extension: str
    recording_type: str
    size: int
    status: str = "completed"
    content: bytes | None = None
    participant_audio: bool = False
    sha: str | None = None
    listed: bool = True
    listed_size: int | None = None
    download_url: str | None = None

    def sha256(self) -> str:
        if self.sha is None:
            digest = hashlib.sha256()
            if self.content is not None:
                digest.update(self.content)
            else:
                for chunk in iter_content(self.file_id, self.size):
                    digest.update(chunk)
            self.sha = digest.hexdigest()
        return self.sha

    @property
    def size_listed(self) -> int:
        return self.size if self.listed_size is None else self.listed_size


IN_MEETING, IN_WAITING_ROOM = "in_meeting", "in_waiting_room"


def sessions_of(person: dict[str, Any]) -> list[tuple[float, float, str]]:
    """A participant's sessions as (join minute, leave minute, status)."""
    return [
        (float(s[0]), float(s[1]), str(s[2]) if len(s) > 2 else IN_MEETING)
        for s in person["sessions"]
    ]


def admitted(person: dict[str, Any]) -> bool:
    """Whether the person was ever in the meeting itself (not only in its waiting room)."""
    return any(status == IN_MEETING for _, _, status in sessions_of(person))


@dataclass
class ZoomMeeting:
    """One meeting instance."""

    uuid: str
    meeting_id: int
    host_id: str
    topic: str
    start_time: datetime
    duration: int
    timezone: str
    participants: list[dict[str, Any]]
    files: list[ZoomFile]
    in_report: bool = True


@dataclass
class Refusal:
    """Why Zoom refuses one more request of a category: the limit type and the limit."""

    kind: str  # "QPS" or "Daily-limit"
    limit: int
    category: str
    # Per-second refusals carry Retry-After only sometimes (real captures differ): every other one.
    retry_after: bool


@dataclass
class Store:
    """All state, guarded by one lock."""

    account_id: str = "sim-account"
    client_id: str = "sim-zoom-client"
    client_secret: str = "sim-zoom-secret"
    webhook_secret: str = "sim-webhook-secret"
    plan: str = "business"
    rate_limit_scale: float = 1.0
    token_lifetime_s: int = 3600
    page_token_lifetime_s: int = 900
    archiving_enabled: bool = False
    # Reported (UNSURE in the reference): issuing a Server-to-Server token revokes the earlier
    # ones, so instances sharing one app see 401 code 124. Off by default: the current Zoom page
    # says several tokens may be used at once.
    single_token: bool = False
    # "full": 429s carry X-RateLimit-Category/-Type/-Limit/-Remaining (and Retry-After where Zoom
    # sends it); "none": no X-RateLimit-Type and no Retry-After, as in a real capture of a
    # daily-limit 429 that had only category, limit and remaining.
    rate_limit_headers: str = "full"
    # Daily caps per category overriding the plan's ({"heavy": 3} for tests); heavy and
    # resource-intensive share one counter.
    daily_limit: dict[str, int] = field(default_factory=dict)
    # Recordings older than this many days are not listed by /users/{id}/recordings (None: no
    # limit). Old guidance said "up to 6 months in the past"; a 2026 run listed 11 months back.
    recordings_max_age_days: int | None = None
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    meetings: dict[str, ZoomMeeting] = field(default_factory=dict)
    tokens: dict[str, tuple[float, frozenset[str]]] = field(default_factory=dict)
    # Scopes added to the Server-to-Server app; a token carries those granted when it was issued.
    scopes: frozenset[str] = DEFAULT_SCOPES
    page_tokens: dict[str, tuple[float, str, int]] = field(default_factory=dict)
    signed: dict[str, float] = field(default_factory=dict)
    windows: dict[str, tuple[int, int]] = field(default_factory=dict)
    daily: dict[str, int] = field(default_factory=dict)
    qps_refusals: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock)
    clock: Any = time.time

    def reset(self) -> None:
        with self.lock:
            self.users.clear()
            self.meetings.clear()
            self.tokens.clear()
            self.page_tokens.clear()
            self.windows.clear()
            self.daily.clear()
            self.plan, self.rate_limit_scale = "business", 1.0
            self.scopes = DEFAULT_SCOPES
            self.single_token, self.rate_limit_headers = False, "full"
            self.daily_limit, self.recordings_max_age_days = {}, None
            self.qps_refusals = 0
            self.archiving_enabled = False
            self.token_lifetime_s, self.page_token_lifetime_s = 3600, 900

    def issue_token(self) -> tuple[str, frozenset[str]]:
        """A new access token and the scopes it carries."""
        token = secrets.token_urlsafe(32)
        with self.lock:
            scopes = self.scopes
            if self.single_token:
                self.tokens.clear()
            self.tokens[token] = (self.clock() + self.token_lifetime_s, scopes)
        return token, scopes

    def token_scopes(self, token: str) -> frozenset[str] | None:
        """The scopes of a valid token; None when it is unknown or expired."""
        with self.lock:
            expires, scopes = self.tokens.get(token, (0.0, frozenset()))
            return scopes if expires > self.clock() else None

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()
            self.signed.clear()

    def page_token(self, key: str, offset: int) -> str:
        token = secrets.token_urlsafe(16)
        with self.lock:
            self.page_tokens[token] = (self.clock(), key, offset)
        return token

    def take_page(self, token: str, key: str) -> int | None:
        """The offset a page token stands for; None if unknown, expired or for another query."""
        with self.lock:
            entry = self.page_tokens.get(token)
        if entry is None or entry[1] != key:
            return None
        if self.clock() - entry[0] > self.page_token_lifetime_s:
            return None
        return entry[2]

    def _daily_cap(self, category: str) -> int | None:
        bucket = DAILY_BUCKET[category]
        if bucket in self.daily_limit:
            return int(self.daily_limit[bucket])
        if bucket == "heavy":
            return int(DAILY[self.plan] * self.rate_limit_scale)
        return None

    def rate(self, category: str) -> Refusal | None:
        """None when one more request of the category is allowed now, else why not."""
        per_second = PLAN_LIMITS[self.plan][category] * self.rate_limit_scale
        now = self.clock()
        with self.lock:
            cap = self._daily_cap(category)
            if cap is not None:
                key = datetime.fromtimestamp(now, UTC).strftime("%Y%m%d") + DAILY_BUCKET[category]
                used = self.daily.get(key, 0)
                if used >= cap:
                    return Refusal("Daily-limit", cap, category, retry_after=True)
                self.daily[key] = used + 1
            window = 1.0 if per_second >= 1 else 60.0
            limit = max(1, int(per_second * window))
            slot = int(now // window)
            current, count = self.windows.get(category, (slot, 0))
            if current != slot:
                current, count = slot, 0
            if count >= limit:
                self.qps_refusals += 1
                return Refusal("QPS", limit, category, retry_after=self.qps_refusals % 2 == 1)
            self.windows[category] = (current, count + 1)
            return None

    def sign(self, file_id: str) -> tuple[str, float]:
        expires = self.clock() + 300
        signature = hashlib.sha256(f"{file_id}:{expires}:{self.client_secret}".encode()).hexdigest()
        with self.lock:
            self.signed[signature] = expires
        return signature, expires

    def signature_valid(self, signature: str) -> bool:
        with self.lock:
            return self.signed.get(signature, 0) > self.clock()

    def find_file(self, file_id: str) -> ZoomFile | None:
        with self.lock:
            for meeting in self.meetings.values():
                for f in meeting.files:
                    if f.file_id == file_id:
                        return f
        return None

    def meetings_of(self, user_id: str, start: datetime, end: datetime) -> list[ZoomMeeting]:
        """The user's recorded meetings from `start` to the end of the day `end` (both UTC)."""
        oldest = (
            None
            if self.recordings_max_age_days is None
            else datetime.fromtimestamp(self.clock(), UTC)
            - timedelta(days=self.recordings_max_age_days)
        )
        with self.lock:
            found = [
                m
                for m in self.meetings.values()
                if m.host_id == user_id
                and start <= m.start_time < end + timedelta(days=1)
                and (oldest is None or m.start_time >= oldest)
            ]
        return sorted(found, key=lambda m: m.start_time)

    def find_user(self, key: str) -> dict[str, Any] | None:
        """A user by id or email (Zoom's userId path parameter takes either)."""
        with self.lock:
            return self.users.get(key) or next(
                (u for u in self.users.values() if u["email"] == key.lower()), None
            )
