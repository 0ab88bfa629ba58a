"""Webhook intake: verify a Zoom event, drop replays, and enqueue the same work item polling would.

Answers within Zoom's 3-second window: nothing here downloads anything; the payload's download_url
is ignored (files are always fetched through the API and the host allow-list), and its
download_token is only handed to this process's Zoom client, which may use it for those files
(it is a credential: it never reaches a queue, a table or a log).
A delivery is remembered as processed only once it was: Zoom retries an event it saw fail (with
the same event_ts), and that retry must be processed, not refused as a replay.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError

from archiver.bootstrap import Deps
from archiver.core.webhook import (
    ARCHIVE_EVENTS,
    URL_VALIDATION,
    RejectedWebhookError,
    url_validation_answer,
    verify,
)
from archiver.steps.claims import consider
from archiver.steps.summaries import SUMMARY_EVENTS, summary_event

log = logging.getLogger(__name__)
ENDED = ("meeting.ended", "webinar.ended")  # nothing recorded yet: wait like processing files


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
    except RejectedWebhookError as rejected:
        log.warning(
            "webhook rejected", extra={"reason": rejected.reason, "status": rejected.status}
        )
        return rejected.status, {}
    if _processed(deps, event.replay_key):
        # A repeat of a delivery already processed (Zoom retries when our answer came late):
        # acknowledged so it stops, and nothing is done twice.
        log.info("webhook repeat acknowledged", extra={"event": event.event})
        return 200, {"status": "duplicate"}
    if event.event in SUMMARY_EVENTS:
        outcome = summary_event(deps, event.event, event.object)
        _remember(deps, event.replay_key, event.event)
        log.info("webhook event accepted", extra={"event": event.event, "outcome": outcome})
        return 200, {"status": outcome}
    if event.event not in ARCHIVE_EVENTS:
        log.info("webhook event ignored", extra={"event": event.event})
        return 200, {"status": "ignored"}
    recording = event.object
    if not recording.get("uuid"):
        log.warning("webhook event without a meeting uuid", extra={"event": event.event})
        return 400, {}
    listed = {"recording_files", "archive_files"} & set(recording)
    if event.event in ENDED or not listed:
        # Recordings appear minutes after the meeting ends: wait for them like processing files.
        recording = {**recording, "recording_files": [{"status": "processing"}]}
    elif event.download_token:
        deps.zoom.remember_download_token(recording, event.download_token)
    outcome = consider(deps, recording, source="webhook")
    _remember(deps, event.replay_key, event.event)
    log.info("webhook event accepted", extra={"event": event.event, "outcome": outcome})
    return 200, {"status": outcome}


def _processed(deps: Deps, replay_key: str) -> bool:
    try:
        deps.tables.get("webhooks").get_entity(replay_key[:2], replay_key)
    except ResourceNotFoundError:
        return False
    return True


def _remember(deps: Deps, replay_key: str, event: str) -> None:
    """Mark the delivery processed (after processing it; a concurrent twin may have too)."""
    with contextlib.suppress(ResourceExistsError):
        deps.tables.get("webhooks").create_entity(
            {
                "PartitionKey": replay_key[:2],
                "RowKey": replay_key,
                "event": event,
                "received_at": deps.clock().isoformat(),
            }
        )


def reply_body(body: dict[str, Any]) -> bytes:
    """The JSON response body (empty for rejections: no detail goes back to the sender)."""
    return json.dumps(body).encode() if body else b""
