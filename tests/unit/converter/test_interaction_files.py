"""The files attached for polls, Q&A, surveys and the summary: Zoom's JSON as deterministic
bytes, the summary's Markdown as given, named like the staged files, and only on the copies
that show all of their kind."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from archiver.core.converter.interaction_files import (
    interaction_files,
    markdown_file,
    raw_file,
    raw_json,
)
from archiver.core.interactions import (
    PAST,
    MeetingInteractions,
    for_viewer,
    parse_polls,
    parse_summary,
)
from tests.unit.interactions.shapes import CONTENT, PAST_POLLS, SUMMARY, legacy_summary

START = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
FULL = MeetingInteractions(
    summary=parse_summary(SUMMARY), polls=parse_polls(PAST_POLLS, source=PAST)
)
RAWS = {"summary": SUMMARY, "polls": PAST_POLLS}


def test_files_are_named_by_the_meetings_start_in_utc_and_their_kind() -> None:
    names = [f.name for f in interaction_files(FULL, RAWS, START)]
    assert names == [
        "2026-11-20 1500 AI Companion summary.md",
        "2026-11-20 1500 AI Companion summary.json",
        "2026-11-20 1500 polls.json",
    ]
    assert raw_file("qa", {}, START).name == "2026-11-20 1500 Q&A.json"


def test_zoom_s_json_is_the_same_bytes_whatever_order_its_keys_came_in() -> None:
    reordered = dict(reversed(list(PAST_POLLS.items())))
    assert raw_json(reordered) == raw_json(PAST_POLLS)
    assert json.loads(raw_json(PAST_POLLS)) == PAST_POLLS
    assert raw_json({"a": "é"}) == '{\n  "a": "é"\n}\n'.encode()


def test_half_a_utf16_pair_is_written_as_its_escape_so_the_file_is_utf8() -> None:
    data = raw_json({"name": "Bob \ud800"})
    assert json.loads(data.decode("utf-8")) == {"name": "Bob \ud800"}


def test_json_nested_as_deeply_as_the_decoder_accepts_is_written() -> None:
    deep: object = "x"
    for _ in range(900):
        deep = [deep]
    assert json.loads(raw_json(deep)) == deep


def test_the_markdown_file_is_the_summary_content_as_zoom_gave_it() -> None:
    found = markdown_file(parse_summary(SUMMARY), START)
    assert found is not None
    assert (found.data, found.content_type) == (CONTENT.encode(), "text/markdown")
    assert markdown_file(parse_summary(legacy_summary()), START) is None


def test_a_copy_that_does_not_show_all_of_a_kind_attaches_none_of_its_files() -> None:
    view = for_viewer(FULL, viewer_is_host_or_compliance=False, viewer_email="viewer@fabrikam.com")
    assert interaction_files(view, RAWS, START) == []


def test_a_file_states_its_size_and_sha256() -> None:
    found = raw_file("polls", PAST_POLLS, START)
    assert found.size == len(found.data)
    assert len(found.sha256) == 64
