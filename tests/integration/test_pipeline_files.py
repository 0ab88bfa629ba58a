"""Files: resumable transfers, the fan-out barrier and the oversize policies."""

from __future__ import annotations

import hashlib

import pytest

from archiver.core.contracts import WorkItem
from archiver.core.keys import meeting_key
from archiver.steps.staging import stage_meeting
from tests.fakes import content, file_id, zoom_meeting
from tests.integration.pipeline_support import Pipeline, settings_for

pytestmark = pytest.mark.integration
MIB = 1024 * 1024


def test_a_reset_mid_download_resumes_from_the_bytes_already_staged(azurite) -> None:
    pipeline = Pipeline(settings_for(azurite.connection_string))
    uuid = pipeline.zoom.add(zoom_meeting("r1==", files=(("MP4", "speaker", 9 * MIB),)))
    fid = file_id(uuid, 0)
    pipeline.zoom.download_failures[fid] = 5 * MIB + 17
    pipeline.run()
    assert pipeline.zoom.ranges == [(fid, 0), (fid, 5 * MIB + 17)]
    [attachment] = pipeline.items("ann@contoso.com")[0]["attachments"]
    assert attachment["sha256"] == hashlib.sha256(content(fid, 9 * MIB)).hexdigest()


def test_big_files_fan_out_and_the_last_one_writes_the_manifest(azurite) -> None:
    pipeline = Pipeline(settings_for(azurite.connection_string, FANOUT_THRESHOLD_MB="1"))
    uuid = pipeline.zoom.add(
        zoom_meeting(
            "f1==",
            files=(
                ("MP4", "speaker", 2 * MIB),
                ("M4A", "audio_only", 3 * MIB),
                ("CHAT", "chat_file", 100),
            ),
        )
    )
    pipeline.discover()
    outcomes = pipeline.stage_all(reverse_files=True)
    assert outcomes.count("fanned-out") == 1
    assert sorted(outcomes[1:]) == ["counted", "staged"]
    [manifest] = pipeline.manifests()
    assert len(pipeline.document(manifest).items[0].attachments) == 3
    assert pipeline.deps.ledger.get_meeting(meeting_key(uuid))["state"] == "staged"
    pipeline.import_all()
    # Imported everywhere: nothing is left in staging, the fan-out snapshot included.
    assert pipeline.deps.blobs.list_names(pipeline.settings.staging_container, "") == []


def test_a_fanned_out_file_that_fails_once_is_counted_once_when_it_succeeds(azurite) -> None:
    pipeline = Pipeline(settings_for(azurite.connection_string, FANOUT_THRESHOLD_MB="1"))
    uuid = pipeline.zoom.add(
        zoom_meeting("f2==", files=(("MP4", "speaker", 2 * MIB), ("M4A", "audio_only", 2 * MIB)))
    )
    pipeline.zoom.html_downloads.add(file_id(uuid, 1))
    pipeline.discover()
    with pytest.raises(Exception, match="text/html"):
        pipeline.stage_all()
    pipeline.zoom.html_downloads.clear()
    from archiver.core.contracts import FileWorkItem
    from archiver.steps.staging import stage_file

    assert stage_file(pipeline.deps, FileWorkItem(uuid, file_id(uuid, 1))) == "staged"
    # Delivered once more: the meeting is staged, nothing is copied or counted again.
    assert stage_file(pipeline.deps, FileWorkItem(uuid, file_id(uuid, 1))) == "already-staged"
    assert len(pipeline.manifests()) == 1


@pytest.mark.parametrize("policy", ["link", "skip", "split"])
def test_a_file_just_over_the_limit_follows_the_oversize_policy(azurite, policy: str) -> None:
    pipeline = Pipeline(
        settings_for(
            azurite.connection_string,
            MAX_ATTACHMENT_MB="2",
            MAX_ITEM_MB="4",
            OVERSIZE_POLICY=policy,
        )
    )
    uuid = pipeline.zoom.add(
        zoom_meeting("o1==", files=(("MP4", "speaker", 2 * MIB + 1), ("CHAT", "chat_file", 64)))
    )
    pipeline.run()
    items = pipeline.items("ann@contoso.com")
    body = items[0]["message"]["body"]["content"]
    if policy == "link":
        assert len(items) == 1
        stored = pipeline.deps.blobs.list_names(pipeline.settings.archive_container, "")
        assert len(stored) == 1
        assert meeting_key(uuid) in stored[0]
        assert pipeline.settings.archive_container in body
    elif policy == "skip":
        assert len(items) == 1
        assert "OVERSIZE_POLICY=skip" in body
    else:
        assert len(items) == 3  # the meeting item and two parts
        parts = [a for item in items[1:] for a in item["attachments"]]
        assert sum(a["size"] for a in parts) == 2 * MIB + 1
    assert pipeline.deps.ledger.get_meeting(meeting_key(uuid))["oversize_files"] == 1


def test_a_retried_work_item_keeps_the_files_already_staged(azurite) -> None:
    pipeline = Pipeline(settings_for(azurite.connection_string))
    uuid = pipeline.zoom.add(
        zoom_meeting("keep1==", files=(("MP4", "speaker", 4096), ("M4A", "audio_only", 2048)))
    )
    first, second = file_id(uuid, 0), file_id(uuid, 1)
    pipeline.zoom.html_downloads.add(second)
    pipeline.discover()
    [(_, body)] = pipeline.queues.sent
    with pytest.raises(Exception, match="text/html"):
        pipeline.stage_all()
    pipeline.zoom.html_downloads.clear()
    # The queue delivers the message again (dequeue count 2): the first file is not fetched again.
    outcome = stage_meeting(pipeline.deps, WorkItem.from_json(body), dequeue_count=2)
    assert outcome == "staged"
    assert pipeline.zoom.ranges == [(first, 0), (second, 0), (second, 0)]
    pipeline.import_all()
    hashes = {a["sha256"] for a in pipeline.items("ann@contoso.com")[0]["attachments"]}
    assert hashes == {
        hashlib.sha256(content(first, 4096)).hexdigest(),
        hashlib.sha256(content(second, 2048)).hexdigest(),
    }
