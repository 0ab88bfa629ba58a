"""Queue work items and manifests: round trips, and strict parsing with named fields."""

from __future__ import annotations

import json

import pytest

from archiver.core.contracts import (
    ChatFile,
    FileWorkItem,
    Manifest,
    StagedMeeting,
    TranscriptText,
    WorkItem,
)
from archiver.core.converter.transcripts import ChatLine, Turn
from archiver.core.model import Meeting
from archiver.core.planning import Attachment, ItemPlan
from archiver.core.staged import MissingFile, StagedFile
from archiver.errors import InvalidInputError


def test_a_work_item_round_trips() -> None:
    item = WorkItem("abc//def==", source="webhook", note="late transcript")
    assert WorkItem.from_json(item.to_json()) == item


def test_a_file_work_item_round_trips() -> None:
    item = FileWorkItem("u1", "f1")
    assert FileWorkItem.from_json(item.to_json()) == item


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "work item: not valid JSON"),
        (b"[1]", "work item: expected a JSON object"),
        (b'{"source": "poll"}', "work item.uuid: expected a meeting UUID, got null"),
        (b'{"uuid": 5}', "work item.uuid: expected a meeting UUID, got 5"),
    ],
)
def test_a_malformed_work_item_names_what_is_wrong(body: bytes, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message.replace(".", r"\.")):
        WorkItem.from_json(body)


def manifest() -> Manifest:
    return Manifest(
        key="k",
        uuid="u",
        meeting_id=1,
        topic="T",
        start_time="2026-01-01T00:00:00",
        revision=0,
        addresses=("a@contoso.com",),
        document="k/staged.json",
        blobs=("k/files/f1",),
        total_bytes=10,
    )


def test_a_manifest_round_trips_through_json() -> None:
    original = manifest()
    assert Manifest.from_json(json.dumps(original.to_dict())) == original


def test_a_manifest_of_another_version_is_refused() -> None:
    doc = manifest().to_dict() | {"version": 99}
    with pytest.raises(InvalidInputError, match=r"manifest\.version"):
        Manifest.from_json(json.dumps(doc))


def test_a_manifest_with_malformed_blob_names_is_refused() -> None:
    doc = manifest().to_dict() | {"blobs": [{"name": "k/files/f1"}]}
    with pytest.raises(InvalidInputError, match=r"manifest\.blobs"):
        Manifest.from_json(json.dumps(doc))


def test_a_manifest_names_every_staging_blob_of_its_meeting() -> None:
    assert manifest().staged_blobs() == [
        "k/files/f1",
        "k/staged.json",
        "k/meeting.json",
        "manifests/k.json",
    ]


def staged_meeting() -> StagedMeeting:
    meeting = Meeting.from_zoom(
        {
            "uuid": "u==",
            "id": 81234567890,
            "start_time": "2026-11-20T15:00:00Z",
            "duration": 5,
            "recording_files": [{"file_type": "CC", "file_extension": "VTT"}],
        },
        None,
        [{"name": "Ann", "user_email": "ann@contoso.com", "status": "in_waiting_room"}],
        participants_note="partial",
    )
    cc = meeting.files[0]
    return StagedMeeting(
        key="k",
        revision=1,
        meeting=meeting,
        files=(
            StagedFile(
                cc.file_id,
                "cc.vtt",
                "text/vtt",
                3,
                "ab" * 32,
                "k/files/x",
                "captions",
                "attach",
                container="staging",
                listed_size=5,
            ),
        ),
        items=(ItemPlan(0, 0, (Attachment(cc.file_id, 0, 3),)),),
        missing=(MissingFile("f9", "MP4 shared_screen", "refused"),),
        chats=(ChatFile("c1", (ChatLine("00:00:01", "Ann", "Bob", "hi"),), 1),),
        transcript=TranscriptText(cc.file_id, (Turn("00:00:01.000", "Ann", "hello"),)),
        notes=("a note",),
    )


def test_a_staged_meeting_round_trips_through_json() -> None:
    original = staged_meeting()
    assert StagedMeeting.from_json(json.dumps(original.to_dict())) == original
    assert original.total_bytes == 3


def test_a_malformed_staged_meeting_is_refused_naming_it() -> None:
    doc = staged_meeting().to_dict()
    del doc["files"]
    with pytest.raises(InvalidInputError, match=r"staged meeting\.files: missing"):
        StagedMeeting.from_json(json.dumps(doc))
