"""Zoom's poll, Q&A, survey and summary bodies as the simulator serves them (sim/zoom/
interactions.py, summaries.py; zoom-content-sources.md §3-4), for the specs to start from."""

from __future__ import annotations

import copy
from typing import Any

START = "2026-11-20T15:00:00Z"

PAST_POLLS: dict[str, Any] = {
    "id": 81234567890,
    "uuid": "m1==",
    "start_time": START,
    "questions": [
        {
            "name": "Viewer",
            "email": "viewer@fabrikam.com",
            "question_details": [
                {
                    "question": "Will you upgrade?",
                    "answer": "Yes",
                    "polling_id": "poll-1",
                    "date_time": "2026-11-20T15:20:00Z",
                },
                {
                    "question": "Which plan?",
                    "answer": "Business;Enterprise",
                    "polling_id": "poll-2",
                    "date_time": "2026-11-20T15:40:00Z",
                },
            ],
        },
        {
            "name": "Anonymous Attendee",
            "email": "",
            "question_details": [
                {
                    "question": "Will you upgrade?",
                    "answer": "Later",
                    "polling_id": "poll-1",
                    "date_time": "2026-11-20T15:21:00Z",
                }
            ],
        },
    ],
}


def report_polls() -> dict[str, Any]:
    """The report adds first and last names ("Anonymous Attendee" for both when anonymous)."""
    body = copy.deepcopy(PAST_POLLS)
    body["questions"][0].update(first_name="Viewer", last_name="")
    body["questions"][1].update(first_name="Anonymous Attendee", last_name="Anonymous Attendee")
    return body


PAST_QA: dict[str, Any] = {
    "id": 81234567890,
    "uuid": "m1==",
    "start_time": START,
    "questions": [
        {
            "name": "Viewer",
            "email": "viewer@fabrikam.com",
            "question_details": [
                {"question": "Is there an API?", "answer": "Yes, REST;And webhooks"},
            ],
        },
        {
            "name": "Anonymous Attendee",
            "email": "",
            "question_details": [{"question": "Will slides be shared?", "answer": "live answered"}],
        },
    ],
}

REPORT_QA: dict[str, Any] = {
    "id": 81234567890,
    "uuid": "m1==",
    "start_time": START,
    "questions": [
        {
            "user_id": "u-viewer",
            "name": "Viewer",
            "email": "viewer@fabrikam.com",
            "question_details": [
                {
                    "question": "Is there an API?",
                    "answer": "Yes, REST;Ask me after",
                    "question_id": "q-1",
                    "create_time": "2026-11-20T15:25:00Z",
                    "question_status": "answered",
                    "answer_details": [
                        {
                            "user_id": "u-bob",
                            "name": "Bob Builder",
                            "email": "bob@contoso.com",
                            "content": "Yes, REST",
                            "create_time": "2026-11-20T15:26:00Z",
                            "type": "host_answered_publicly",
                        },
                        {
                            "user_id": "u-ann",
                            "name": "Ann Admin",
                            "email": "ann@contoso.com",
                            "content": "Ask me after",
                            "create_time": "2026-11-20T15:27:00Z",
                            "type": "host_answered_privately",
                        },
                    ],
                },
                {
                    "question": "Can I get a refund?",
                    "answer": "",
                    "question_id": "q-2",
                    "create_time": "2026-11-20T15:31:00Z",
                    "question_status": "dismissed",
                    "answer_details": [],
                },
            ],
        },
        {
            "user_id": "",
            "name": "Anonymous Attendee",
            "email": "",
            "question_details": [
                {
                    "question": "Will slides be shared?",
                    "answer": "live answered",
                    "question_id": "q-3",
                    "create_time": "2026-11-20T15:30:00Z",
                    "question_status": "open",
                    "answer_details": [],
                }
            ],
        },
        {
            "user_id": "u-cat",
            "name": "Cat Chen",
            "email": "cat@contoso.com",
            "question_details": [
                {
                    "question": "Is the roadmap public?",
                    "answer": "",
                    "question_id": "q-4",
                    "create_time": "2026-11-20T15:35:00Z",
                    "question_status": "open",
                    "answer_details": [],
                }
            ],
        },
    ],
}

SURVEY: dict[str, Any] = {
    "meeting_id": 81234567890,
    "meeting_uuid": "m1==",
    "start_time": START,
    "survey_id": "survey-1",
    "survey_name": "How was it?",
    "survey_answers": [
        {
            "email": "viewer@fabrikam.com",
            "name": "Viewer",
            "first_name": "Viewer",
            "last_name": "",
            "answer_details": [
                {
                    "question": "Rate the meeting",
                    "question_id": "q0",
                    "answer": "5",
                    "date_time": "2026-11-20T15:50:00Z",
                }
            ],
        },
        {
            "email": "",
            "name": "Anonymous Attendee",
            "first_name": "Anonymous Attendee",
            "last_name": "Anonymous Attendee",
            "answer_details": [
                {
                    "question": "Rate the meeting",
                    "question_id": "q0",
                    "answer": "2",
                    "date_time": "2026-11-20T15:51:00Z",
                }
            ],
        },
    ],
}


def webinar_survey() -> dict[str, Any]:
    """The webinar survey names its webinar with webinar_id and webinar_uuid."""
    body = copy.deepcopy(SURVEY)
    body["webinar_id"] = body.pop("meeting_id")
    body["webinar_uuid"] = body.pop("meeting_uuid")
    return body


CONTENT = """## Budget review

### Quick recap
The budget for next quarter was **approved** with one change.

### Next steps
- Cat circulates the final numbers
- Ann opens the roles
"""

SUMMARY: dict[str, Any] = {
    "meeting_host_id": "h1",
    "meeting_host_email": "ann@contoso.com",
    "meeting_uuid": "m1==",
    "meeting_id": 81234567890,
    "meeting_topic": "Budget review",
    "meeting_start_time": START,
    "meeting_end_time": "2026-11-20T15:45:00Z",
    "summary_start_time": START,
    "summary_end_time": "2026-11-20T15:45:00Z",
    "summary_created_time": "2026-11-20T15:47:00Z",
    "summary_last_modified_time": "2026-11-20T15:47:00Z",
    "summary_title": "Budget review",
    "summary_content": CONTENT,
    "summary_doc_url": "https://docs.zoom.us/doc/AbCdEf123",
    "summary_overview": "The budget for next quarter was approved with one change.",
    "summary_details": [
        {"label": "Budget", "summary": "Approved, travel reduced by 10%."},
        {"label": "Hiring", "summary": "Two roles opened."},
    ],
    "next_steps": ["Cat circulates the final numbers", "Ann opens the roles"],
}


def legacy_summary() -> dict[str, Any]:
    """A summary as older answers give it: the deprecated fields only."""
    body = copy.deepcopy(SUMMARY)
    del body["summary_content"]
    return body
