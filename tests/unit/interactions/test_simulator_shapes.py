"""What the Zoom simulator serves for polls, Q&A, surveys and summaries parses with no input
error, for meetings and webinars, past-meeting and report shapes alike. The simulator's own
body builders are called directly (no server), so a shape drifting apart fails here first."""

from __future__ import annotations

from typing import Any

import pytest

from archiver.core.interactions import (
    ANONYMOUS,
    PAST,
    REPORT,
    parse_polls,
    parse_qa,
    parse_summary,
    parse_survey,
)
from sim.zoom.interactions import polls_body, qa_body, survey_body
from sim.zoom.model import ZoomMeeting
from sim.zoom.seeding import meeting, summary

SEED: dict[str, Any] = {
    "uuid": "w1==",
    "id": 9,
    "host_id": "h1",
    "topic": "Launch",
    "start_time": "2026-11-20T15:00:00Z",
    "participants": [
        {"name": "Viewer", "email": "viewer@fabrikam.com", "user_id": "u-v"},
        {"name": "Bob Builder", "email": "bob@contoso.com", "user_id": "u-b"},
    ],
    "polls": [
        {
            "id": "poll-1",
            "answers": [
                {"name": "Viewer", "question": "Upgrade?", "answer": "Yes", "minute": 20},
                {"name": "Bob Builder", "question": "Upgrade?", "answer": "No", "anonymous": True},
            ],
        }
    ],
    "qa": [
        {
            "name": "Viewer",
            "question": "Is there an API?",
            "answers": [{"name": "Bob Builder", "content": "Yes, REST"}],
        },
        {"name": "Dial-in", "question": "Slides?", "anonymous": True, "live": True},
    ],
    "survey": {
        "id": "s1",
        "name": "How was it?",
        "answers": [{"name": "Viewer", "question": "Rate", "answer": "5"}],
    },
}


def seeded(kind: str) -> ZoomMeeting:
    return meeting({**SEED, "kind": kind}, lambda email: True)


@pytest.mark.parametrize("kind", ["meeting", "webinar"])
@pytest.mark.parametrize("source", [PAST, REPORT])
def test_simulated_poll_results_parse_cleanly(kind: str, source: str) -> None:
    body = polls_body(seeded(kind), report=source == REPORT)
    found = parse_polls(body, source=source, webinar=kind == "webinar")
    assert found.all_errors == ()
    assert [(a.respondent.name, a.respondent.email) for a in found.answers] == [
        ("Viewer", "viewer@fabrikam.com"),
        (ANONYMOUS, None),
    ]


@pytest.mark.parametrize("kind", ["meeting", "webinar"])
@pytest.mark.parametrize("source", [PAST, REPORT])
def test_simulated_q_and_a_parses_cleanly(kind: str, source: str) -> None:
    found = parse_qa(qa_body(seeded(kind), report=source == REPORT), source=source)
    assert found.all_errors == ()
    assert [q.answer for q in found.questions] == ["Yes, REST", "live answered"]
    if source == REPORT:
        assert found.questions[0].answers[0].who.email == "bob@contoso.com"
        assert found.questions[0].status == "answered"


@pytest.mark.parametrize("kind", ["meeting", "webinar"])
def test_simulated_surveys_parse_cleanly(kind: str) -> None:
    webinar = kind == "webinar"
    found = parse_survey(survey_body(seeded(kind), webinar=webinar), webinar=webinar)
    assert (found.all_errors, found.meeting_uuid, found.survey_name) == ((), "w1==", "How was it?")


def test_a_simulated_summary_parses_cleanly_with_its_markdown() -> None:
    m = seeded("meeting")
    s = summary(m, {"title": "Launch", "next_steps": ["Ann sends the plan"]})
    body = {
        "meeting_uuid": m.uuid,
        "summary_title": s["title"],
        "summary_content": s["content"],
        "summary_doc_url": s["doc_url"],
        "summary_overview": s["overview"],
        "summary_details": s["details"],
        "next_steps": s["next_steps"],
        "summary_created_time": "2026-11-20T15:32:00Z",
        "summary_last_modified_time": "2026-11-20T15:32:00Z",
    }
    found = parse_summary(body)
    assert found.all_errors == ()
    assert found.content is not None
    assert "- Ann sends the plan" in found.content
