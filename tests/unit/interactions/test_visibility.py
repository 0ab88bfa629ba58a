"""Whose copy holds which poll answers, questions, answers and summary: each person what they
saw; the host's and the compliance copies everything; anything Zoom does not settle withheld."""

from __future__ import annotations

import copy
from dataclasses import replace

from archiver.core.interactions import (
    PAST,
    REPORT,
    MeetingInteractions,
    for_viewer,
    parse_polls,
    parse_qa,
    parse_summary,
    parse_survey,
)
from archiver.core.interactions.visibility import Viewer, is_public, may_see_question
from tests.unit.interactions.shapes import PAST_POLLS, PAST_QA, REPORT_QA, SUMMARY, SURVEY

FULL = MeetingInteractions(
    summary=parse_summary(SUMMARY),
    polls=parse_polls(PAST_POLLS, source=PAST),
    qa=parse_qa(REPORT_QA, source=REPORT),
    survey=parse_survey(SURVEY),
)


def view(email: str | None, *, host: bool = False, **kw: bool) -> MeetingInteractions:
    return for_viewer(FULL, viewer_is_host_or_compliance=host, viewer_email=email, **kw)


def questions(found: MeetingInteractions) -> list[str]:
    assert found.qa is not None
    return [q.question_id for q in found.qa.questions]


def test_the_host_and_the_compliance_copies_hold_everything() -> None:
    assert view("ann@contoso.com", host=True) == FULL
    assert view(None, host=True) == FULL


def test_a_participant_sees_only_their_own_poll_and_survey_answers() -> None:
    mine = view("Viewer@Fabrikam.com")
    assert mine.polls is not None
    assert mine.survey is not None
    assert [a.answer for a in mine.polls.answers] == ["Yes", "Business;Enterprise"]
    assert (mine.polls.withheld, mine.survey.withheld) == (1, 1)
    assert [a.answer for a in mine.survey.answers] == ["5"]


def test_anonymous_answers_are_in_no_participants_copy() -> None:
    someone = view("bob@contoso.com")
    assert someone.polls is not None
    assert someone.polls.answers == ()
    assert someone.polls.withheld == 3


def test_the_asker_sees_every_question_they_asked_with_every_answer() -> None:
    mine = view("viewer@fabrikam.com")
    assert mine.qa is not None
    assert questions(mine) == ["q-1", "q-2", "q-3"]  # own (also the dismissed one), published
    first = mine.qa.questions[0]
    assert [a.kind for a in first.answers] == ["host_answered_publicly", "host_answered_privately"]
    assert first.answer == "Yes, REST;Ask me after"


def test_others_see_a_published_question_with_its_public_answers_only() -> None:
    other = view("dan@contoso.com")
    assert other.qa is not None
    assert questions(other) == ["q-1", "q-3"]  # answered publicly; answered live
    first = other.qa.questions[0]
    assert [a.content for a in first.answers] == ["Yes, REST"]
    assert first.answer == ""  # Zoom's joined text holds the private answer too
    assert other.qa.withheld == 3  # the private answer, the dismissed and the open question


def test_the_author_of_a_private_answer_sees_it_and_its_question() -> None:
    ann = view("ann@contoso.com")
    assert ann.qa is not None
    assert [a.content for a in ann.qa.questions[0].answers] == ["Yes, REST", "Ask me after"]


def test_an_open_question_is_seen_by_its_asker_alone() -> None:
    assert "q-4" in questions(view("cat@contoso.com"))
    assert "q-4" not in questions(view("bob@contoso.com"))


def test_with_answered_questions_hidden_from_attendees_others_see_none() -> None:
    assert questions(view("dan@contoso.com", attendees_see_answered=False)) == []


def test_past_meeting_q_and_a_has_no_status_so_only_askers_see_their_questions() -> None:
    full = MeetingInteractions(qa=parse_qa(PAST_QA, source=PAST))
    mine = for_viewer(full, viewer_is_host_or_compliance=False, viewer_email="viewer@fabrikam.com")
    other = for_viewer(full, viewer_is_host_or_compliance=False, viewer_email="bob@contoso.com")
    assert mine.qa is not None
    assert other.qa is not None
    assert [q.answer for q in mine.qa.questions] == ["Yes, REST;And webhooks"]
    assert other.qa.questions == ()


def test_a_dismissed_or_deleted_question_answered_live_is_not_published() -> None:
    body = copy.deepcopy(REPORT_QA)
    body["questions"][1]["question_details"][0]["question_status"] = "deleted"
    found = parse_qa(body, source=REPORT).questions[2]
    assert not may_see_question(found, REPORT, Viewer.of(False, "dan@contoso.com"))


def test_an_answer_type_zoom_does_not_document_is_not_public() -> None:
    answers = parse_qa(REPORT_QA, source=REPORT).questions[0].answers
    assert is_public(answers[0])
    assert not is_public(answers[1])
    assert not is_public(replace(answers[0], kind="default"))


def test_the_summary_is_withheld_from_participants_and_the_copy_says_so() -> None:
    other = view("viewer@fabrikam.com")
    assert other.summary is None
    assert other.summary_withheld
    assert not other.complete("summary")
    assert FULL.complete("summary")


def test_problems_with_the_body_are_counted_not_shown_in_a_participants_copy() -> None:
    body = copy.deepcopy(PAST_POLLS)
    body["questions"].append("Bob said no")
    full = MeetingInteractions(polls=parse_polls(body, source=PAST))
    other = for_viewer(full, viewer_is_host_or_compliance=False, viewer_email="viewer@fabrikam.com")
    assert other.polls is not None
    assert (other.polls.input_errors, other.polls.withheld_errors) == ((), 1)
    assert not other.complete("polls")


def test_a_row_s_problem_goes_only_where_the_row_goes() -> None:
    body = copy.deepcopy(PAST_POLLS)
    body["questions"][0]["question_details"][0]["date_time"] = "SECRET-TIME"
    full = MeetingInteractions(polls=parse_polls(body, source=PAST))
    other = for_viewer(full, viewer_is_host_or_compliance=False, viewer_email="bob@contoso.com")
    assert "SECRET-TIME" not in repr(other)
    assert "SECRET-TIME" in repr(full)


def test_a_participant_who_sees_all_of_a_kind_has_a_complete_copy_of_it() -> None:
    only = MeetingInteractions(
        survey=parse_survey({**SURVEY, "survey_answers": SURVEY["survey_answers"][:1]})
    )
    mine = for_viewer(only, viewer_is_host_or_compliance=False, viewer_email="viewer@fabrikam.com")
    assert mine.complete("survey")


def test_a_viewer_without_an_address_sees_no_ones_answers() -> None:
    nobody = view(None)
    assert nobody.polls is not None
    assert nobody.polls.answers == ()
