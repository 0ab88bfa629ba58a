"""The Zoom simulator's state: users, meeting instances, archives, tokens, rate-limit counters.

Meetings are indexed by host, by meeting ID and by file ID, so a listing costs O(what it
returns), not O(every meeting); a bulk corpus (sim/zoom/bulk.py) adds generated users and
meetings behind the same methods.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sim.zoom.bulk import BulkCorpus, BulkUsers, Concat
from sim.zoom.endpoints import DEFAULT_SCOPES, ENDPOINT_SCOPES
from sim.zoom.model import (
    BLOCK,
    IN_MEETING,
    IN_WAITING_ROOM,
    ArchivedRoom,
    ArchiveFile,
    ZoomFile,
    ZoomMeeting,
    admitted,
    block_bytes,
    iter_content,
    sessions_of,
)

__all__ = [
    "BLOCK",
    "DAILY",
    "DAILY_BUCKET",
    "DEFAULT_SCOPES",
    "ENDPOINT_SCOPES",
    "IN_MEETING",
    "IN_WAITING_ROOM",
    "PAST_MEETING_DAYS",
    "PLAN_LIMITS",
    "ArchiveFile",
    "ArchivedRoom",
    "Concat",
    "Refusal",
    "Store",
    "ZoomFile",
    "ZoomMeeting",
    "admitted",
    "block_bytes",
    "iter_content",
    "sessions_of",
]

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
    account_name: str = "Sim Account"
    client_id: str = "sim-zoom-client"
    client_secret: str = "sim-zoom-secret"
    webhook_secret: str = "sim-webhook-secret"
    plan: str = "business"
    rate_limit_scale: float = 1.0
    token_lifetime_s: int = 3600
    page_token_lifetime_s: int = 900
    # The Meeting & Webinar Archiving feature is enabled by Zoom Support on request
    # (archiving.txt "Prerequisites"): off unless set.
    archiving_enabled: bool = False
    # Zoom keeps archived files 1 to 30 days, an account setting (Zoom KB0068489, "a minimum of 1
    # to a maximum of 30 days by default"); which default Zoom sets is not documented: 30 here.
    archive_retention_days: int = 30
    # Webinars need the Webinar add-on; an account that hosted webinars has it, so seeding a
    # webinar implies it (on by default); off, every webinar endpoint refuses as Zoom does.
    webinar_licence: bool = True
    # A webhook's download_token is valid 24 hours (zoom-content-sources.md §1, zoom-api.md §2.6).
    download_token_lifetime_s: int = 86400
    # GET /meetings/{id}/meeting_summary: "both" (summary_content and the deprecated
    # summary_overview/summary_details/next_steps), "current" (summary_content only) or "legacy".
    summary_fields: str = "both"
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
    archives: dict[str, ArchivedRoom] = field(default_factory=dict)
    bulk: BulkCorpus | None = None
    tokens: dict[str, tuple[float, frozenset[str]]] = field(default_factory=dict)
    # Webhook download tokens: token -> (expiry, UUIDs of the rooms whose files it opens).
    download_tokens: dict[str, tuple[float, frozenset[str]]] = field(default_factory=dict)
    # Scopes added to the Server-to-Server app; a token carries those granted when it was issued.
    scopes: frozenset[str] = DEFAULT_SCOPES
    page_tokens: dict[str, tuple[float, str, int]] = field(default_factory=dict)
    signed: dict[str, float] = field(default_factory=dict)
    windows: dict[str, tuple[int, int]] = field(default_factory=dict)
    daily: dict[str, int] = field(default_factory=dict)
    qps_refusals: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock)
    clock: Any = time.time
    _emails: dict[str, str] = field(default_factory=dict)
    _by_host: dict[str, list[ZoomMeeting]] = field(default_factory=dict)
    _by_id: dict[int, list[ZoomMeeting]] = field(default_factory=dict)
    # file ID -> (file, UUID of the meeting or archived room it belongs to)
    _files: dict[str, tuple[ZoomFile, str]] = field(default_factory=dict)

    def reset(self) -> None:
        with self.lock:
            for table in (self.users, self.meetings, self.archives, self.tokens, self.page_tokens):
                table.clear()
            for index in (self._emails, self._by_host, self._by_id, self._files):
                index.clear()
            self.download_tokens.clear()
            self.windows.clear()
            self.daily.clear()
            self.bulk = None
            self.plan, self.rate_limit_scale = "business", 1.0
            self.scopes = DEFAULT_SCOPES
            self.single_token, self.rate_limit_headers = False, "full"
            self.daily_limit, self.recordings_max_age_days = {}, None
            self.qps_refusals = 0
            self.archiving_enabled, self.archive_retention_days = False, 30
            self.webinar_licence, self.summary_fields = True, "both"
            self.download_token_lifetime_s = 86400
            self.token_lifetime_s, self.page_token_lifetime_s = 3600, 900

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    # -- users ------------------------------------------------------------------------------
    def add_user(self, user: dict[str, Any]) -> None:
        with self.lock:
            old = self.users.get(user["id"])
            if old is not None:
                self._emails.pop(old["email"], None)
            self.users[user["id"]] = user
            self._emails[user["email"]] = user["id"]

    def find_user(self, key: str) -> dict[str, Any] | None:
        """A user by id or email (Zoom's userId path parameter takes either)."""
        with self.lock:
            found = self.users.get(key) or self.users.get(self._emails.get(key.lower(), ""))
            if found is None and self.bulk is not None:
                index = self.bulk.find_user(key)
                found = None if index is None else self.bulk.user(index)
            return found

    def user_by_id(self, user_id: str) -> dict[str, Any]:
        """The user with this id, or {} (a host no longer on the account)."""
        return self.find_user(user_id) or {}

    def users_with(self, status: str) -> Sequence[dict[str, Any]]:
        with self.lock:
            explicit = [u for u in self.users.values() if u.get("status", "active") == status]
        if self.bulk is None:
            return explicit
        return Concat(explicit, BulkUsers(self.bulk, status))

    # -- meetings ---------------------------------------------------------------------------
    def add_meeting(self, meeting: ZoomMeeting) -> None:
        """Store a meeting instance (replacing one with the same UUID) and index it."""
        with self.lock:
            old = self.meetings.pop(meeting.uuid, None)
            if old is not None:
                self._by_host[old.host_id].remove(old)
                self._by_id[old.meeting_id].remove(old)
                for room in self._rooms(old):
                    self.archives.pop(room.uuid, None)
                for f in self._files_of(old):
                    self._files.pop(f.file_id, None)
            self.meetings[meeting.uuid] = meeting
            self._by_host.setdefault(meeting.host_id, []).append(meeting)
            self._by_id.setdefault(meeting.meeting_id, []).append(meeting)
            for f in meeting.files:
                self._files[f.file_id] = (f, meeting.uuid)
            for room in self._rooms(meeting):
                self.archives[room.uuid] = room
                for f in room.all_files():
                    self._files[f.file_id] = (f, room.uuid)

    @staticmethod
    def _rooms(m: ZoomMeeting) -> list[ArchivedRoom]:
        return ([m.archive] if m.archive else []) + m.breakout_rooms

    def _files_of(self, m: ZoomMeeting) -> list[ZoomFile]:
        return [*m.files, *(f for room in self._rooms(m) for f in room.all_files())]

    def meeting(self, uuid: str) -> ZoomMeeting | None:
        with self.lock:
            found = self.meetings.get(uuid)
        if found is None and self.bulk is not None:
            index = self.bulk.index_of_uuid(uuid)
            found = None if index is None else self.bulk.meeting(index)
        return found

    def latest_by_id(self, meeting_id: int) -> ZoomMeeting | None:
        """The latest instance of a meeting ID (Zoom answers a numeric ID with that one)."""
        with self.lock:
            same = list(self._by_id.get(meeting_id, []))
        if not same and self.bulk is not None:
            index = self.bulk.index_of_id(meeting_id)
            return None if index is None else self.bulk.meeting(index)
        return max(same, key=lambda m: m.start_time) if same else None

    def instances_of(self, meeting_id: int) -> list[ZoomMeeting]:
        with self.lock:
            same = list(self._by_id.get(meeting_id, []))
        latest = self.latest_by_id(meeting_id) if not same else None
        return sorted(same, key=lambda m: m.start_time) or ([latest] if latest else [])

    def _oldest_listed(self) -> datetime | None:
        if self.recordings_max_age_days is None:
            return None
        return self.now() - timedelta(days=self.recordings_max_age_days)

    def meetings_of(
        self, user_id: str, start: datetime, end: datetime, *, recorded: bool = True
    ) -> list[ZoomMeeting]:
        """The meetings the user hosted from `start` to the end of the day `end` (both UTC);
        with `recorded`, only those with cloud recordings, within recordings_max_age_days."""
        until = end + timedelta(days=1)
        oldest = self._oldest_listed() if recorded else None
        with self.lock:
            found = [
                m
                for m in self._by_host.get(user_id, [])
                if start <= m.start_time < until
                and (m.recorded or not recorded)
                and (oldest is None or m.start_time >= oldest)
            ]
        if self.bulk is not None:
            index = self.bulk.find_user(user_id)
            if index is not None:
                found += [
                    self.bulk.meeting(g)
                    for g in self.bulk.hosted(index, start, until, recorded=recorded)
                    if oldest is None or self.bulk.meeting(g).start_time >= oldest
                ]
        return sorted(found, key=lambda m: m.start_time)

    def meetings_joined(
        self, user: dict[str, Any], start: datetime, end: datetime
    ) -> list[ZoomMeeting]:
        """Meetings from `start` to the end of the day `end` the user attended without hosting."""
        until = end + timedelta(days=1)
        keys = {user["id"], user["email"]}
        with self.lock:
            found = [
                m
                for m in self.meetings.values()
                if m.host_id != user["id"]
                and start <= m.start_time < until
                and any(
                    (p.get("user_id") in keys or p.get("email") in keys) and admitted(p)
                    for p in m.participants
                )
            ]
        if self.bulk is not None:
            index = self.bulk.find_user(user["id"])
            if index is not None:
                found += [self.bulk.meeting(g) for g in self.bulk.joined(index, start, until)]
        return sorted(found, key=lambda m: m.start_time)

    def meetings_between(
        self, start: datetime, end: datetime, *, recorded: bool, kinds: tuple[str, ...]
    ) -> Sequence[ZoomMeeting]:
        """Every meeting of the account from `start` to the end of the day `end`: the seeded ones
        by start time, then the bulk corpus's day by day (a sliceable sequence)."""
        until = end + timedelta(days=1)
        oldest = self._oldest_listed() if recorded else None
        with self.lock:
            explicit = sorted(
                (
                    m
                    for m in self.meetings.values()
                    if start <= m.start_time < until
                    and m.kind in kinds
                    and (m.recorded or not recorded)
                    and (oldest is None or m.start_time >= oldest)
                ),
                key=lambda m: m.start_time,
            )
        if self.bulk is None or "meeting" not in kinds:
            return explicit
        if oldest is not None:
            start = max(start, oldest)
        return Concat(explicit, self.bulk.between(start, until, recorded=recorded))

    def find_file(self, file_id: str) -> ZoomFile | None:
        return self.file_and_owner(file_id)[0]

    def file_and_owner(self, file_id: str) -> tuple[ZoomFile | None, str]:
        """A file and the UUID of the meeting (or archived room) it belongs to."""
        with self.lock:
            found = self._files.get(file_id)
        if found is not None:
            return found
        if self.bulk is not None:
            found = self.bulk.file_of(file_id)
            if found is not None:
                return found
        return None, ""

    def archive_live(self, room: ArchivedRoom) -> bool:
        """Whether Zoom still keeps the room's archive: not deleted, within the retention."""
        if room.deleted:
            return False
        if room.status != "completed":
            return True
        return self.now() < room.complete_time + timedelta(days=self.archive_retention_days)

    def room(self, uuid: str) -> ArchivedRoom | None:
        with self.lock:
            return self.archives.get(uuid)

    # -- tokens -----------------------------------------------------------------------------
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

    def issue_download_token(self, uuids: frozenset[str]) -> str:
        """A webhook's download_token: opens the files of these rooms for 24 hours."""
        token = "dt." + secrets.token_urlsafe(32)
        with self.lock:
            self.download_tokens[token] = (self.clock() + self.download_token_lifetime_s, uuids)
        return token

    def download_token_opens(self, token: str, uuid: str) -> bool:
        with self.lock:
            expires, uuids = self.download_tokens.get(token, (0.0, frozenset()))
        return expires > self.clock() and uuid in uuids

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()
            self.signed.clear()
            self.download_tokens.clear()

    def page_token(self, key: str, offset: int) -> str:
        token = secrets.token_urlsafe(16)
        now = self.clock()
        with self.lock:
            if len(self.page_tokens) > 20000:  # a long sweep: forget the expired ones
                for old in [
                    t
                    for t, (made, _, _) in self.page_tokens.items()
                    if now - made > self.page_token_lifetime_s
                ]:
                    del self.page_tokens[old]
            self.page_tokens[token] = (now, key, offset)
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

    # -- rate limits ------------------------------------------------------------------------
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

    # -- signed file URLs -------------------------------------------------------------------
    def sign(self, file_id: str) -> tuple[str, float]:
        expires = self.clock() + 300
        signature = hashlib.sha256(f"{file_id}:{expires}:{self.client_secret}".encode()).hexdigest()
        with self.lock:
            self.signed[signature] = expires
        return signature, expires

    def signature_valid(self, signature: str) -> bool:
        with self.lock:
            return self.signed.get(signature, 0) > self.clock()
