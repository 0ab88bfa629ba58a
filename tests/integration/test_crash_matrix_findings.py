"""What the crash-point matrix found (issue 14), each as the one crash or race that showed it.

`python -m tests.reliability` kills the real host before and after every call; each failing
point it reported is reproduced here at the step that owns the moment, and fails on the code
before its fix.
"""

from __future__ import annotations

import contextlib
import json
from datetime import timedelta
from typing import Any

import pytest
from azure.core.exceptions import ResourceExistsError

from archiver.adapters.queues import BLOB_POISON_QUEUE
from archiver.core.contracts import FileWorkItem, Manifest, WorkItem, manifest_blob
from archiver.core.keys import meeting_key, revision_key
from archiver.steps.claims import consider
from archiver.steps.importer import import_meeting
from archiver.steps.replay import replay
from archiver.steps.staging import stage_file, stage_meeting
from tests.fakes import oid, zoom_meeting
from tests.integration.pipeline_support import NOW, Pipeline, late_transcript, settings_for

pytestmark = pytest.mark.integration
MIB = 1024 * 1024


class Crash(BaseException):
    """The worker dies here (the test catches it; the trigger fires again)."""


@pytest.fixture
def pipeline(azurite) -> Pipeline:
    return Pipeline(settings_for(azurite.connection_string))


def restarted(pipeline: Pipeline) -> None:
    """A new process: nothing it remembered of earlier listings."""
    pipeline.deps.__dict__.pop("seen", None)  # a cached_property: made anew when next used


def blob_trigger(pipeline: Pipeline, monkeypatch) -> list[Manifest]:
    """The manifests written from now on, as the blob trigger sees them (a manifest that is
    not written again does not fire again)."""
    fired: list[Manifest] = []
    write = pipeline.deps.blobs.write_json

    def writing(container: str, name: str, document: Any) -> None:
        write(container, name, document)
        if name.startswith("manifests/"):
            fired.append(Manifest.from_json(json.dumps(document)))

    monkeypatch.setattr(pipeline.deps.blobs, "write_json", writing)
    return fired


def test_a_crash_just_after_the_outcomes_are_recorded_still_leaves_each_mailbox_in_the_run_log(
    pipeline, monkeypatch
) -> None:
    # Matrix: small, fan-out, webhook and poll, oversize *: "after" the deliveries' $batch.
    uuid = pipeline.zoom.add(zoom_meeting("log1=="))
    pipeline.discover()
    pipeline.stage_all()
    [manifest] = pipeline.manifests()

    def killed(_entries: object) -> None:
        raise Crash("worker killed with the items made")

    monkeypatch.setattr(pipeline.deps.runlog, "append", killed)
    with pytest.raises(Crash):
        import_meeting(pipeline.deps, manifest)
    monkeypatch.undo()
    pipeline.now += timedelta(seconds=pipeline.settings.delivery_lease_seconds + 1)
    pipeline.import_all()  # the blob trigger fires again
    logged = {e.mailbox for e in pipeline.deps.runlog.entries(NOW.date(), NOW.date()) if e.mailbox}
    assert logged == {"ann@contoso.com", "bob@contoso.com"}
    for mailbox in ("ann@contoso.com", "bob@contoso.com"):
        assert len(pipeline.items(mailbox)) == 1
        delivery = pipeline.deps.ledger.get_delivery(meeting_key(uuid), oid(mailbox))
        assert delivery is not None
        assert delivery["state"] == "complete"


def test_an_update_claimed_but_never_enqueued_is_enqueued_by_the_next_listing(
    pipeline, monkeypatch
) -> None:
    # Matrix: late transcript, around the ledger POST of the update and its queue send.
    uuid = pipeline.zoom.add(zoom_meeting("late1=="))
    pipeline.run()
    late_transcript(pipeline, uuid)
    send = pipeline.queues.send

    def killed(queue: str, body: str) -> None:
        raise Crash("worker killed between the update's claim and its work item")

    monkeypatch.setattr(pipeline.queues, "send", killed)
    with pytest.raises(Crash):
        consider(pipeline.deps, pipeline.zoom.get_recordings(uuid), source="poll")
    monkeypatch.setattr(pipeline.queues, "send", send)
    assert pipeline.deps.ledger.get_meeting(revision_key(uuid, 1))["state"] == "claimed"
    restarted(pipeline)
    outcome = consider(pipeline.deps, pipeline.zoom.get_recordings(uuid), source="poll")
    assert outcome == "update-enqueued"
    pipeline.stage_all()
    pipeline.import_all()
    subjects = [i["message"]["subject"] for i in pipeline.items("ann@contoso.com")]
    assert subjects == [subjects[0], subjects[0] + " - update 1"]


def test_a_replay_killed_before_it_re_fired_the_import_is_finished_by_the_next_replay(
    pipeline, monkeypatch
) -> None:
    # Matrix: partial then replay, between the ledger PATCH and the manifest PUT.
    uuid = pipeline.zoom.add(zoom_meeting("rep1=="))
    pipeline.graph.unavailable.add("bob@contoso.com")
    pipeline.run()
    key = meeting_key(uuid)
    assert pipeline.deps.ledger.get_meeting(key)["state"] == "partial"
    pipeline.graph.unavailable.clear()
    write = pipeline.deps.blobs.write_json

    def killed(container: str, name: str, document: object) -> None:
        if name == manifest_blob(key):
            raise Crash("replay killed before the manifest was written again")
        write(container, name, document)

    monkeypatch.setattr(pipeline.deps.blobs, "write_json", killed)
    with pytest.raises(Crash):
        replay(pipeline.deps)
    monkeypatch.undo()
    fired = blob_trigger(pipeline, monkeypatch)
    replay(pipeline.deps)
    for manifest in fired:
        import_meeting(pipeline.deps, manifest)
    assert len(pipeline.items("bob@contoso.com")) == 1
    assert len(pipeline.items("ann@contoso.com")) == 1
    assert pipeline.deps.ledger.get_meeting(key)["state"] == "imported"


def test_an_import_that_finished_before_staging_recorded_staged_is_not_undone(
    pipeline, monkeypatch
) -> None:
    # Matrix: late transcript, a redelivered update staged again while its import ran: the
    # blob trigger fires as soon as the manifest is written, and may finish first.
    uuid = pipeline.zoom.add(zoom_meeting("race1=="))
    pipeline.discover()
    [(_, body)] = pipeline.queues.sent
    pipeline.queues.sent.clear()
    key = meeting_key(uuid)
    write = pipeline.deps.blobs.write_json

    def fast_trigger(container: str, name: str, document: dict) -> None:  # type: ignore[type-arg]
        write(container, name, document)
        if name == manifest_blob(key):
            import_meeting(pipeline.deps, Manifest.from_json(json.dumps(document)))

    monkeypatch.setattr(pipeline.deps.blobs, "write_json", fast_trigger)
    assert stage_meeting(pipeline.deps, WorkItem.from_json(body)) == "staged"
    monkeypatch.undo()
    row = pipeline.deps.ledger.get_meeting(key)
    assert row["state"] == "imported"
    assert row["archived_files"]  # what staging records is recorded all the same


def test_a_file_work_item_delivered_again_after_the_import_leaves_the_meeting_imported(
    azurite,
) -> None:
    # Matrix: fan-out, killed after the last file's manifest: the import ran and cleaned
    # staging (the snapshot with it) before the file's message came back.
    pipeline = Pipeline(settings_for(azurite.connection_string, FANOUT_THRESHOLD_MB="1"))
    uuid = pipeline.zoom.add(zoom_meeting("fan9==", files=(("MP4", "speaker", 2 * MIB),)))
    pipeline.discover()
    [(_, meeting_body)] = pipeline.queues.sent
    pipeline.queues.sent.clear()
    assert stage_meeting(pipeline.deps, WorkItem.from_json(meeting_body)) == "fanned-out"
    [(_, file_body)] = pipeline.queues.sent
    pipeline.stage_all()
    pipeline.import_all()
    key = meeting_key(uuid)
    assert pipeline.deps.ledger.get_meeting(key)["state"] == "imported"
    again = stage_file(pipeline.deps, FileWorkItem.from_json(file_body), dequeue_count=2)
    assert again == "already-staged"
    assert pipeline.deps.ledger.get_meeting(key)["state"] == "imported"


def test_replay_fires_again_an_import_whose_blob_trigger_went_to_poison(pipeline, monkeypatch):
    # Fault matrix: Entra token / 429. Every attempt of the import failed, the host put the
    # trigger's message in webjobs-blobtrigger-poison, and the meeting stayed `staged`, which
    # replay's reset skips.
    uuid = pipeline.zoom.add(zoom_meeting("poison1=="))
    pipeline.discover()
    pipeline.stage_all()
    key = meeting_key(uuid)
    poison = pipeline.deps.storage.queue(BLOB_POISON_QUEUE, base64=False)
    with contextlib.suppress(ResourceExistsError):  # other tests' poison messages share it
        poison.create_queue()
    poison.send_message(json.dumps({"ContainerName": "staging", "BlobName": manifest_blob(key)}))
    assert pipeline.deps.ledger.get_meeting(key)["state"] == "staged"
    fired = blob_trigger(pipeline, monkeypatch)
    assert replay(pipeline.deps, meeting_uuid=uuid)["blob_poison"] == 1
    for manifest in fired:
        import_meeting(pipeline.deps, manifest)
    assert len(pipeline.items("ann@contoso.com")) == 1
    assert pipeline.deps.ledger.get_meeting(key)["state"] == "imported"
