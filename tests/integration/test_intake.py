"""Webhook intake against Azurite: verified events enqueue once; replays and forgeries do not."""

from __future__ import annotations

import json

import pytest

from archiver.intake import handle_event
from archiver.webhook import sign
from tests.fakes import zoom_meeting
from tests.integration.pipeline_support import Pipeline, settings_for

pytestmark = pytest.mark.integration
NOW = 1_800_000_000


def delivery(body: dict, secret: str = "hook") -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    return raw, {"x-zm-signature": sign(secret, str(NOW), raw), "x-zm-request-timestamp": str(NOW)}


@pytest.fixture
def pipeline(azurite) -> Pipeline:
    return Pipeline(settings_for(azurite.connection_string, ZOOM_WEBHOOK_SECRET="hook"))


def event(pipeline: Pipeline, name: str = "recording.completed") -> dict:
    recording = zoom_meeting("hook1==")["recordings"]
    return {"event": name, "event_ts": NOW * 1000, "payload": {"object": recording}}


def test_a_recording_completed_event_enqueues_the_meeting_once(pipeline) -> None:
    body, headers = delivery(event(pipeline))
    assert handle_event(pipeline.deps, body, headers, now=lambda: NOW) == (
        200,
        {"status": "enqueued"},
    )
    assert len(pipeline.queues.sent) == 1


def test_a_replayed_delivery_is_rejected_without_detail(pipeline) -> None:
    body, headers = delivery(event(pipeline))
    handle_event(pipeline.deps, body, headers, now=lambda: NOW)
    assert handle_event(pipeline.deps, body, headers, now=lambda: NOW) == (401, {})
    assert len(pipeline.queues.sent) == 1


def test_a_forged_event_is_rejected_and_enqueues_nothing(pipeline) -> None:
    body, headers = delivery(event(pipeline), secret="not-ours")
    assert handle_event(pipeline.deps, body, headers, now=lambda: NOW) == (401, {})
    assert pipeline.queues.sent == []


def test_meeting_ended_waits_for_recordings_instead_of_staging_now(pipeline) -> None:
    doc = event(pipeline, "meeting.ended")
    doc["payload"]["object"].pop("recording_files")
    body, headers = delivery(doc)
    assert handle_event(pipeline.deps, body, headers, now=lambda: NOW)[1] == {"status": "waiting"}
    assert pipeline.queues.sent == []


def test_without_a_webhook_secret_every_event_is_refused(azurite) -> None:
    pipeline = Pipeline(settings_for(azurite.connection_string))
    body, headers = delivery(event(pipeline))
    assert handle_event(pipeline.deps, body, headers, now=lambda: NOW) == (401, {})
