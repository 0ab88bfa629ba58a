"""Poll, Q&A and survey answers in Zoom's shapes, for meetings and webinars alike.

Shapes: Zoom's Rivet SDK types (MeetingsListPastMeetingsPollResultsResponse,
ReportsGetMeetingPollReportsResponse, …QAReport…, …SurveyReport…) and the 2025 spec's field
texts (zoom-content-sources.md §3): anonymous answers carry the name (and first and last name)
"Anonymous Attendee"; Q&A answers are "returned together and separated by semicolons", a live
answer is "live answered".
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sim.zoom.base import iso
from sim.zoom.model import ZoomMeeting

ANONYMOUS = "Anonymous Attendee"


def _email(m: ZoomMeeting, name: str, given: str | None) -> str:
    if given is not None:
        return given
    i = m.index_of(name)
    return (m.participants[i].get("email", "") or "") if i is not None else ""


def _user_id(m: ZoomMeeting, name: str) -> str:
    """The asker's Zoom user ID ("This value returns blank for external users")."""
    i = m.index_of(name)
    return (m.participants[i].get("user_id", "") or "") if i is not None else ""


def _names(name: str) -> dict[str, str]:
    first, _, last = name.partition(" ")
    return {"first_name": first, "last_name": last}


def _at(m: ZoomMeeting, minute: float) -> str:
    return iso(m.start_time + timedelta(minutes=minute))


def polls_body(m: ZoomMeeting, *, report: bool) -> dict[str, Any]:
    """Poll results: one entry per respondent holding every answer they gave."""
    entries: dict[str, dict[str, Any]] = {}
    for poll in m.polls:
        for n, answer in enumerate(poll["answers"]):
            name = answer["name"]
            anonymous = poll["anonymous"] or answer.get("anonymous", False)
            key = f"anonymous:{poll['id']}:{n}" if anonymous else name
            entry = entries.get(key)
            if entry is None:
                shown = ANONYMOUS if anonymous else name
                entry = {
                    "name": shown,
                    "email": "" if anonymous else _email(m, name, answer.get("email")),
                }
                if report:
                    entry.update(
                        {"first_name": ANONYMOUS, "last_name": ANONYMOUS}
                        if anonymous
                        else _names(name)
                    )
                entry["question_details"] = []
                entries[key] = entry
            entry["question_details"].append(
                {
                    "question": answer["question"],
                    "answer": answer["answer"],
                    "polling_id": poll["id"],
                    "date_time": _at(m, float(answer.get("minute", 10))),
                }
            )
    return {
        "id": m.meeting_id,
        "uuid": m.uuid,
        "start_time": iso(m.start_time),
        "questions": list(entries.values()),
    }


def qa_body(m: ZoomMeeting, *, report: bool) -> dict[str, Any]:
    """Q&A: one entry per asker; the report adds IDs, times, status and each answer."""
    entries: dict[str, dict[str, Any]] = {}
    for q in m.qa:
        anonymous = q["anonymous"]
        name = ANONYMOUS if anonymous else q["name"]
        key = f"anonymous:{q['id']}" if anonymous else q["name"]
        entry = entries.get(key)
        if entry is None:
            entry = {"name": name, "email": "" if anonymous else _email(m, q["name"], q["email"])}
            if report:
                entry = {"user_id": "" if anonymous else _user_id(m, q["name"]), **entry}
            entry["question_details"] = []
            entries[key] = entry
        answers = q["answers"]
        text = "live answered" if q["live"] else ";".join(a.get("content", "") for a in answers)
        detail: dict[str, Any] = {"question": q["question"], "answer": text}
        if report:
            detail.update(
                question_id=q["id"],
                create_time=_at(m, q["minute"]),
                question_status=q["status"],
                answer_details=[
                    {
                        "user_id": _user_id(m, a.get("name", "")),
                        "name": a.get("name", ""),
                        "email": _email(m, a.get("name", ""), a.get("email")),
                        "content": a.get("content", ""),
                        "create_time": _at(m, float(a.get("minute", q["minute"] + 1))),
                        "type": a.get("type", "host_answered_publicly"),
                    }
                    for a in answers
                ],
            )
        entry["question_details"].append(detail)
    return {
        "id": m.meeting_id,
        "uuid": m.uuid,
        "start_time": iso(m.start_time),
        "questions": list(entries.values()),
    }


def survey_body(m: ZoomMeeting, *, webinar: bool) -> dict[str, Any]:
    """The survey report. UNSURE: a meeting without a survey answers 200 with no answers."""
    survey = m.survey or {}
    anonymous = bool(survey.get("anonymous", False))
    entries: dict[str, dict[str, Any]] = {}
    for n, answer in enumerate(survey.get("answers", [])):
        name = answer["name"]
        key = f"anonymous:{n}" if anonymous else name
        entry = entries.get(key)
        if entry is None:
            entry = (
                {"email": "", "name": ANONYMOUS, "first_name": ANONYMOUS, "last_name": ANONYMOUS}
                if anonymous
                else {"email": _email(m, name, answer.get("email")), "name": name, **_names(name)}
            )
            entry["answer_details"] = []
            entries[key] = entry
        entry["answer_details"].append(
            {
                "question": answer["question"],
                "question_id": answer.get("question_id", f"q{n}"),
                "answer": answer["answer"],
                "date_time": _at(m, float(answer.get("minute", m.duration))),
            }
        )
    prefix = "webinar" if webinar else "meeting"
    body: dict[str, Any] = {
        f"{prefix}_id": m.meeting_id,
        f"{prefix}_uuid": m.uuid,
        "start_time": iso(m.start_time),
        "survey_answers": list(entries.values()),
    }
    if survey:
        body.update(survey_id=survey.get("id", "survey1"), survey_name=survey.get("name", "Survey"))
    return body
