"""Poll results and surveys: both of Zoom's shapes parse, anonymous answers stay anonymous, and a
bad value stays with its respondent while everything else is kept."""

from __future__ import annotations

import copy
from dataclasses import asdict
from datetime import UTC, datetime

import pytest

from archiver.core.interactions import (
    ANONYMOUS,
    PAST,
    REPORT,
    PollResults,
    SurveyResults,
    parse_polls,
    parse_survey,
    poll_titles,
)
from archiver.core.typed import from_json_dict
from tests.unit.interactions.shapes import PAST_POLLS, SURVEY, report_polls, webinar_survey


def test_past_meeting_poll_results_give_one_answer_per_question_with_its_time() -> None:
    found = parse_polls(PAST_POLLS, source=PAST)
    assert [(a.respondent.name, a.question, a.answer) for a in found.answers] == [
        ("Viewer", "Will you upgrade?", "Yes"),
        ("Viewer", "Which plan?", "Business;Enterprise"),
        (ANONYMOUS, "Will you upgrade?", "Later"),
    ]
    assert found.answers[0].answered_at == datetime(2026, 11, 20, 15, 20, tzinfo=UTC)
    assert found.input_errors == ()


def test_answers_are_grouped_by_poll_in_the_order_zoom_gives_them() -> None:
    polls = parse_polls(PAST_POLLS, source=PAST).polls
    assert [(p.poll_id, len(p.answers)) for p in polls] == [("poll-1", 2), ("poll-2", 1)]
    assert parse_polls(PAST_POLLS, source=PAST).respondents == 2


def test_a_parse_remembers_its_source_and_whether_it_was_a_webinar() -> None:
    meeting = parse_polls(PAST_POLLS, source=PAST)
    webinar = parse_polls(report_polls(), source=REPORT, webinar=True)
    assert (meeting.source, meeting.webinar) == (PAST, False)
    assert (webinar.source, webinar.webinar) == (REPORT, True)


def test_the_report_adds_first_and_last_names() -> None:
    found = parse_polls(report_polls(), source=REPORT)
    assert (found.answers[0].respondent.first_name, found.answers[0].respondent.last_name) == (
        "Viewer",
        "",
    )
    assert found.answers[2].respondent.first_name == ANONYMOUS


def test_an_anonymous_answer_keeps_zoom_s_name_and_gets_no_email() -> None:
    anonymous = parse_polls(PAST_POLLS, source=PAST).answers[2].respondent
    assert (anonymous.name, anonymous.email, anonymous.anonymous) == (ANONYMOUS, None, True)


def test_titles_from_the_poll_list_name_the_polls() -> None:
    titles, errors = poll_titles({"polls": [{"id": "poll-1", "title": "Launch"}, {"id": 7}]})
    found = parse_polls(PAST_POLLS, source=PAST, titles=titles)
    assert [p.title for p in found.polls] == ["Launch", ""]
    assert errors == []


def test_a_bad_time_is_that_respondents_error_and_the_answer_is_kept() -> None:
    body = copy.deepcopy(PAST_POLLS)
    body["questions"][0]["question_details"][1]["date_time"] = "yesterday"
    found = parse_polls(body, source=PAST)
    assert len(found.answers) == 3
    assert found.answers[1].answered_at is None
    assert found.answers[1].problems == (
        "poll respondent 'Viewer': polls.questions[0].question_details[1].date_time: "
        "not an ISO datetime ('yesterday'); not shown",
    )


def test_an_invalid_email_is_not_used_and_the_answer_is_kept() -> None:
    body = copy.deepcopy(PAST_POLLS)
    body["questions"][0]["email"] = "viewer@@fabrikam"
    answer = parse_polls(body, source=PAST).answers[0]
    assert answer.respondent.email is None
    assert answer.respondent.email_error
    assert "polls.questions[0].email: not a valid email address" in answer.problems[0]


def test_a_row_that_is_not_an_object_is_named_and_the_others_kept() -> None:
    body = copy.deepcopy(PAST_POLLS)
    body["questions"].insert(1, "Bob: yes")
    found = parse_polls(body, source=PAST)
    assert len(found.answers) == 3
    assert found.input_errors == (
        "polls.questions[1]: expected an object, got 'Bob: yes'; left out",
    )


@pytest.mark.parametrize("body", [None, [], "polls", 3])
def test_a_body_that_is_not_an_object_gives_no_answers_and_says_so(body: object) -> None:
    found = parse_polls(body, source=REPORT, webinar=True)
    assert found.answers == ()
    assert found.input_errors[0].startswith("webinar polls: expected an object")


def test_a_source_that_is_not_one_of_zoom_s_endpoints_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="source must be one of"):
        parse_polls(PAST_POLLS, source="medium")


def test_survey_answers_come_with_their_respondent_question_and_time() -> None:
    found = parse_survey(SURVEY)
    assert (found.survey_id, found.survey_name, found.meeting_uuid) == (
        "survey-1",
        "How was it?",
        "m1==",
    )
    assert [(a.respondent.name, a.answer) for a in found.answers] == [
        ("Viewer", "5"),
        (ANONYMOUS, "2"),
    ]
    assert found.answers[1].respondent.anonymous
    assert found.source == REPORT


def test_a_webinar_survey_names_its_webinar() -> None:
    found = parse_survey(webinar_survey(), webinar=True)
    assert (found.meeting_uuid, found.webinar, found.input_errors) == ("m1==", True, ())


def test_parsed_results_round_trip_through_their_json_form() -> None:
    polls = parse_polls(report_polls(), source=REPORT)
    survey = parse_survey(SURVEY)
    assert from_json_dict(PollResults, _json(polls), "polls") == polls
    assert from_json_dict(SurveyResults, _json(survey), "survey") == survey


def _json(value: object) -> object:
    import json

    return json.loads(json.dumps(asdict(value), default=str))  # type: ignore[call-overload]
