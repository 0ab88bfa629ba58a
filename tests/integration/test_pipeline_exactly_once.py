"""The pipeline archives every meeting instance once per mailbox, across reruns and crashes."""

from __future__ import annotations

import contextlib
import json
from datetime import datetime, timedelta

import pytest
from azure.core.exceptions import ResourceExistsError

from archiver.adapters.queues import BLOB_POISON_QUEUE
from archiver.core.contracts import WorkItem
from archiver.core.keys import meeting_key
from archiver.errors import (
    AuthenticationError,
    InvalidInputError,
    ServiceUnavailableError,
    ThrottledError,
    TransientError,
)
from archiver.steps.importer import import_meeting
from archiver.steps.replay import replay
from archiver.steps.staging import stage_meeting
from tests.fakes import content, file_id, oid, zoom_meeting
from tests.integration.pipeline_support import NOW, Pipeline, late_transcript, settings_for

pytestmark = pytest.mark.integration


@pytest.fixture
def pipeline(azurite) -> Pipeline:
    return Pipeline(
        settings_for(azurite.connection_string, FALLBACK_MAILBOX="zoom-archive@contoso.com")
    )


def test_a_meeting_lands_once_in_the_host_and_each_internal_participant(pipeline) -> None:
    uuid = pipeline.zoom.add(
        zoom_meeting("m1/abc==", guests=(("Bob", "bob@contoso.com"), ("Eve", "eve@fabrikam.com")))
    )
    pipeline.run()
    for mailbox in ("ann@contoso.com", "bob@contoso.com"):
        [item] = pipeline.items(mailbox)
        assert item["message"]["internetMessageHeaders"]
        [attachment] = item["attachments"]
        expected = content(file_id(uuid, 0), 2048)
        import hashlib

        assert attachment["sha256"] == hashlib.sha256(expected).hexdigest()
    assert pipeline.items("zoom-archive@contoso.com") == []
    row = pipeline.deps.ledger.get_meeting(meeting_key(uuid))
    assert row["state"] == "imported"


def test_a_second_run_archives_nothing_new(pipeline) -> None:
    pipeline.zoom.add(zoom_meeting("m2=="))
    pipeline.run()
    pipeline.run()
    assert len(pipeline.items("ann@contoso.com")) == 1
    assert pipeline.queues.sent == []


def test_two_discovery_runs_enqueue_a_meeting_only_once(pipeline) -> None:
    pipeline.zoom.add(zoom_meeting("m3=="))
    pipeline.discover()
    pipeline.discover()
    assert len(pipeline.queues.sent) == 1


def test_a_crash_between_graph_create_and_ledger_update_makes_no_duplicate(pipeline) -> None:
    pipeline.zoom.add(zoom_meeting("m4=="))
    pipeline.graph.fail_after_create = 1  # the item is created, the response is lost
    pipeline.run()
    assert len(pipeline.items("ann@contoso.com")) == 1
    assert len(pipeline.items("bob@contoso.com")) == 1


def test_a_meeting_with_only_external_participants_goes_to_the_fallback_mailbox(pipeline) -> None:
    pipeline.zoom.add(
        zoom_meeting("m5==", host="host@fabrikam.com", guests=(("P", "partner@fabrikam.com"),))
    )
    pipeline.run()
    assert len(pipeline.items("zoom-archive@contoso.com")) == 1


def test_without_a_fallback_an_unmappable_meeting_is_recorded_as_unmapped(azurite) -> None:
    pipeline = Pipeline(settings_for(azurite.connection_string))
    uuid = pipeline.zoom.add(zoom_meeting("m6==", host="host@fabrikam.com", guests=()))
    pipeline.run()
    assert pipeline.deps.ledger.get_meeting(meeting_key(uuid))["state"] == "unmapped"
    logged = pipeline.deps.runlog.entries(pipeline.now.date(), pipeline.now.date())
    assert sorted((e.mailbox, e.outcome) for e in logged) == [("", "staged"), ("", "unmapped")]
    # Nothing is lost: once the admin maps the host, replay delivers the meeting.
    pipeline.deps.directory.put_override("host@fabrikam.com", "ann@contoso.com")
    assert replay(pipeline.deps)["reset_meetings"] == 1
    pipeline.import_all()
    assert len(pipeline.items("ann@contoso.com")) == 1
    assert pipeline.deps.ledger.get_meeting(meeting_key(uuid))["state"] == "imported"


def test_an_item_says_when_it_was_archived_and_by_which_version(pipeline) -> None:
    from archiver.core.converter.provenance import VERSION

    pipeline.zoom.add(zoom_meeting("m6b=="))
    pipeline.run()
    [item] = pipeline.items("ann@contoso.com")
    message = item["message"]
    headers = {h["name"]: h["value"] for h in message["internetMessageHeaders"]}
    stamp = pipeline.now.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert f"archived-at={stamp}" in headers["X-Zoom-Archiver"]
    assert f"zoom-m365-archiver/{VERSION}" in headers["X-Zoom-Archiver"]
    assert "not recorded" not in message["body"]["content"]


def test_one_failing_mailbox_never_blocks_the_others(pipeline) -> None:
    uuid = pipeline.zoom.add(zoom_meeting("m7=="))
    pipeline.graph.unavailable.add("bob@contoso.com")
    pipeline.run()
    assert len(pipeline.items("ann@contoso.com")) == 1
    row = pipeline.deps.ledger.get_meeting(meeting_key(uuid))
    assert row["state"] == "partial"
    failed = pipeline.deps.ledger.get_delivery(meeting_key(uuid), oid("bob@contoso.com"))
    assert failed is not None
    assert failed["state"] == "failed"


def test_a_staging_failure_is_in_the_run_log_and_in_status_failed_with_its_reason(
    pipeline, monkeypatch
) -> None:
    from archiver.operations.status import failed_meetings

    uuid = pipeline.zoom.add(zoom_meeting("m7b=="))
    pipeline.discover()

    def refused(_uuid: str) -> dict:
        raise AuthenticationError(
            "Zoom refused the token", service="zoom", status=401, hint="check the Zoom app"
        )

    monkeypatch.setattr(pipeline.zoom, "get_recordings", refused)
    with pytest.raises(AuthenticationError):
        pipeline.stage_all()
    [logged] = pipeline.deps.runlog.entries(NOW.date(), NOW.date())
    assert (logged.uuid, logged.mailbox, logged.outcome) == (uuid, "", "staging-failed")
    assert logged.error.endswith(
        "Zoom refused the token (service=zoom, status=401) - check the Zoom app"
    )
    [failed] = failed_meetings(pipeline.deps)
    assert (failed["uuid"], failed["state"]) == (uuid, "failed")
    assert failed["reason"] == logged.error
    assert failed["topic"]


def test_files_still_processing_wait_until_zoom_completes_them(pipeline) -> None:
    uuid = pipeline.zoom.add(zoom_meeting("m8==", status="processing"))
    pipeline.run()
    assert pipeline.items("ann@contoso.com") == []
    assert pipeline.deps.ledger.get_meeting(meeting_key(uuid))["state"] == "waiting"
    pipeline.zoom.complete(uuid)
    pipeline.run()
    assert len(pipeline.items("ann@contoso.com")) == 1


def test_an_html_download_is_never_archived(pipeline) -> None:
    uuid = pipeline.zoom.add(zoom_meeting("m9=="))
    pipeline.zoom.html_downloads.add(file_id(uuid, 0))
    pipeline.discover()
    with pytest.raises(Exception, match="text/html"):
        pipeline.stage_all()
    assert pipeline.manifests() == []
    assert pipeline.items("ann@contoso.com") == []


def test_a_transcript_completed_after_archiving_arrives_as_one_update_item(pipeline) -> None:
    # A meeting of today: every run lists today (older days: steps/discovery.py).
    uuid = pipeline.zoom.add(zoom_meeting("late1==", start=datetime(2026, 11, 21, 9, 0)))
    pipeline.run()
    late_transcript(pipeline, uuid, 64)
    pipeline.run()
    pipeline.run()
    for mailbox in ("ann@contoso.com", "bob@contoso.com"):
        first, update = pipeline.items(mailbox)
        assert update["message"]["subject"].endswith(" - update 1")
        assert [a["size"] for a in update["attachments"]] == [64]
        assert len(first["attachments"]) == 1


def test_a_work_item_redelivered_after_import_stages_nothing_again(pipeline) -> None:
    uuid = pipeline.zoom.add(zoom_meeting("dup1=="))
    pipeline.discover()
    [(_, body)] = pipeline.queues.sent
    pipeline.stage_all()
    pipeline.import_all()
    calls = dict(pipeline.zoom.calls)
    again = stage_meeting(pipeline.deps, WorkItem.from_json(body), dequeue_count=2)
    assert again == "already-staged"
    assert pipeline.zoom.calls == calls
    assert len(pipeline.items("ann@contoso.com")) == 1
    # Every mailbox has its item: nothing of the meeting is left in staging, manifest included.
    assert pipeline.deps.blobs.list_names(pipeline.settings.staging_container, "") == []
    assert pipeline.deps.ledger.get_meeting(meeting_key(uuid))["state"] == "imported"


def test_a_crash_before_the_deliveries_are_recorded_makes_no_duplicate(
    pipeline, monkeypatch
) -> None:
    uuid = pipeline.zoom.add(zoom_meeting("crash2=="))
    pipeline.discover()
    pipeline.stage_all()
    ledger = pipeline.deps.ledger

    def storage_down(*_: object) -> None:
        raise ServiceUnavailableError("table service unavailable", service="storage")

    # The items are created, then recording every mailbox's outcome fails.
    monkeypatch.setattr(ledger, "update_deliveries", storage_down)
    pipeline.import_all()
    assert len(pipeline.items("ann@contoso.com")) == 1
    monkeypatch.undo()
    # While the leases run, a retry creates nothing; once they ran out (a crashed worker renews
    # nothing, so within DELIVERY_LEASE_SECONDS), it finds the items it made.
    pipeline.import_all()
    pipeline.now += timedelta(seconds=61)
    pipeline.import_all()
    key = meeting_key(uuid)
    for mailbox in ("ann@contoso.com", "bob@contoso.com"):
        assert len(pipeline.items(mailbox)) == 1
        delivery = ledger.get_delivery(key, oid(mailbox))
        assert delivery is not None
        assert (delivery["state"], delivery["attempts"]) == ("complete", 2)
    assert ledger.get_meeting(key)["state"] == "imported"
    logged = pipeline.deps.runlog.entries(NOW.date(), NOW.date())
    outcomes = [e.outcome for e in logged if e.mailbox]  # the mailboxes' (staging has none)
    # The log is written before the rows: it says what was made, then what the retry found.
    assert sorted(outcomes) == ["already-archived"] * 2 + ["archived"] * 2


def test_replay_clears_a_meetings_blob_trigger_poison_message_written_as_plain_json(
    pipeline,
) -> None:
    uuid = pipeline.zoom.add(zoom_meeting("poison1=="))
    key = meeting_key(uuid)
    queue = pipeline.deps.storage.queue(BLOB_POISON_QUEUE, base64=False)
    with contextlib.suppress(ResourceExistsError):
        queue.create_queue()
    # The host writes blob-trigger poison messages as JSON text, not base64.
    queue.send_message(json.dumps({"blob": f"manifests/{key}.json", "etag": "0x1"}))
    foreign = queue.send_message(json.dumps({"blob": "manifests/someone-else.json"}))
    result = replay(pipeline.deps, meeting_uuid=uuid)
    assert result["blob_poison"] == 1
    left = [m.content for m in queue.peek_messages(max_messages=32)]
    assert foreign.content in left
    assert not any(key in text for text in left)


def test_an_unexpected_error_in_one_mailbox_is_recorded_and_retried_not_lost(
    pipeline, monkeypatch
) -> None:
    uuid = pipeline.zoom.add(zoom_meeting("bug1=="))
    create = pipeline.graph.create_item

    def broken_for_bob(mailbox: str, folder: str, message: object) -> str:
        if mailbox == oid("bob@contoso.com"):
            raise RuntimeError("unexpected")
        return create(mailbox, folder, message)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline.graph, "create_item", broken_for_bob)
    pipeline.discover()
    pipeline.stage_all()
    [manifest] = pipeline.manifests()
    with pytest.raises(TransientError):
        import_meeting(pipeline.deps, manifest)
    key = meeting_key(uuid)
    ann = pipeline.deps.ledger.get_delivery(key, oid("ann@contoso.com"))
    bob = pipeline.deps.ledger.get_delivery(key, oid("bob@contoso.com"))
    assert ann is not None
    assert ann["state"] == "complete"
    assert bob is not None
    assert (bob["state"], bob["last_error"]) == ("pending", "unexpected")
    monkeypatch.undo()
    pipeline.import_all()
    assert [len(pipeline.items(m)) for m in ("ann@contoso.com", "bob@contoso.com")] == [1, 1]


def test_a_failed_delivery_whose_item_exists_is_completed_after_replay_not_duplicated(
    pipeline, monkeypatch
) -> None:
    pipeline.zoom.add(zoom_meeting("half1=="))
    create = pipeline.graph.create_item

    def created_then_refused(mailbox: str, folder: str, message: object) -> str:
        item = create(mailbox, folder, message)  # type: ignore[arg-type]
        if mailbox == oid("bob@contoso.com"):
            # The item exists, then the mailbox refuses the rest (e.g. its message size limit).
            raise InvalidInputError("Graph 400 ErrorMessageSizeExceeded on upload")
        return item

    monkeypatch.setattr(pipeline.graph, "create_item", created_then_refused)
    pipeline.run()
    assert len(pipeline.items("bob@contoso.com")) == 1
    monkeypatch.undo()
    # replay resets the failed delivery to a fresh budget of attempts; the next import must
    # still look for the item the first attempt left rather than create another.
    assert replay(pipeline.deps)["reset_meetings"] == 1
    pipeline.import_all()
    assert [len(pipeline.items(m)) for m in ("ann@contoso.com", "bob@contoso.com")] == [1, 1]


def test_throttling_does_not_use_up_a_mailboxs_delivery_attempts(azurite, monkeypatch) -> None:
    # A busy host's mailbox can stay throttled for a long time (150 MB of uploads per 5 minutes):
    # that is "later", not "broken", so it must not end in a failed delivery.
    pipeline = Pipeline(settings_for(azurite.connection_string, MAX_DELIVERY_ATTEMPTS="2"))
    uuid = pipeline.zoom.add(zoom_meeting("busy1=="))
    create = pipeline.graph.create_item
    throttled = {"left": 10}  # two rounds of five trigger retries

    def busy_bob(mailbox: str, folder: str, message: object) -> str:
        if mailbox == oid("bob@contoso.com") and throttled["left"]:
            throttled["left"] -= 1
            raise ThrottledError("Graph throttled create", retry_after=300, status=429)
        return create(mailbox, folder, message)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline.graph, "create_item", busy_bob)
    pipeline.discover()
    pipeline.stage_all()
    for _ in range(2):  # more tries than MAX_DELIVERY_ATTEMPTS, all throttled
        pipeline.import_all()
    key = meeting_key(uuid)
    bob = pipeline.deps.ledger.get_delivery(key, oid("bob@contoso.com"))
    assert bob is not None
    assert bob["state"] == "pending"
    assert "throttled" in bob["last_error"]
    assert pipeline.deps.ledger.get_meeting(key)["state"] == "staged"
    pipeline.import_all()  # the throttling is over
    assert [len(pipeline.items(m)) for m in ("ann@contoso.com", "bob@contoso.com")] == [1, 1]
    assert pipeline.deps.ledger.get_meeting(key)["state"] == "imported"


def test_a_mailbox_whose_address_changed_between_attempts_still_gets_one_item(
    pipeline, monkeypatch
) -> None:
    uuid = pipeline.zoom.add(zoom_meeting("renamed1=="))
    create = pipeline.graph.create_item

    def answer_lost_for_bob(mailbox: str, folder: str, message: object) -> str:
        item = create(mailbox, folder, message)  # type: ignore[arg-type]
        if mailbox == oid("bob@contoso.com"):
            raise ServiceUnavailableError("connection reset after the item was created")
        return item

    monkeypatch.setattr(pipeline.graph, "create_item", answer_lost_for_bob)
    pipeline.discover()
    pipeline.stage_all()
    [manifest] = pipeline.manifests()
    with pytest.raises(TransientError):
        import_meeting(pipeline.deps, manifest)
    monkeypatch.undo()
    # Two days on (the directory cache and the lease have expired) Bob's primary address is
    # another one: the same mailbox, so the same delivery row, and the lookup finds the item.
    pipeline.graph.renamed["bob@contoso.com"] = "robert@contoso.com"
    later = Pipeline(
        pipeline.settings, zoom=pipeline.zoom, graph=pipeline.graph, queues=pipeline.queues
    )
    later.now = pipeline.now + timedelta(days=2)
    later.import_all()
    assert len(pipeline.items("bob@contoso.com")) == 1
    row = later.deps.ledger.get_delivery(meeting_key(uuid), oid("bob@contoso.com"))
    assert row is not None
    assert (row["state"], row["address"]) == ("complete", "robert@contoso.com")
