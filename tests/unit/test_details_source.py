"""The meeting-details source: a meeting nobody recorded, from its details and the participant
report, or the past-meetings list when the report cannot be had; the record says which."""

from __future__ import annotations

from typing import Any

import pytest

from archiver.errors import BudgetExhaustedError, InvalidInputError, NotFoundError
from archiver.sources.assemble import fetch_meeting
from archiver.sources.details import PAST_LIST, REPORT, MeetingDetails

UUID = "abc=="
PAST = {"uuid": UUID, "id": 8123, "topic": "Stand-up", "user_email": "ann@contoso.com",
        "start_time": "2026-11-21T09:00:00Z", "end_time": "2026-11-21T09:30:00Z",
        "duration": 30, "participants_count": 2}  # fmt: skip
ROWS = [
    {"name": "Ann", "user_email": "ann@contoso.com", "join_time": "2026-11-21T09:00:00Z",
     "leave_time": "2026-11-21T09:30:00Z"},
    {"name": "Bob", "user_email": "bob@contoso.com", "join_time": "2026-11-21T09:02:00Z",
     "leave_time": "2026-11-21T09:10:00Z"},
]  # fmt: skip


class Zoom:
    """The Zoom calls the source makes; `report` is the participant report's answer."""

    def __init__(self, report: Any = ROWS, past: Any = PAST, past_rows: Any = ROWS) -> None:
        self.report, self.past, self.past_rows = report, past, past_rows

    @staticmethod
    def _answer(value: Any) -> Any:
        if isinstance(value, Exception):
            raise value
        return value

    def get_past_meeting(self, uuid: str) -> dict[str, Any]:
        return self._answer(self.past)

    def get_meeting_report(self, uuid: str) -> dict[str, Any]:
        return self._answer(self.past)

    def list_report_participants(self, uuid: str) -> list[dict[str, Any]]:
        return self._answer(self.report)

    def list_past_participants(self, uuid: str) -> list[dict[str, Any]]:
        return self._answer(self.past_rows)


def fetch(zoom: Zoom):
    return MeetingDetails(zoom).fetch(UUID)  # type: ignore[arg-type]


def test_the_meeting_comes_with_every_join_and_leave_from_the_participant_report() -> None:
    meeting = fetch(Zoom())
    assert meeting.topic == "Stand-up"
    assert [p.name for p in meeting.participants] == ["Ann", "Bob"]
    assert any(REPORT in note for note in meeting.notes)


def test_a_spent_heavy_budget_falls_back_to_the_past_meetings_list_and_says_so() -> None:
    spent = BudgetExhaustedError("spent", category="heavy", retry_after=60)
    meeting = fetch(Zoom(report=spent))
    assert len(meeting.participants) == 2
    assert any(PAST_LIST in n and "budget" in n for n in meeting.notes)


def test_a_meeting_over_a_year_old_says_so_and_keeps_what_the_medium_list_gives() -> None:
    meeting = fetch(Zoom(report=InvalidInputError("old", code="12702")))
    assert len(meeting.participants) == 2
    assert any("more than a year old" in n for n in meeting.notes)


def test_a_meeting_with_one_participant_says_why_nobody_is_listed() -> None:
    meeting = fetch(Zoom(report=[], past={**PAST, "participants_count": 1}, past_rows=[]))
    assert meeting.participants == ()
    assert "one person attended" in meeting.participants_note


def test_a_meeting_zoom_keeps_no_details_of_is_not_found() -> None:
    with pytest.raises(NotFoundError, match="keeps no details"):
        fetch(Zoom(past=NotFoundError("gone", code="3001")))


class Recorded:
    name = "cloud recordings"

    def __init__(self, meeting) -> None:
        self.meeting = meeting

    def fetch(self, uuid: str):
        return self.meeting


class Asked(MeetingDetails):
    asked = False

    def fetch(self, uuid: str):
        Asked.asked = True
        return super().fetch(uuid)


def test_the_details_source_is_asked_only_when_no_other_source_has_the_meeting() -> None:
    details = Asked(Zoom())  # type: ignore[arg-type]
    recorded = fetch(Zoom())
    assert fetch_meeting([Recorded(recorded), details], UUID).sources == ("cloud recordings",)
    assert not Asked.asked
    merged = fetch_meeting([Recorded(None), details], UUID)
    assert Asked.asked
    assert merged.sources == ("meeting details",)


def test_a_meeting_zoom_no_longer_keeps_because_it_is_over_a_year_old_says_so() -> None:
    old = InvalidInputError("Can not access a meeting a year ago.", code="12702")
    with pytest.raises(NotFoundError, match="more than a year old"):
        fetch(Zoom(past=old))
