"""The holes a review found in exactly-once, each as the scenario that opened it (issue 14).

Each test fails on the code before its fix: a crash or a race at the one moment that matters.
"""

from __future__ import annotations

import pytest

from archiver.core.contracts import FileWorkItem, WorkItem
from archiver.core.keys import meeting_key, revision_key
from archiver.errors import ServiceUnavailableError
from archiver.steps.claims import consider
from archiver.steps.staging import stage_file, stage_meeting
from tests.fakes import zoom_meeting
from tests.integration.pipeline_support import Pipeline, late_transcript, settings_for

pytestmark = pytest.mark.integration
MIB = 1024 * 1024


class Crash(BaseException):
    """The worker dies here (the test catches it; the message will be delivered again)."""


@pytest.fixture
def pipeline(azurite) -> Pipeline:
    return Pipeline(settings_for(azurite.connection_string, FANOUT_THRESHOLD_MB="1"))


def crash_when_staged(pipeline: Pipeline, monkeypatch, key: str) -> None:
    """The ledger write that says `staged` never happens: the process dies just before it."""
    update = pipeline.deps.ledger.update_meeting

    def dying(row_key: str, fields, **kw):  # type: ignore[no-untyped-def]
        if row_key == key and fields.get("state") == "staged":
            raise Crash("worker killed before the ledger said staged")
        return update(row_key, fields, **kw)

    monkeypatch.setattr(pipeline.deps.ledger, "update_meeting", dying)


def test_a_fan_out_that_died_after_its_manifest_is_completed_by_the_redelivery(
    pipeline, monkeypatch
) -> None:
    uuid = pipeline.zoom.add(
        zoom_meeting("fan1==", files=(("MP4", "speaker", 2 * MIB), ("CHAT", "chat_file", 100)))
    )
    pipeline.discover()
    [(_, meeting_body)] = pipeline.queues.sent
    pipeline.queues.sent.clear()
    assert stage_meeting(pipeline.deps, WorkItem.from_json(meeting_body)) == "fanned-out"
    [(_, file_body)] = pipeline.queues.sent
    pipeline.queues.sent.clear()
    crash_when_staged(pipeline, monkeypatch, meeting_key(uuid))
    with pytest.raises(Crash):
        stage_file(pipeline.deps, FileWorkItem.from_json(file_body))
    monkeypatch.undo()
    assert pipeline.manifests()  # the manifest was written before the crash
    stage_file(pipeline.deps, FileWorkItem.from_json(file_body))  # the queue delivers it again
    row = pipeline.deps.ledger.get_meeting(meeting_key(uuid))
    assert row["state"] == "staged"
    assert row["archived_files"]  # a later transcript can still become an update item
    pipeline.import_all()
    assert len(pipeline.items("ann@contoso.com")) == 1


def test_the_sweep_finishes_a_fan_out_left_staging_after_its_manifest(pipeline, monkeypatch):
    uuid = pipeline.zoom.add(zoom_meeting("fan2==", files=(("MP4", "speaker", 2 * MIB),)))
    pipeline.discover()
    [(_, meeting_body)] = pipeline.queues.sent
    pipeline.queues.sent.clear()
    stage_meeting(pipeline.deps, WorkItem.from_json(meeting_body))
    [(_, file_body)] = pipeline.queues.sent
    pipeline.queues.sent.clear()
    crash_when_staged(pipeline, monkeypatch, meeting_key(uuid))
    with pytest.raises(Crash):
        stage_file(pipeline.deps, FileWorkItem.from_json(file_body))
    monkeypatch.undo()  # the message went to poison: only the sweep can see the meeting now
    from datetime import timedelta

    pipeline.now += timedelta(hours=1)
    pipeline.discover()
    assert pipeline.deps.ledger.get_meeting(meeting_key(uuid))["state"] == "staged"


def test_a_late_file_seen_by_a_webhook_and_a_poll_during_its_copy_is_one_update(
    pipeline,
) -> None:
    uuid = pipeline.zoom.add(zoom_meeting("late1=="))
    pipeline.run()
    late_transcript(pipeline, uuid, 2 * MIB)  # over FANOUT_THRESHOLD_MB: copied on its own
    recording = pipeline.zoom.get_recordings(uuid)
    assert consider(pipeline.deps, recording, source="webhook") == "update-enqueued"
    [(_, update_body)] = pipeline.queues.sent
    pipeline.queues.sent.clear()
    assert stage_meeting(pipeline.deps, WorkItem.from_json(update_body)) == "fanned-out"
    # The copy runs; meanwhile the next poll lists the same file as completed.
    assert consider(pipeline.deps, recording, source="poll") == "known"
    pipeline.stage_all()
    pipeline.import_all()
    subjects = [i["message"]["subject"] for i in pipeline.items("ann@contoso.com")]
    assert [s for s in subjects if "update" in s] == [subjects[0] + " - update 1"]


def test_an_update_that_died_after_staged_is_not_made_again_by_the_next_poll(
    pipeline, monkeypatch
) -> None:
    uuid = pipeline.zoom.add(zoom_meeting("late2=="))
    pipeline.run()
    late_transcript(pipeline, uuid, 300)
    recording = pipeline.zoom.get_recordings(uuid)
    assert consider(pipeline.deps, recording, source="poll") == "update-enqueued"
    [(_, update_body)] = pipeline.queues.sent
    pipeline.queues.sent.clear()
    update = pipeline.deps.ledger.update_meeting
    base = meeting_key(uuid)

    def dying_after_staged(row_key: str, fields, **kw):  # type: ignore[no-untyped-def]
        if row_key == base and "archived_files" in fields:
            raise ServiceUnavailableError("table 503 after the update was staged")
        return update(row_key, fields, **kw)

    monkeypatch.setattr(pipeline.deps.ledger, "update_meeting", dying_after_staged)
    with pytest.raises(ServiceUnavailableError):
        stage_meeting(pipeline.deps, WorkItem.from_json(update_body))
    monkeypatch.undo()
    stage_meeting(pipeline.deps, WorkItem.from_json(update_body), dequeue_count=2)
    assert consider(pipeline.deps, pipeline.zoom.get_recordings(uuid), source="poll") == "known"
    pipeline.stage_all()
    pipeline.import_all()
    updates = [i for i in pipeline.items("ann@contoso.com") if "update" in i["message"]["subject"]]
    assert len(updates) == 1
    assert pipeline.deps.ledger.get_meeting(revision_key(uuid, 1))["state"] == "imported"


def test_a_meeting_staged_before_its_enqueue_marked_it_queued_is_not_taken_back_to_queued(
    pipeline, monkeypatch
) -> None:
    # A worker may take the message and stage the meeting before `queued` is written (a Table
    # write retried under throttling takes seconds): `queued` must not undo `staged`.
    uuid = pipeline.zoom.add(zoom_meeting("fast1=="))
    send = pipeline.queues.send

    def fast_worker(queue: str, body: bytes) -> None:
        send(queue, body)
        if queue == pipeline.settings.meetings_queue:
            pipeline.queues.sent.remove((queue, body))
            stage_meeting(pipeline.deps, WorkItem.from_json(body))

    monkeypatch.setattr(pipeline.queues, "send", fast_worker)
    pipeline.discover()
    assert pipeline.deps.ledger.get_meeting(meeting_key(uuid))["state"] == "staged"


def test_the_sweep_never_marks_no_content_a_meeting_claimed_while_it_looked(
    azurite, monkeypatch
) -> None:
    # ARCHIVE_UNRECORDED off: a meeting that waited past the give-up age with no recording is
    # "no-content", unless a listing claimed it while the sweep asked Zoom.
    pipeline = Pipeline(settings_for(azurite.connection_string, ARCHIVE_UNRECORDED="false"))
    key = meeting_key("gone1==")
    pipeline.deps.ledger.claim_meeting(key, {"uuid": "gone1==", "state": "waiting"})
    from datetime import timedelta

    pipeline.now += timedelta(hours=pipeline.settings.processing_give_up_hours + 1)
    listed = pipeline.zoom.get_recordings

    def claimed_meanwhile(uuid: str):  # type: ignore[no-untyped-def]
        pipeline.deps.ledger.update_meeting(key, {"state": "claimed"})
        return listed(uuid)  # Zoom has nothing: 404

    monkeypatch.setattr(pipeline.zoom, "get_recordings", claimed_meanwhile)
    pipeline.discover()
    assert pipeline.deps.ledger.get_meeting(key)["state"] != "no-content"
