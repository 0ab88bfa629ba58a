"""The webinar source: a webinar's people from the webinar APIs, its absentees listed (never
recipients), and an account without the Webinar licence detected once."""

from __future__ import annotations

from typing import Any

from archiver.core.switch import Refusal
from archiver.errors import BudgetExhaustedError, InvalidInputError
from archiver.sources.webinars import PAST_LIST, REPORT, WebinarSource, absentee_notes

UUID = "web=="
DETAIL = {"uuid": UUID, "id": 9001, "topic": "Launch", "user_email": "ann@contoso.com",
          "start_time": "2026-11-21T09:00:00Z", "end_time": "2026-11-21T10:00:00Z",
          "duration": 60}  # fmt: skip
ROWS = [
    {"name": "Ann", "user_email": "ann@contoso.com", "join_time": "2026-11-21T09:00:00Z",
     "leave_time": "2026-11-21T10:00:00Z"},
    {"name": "Cy", "user_email": "cy@contoso.com", "join_time": "2026-11-21T09:05:00Z",
     "leave_time": "2026-11-21T09:50:00Z"},
]  # fmt: skip
ABSENT = [{"first_name": "Ab", "last_name": "Sent", "email": "absent@fabrikam.example"}]


class Zoom:
    def __init__(self, report: Any = ROWS, detail: Any = DETAIL) -> None:
        self.report, self.detail = report, detail
        self.calls = 0

    def _answer(self, value: Any) -> Any:
        self.calls += 1
        if isinstance(value, Exception):
            raise value
        return value

    def get_webinar_report(self, uuid: str) -> dict[str, Any]:
        return self._answer(self.detail)

    def list_webinar_report_participants(self, uuid: str) -> list[dict[str, Any]]:
        return self._answer(self.report)

    def list_past_webinar_participants(self, uuid: str) -> list[dict[str, Any]]:
        return self._answer(ROWS)

    def list_webinar_absentees(self, uuid: str) -> list[dict[str, Any]]:
        return self._answer(ABSENT)


def source(zoom: Zoom, licence: Refusal | None = None) -> WebinarSource:
    return WebinarSource(zoom, licence or Refusal())  # type: ignore[arg-type]


def test_a_webinars_attendees_are_its_participants_and_absentees_are_only_named() -> None:
    webinar = source(Zoom()).fetch(UUID)
    assert webinar is not None
    assert webinar.topic == "Launch"
    assert [p.email for p in webinar.participants] == ["ann@contoso.com", "cy@contoso.com"]
    assert any("Ab Sent <absent@fabrikam.example>" in n for n in webinar.notes)
    assert any(REPORT in n for n in webinar.notes)


def test_a_spent_budget_takes_the_past_webinar_list_and_says_so() -> None:
    spent = BudgetExhaustedError("spent", category="heavy", retry_after=60)
    webinar = source(Zoom(report=spent)).fetch(UUID)
    assert webinar is not None
    assert len(webinar.participants) == 2
    assert any(PAST_LIST in n for n in webinar.notes)


def test_an_account_without_the_webinar_licence_is_asked_once() -> None:
    licence = Refusal()
    zoom = Zoom(detail=InvalidInputError("Webinar plan is missing", code="200"))
    assert source(zoom, licence).fetch(UUID) is None
    assert licence.refused is not None
    assert "Webinar plan is missing" in licence.refused
    calls = zoom.calls
    assert source(zoom, licence).fetch("other==") is None
    assert zoom.calls == calls


def test_absentees_beyond_the_listed_number_are_counted() -> None:
    rows = [{"email": f"r{i}@fabrikam.example"} for i in range(502)]
    [note] = absentee_notes(rows)
    assert note.startswith("Registered, did not attend (502): r0@fabrikam.example")
    assert note.endswith("and 2 more")
