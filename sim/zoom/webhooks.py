"""Zoom's webhook delivery: signed events POSTed to a subscriber, as Zoom sends them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from typing import Any

from sim.core.http import HttpError, json_response

# Zoom expects the subscriber to answer 200 or 204 within 3 seconds.
ACK_SECONDS = 3.0


class ZoomWebhooks:
    """Mixin of ZoomSim: sends events."""

    store: Any
    _recording_body: Any  # provided by ZoomSim (sim/zoom/base.py)
    _archive_body: Any  # sim/zoom/archiving.py
    _summary_body: Any  # sim/zoom/summaries.py

    def send_webhook(
        self,
        url: str,
        event: str,
        uuid: str | None,
        *,
        secret: str | None = None,
        timestamp: int | None = None,
        retries: int = 0,
        retry_delay_s: float = 0.0,
    ) -> dict[str, Any]:
        """POST a signed event to `url` the way Zoom does, with Zoom's redelivery.

        Zoom wants 200 or 204 within 3 seconds; otherwise it sends the same event again (same
        body, so the same `event_ts`; a fresh x-zm-request-timestamp and signature). Zoom's
        schedule is 3 retries at about +5 min, +20 min and +60 min (Zoom devsupport "Webhook
        delays"; shared/reference/zoom-content-sources.md §6 says "about 3 times over ~90
        minutes"); here the caller picks `retries` (default 0) and `retry_delay_s` so tests
        stay fast. `timestamp` (for stale-timestamp tests) signs the first attempt only.
        Returns the last attempt's answer plus `attempts`: every attempt's status.
        """
        body = json.dumps(self._event_body(event, uuid)).encode()
        key = (secret or self.store.webhook_secret).encode()
        attempts: list[dict[str, Any]] = []
        for number in range(1 + max(0, retries)):
            if number:
                time.sleep(retry_delay_s)
            ts = timestamp if (timestamp is not None and number == 0) else int(time.time())
            attempts.append(_deliver(url, body, key, str(ts)))
            if attempts[-1]["acknowledged"]:
                break
        result = {**attempts[-1], "attempts": attempts}
        doc = json.loads(body)
        if event == "endpoint.url_validation" and result["status"] == 200:
            plain = doc["payload"]["plainToken"].encode()
            expected = hmac.new(key, plain, hashlib.sha256).hexdigest()
            answer = json.loads(result["body"] or "{}")
            result["validated"] = answer.get("encryptedToken") == expected
        return result

    def _event_body(self, event: str, uuid: str | None) -> dict[str, Any]:
        """The event Zoom would send about meeting (or archived room) `uuid`.

        recording.* events carry the meeting with its recording files and a `download_token`
        that opens that meeting's files for 24 hours (RecordingCompletedEvent);
        recording.archive_files_completed carries the archived meeting or breakout room and a
        download_token for its archive files (RecordingArchiveFilesCompletedEvent);
        meeting.summary_completed / _updated carry the summary, _updated also the operator
        (MeetingSummary*Event; zoom-content-sources.md §4).
        """
        now_ms = int(time.time() * 1000)
        if event == "endpoint.url_validation":
            token = base64.urlsafe_b64encode(hashlib.sha256(str(now_ms).encode()).digest()[:16])
            return {
                "event": event,
                "event_ts": now_ms,
                "payload": {"plainToken": token.decode().rstrip("=")},
            }
        payload: dict[str, Any] = {"account_id": self.store.account_id}
        body: dict[str, Any] = {"event": event, "event_ts": now_ms, "payload": payload}
        if event == "recording.archive_files_completed":
            room = self.store.room(uuid or "")
            if room is None:
                raise HttpError(json_response(404, {"code": 3001, "message": "unknown archive"}))
            payload["object"] = self._archive_body(room, webhook=True)
            body["download_token"] = self.store.issue_download_token(frozenset({room.uuid}))
            return body
        meeting = self.store.meeting(uuid or "")
        if meeting is None:
            raise HttpError(json_response(404, {"code": 3301, "message": "unknown meeting"}))
        if event.startswith("meeting.summary_"):
            if meeting.summary is None:
                raise HttpError(json_response(404, {"code": 3001, "message": "no summary"}))
            payload["object"] = self._summary_body(meeting)
            if event != "meeting.summary_completed":
                host = self.store.user_by_id(meeting.host_id)
                payload.update(operator=host.get("email", ""), operator_id=meeting.host_id)
            return body
        payload["object"] = self._recording_body(meeting, webhook=True)
        body["download_token"] = self.store.issue_download_token(frozenset({meeting.uuid}))
        return body


def _deliver(url: str, body: bytes, key: bytes, ts: str) -> dict[str, Any]:
    """One signed POST. Acknowledged: 200 or 204 within ACK_SECONDS (a later answer is still
    waited for, up to 10 s, and reported, but Zoom would already have given up on it)."""
    signature = (
        "v0=" + hmac.new(key, b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    )
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "x-zm-signature": signature,
            "x-zm-request-timestamp": ts,
            "User-Agent": "Zoom Marketplace/1.0a",
        },
    )
    started = time.perf_counter()
    status: int | None
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, answer = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, answer = error.code, error.read()
    except (OSError, TimeoutError) as error:  # no answer at all: refused, reset or timed out
        status, answer = None, str(error).encode()
    elapsed = time.perf_counter() - started
    return {
        "status": status,
        "body": answer.decode(errors="replace"),
        "elapsed_s": round(elapsed, 4),
        "timestamp": int(ts),
        "acknowledged": status in (200, 204) and elapsed <= ACK_SECONDS,
    }
