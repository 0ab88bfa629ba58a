"""The polls, Q&A, survey and summary sections a reviewer reads: who answered what and when,
from which Zoom endpoint, what this copy leaves out, in HTML and in plain text alike."""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime
from html import unescape

from archiver.core.converter.interactions import interaction_sections, polls_section, qa_section
from archiver.core.converter.styles import MAX_ROWS
from archiver.core.converter.summary import summary_section
from archiver.core.converter.values import Times
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
from tests.support.safe_html import links, problems
from tests.unit.interactions.shapes import (
    PAST_POLLS,
    PAST_QA,
    REPORT_QA,
    SUMMARY,
    SURVEY,
    legacy_summary,
    report_polls,
)

TIMES = Times.of("Europe/Paris", datetime(2026, 11, 20, 15, 0, tzinfo=UTC))
FULL = MeetingInteractions(
    summary=parse_summary(SUMMARY),
    polls=parse_polls(report_polls(), source=REPORT, webinar=True),
    qa=parse_qa(REPORT_QA, source=REPORT, webinar=True),
    survey=parse_survey(SURVEY),
)


def shown(markup: str) -> str:
    """The text a reader sees in the HTML."""
    assert problems(markup) == []
    return unescape(re.sub(r"<[^>]+>", " ", markup))


def test_the_sections_come_in_order_summary_polls_q_and_a_survey() -> None:
    sections = interaction_sections(FULL, TIMES)
    assert [(s.kind, s.heading) for s in sections] == [
        ("summary", "AI Companion summary"),
        ("polls", "Polls (3 answers from 2 respondents)"),
        ("qa", "Q&A (4 questions, 3 answers)"),
        ("survey", "Survey: How was it? (2 answers from 2 respondents)"),
    ]
    assert interaction_sections(MeetingInteractions(), TIMES) == []


def test_a_poll_answer_shows_who_answered_what_and_when_as_the_body_shows_times() -> None:
    section = polls_section(parse_polls(PAST_POLLS, source=PAST), TIMES)
    assert "Respondent Email Question Answer Answered" in " ".join(shown(section.html).split())
    assert "15:20:00 UTC (16:20:00 Europe/Paris)" in shown(section.html)
    assert section.text.splitlines()[1:5] == [
        "Times on 2026-11-20 unless a date is shown; UTC, with Europe/Paris in brackets.",
        "Poll ID poll-1",
        "- Viewer <viewer@fabrikam.com>, 15:20:00 UTC (16:20:00 Europe/Paris)",
        "    Question: Will you upgrade?",
    ]


def test_an_anonymous_answer_is_shown_as_zoom_gives_it_with_no_email_made_up() -> None:
    section = polls_section(parse_polls(PAST_POLLS, source=PAST), TIMES)
    assert "- Anonymous Attendee <no email given>, 15:21:00 UTC" in section.text
    assert section.text.count("@") == 2  # Viewer's two answers only


def test_the_section_says_which_zoom_endpoint_it_shows() -> None:
    past = polls_section(parse_polls(PAST_POLLS, source=PAST), TIMES)
    report = polls_section(parse_polls(PAST_POLLS, source=REPORT, webinar=True), TIMES)
    assert past.text.startswith(
        "(From Zoom's past meeting results: GET /past_meetings/{id}/polls.)"
    )
    assert report.text.startswith("(From Zoom's webinar report: GET /report/webinars/{id}/polls.)")


def test_a_poll_title_names_its_table() -> None:
    found = parse_polls(PAST_POLLS, source=PAST, titles={"poll-1": "Launch <beta>"})
    section = polls_section(found, TIMES)
    assert "Poll: Launch <beta> (poll ID poll-1)" in section.text
    assert "<b>Poll: Launch &lt;beta&gt; (poll ID poll-1)</b>" in section.html


def test_a_question_shows_its_asker_status_and_every_answer_with_who_when_and_how() -> None:
    text = qa_section(parse_qa(REPORT_QA, source=REPORT), TIMES).text
    assert (
        "- Question from Viewer <viewer@fabrikam.com>, 15:25:00 UTC (16:25:00 Europe/Paris) "
        "(answered):" in text
    )
    assert (
        "    Answer by Ann Admin <ann@contoso.com>, 15:27:00 UTC (16:27:00 Europe/Paris) "
        "(host_answered_privately):" in text
    )
    assert "(open; answered live)" in text


def test_past_meeting_q_and_a_shows_zoom_s_answer_text_without_times() -> None:
    section = qa_section(parse_qa(PAST_QA, source=PAST), TIMES)
    assert "- Question from Viewer <viewer@fabrikam.com>, time not given (status not given):" in (
        section.text
    )
    assert "    Answer: Yes, REST;And webhooks" in section.text
    assert "(Zoom gives no answerer)" in section.html


def test_a_participants_copy_says_what_it_leaves_out_and_where_it_is() -> None:
    view = for_viewer(FULL, viewer_is_host_or_compliance=False, viewer_email="viewer@fabrikam.com")
    texts = {s.kind: s.text for s in interaction_sections(view, TIMES)}
    assert "Zoom does not say with whom the host shared it" in texts["summary"]
    assert (
        "(1 answer of other participants not shown in this copy; the host's and the "
        in (texts["polls"])
    )
    assert "Anonymous Attendee" not in texts["polls"] + texts["survey"]


def test_more_rows_than_the_body_shows_are_counted_and_found_in_zoom_s_file() -> None:
    body = copy.deepcopy(PAST_POLLS)
    detail = body["questions"][0]["question_details"][0]
    body["questions"][0]["question_details"] = [detail] * (MAX_ROWS + 5)
    section = polls_section(parse_polls(body, source=PAST), TIMES)
    assert section.text.count("    Answer:") == MAX_ROWS
    assert "... 6 more answers (in Zoom's file attached)" in section.text


def test_problems_with_zoom_s_data_are_listed_in_the_section() -> None:
    body = copy.deepcopy(PAST_POLLS)
    body["questions"][0]["question_details"][0]["date_time"] = "soon"
    section = polls_section(parse_polls(body, source=PAST), TIMES)
    assert "(Zoom's data: poll respondent 'Viewer': polls.questions[0].question_details[0]" in (
        section.text
    )
    assert "- Viewer <viewer@fabrikam.com>, time not given" in section.text


def test_the_summary_shows_its_facts_and_its_markdown() -> None:
    section = summary_section(parse_summary(SUMMARY), TIMES)
    lines = section.text.splitlines()
    assert lines[:3] == [
        "Title:         Budget review",
        "Created:       2026-11-20 15:47:00 UTC (16:47:00 Europe/Paris)",
        "Last modified: 2026-11-20 15:47:00 UTC (16:47:00 Europe/Paris)",
    ]
    assert "Zoom Docs:     https://docs.zoom.us/doc/AbCdEf123" in lines
    assert "- Cat circulates the final numbers" in lines
    assert links(section.html) == ["https://docs.zoom.us/doc/AbCdEf123"]
    assert "<b>approved</b>" in section.html


def test_an_edited_summary_says_so() -> None:
    edited = parse_summary({**SUMMARY, "summary_last_modified_time": "2026-11-21T08:00:00Z"})
    text = summary_section(edited, TIMES).text
    assert (
        "Last modified: 2026-11-21 08:00:00 UTC (09:00:00 Europe/Paris) "
        "(edited after it was created)" in text
    )


def test_without_summary_content_the_deprecated_fields_are_shown_and_named() -> None:
    body = legacy_summary()
    body["edited_summary"] = {
        "summary_details": "Budget: approved\nHiring: paused",
        "next_steps": ["Ann"],
    }
    text = summary_section(parse_summary(body), TIMES).text
    assert "Zoom gave no summary_content: its deprecated fields" in text
    assert "\nOverview\nThe budget for next quarter was approved with one change." in text
    assert "\nBudget\nApproved, travel reduced by 10%." in text
    assert "\nNext steps\n- Cat circulates the final numbers\n- Ann opens the roles" in text
    assert "\nEdited summary: details\nBudget: approved\nHiring: paused" in text


def test_html_and_text_show_the_same_answers() -> None:
    for section in interaction_sections(FULL, TIMES):
        for needle in ("Will you upgrade?", "Yes, REST", "Rate the meeting", "Ask me after"):
            assert (needle in shown(section.html)) == (needle in section.text), needle
