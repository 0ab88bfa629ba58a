"""The interactions source: each kind Zoom has becomes a file whose id holds what it is; what Zoom
cannot or will not give is named in the meeting's notes, never a failure."""

from __future__ import annotations

from archiver.core.converter.interaction_files import raw_json
from archiver.errors import (
    AuthenticationError,
    BudgetExhaustedError,
    InvalidInputError,
    NotFoundError,
)
from archiver.sources.interactions import (
    HeldContent,
    InteractionsSource,
    summary_file_ids,
)
from tests.fakes import FakeZoom, zoom_meeting
from tests.interaction_bodies import summary, with_interactions


def source_for(**changes: object) -> tuple[InteractionsSource, FakeZoom, str]:
    zoom = FakeZoom()
    bundle = with_interactions(zoom_meeting("s1=="))
    bundle.update(changes)
    uuid = zoom.add(bundle)
    return InteractionsSource(zoom), zoom, uuid


def spent() -> BudgetExhaustedError:
    return BudgetExhaustedError("spent", category="heavy", retry_after=60.0)


def types(meeting) -> list[str]:
    return [f.file_type for f in meeting.files]


def test_each_kind_becomes_a_completed_file_held_with_zoom_answer_bytes() -> None:
    source, zoom, uuid = source_for()
    meeting = source.fetch(uuid)
    assert types(meeting) == ["POLLS", "QA", "SURVEY", "AI_SUMMARY", "AI_SUMMARY_MD"]
    polls = meeting.files[0]
    assert polls.status == "completed"
    assert polls.source == "interactions"
    assert source.held.get(uuid, polls.file_id) == raw_json(zoom.meetings[uuid]["polls"])


def test_the_same_answers_give_the_same_ids_and_an_edited_summary_new_ones() -> None:
    source, zoom, uuid = source_for()
    first = [f.file_id for f in source.fetch(uuid).files]
    assert [f.file_id for f in source.fetch(uuid).files] == first
    zoom.meetings[uuid]["summary"] = summary(uuid, modified="2026-11-22T10:00:00Z")
    again = [f.file_id for f in source.fetch(uuid).files]
    assert again[:3] == first[:3]
    assert set(again[3:]).isdisjoint(first[3:])


def test_the_summary_ids_agree_between_the_api_answer_and_a_webhook_object() -> None:
    source, _zoom, uuid = source_for()
    ids = [f.file_id for f in source.fetch(uuid).files if f.file_type.startswith("AI_")]
    webhook_object = {k: v for k, v in summary(uuid).items() if k != "summary_content"}
    assert list(summary_file_ids(uuid, webhook_object)) == ids


def test_q_and_a_comes_from_the_report_and_says_so_in_its_file() -> None:
    source, _, uuid = source_for()
    [qa] = [f for f in source.fetch(uuid).files if f.file_type == "QA"]
    assert qa.recording_type == "report"


def test_a_spent_heavy_budget_takes_q_and_a_from_medium_and_names_the_survey() -> None:
    source, _, uuid = source_for(report_qa=spent(), survey=spent())
    meeting = source.fetch(uuid)
    [qa] = [f for f in meeting.files if f.file_type == "QA"]
    assert qa.recording_type == "past"
    assert "SURVEY" not in types(meeting)
    assert any("GET /past_meetings/{uuid}/qa" in n and "budget" in n for n in meeting.notes)
    assert any(n.startswith("The survey was not fetched") for n in meeting.notes)


def test_reports_of_a_meeting_over_a_year_old_are_named_not_failed() -> None:
    old = InvalidInputError("a year ago", service="zoom", status=400, code="12702")
    source, _, uuid = source_for(report_qa=old, qa=old, survey=old)
    meeting = source.fetch(uuid)
    assert types(meeting) == ["POLLS", "AI_SUMMARY", "AI_SUMMARY_MD"]
    assert any("survey of meetings more than a year old" in n for n in meeting.notes)


def test_a_missing_scope_is_named_and_the_other_kinds_kept() -> None:
    refused = AuthenticationError("scope", service="zoom", status=400, code="4711")
    source, _, uuid = source_for(polls=refused)
    meeting = source.fetch(uuid)
    assert "POLLS" not in types(meeting)
    assert any(n.startswith("The polls was not fetched") or "polls" in n for n in meeting.notes)


def test_no_summary_is_asked_for_when_the_details_say_there_is_none() -> None:
    source, zoom, uuid = source_for()
    zoom.meetings[uuid]["past"]["has_meeting_summary"] = False
    assert "AI_SUMMARY" not in types(source.fetch(uuid))
    assert "summary" not in zoom.calls
    source.expect_summary(uuid)  # a webhook said there is one
    assert "AI_SUMMARY" in types(source.fetch(uuid))


def test_a_meeting_with_none_of_them_has_no_part() -> None:
    zoom = FakeZoom()
    uuid = zoom.add(zoom_meeting("s2=="))
    assert InteractionsSource(zoom).fetch(uuid) is None


def test_empty_answers_are_no_file() -> None:
    source, zoom, uuid = source_for()
    zoom.meetings[uuid]["polls"] = {
        "uuid": uuid,
        "start_time": "2026-11-20T15:00:00Z",
        "questions": [],
    }
    assert "POLLS" not in types(source.fetch(uuid))


def test_held_content_keeps_the_latest_fetch_of_the_most_recent_meetings() -> None:
    held = HeldContent(limit=2)
    held.hold("a", {"f": b"1"})
    held.hold("a", {"g": b"2"})
    held.hold("b", {"f": b"3"})
    held.hold("c", {"f": b"4"})
    assert held.get("a", "g") is None  # dropped: the oldest
    assert held.get("a", "f") is None
    assert held.get("c", "f") == b"4"


def test_the_heavy_q_and_a_report_is_asked_only_when_the_medium_answer_has_questions() -> None:
    source, zoom, uuid = source_for()
    zoom.meetings[uuid]["qa"] = {
        "uuid": uuid,
        "start_time": "2026-11-20T15:00:00Z",
        "questions": [],
    }
    assert "QA" not in types(source.fetch(uuid))
    assert "report_qa" not in zoom.calls


def test_no_heavy_survey_call_for_an_instance_zoom_knows_no_past_meeting_of() -> None:
    source, zoom, uuid = source_for()
    zoom.meetings[uuid]["past"] = NotFoundError("no such past meeting", service="zoom", status=404)
    meeting = source.fetch(uuid)
    assert "survey" not in zoom.calls
    assert "POLLS" in types(meeting)
