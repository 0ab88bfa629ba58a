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


# What each endpoint needs: its granular :admin scope, or the classic scope of accounts that have
# not migrated (Zoom's granular-scope table; ../shared/reference/zoom-api.md).
ENDPOINT_SCOPES = {
    "users": ("user:read:list_users:admin", "user:read:admin"),
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
    """A recording file: generated media (size) or stored text (content)."""

    file_id: str
    file_type: str
    file_extension: str
    recording_type: str
    size: int
    status: str = "completed"
    content: bytes | None = None
    participant_audio: bool = False
    sha: str | None = None

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
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    meetings: dict[str, ZoomMeeting] = field(default_factory=dict)
    tokens: dict[str, tuple[float, frozenset[str]]] = field(default_factory=dict)
    # Scopes added to the Server-to-Server app; a token carries those granted when it was issued.
    scopes: frozenset[str] = DEFAULT_SCOPES
    page_tokens: dict[str, tuple[float, str, int]] = field(default_factory=dict)
    signed: dict[str, float] = field(default_factory=dict)
    windows: dict[str, tuple[int, int]] = field(default_factory=dict)
    daily: dict[str, int] = field(default_factory=dict)
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

    def issue_token(self) -> tuple[str, frozenset[str]]:
        """A new access token and the scopes it carries."""
        token = secrets.token_urlsafe(32)
        with self.lock:
            scopes = self.scopes
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

    def rate(self, category: str) -> tuple[bool, str, int]:
        """(allowed, limit type, limit) for one more request in the category now."""
        per_second = PLAN_LIMITS[self.plan][category] * self.rate_limit_scale
        now = self.clock()
        with self.lock:
            if category in ("heavy", "resource"):
                day = datetime.fromtimestamp(now, UTC).strftime("%Y%m%d")
                used = self.daily.get(day, 0)
                cap = int(DAILY[self.plan] * self.rate_limit_scale)
                if used >= cap:
                    return False, "Daily-limit", cap
                self.daily[day] = used + 1
            window = 1.0 if per_second >= 1 else 60.0
            limit = max(1, int(per_second * window))
            slot = int(now // window)
            current, count = self.windows.get(category, (slot, 0))
            if current != slot:
                current, count = slot, 0
            if count >= limit:
                return False, "QPS", limit
            self.windows[category] = (current, count + 1)
            return True, "QPS", limit

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
        with self.lock:
            found = [
                m
                for m in self.meetings.values()
                if m.host_id == user_id and start <= m.start_time < end + timedelta(days=1)
            ]
        return sorted(found, key=lambda m: m.start_time)
