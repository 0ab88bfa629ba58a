"""Queue work items and manifests: round trips, and strict parsing with named fields."""

from __future__ import annotations

import json

import pytest

from archiver.contracts import FileWorkItem, Manifest, ManifestAttachment, ManifestItem, WorkItem
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
        (b'{"source": "poll"}', "work item.uuid: expected a non-empty string"),
        (b'{"uuid": 5}', "work item.uuid: expected a non-empty string"),
    ],
)
def test_a_malformed_work_item_names_what_is_wrong(body: bytes, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message.replace(".", r"\.")):
        WorkItem.from_json(body)


def manifest() -> Manifest:
    attachment = ManifestAttachment(
        "f1", "chat.txt", "text/plain", 10, "ab" * 32, "staging", "k/files/f1"
    )
    return Manifest(
        key="k",
        uuid="u",
        meeting_id=1,
        topic="T",
        start_time="2026-01-01T00:00:00",
        addresses=("a@contoso.com",),
        items=(ManifestItem("k", "k/item-0.json", (attachment,)),),
        notes=("n",),
    )


def test_a_manifest_round_trips_through_json() -> None:
    original = manifest()
    assert Manifest.from_json(json.dumps(original.to_dict())) == original
    assert original.total_bytes == 10


def test_a_manifest_of_another_version_is_refused() -> None:
    doc = manifest().to_dict() | {"version": 99}
    with pytest.raises(InvalidInputError, match=r"manifest\.version"):
        Manifest.from_json(json.dumps(doc))


def test_a_manifest_with_malformed_items_is_refused() -> None:
    doc = manifest().to_dict() | {"items": [{"item_key": "k", "message_blob": "b"}]}
    with pytest.raises(InvalidInputError, match=r"manifest\.items"):
        Manifest.from_json(json.dumps(doc))


def test_a_manifest_names_every_staging_blob_of_its_meeting_and_nothing_archived() -> None:
    staged = ManifestAttachment("f1", "a.mp4", "video/mp4", 5, "cd" * 32, "staging", "k/files/f1")
    archived = ManifestAttachment("f2", "b.mp4", "video/mp4", 5, "ef" * 32, "archive", "k/b.mp4")
    part = ManifestAttachment("f1", "a.mp4.002", "video/mp4", 5, "cd" * 32, "staging", "k/files/f1")
    doc = manifest()
    doc = Manifest(
        **{
            **doc.__dict__,
            "items": (
                *doc.items,
                ManifestItem("k-1", "k/item-1.json", (staged, archived)),
                ManifestItem("k-2", "k/item-2.json", (part,)),
            ),
        }
    )
    assert doc.staged_blobs("staging") == [
        "k/files/f1",
        "k/item-0.json",
        "k/item-1.json",
        "k/item-2.json",
        "k/meeting.json",
        "manifests/k.json",
    ]
