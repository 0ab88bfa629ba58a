"""The Archiving API as a content source: discovered by archive completion, merged with the cloud
recording of the same meeting instance into one item per mailbox, verified by its fingerprints,
breakout rooms and external meetings archived with what Zoom gives and nothing invented."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from archiver.core.keys import meeting_key
from archiver.steps.intake import handle_event
from tests.fakes import archived_meeting, content, zoom_meeting
from tests.integration.pipeline_support import Pipeline, settings_for

pytestmark = pytest.mark.integration


@pytest.fixture
def pipeline(azurite) -> Pipeline:
    return Pipeline(settings_for(azurite.connection_string))


def message_of(item: dict) -> dict:
    return item["message"]


def headers_of(item: dict) -> dict[str, str]:
    return {h["name"]: h["value"] for h in message_of(item)["internetMessageHeaders"]}


def attachment_names(item: dict) -> list[str]:
    return sorted(a["name"] for a in message_of(item).get("attachments", []))


def test_a_meeting_only_the_archive_holds_is_discovered_and_archived(pipeline) -> None:
    uuid = "arch1=="
    pipeline.zoom.archives[uuid] = archived_meeting(uuid, individual=(("bob@contoso.com", 256),))
    result = pipeline.discover()
    assert result.counts["enqueued"] == 1
    pipeline.stage_all()
    pipeline.import_all()
    row = pipeline.deps.ledger.get_meeting(meeting_key(uuid))
    assert row["state"] == "imported"
    # Bob's own audio says he was there: his mailbox gets the meeting (no participant report).
    [item] = pipeline.items("bob@contoso.com")
    assert "sources=archiving" in headers_of(item)["X-Zoom-Archiver"]
    assert pipeline.zoom.calls["list_archive_files"] == 1


def test_a_recorded_and_archived_meeting_is_one_item_with_the_archives_chat(pipeline) -> None:
    uuid = "both1=="
    pipeline.zoom.add(
        zoom_meeting(
            uuid,
            files=(
                ("MP4", "shared_screen_with_speaker_view", 2048),
                ("MP4", "gallery_view", 1024),
                ("CHAT", "chat_file", 64),
            ),
        )
    )
    pipeline.zoom.archives[uuid] = archived_meeting(uuid)
    pipeline.run()
    pipeline.run()  # the second listing of the same instance finds nothing new
    [item] = pipeline.items("ann@contoso.com")
    assert len(pipeline.items("bob@contoso.com")) == 1
    body = message_of(item)["body"]["content"]
    # One copy of each content: the archive's chat and speaker view, the recording's gallery.
    assert "CHAT chat_file from cloud recordings is not attached" in body
    assert "MP4 shared_screen_with_speaker_view from cloud recordings is not attached" in body
    assert len(message_of(item)["attachments"]) == 3
    assert "sources=archiving, cloud recordings" in headers_of(item)["X-Zoom-Archiver"]
    row = pipeline.deps.ledger.get_meeting(meeting_key(uuid))
    assert int(row.get("revisions") or 0) == 0


def test_archive_files_completed_after_the_item_come_as_an_update_item(pipeline) -> None:
    uuid = "late1=="
    pipeline.zoom.add(zoom_meeting(uuid))
    pipeline.run()
    archive = archived_meeting(uuid, files=(("CHAT_MESSAGE", "chat_message", 512),))
    archive["complete_time"] = "2026-11-21T12:20:00Z"  # after the first run
    pipeline.zoom.archives[uuid] = archive
    pipeline.now += timedelta(minutes=30)
    pipeline.run()
    first, update = sorted(pipeline.items("ann@contoso.com"), key=lambda i: len(headers_of(i)))
    assert "X-Zoom-Archive-Update" not in headers_of(first)
    assert headers_of(update)["X-Zoom-Archive-Update"] == "1"
    # The update carries only what is new: the archive's chat, not the recording again.
    assert [n.rsplit(".", 1)[1] for n in attachment_names(first)] == ["mp4"]
    assert [n.rsplit(".", 1)[1] for n in attachment_names(update)] == ["json"]
    pipeline.run()
    assert len(pipeline.items("ann@contoso.com")) == 2


def test_a_file_whose_bytes_are_not_its_fingerprint_is_not_archived_and_says_why(
    pipeline,
) -> None:
    uuid = "fpr1=="
    archive = archived_meeting(uuid)
    archive["archive_files"][0]["encryption_fingerprint"] = "0" * 64
    pipeline.zoom.archives[uuid] = archive
    pipeline.run()
    row = pipeline.deps.ledger.get_meeting(meeting_key(uuid))
    assert row["state"] == "partial"
    served = hashlib.sha256(content(archive["archive_files"][0]["id"], 4096)).hexdigest()
    [item] = pipeline.items("ann@contoso.com")
    body = message_of(item)["body"]["content"]
    assert (
        f"the SHA-256 of the bytes downloaded ({served}) is not the encryption_fingerprint" in body
    )


def test_a_breakout_room_is_an_item_of_its_own_linked_to_its_parent(pipeline) -> None:
    parent, room = "par1==", "room1=="
    pipeline.zoom.add(zoom_meeting(parent))
    pipeline.zoom.archives[room] = archived_meeting(
        room,
        topic="Breakout Room 1",
        parent=parent,
        individual=(("bob@contoso.com", 128),),
        files=(("MP4", "shared_screen_with_speaker_view", 1024),),
    )
    pipeline.run()
    rooms = [i for i in pipeline.items("bob@contoso.com") if "breakout" in message_of(i)["subject"]]
    [item] = rooms
    parent_topic = pipeline.zoom.meetings[parent]["past"]["topic"]
    assert message_of(item)["subject"].startswith(
        f"Zoom meeting: {parent_topic} - breakout room Breakout Room 1"
    )
    assert f"breakout-of={meeting_key(parent)}" in headers_of(item)["X-Zoom-Archiver"]
    assert f"meeting key {meeting_key(parent)}" in message_of(item)["body"]["content"]


def test_an_external_meeting_is_archived_with_what_zoom_gives_and_nothing_invented(
    pipeline,
) -> None:
    uuid = "ext1=="
    pipeline.zoom.archives[uuid] = archived_meeting(
        uuid, external=True, individual=(("ann@contoso.com", 128),)
    )
    pipeline.run()
    [item] = pipeline.items("ann@contoso.com")
    message = message_of(item)
    assert message["subject"].startswith("Zoom meeting: (external meeting: Zoom gives no topic)")
    assert headers_of(item)["X-Zoom-Meeting-Id"] == "0"
    assert "outside your Zoom account" in message["body"]["content"]
    assert "(not given by Zoom)" in message["body"]["content"]


def test_an_account_without_archiving_is_noted_once_and_recordings_still_archived(
    pipeline,
) -> None:
    pipeline.zoom.archiving = False
    pipeline.zoom.add(zoom_meeting("rec1=="))
    result = pipeline.discover()
    assert result.errors == []
    assert result.counts["archiving-unavailable"] == 1
    pipeline.stage_all()
    pipeline.import_all()
    assert len(pipeline.items("ann@contoso.com")) == 1
    # Once off, the source is not asked again by this process.
    calls = pipeline.zoom.calls.get("get_archive_files", 0)
    pipeline.discover()
    assert pipeline.zoom.calls.get("get_archive_files", 0) == calls
    assert pipeline.zoom.calls["list_archive_files"] == 1


def test_with_archiving_on_a_refusal_is_an_error_of_the_run(azurite) -> None:
    pipeline = Pipeline(settings_for(azurite.connection_string, ZOOM_ARCHIVING="on"))
    pipeline.zoom.archiving = False
    pipeline.zoom.add(zoom_meeting("rec2=="))
    result = pipeline.discover()
    assert any("archive listing" in e and "2001" in e for e in result.errors)
    assert result.counts["enqueued"] == 1  # the users' recordings are still discovered


def test_with_archiving_off_zoom_is_never_asked(azurite) -> None:
    pipeline = Pipeline(settings_for(azurite.connection_string, ZOOM_ARCHIVING="off"))
    pipeline.zoom.archives["arch2=="] = archived_meeting("arch2==")
    pipeline.zoom.add(zoom_meeting("rec3=="))
    pipeline.run()
    assert "list_archive_files" not in pipeline.zoom.calls
    assert "get_archive_files" not in pipeline.zoom.calls


def test_an_archive_still_processing_waits_and_is_archived_when_complete(pipeline) -> None:
    uuid = "proc1=="
    archive = archived_meeting(uuid, status="processing")
    archive["complete_time"] = "2026-11-20T16:00:00Z"  # listed by a webhook, not by completion
    pipeline.zoom.archives[uuid] = archive
    pipeline.zoom.archives[uuid]["archive_files"][0]["status"] = "processing"
    event_object = dict(archive)
    from archiver.steps.claims import consider

    assert consider(pipeline.deps, event_object, source="webhook") == "waiting"
    for f in pipeline.zoom.archives[uuid]["archive_files"]:
        f["status"] = "completed"
    pipeline.zoom.archives[uuid]["status"] = "completed"
    pipeline.run()
    assert len(pipeline.items("ann@contoso.com")) == 1


def test_the_archive_webhook_hands_its_download_token_to_the_client_only(azurite) -> None:
    import hmac
    import json
    import time

    pipeline = Pipeline(settings_for(azurite.connection_string, ZOOM_WEBHOOK_SECRET="hook"))
    uuid = "hook1=="
    pipeline.zoom.archives[uuid] = archived_meeting(uuid)
    secret = pipeline.settings.zoom_webhook_secret or ""
    body = json.dumps(
        {
            "event": "recording.archive_files_completed",
            "event_ts": 1,
            "download_token": "sim-download-token-abc",
            "payload": {"account_id": "a", "object": pipeline.zoom.archives[uuid]},
        }
    ).encode()
    stamp = str(int(time.time()))
    signature = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, "sha256").hexdigest()
    status, answer = handle_event(
        pipeline.deps,
        body,
        {"x-zm-request-timestamp": stamp, "x-zm-signature": f"v0={signature}"},
    )
    assert (status, answer["status"]) == (200, "enqueued")
    assert pipeline.zoom.download_tokens == ["sim-download-token-abc"]
    queued = [b for _, b in pipeline.queues.sent]
    assert all(b"sim-download-token" not in b for b in queued)
    row = pipeline.deps.ledger.get_meeting(meeting_key(uuid))
    assert "sim-download-token" not in json.dumps(row, default=str)


def test_status_warns_before_zoom_deletes_an_archive_not_archived_yet(
    pipeline, monkeypatch
) -> None:
    from datetime import timedelta

    from archiver.errors import ServiceUnavailableError
    from archiver.operations.status import collect_status

    uuid = "ret1=="
    pipeline.zoom.archives[uuid] = archived_meeting(uuid)
    pipeline.discover()

    def down(_uuid: str) -> dict:
        raise ServiceUnavailableError("Zoom answered 503", service="zoom", status=503)

    monkeypatch.setattr(pipeline.zoom, "get_archive_files", down)
    with pytest.raises(ServiceUnavailableError):
        pipeline.stage_all()
    early = collect_status(pipeline.deps)["archive_retention"]
    assert early["oldest_pending_meeting"] == meeting_key(uuid)
    assert "warning" not in early
    pipeline.now += timedelta(days=6)  # ARCHIVE_RETENTION_DAYS is 7: one day left
    late = collect_status(pipeline.deps)["archive_retention"]
    assert late["oldest_pending_age_days"] >= 6
    assert "Zoom deletes its archive files after 7 days" in late["warning"]
