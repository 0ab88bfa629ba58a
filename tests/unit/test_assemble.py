"""The source seam: every source's part of a meeting, merged into one record."""

from __future__ import annotations

from dataclasses import replace

import pytest

from archiver.core.model import Meeting
from archiver.errors import NotFoundError
from archiver.sources.assemble import Part, assemble, fetch_meeting

START = "2026-11-20T15:00:00Z"


def part(source: str, *, files=(), people=(), note: str = "", **fields) -> Part:
    recordings = {"uuid": "u==", "id": 1, "start_time": START, "recording_files": list(files)}
    meeting = Meeting.from_zoom(
        {**recordings, **fields}, None, list(people), participants_note=note
    )
    return Part(source, meeting)


MP4 = {"id": "mp4", "file_type": "MP4", "file_size": 10}
CHAT = {"id": "chat", "file_type": "CHAT", "file_size": 5}
ANN = {"name": "Ann", "user_email": "ann@contoso.com"}


def test_one_source_gives_its_meeting_unchanged_but_for_naming_its_source() -> None:
    only = part("recordings", files=[MP4], people=[ANN], topic="T")
    assert assemble([only]) == replace(only.meeting, sources=("recordings",))


def test_the_record_names_every_source_that_had_a_part_in_order_of_preference() -> None:
    merged = fetch_meeting(
        [Fixed("a", part("a")), Fixed("empty", None), Fixed("b", part("b"))], "u=="
    )
    assert merged.sources == ("a", "b")


def test_a_part_that_was_itself_assembled_keeps_the_sources_it_names() -> None:
    inner = assemble([part("x"), part("y")])
    assert assemble([Part("nested", inner), part("z")]).sources == ("x", "y", "z")


def test_the_sources_of_a_record_survive_its_snapshot() -> None:
    merged = assemble([part("a"), part("b")])
    assert Meeting.from_dict(merged.to_dict()).sources == ("a", "b")


def test_a_snapshot_stored_before_sources_were_recorded_reads_as_naming_none() -> None:
    doc = assemble([part("a")]).to_dict()
    del doc["sources"]
    assert Meeting.from_dict(doc).sources == ()


def test_metadata_comes_from_the_first_part_that_has_it() -> None:
    merged = assemble([part("a"), part("b", topic="From b"), part("c", topic="From c")])
    assert merged.topic == "From b"


def test_files_of_every_part_are_kept_each_once_the_first_copy_winning() -> None:
    first = part("a", files=[MP4])
    second = part("b", files=[{**MP4, "file_size": 99}, CHAT])
    merged = assemble([first, second])
    assert [(f.file_id, f.size) for f in merged.files] == [("mp4", 10), ("chat", 5)]


def test_participants_come_from_the_first_part_that_lists_any() -> None:
    merged = assemble([part("a", note="a lists nobody"), part("b", people=[ANN])])
    assert [p.email for p in merged.participants] == ["ann@contoso.com"]
    assert merged.participants_note == ""


def test_when_no_part_lists_participants_their_reasons_are_kept() -> None:
    merged = assemble([part("a", note="too old"), part("b", note="not listed")])
    assert merged.participants_note == "too old; not listed"


def test_parts_of_different_meetings_are_refused() -> None:
    other = part("b", uuid="other==")
    with pytest.raises(ValueError, match="different meetings"):
        assemble([part("a"), other])


class Fixed:
    def __init__(self, name: str, answer: Part | None) -> None:
        self.name = name
        self._answer = answer

    def fetch(self, uuid: str) -> Meeting | None:
        return self._answer.meeting if self._answer else None


def test_a_source_with_nothing_is_left_out() -> None:
    merged = fetch_meeting([Fixed("empty", None), Fixed("full", part("full", files=[MP4]))], "u==")
    assert [f.file_id for f in merged.files] == ["mp4"]


def test_no_source_having_the_meeting_is_not_found_naming_the_sources() -> None:
    with pytest.raises(NotFoundError, match=r"no content source \(a, b\) has meeting u=="):
        fetch_meeting([Fixed("a", None), Fixed("b", None)], "u==")
