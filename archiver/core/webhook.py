"""Zoom webhook verification (pure): signature, timestamp window, size, URL validation answers.

Zoom signs `v0:{x-zm-request-timestamp}:{raw body}` with HMAC-SHA256 under the app's secret token
and sends `x-zm-signature: v0=<hex>`. Rejections carry a reason for our logs only; callers answer
the sender with a bare status.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_BODY_BYTES = 256 * 1024
TOLERANCE_SECONDS = 300
ARCHIVE_EVENTS = frozenset(
    {
        "recording.completed",
        "recording.transcript_completed",
        "meeting.ended",
        "webinar.ended",
        "recording.archive_files_completed",
    }
)
URL_VALIDATION = "endpoint.url_validation"
# Epoch seconds in ASCII digits ("١٨٠٠" and "²" pass str.isdigit; int() of the first works).
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


class RejectedWebhookError(Exception):
    """A request that is not a genuine, fresh Zoom event; status is what the sender gets."""

    def __init__(self, reason: str, status: int = 401) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class ZoomEvent:
    """A verified event."""

    event: str
    event_ts: int
    payload: dict[str, Any]
    timestamp: str
    body_sha256: str = ""  # of the payload as sent: tells events apart that carry no event_ts
    # Bearer for the download_urls the event lists (recording.* and archive events; 24 h). A
    # credential: kept out of repr, logs and everything stored.
    download_token: str = field(default="", repr=False)

    @property
    def object(self) -> dict[str, Any]:
        """payload.object (the meeting or recording), {} when absent."""
        value = self.payload.get("object")
        return value if isinstance(value, dict) else {}

    @property
    def replay_key(self) -> str:
        """Identifies a delivery: the same event for the same object at the same time.

        Zoom's retries repeat event_ts; without one, two different events for one meeting must
        not look alike, so the payload itself tells them apart.
        """
        uuid = str(self.object.get("uuid") or self.object.get("meeting_uuid") or "")
        when = str(self.event_ts) if self.event_ts else f"payload:{self.body_sha256}"
        raw = f"{self.event}|{uuid}|{when}"
        return hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The x-zm-signature value Zoom sends for this body."""
    message = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(body: bytes, headers: Mapping[str, str], *, secret: str, now: float) -> ZoomEvent:
    """Check size, headers, timestamp window and signature; return the parsed event."""
    if len(body) > MAX_BODY_BYTES:
        raise RejectedWebhookError(f"body of {len(body)} bytes exceeds {MAX_BODY_BYTES}", 413)
    lower = {k.lower(): v for k, v in headers.items()}
    signature = lower.get("x-zm-signature", "")
    timestamp = lower.get("x-zm-request-timestamp", "")
    if not signature or not timestamp:
        raise RejectedWebhookError("missing x-zm-signature or x-zm-request-timestamp header")
    if not isinstance(timestamp, str) or _TIMESTAMP.fullmatch(timestamp) is None:
        raise RejectedWebhookError("x-zm-request-timestamp is not a number")
    if abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        raise RejectedWebhookError(f"timestamp {timestamp} is more than {TOLERANCE_SECONDS}s away")
    expected = sign(secret, timestamp, body).encode()
    if not isinstance(signature, str) or not hmac.compare_digest(
        expected, signature.encode("utf-8", "replace")
    ):
        raise RejectedWebhookError("signature does not match")
    try:
        doc = json.loads(body)
        # JSON may escape half a UTF-16 pair ("\ud800"): text that no key, table or log
        # can encode.
        json.dumps(doc, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise RejectedWebhookError("body holds text that is not valid Unicode", 400) from None
    except (ValueError, RecursionError):
        raise RejectedWebhookError("body is not JSON", 400) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("event"), str):
        raise RejectedWebhookError("body has no event", 400)
    payload = doc.get("payload") if isinstance(doc.get("payload"), dict) else {}
    event_ts = doc.get("event_ts") if isinstance(doc.get("event_ts"), int) else 0
    canonical = json.dumps(payload or {}, sort_keys=True, ensure_ascii=True).encode()
    token = doc.get("download_token")
    return ZoomEvent(
        doc["event"],
        int(event_ts or 0),
        dict(payload or {}),
        timestamp,
        hashlib.sha256(canonical).hexdigest(),
        download_token=token if isinstance(token, str) else "",
    )


def url_validation_answer(event: ZoomEvent, *, secret: str) -> dict[str, str]:
    """The response body Zoom expects for endpoint.url_validation."""
    plain = event.payload.get("plainToken")
    if not isinstance(plain, str) or not plain:
        raise RejectedWebhookError("url_validation without plainToken", 400)
    encrypted = hmac.new(secret.encode(), plain.encode(), hashlib.sha256).hexdigest()
    return {"plainToken": plain, "encryptedToken": encrypted}
