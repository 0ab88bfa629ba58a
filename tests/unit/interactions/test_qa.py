"""Q&A: the past-meeting shape gives question and answer text; the report adds IDs, times,
statuses and each answer with who gave it, when and how."""

from __future__ import annotations

import copy
import json
from dataclasses import asdict
from datetime import UTC, datetime

from archiver.core.interactions import ANONYMOUS, PAST, REPORT, QAResults, parse_qa
from archiver.core.typed import from_json_dict
from tests.unit.interactions.shapes import PAST_QA, REPORT_QA


def test_past_meeting_q_and_a_gives_each_question_with_zoom_s_answer_text() -> None:
    found = parse_qa(PAST_QA, source=PAST)
    assert [(q.asker.name, q.question, q.answer) for q in found.questions] == [
        ("Viewer", "Is there an API?", "Yes, REST;And webhooks"),
        (ANONYMOUS, "Will slides be shared?", "live answered"),
    ]
    assert [(q.status, q.created, q.answers) for q in found.questions] == [("", None, ())] * 2
    assert found.questions[1].answered_live


def test_the_report_gives_status_time_and_each_answer_with_its_author_and_type() -> None:
    first = parse_qa(REPORT_QA, source=REPORT).questions[0]
    assert (first.question_id, first.status) == ("q-1", "answered")
    assert first.created == datetime(2026, 11, 20, 15, 25, tzinfo=UTC)
    assert first.asker.user_id == "u-viewer"
    assert [(a.who.name, a.who.email, a.content, a.kind) for a in first.answers] == [
        ("Bob Builder", "bob@contoso.com", "Yes, REST", "host_answered_publicly"),
        ("Ann Admin", "ann@contoso.com", "Ask me after", "host_answered_privately"),
    ]
    assert first.answers[1].created == datetime(2026, 11, 20, 15, 27, tzinfo=UTC)


def test_every_question_of_an_asker_is_kept_in_order() -> None:
    found = parse_qa(REPORT_QA, source=REPORT, webinar=True)
    assert [(q.question_id, q.status, q.asker_index) for q in found.questions] == [
        ("q-1", "answered", 0),
        ("q-2", "dismissed", 0),
        ("q-3", "open", 1),
        ("q-4", "open", 2),
    ]
    assert found.answer_count == 3  # two answer details and one "live answered"


def test_an_anonymous_question_keeps_zoom_s_name_and_has_no_email() -> None:
    asker = parse_qa(REPORT_QA, source=REPORT).questions[2].asker
    assert (asker.name, asker.email, asker.user_id, asker.anonymous) == (ANONYMOUS, None, "", True)


def test_an_unknown_status_is_shown_as_given_and_named() -> None:
    body = copy.deepcopy(REPORT_QA)
    body["questions"][1]["question_details"][0]["question_status"] = "Pinned"
    question = parse_qa(body, source=REPORT).questions[2]
    assert question.status == "Pinned"
    assert question.problems == (
        "Q&A asker 'Anonymous Attendee': Q&A.questions[1].question_details[0].question_status: "
        "unknown value 'Pinned'; shown as given, and the question is treated as not answered",
    )


def test_a_status_in_capitals_is_read_as_the_status() -> None:
    body = copy.deepcopy(REPORT_QA)
    body["questions"][0]["question_details"][0]["question_status"] = "ANSWERED"
    assert parse_qa(body, source=REPORT).questions[0].status == "answered"


def test_a_bad_answer_detail_is_that_answers_error_and_the_rest_is_kept() -> None:
    body = copy.deepcopy(REPORT_QA)
    details = body["questions"][0]["question_details"][0]["answer_details"]
    details[0]["create_time"] = 12
    details.append("not an answer")
    question = parse_qa(body, source=REPORT).questions[0]
    assert len(question.answers) == 2
    assert question.answers[0].created is None
    assert (
        "answer_details[0].create_time: expected an ISO datetime, got 12"
        in (question.answers[0].problems[0])
    )
    assert "answer_details[2]: expected an object, got 'not an answer'" in question.problems[0]


def test_an_asker_with_no_readable_question_is_named_in_the_body_errors() -> None:
    body = {"questions": [{"name": "Dan", "email": ["dan"], "question_details": "?"}]}
    found = parse_qa(body, source=PAST)
    assert found.questions == ()
    assert found.input_errors == (
        "Q&A asker 'Dan': Q&A.questions[0].email: expected text, got ['dan']; no email is shown",
        "Q&A asker 'Dan': Q&A.questions[0].question_details: expected a list of objects, "
        "got '?'; no question of this asker is shown",
    )


def test_parsed_q_and_a_round_trips_through_its_json_form() -> None:
    found = parse_qa(REPORT_QA, source=REPORT)
    doc = json.loads(json.dumps(asdict(found), default=str))
    assert from_json_dict(QAResults, doc, "qa") == found
