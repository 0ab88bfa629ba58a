"""Webhook intake against Azurite: verified events enqueue once; replays and forgeries do not."""

from __future__ import annotations

import json

import pytest

from archiver.core.keys import meeting_key
from archiver.core.webhook import sign
from archiver.errors import ServiceUnavailableError
from archiver.steps.intake import handle_event
from tests.fakes import ListQueues, zoom_meeting
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


def test_a_repeated_delivery_is_acknowledged_and_does_nothing_twice(pipeline) -> None:
    body, headers = delivery(event(pipeline))
    handle_event(pipeline.deps, body, headers, now=lambda: NOW)
    assert handle_event(pipeline.deps, body, headers, now=lambda: NOW) == (
        200,
        {"status": "duplicate"},
    )
    assert len(pipeline.queues.sent) == 1


class QueueDownOnce(ListQueues):
    """Storage refuses the first enqueue (a 503), as it may during an outage."""

    failed = False

    def send(self, queue: str, body: bytes) -> None:
        if not self.failed:
            self.failed = True
            raise ServiceUnavailableError("queue 503", service="storage")
        super().send(queue, body)


def test_zooms_retry_of_an_event_that_failed_is_processed_not_refused(azurite) -> None:
    """real-world-shapes.md #10: Zoom retries with the same event_ts when processing failed."""
    pipeline = Pipeline(
        settings_for(azurite.connection_string, ZOOM_WEBHOOK_SECRET="hook"),
        queues=QueueDownOnce(),
    )
    body, headers = delivery(event(pipeline))
    with pytest.raises(ServiceUnavailableError):  # the host answers 500; Zoom will retry
        handle_event(pipeline.deps, body, headers, now=lambda: NOW)
    assert handle_event(pipeline.deps, body, headers, now=lambda: NOW) == (
        200,
        {"status": "re-enqueued"},
    )
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


def test_webinar_ended_waits_for_recordings_and_marks_the_instance_a_webinar(pipeline) -> None:
    webinar = {**zoom_meeting("hookweb==")["recordings"], "type": 5}
    raw = {"event": "webinar.ended", "event_ts": NOW * 1000, "payload": {"object": webinar}}
    body, headers = delivery(raw)
    assert handle_event(pipeline.deps, body, headers, now=lambda: NOW) == (
        200,
        {"status": "waiting"},
    )
    row = pipeline.deps.ledger.get_meeting(meeting_key("hookweb=="))
    assert row["kind"] == "webinar"
    assert pipeline.queues.sent == []
