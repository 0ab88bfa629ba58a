"""No Zoom-provided text ever reaches a poll, Q&A, survey or summary section as markup: whatever
the names, questions, answers and Markdown, and whatever JSON stands in any field, the parsers
do not raise and the HTML holds only the converter's own markup, each text shown escaped; and a
participant's copy never holds another person's poll or survey answer."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from archiver.core.converter.interactions import interaction_sections
from archiver.core.converter.markdown import render_markdown
from archiver.core.converter.names import clean_text
from archiver.core.converter.values import Times
from archiver.core.fields import unicode_text
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
from tests.property.strategies import emails, json_values, text
from tests.support.safe_html import links, problems

TIMES = Times.of("Europe/Paris", datetime(2026, 11, 20, 15, 0, tzinfo=UTC))
MARKDOWN = [
    "**", "*", "_", "`", "``", "[", "]", "](", ")", "<", ">", "\\", "\n", "\n\n", "- ", "  - ",
    "# ", "### ", "1. ", "https://x.example/a?b=1&c=2", "javascript:alert(1)", "&amp;", "&#60;",
    "<script>", "</li></ul>", '"', "'", "\t", "![", "\ud800", "\x00",
]  # fmt: skip
markdown = st.lists(st.one_of(text, st.sampled_from(MARKDOWN)), max_size=12).map("".join)


def sections(found: MeetingInteractions) -> str:
    """All sections' HTML, checked to be the converter's own markup."""
    markup = "\n".join(s.html for s in interaction_sections(found, TIMES))
    assert problems(markup) == []
    for s in interaction_sections(found, TIMES):
        assert problems(escape(s.heading)) == []
    return markup


@given(
    rows=st.lists(st.tuples(text, emails, text, text), max_size=4),
    source=st.sampled_from([PAST, REPORT]),
)
@example(rows=[("<b>", "a@b.com", "<i>", "</td>")], source=REPORT)
@example(rows=[("", "", "", "00\ud8000")], source=PAST)  # half a surrogate: shown as U+FFFD
def test_any_poll_or_survey_text_is_shown_escaped(
    rows: list[tuple[str, str, str, str]], source: str
) -> None:
    polls = {
        "questions": [
            {
                "name": n,
                "email": e,
                "question_details": [{"question": q, "answer": a, "polling_id": q}],
            }
            for n, e, q, a in rows
        ]
    }
    survey = {
        "survey_answers": [
            {"name": n, "email": e, "answer_details": [{"question": q, "answer": a}]}
            for n, e, q, a in rows
        ]
    }
    found = MeetingInteractions(
        polls=parse_polls(polls, source=source), survey=parse_survey(survey)
    )
    markup = sections(found)
    for _, _, _, answer in rows:
        assert escape(clean_text(unicode_text(answer), limit=2000)) in markup


@given(
    rows=st.lists(st.tuples(text, emails, text, text, text, text), max_size=4),
    source=st.sampled_from([PAST, REPORT]),
)
def test_any_q_and_a_text_is_shown_escaped(rows: list[tuple[str, ...]], source: str) -> None:
    body = {
        "questions": [
            {
                "name": n,
                "email": e,
                "question_details": [
                    {
                        "question": q,
                        "answer": a,
                        "question_status": status,
                        "answer_details": [{"name": a, "content": kind, "type": kind}],
                    }
                ],
            }
            for n, e, q, a, status, kind in rows
        ]
    }
    found = parse_qa(body, source=source)
    markup = sections(MeetingInteractions(qa=found))
    for q in found.questions:
        assert escape(clean_text(q.question, limit=2000)) in markup


@given(content=markdown, title=text, url=st.one_of(text, st.just("https://docs.zoom.us/d")))
@example(content='[a](https://x.example/"onclick="x)', title="", url="javascript:x")
@example(content="<https://x.example/<b>>", title="<b>", url="https://x.example/>")
@example(content="\\``", title="", url="")  # an escaped backtick, then a run: once a KeyError
def test_any_markdown_renders_to_safe_markup_with_every_link_shown(
    content: str, title: str, url: str
) -> None:
    rendered = render_markdown(content)
    assert problems(rendered.html) == []
    for link in links(rendered.html):
        assert link.lower().startswith(("http://", "https://"))
        assert escape(link) in rendered.html.replace(f'href="{escape(link)}"', "")
    body = {"summary_title": title, "summary_content": content, "summary_doc_url": url}
    sections(MeetingInteractions(summary=parse_summary(body)))


@given(value=json_values, where=st.sampled_from(["body", "row", "detail", "field"]))
def test_any_json_anywhere_is_read_without_raising(value: Any, where: str) -> None:
    detail: dict[str, Any] = {"question": "q", "answer": value if where == "field" else "a"}
    row: Any = {
        "name": value if where == "field" else "n",
        "question_details": [detail if where != "detail" else value],
    }
    body: Any = {
        "questions": [row if where != "row" else value],
        "survey_answers": [row],
        "summary_content": value,
    }
    if where == "body":
        body = value
    found = MeetingInteractions(
        summary=parse_summary(body),
        polls=parse_polls(body, source=REPORT),
        qa=parse_qa(body, source=REPORT),
        survey=parse_survey(body),
    )
    sections(found)
    sections(for_viewer(found, viewer_is_host_or_compliance=False, viewer_email="a@b.com"))


@given(
    respondents=st.lists(
        st.sampled_from(["a@contoso.com", "b@contoso.com", "", "A@Contoso.com"]), max_size=6
    ),
    viewer=st.sampled_from(["a@contoso.com", "b@contoso.com", "c@contoso.com"]),
)
def test_a_participants_copy_holds_no_other_persons_answer(
    respondents: list[str], viewer: str
) -> None:
    body = {
        "questions": [
            {
                "name": f"P{i}",
                "email": e,
                "question_details": [{"question": "q", "answer": f"ANSWER-{i}-"}],
            }
            for i, e in enumerate(respondents)
        ]
    }
    full = MeetingInteractions(polls=parse_polls(body, source=PAST))
    markup = sections(for_viewer(full, viewer_is_host_or_compliance=False, viewer_email=viewer))
    for i, e in enumerate(respondents):
        assert (f"ANSWER-{i}-" in markup) == (e.lower() == viewer)
