"""Zoom answers for polls, Q&A, a survey and an AI Companion summary of one meeting, shaped
like the API's (zoom-content-sources.md §3-4): Bob and Carol answer, one answer is anonymous."""

from __future__ import annotations

from typing import Any

START = "2026-11-20T15:00:00Z"


def polls(uuid: str) -> dict[str, Any]:
    """GET /past_meetings/{uuid}/polls."""
    return {
        "id": 81234567890,
        "uuid": uuid,
        "start_time": START,
        "questions": [
            _poll("Bob", "bob@contoso.com", "Ship in Q1?", "BOB-POLL-YES"),
            _poll("Carol", "carol@contoso.com", "Ship in Q1?", "CAROL-POLL-NO"),
            _poll("Anonymous", "", "Ship in Q1?", "ANON-POLL-MAYBE"),
        ],
    }


def _poll(name: str, email: str, question: str, answer: str) -> dict[str, Any]:
    return {
        "name": name,
        "email": email,
        "question_details": [
            {
                "question": question,
                "answer": answer,
                "polling_id": "poll-1",
                "date_time": "2026-11-20T15:20:00Z",
            }
        ],
    }


def report_qa(uuid: str) -> dict[str, Any]:
    """GET /report/meetings/{uuid}/qa: Bob's question answered privately, an anonymous one."""
    return {
        "id": 81234567890,
        "uuid": uuid,
        "start_time": START,
        "questions": [
            _question("u2", "Bob", "bob@contoso.com", "BOB-PRIVATE-QUESTION", "private"),
            _question("", "Anonymous Attendee", "", "ANON-QUESTION", "host_answered_publicly"),
            _question("u3", "Carol", "carol@contoso.com", "CAROL-OPEN-QUESTION", "", status="open"),
        ],
    }


def past_qa(uuid: str) -> dict[str, Any]:
    """GET /past_meetings/{uuid}/qa (Medium): no status, times or answer types."""
    return {
        "id": 81234567890,
        "uuid": uuid,
        "start_time": START,
        "questions": [
            {
                "name": "Bob",
                "email": "bob@contoso.com",
                "question_details": [{"question": "BOB-PRIVATE-QUESTION", "answer": "Soon"}],
            }
        ],
    }


def _question(
    user: str, name: str, email: str, text: str, kind: str, *, status: str = "answered"
) -> dict[str, Any]:
    answers = [
        {
            "user_id": "u1",
            "name": "Ann",
            "email": "ann@contoso.com",
            "content": "Soon",
            "create_time": "2026-11-20T15:26:00Z",
            "type": kind,
        }
    ]
    return {
        "user_id": user,
        "name": name,
        "email": email,
        "question_details": [
            {
                "question": text,
                "answer": "Soon" if kind else "",
                "question_id": f"q-{text}",
                "create_time": "2026-11-20T15:25:00Z",
                "question_status": status,
                "answer_details": answers if kind else [],
            }
        ],
    }


def survey(uuid: str) -> dict[str, Any]:
    """GET /report/meetings/{uuid}/survey."""
    return {
        "meeting_id": 81234567890,
        "meeting_uuid": uuid,
        "start_time": START,
        "survey_id": "s1",
        "survey_name": "Feedback",
        "survey_answers": [
            _survey_answer("Bob", "bob@contoso.com", "BOB-SURVEY-GREAT"),
            _survey_answer("Carol", "carol@contoso.com", "CAROL-SURVEY-MEH"),
        ],
    }


def _survey_answer(name: str, email: str, answer: str) -> dict[str, Any]:
    return {
        "name": name,
        "email": email,
        "answer_details": [
            {
                "question": "How was it?",
                "question_id": "q1",
                "answer": answer,
                "date_time": "2026-11-20T15:40:00Z",
            }
        ],
    }


def summary(uuid: str, *, modified: str = "2026-11-20T16:00:00Z", text: str = "SUMMARY-V1"):
    """GET /meetings/{uuid}/meeting_summary (and the summary webhooks' object)."""
    return {
        "meeting_host_id": "host-1",
        "meeting_host_email": "ann@contoso.com",
        "meeting_uuid": uuid,
        "meeting_id": 81234567890,
        "meeting_topic": f"Review {uuid[:4]}",
        "meeting_start_time": START,
        "meeting_end_time": "2026-11-20T15:30:00Z",
        "summary_start_time": START,
        "summary_end_time": "2026-11-20T15:30:00Z",
        "summary_created_time": "2026-11-20T15:35:00Z",
        "summary_last_modified_time": modified,
        "summary_title": "Review summary",
        "summary_content": f"## Decisions\n\n- {text}\n",
        "summary_doc_url": "https://docs.zoom.us/doc/abc",
    }


def with_interactions(bundle: dict[str, Any]) -> dict[str, Any]:
    """A tests.fakes.zoom_meeting bundle with all four kinds, and Carol among its people."""
    uuid = bundle["recordings"]["uuid"]
    bundle["past"]["has_meeting_summary"] = True
    bundle.update(
        polls=polls(uuid),
        qa=past_qa(uuid),
        report_qa=report_qa(uuid),
        survey=survey(uuid),
        summary=summary(uuid),
    )
    return bundle
