"""Webhook intake: verify a Zoom event, drop replays, and enqueue the same work item polling would.

Answers within Zoom's 3-second window: nothing here downloads anything; the payload's download_url
and download_token are ignored (files are always fetched through the API and the host allow-list).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from azure.core.exceptions import ResourceExistsError

from archiver.deps import Deps
from archiver.discovery import consider
from archiver.webhook import (
    ARCHIVE_EVENTS,
    URL_VALIDATION,
    RejectedWebhookError,
    url_validation_answer,
    verify,
)

log = logging.getLogger(__name__)


def handle_event(
    deps: Deps, body: bytes, headers: Mapping[str, str], *, now: Callable[[], float] = time.time
) -> tuple[int, dict[str, Any]]:
    """Process one webhook delivery; returns (HTTP status, JSON body)."""
    secret = deps.settings.zoom_webhook_secret
    if not secret:
        log.warning("webhook refused: ZOOM_WEBHOOK_SECRET is not set")
        return 401, {}
    try:
        event = verify(body, headers, secret=secret, now=now())
        if event.event == URL_VALIDATION:
            return 200, url_validation_answer(event, secret=secret)
        if not _first_delivery(deps, event.replay_key, event.event):
            raise RejectedWebhookError("replayed delivery")
    except RejectedWebhookError as rejected:
        log.warning(
            "webhook rejected", extra={"reason": rejected.reason, "status": rejected.status}
        )
        return rejected.status, {}
    if event.event not in ARCHIVE_EVENTS:
        log.info("webhook event ignored", extra={"event": event.event})
        return 200, {"status": "ignored"}
    recording = event.object
    if not recording.get("uuid"):
        log.warning("webhook event without a meeting uuid", extra={"event": event.event})
        return 400, {}
    if event.event == "meeting.ended" or "recording_files" not in recording:
        # Recordings appear minutes after the meeting ends: wait for them like processing files.
        recording = {**recording, "recording_files": [{"status": "processing"}]}
    outcome = consider(deps, recording, source="webhook")
    log.info("webhook event accepted", extra={"event": event.event, "outcome": outcome})
    return 200, {"status": outcome}


def _first_delivery(deps: Deps, replay_key: str, event: str) -> bool:
    table = deps.tables.get("webhooks")
    try:
        table.create_entity(
            {
                "PartitionKey": replay_key[:2],
                "RowKey": replay_key,
                "event": event,
                "received_at": deps.clock().isoformat(),
            }
        )
    except ResourceExistsError:
        return False
    return True


def reply_body(body: dict[str, Any]) -> bytes:
    """The JSON response body (empty for rejections: no detail goes back to the sender)."""
    return json.dumps(body).encode() if body else b""
