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


class ZoomWebhooks:
    """Mixin of ZoomSim: sends events."""

    store: Any
    _recording_body: Any  # provided by ZoomSim

    def send_webhook(
        self,
        url: str,
        event: str,
        uuid: str | None,
        *,
        secret: str | None = None,
        timestamp: int | None = None,
    ) -> dict[str, Any]:
        """POST a signed event to `url` the way Zoom does; returns the target's answer."""
        now_ms = int(time.time() * 1000)
        if event == "endpoint.url_validation":
            payload: dict[str, Any] = {
                "plainToken": base64.urlsafe_b64encode(
                    hashlib.sha256(str(now_ms).encode()).digest()[:16]
                )
                .decode()
                .rstrip("=")
            }
            body_doc: dict[str, Any] = {"event": event, "event_ts": now_ms, "payload": payload}
        else:
            with self.store.lock:
                meeting = self.store.meetings.get(uuid or "")
            if meeting is None:
                raise HttpError(json_response(404, {"code": 3301, "message": "unknown meeting"}))
            obj = self._recording_body(meeting)
            body_doc = {
                "event": event,
                "event_ts": now_ms,
                "payload": {"account_id": self.store.account_id, "object": obj},
                "download_token": "sim-download-token-" + str(now_ms),
            }
        body = json.dumps(body_doc).encode()
        ts = str(timestamp if timestamp is not None else int(time.time()))
        key = (secret or self.store.webhook_secret).encode()
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
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, answer = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, answer = error.code, error.read()
        result = {
            "status": status,
            "body": answer.decode(errors="replace"),
            "elapsed_s": round(time.perf_counter() - started, 4),
        }
        if event == "endpoint.url_validation" and status == 200:
            expected = hmac.new(key, payload["plainToken"].encode(), hashlib.sha256).hexdigest()
            result["validated"] = json.loads(answer or b"{}").get("encryptedToken") == expected
        return result
