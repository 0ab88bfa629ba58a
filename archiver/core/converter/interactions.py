"""Polls, Q&A and the survey as sections of the item body: who answered what, and when (pure).

Each is a table in HTML (a row per answer; in Q&A a shaded row per question, then its answers)
and the same content in plain text, with the endpoint it came from, times as the body shows
them, what this copy leaves out, and every problem Zoom's data had that it may show. Every
Zoom-provided text is escaped; at most MAX_ROWS rows are shown, the rest is in Zoom's file.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

from archiver.core.converter.names import clean_text
from archiver.core.converter.section import Parts, Section, closing_notes
from archiver.core.converter.styles import (
    MAX_CELL,
    MAX_NAME,
    MAX_ROWS,
    MUTED,
    PERSON,
    TD,
    P,
    count,
    para,
    row,
    table,
    tag,
    times_note,
    when,
)
from archiver.core.converter.summary import summary_section
from archiver.core.converter.values import Times
from archiver.core.interactions.meeting import POLLS, QA, SURVEY, MeetingInteractions
from archiver.core.interactions.polls import Poll, PollResults, Results, SurveyResults
from archiver.core.interactions.qa import QAQuestion, QAResults
from archiver.core.interactions.rows import REPORT, Person

NO_EMAIL = "no email given"
UNUSABLE_EMAIL = "email not usable, see below"
NO_NAME = "(no name given)"
NO_ANSWERER = "(Zoom gives no answerer)"
NO_TIME = "time not given"
ANSWERS = ("answer", "answers")
ANSWER_HEAD = ("Respondent", "Email", "Question", "Answer", "Answered")
QA_HEAD = ("Who", "When", "Question or answer", "Status or type")
_ENDPOINTS = {POLLS: "polls", QA: "qa", SURVEY: "survey"}


def interaction_sections(interactions: MeetingInteractions, times: Times) -> list[Section]:
    """The sections of one copy (pass what visibility.for_viewer gave for its mailbox), in the
    order summary, polls, Q&A, survey; a kind that is None has no section."""
    sections = []
    if interactions.summary is not None or interactions.summary_withheld:
        sections.append(summary_section(interactions.summary, times))
    if interactions.polls is not None:
        sections.append(polls_section(interactions.polls, times, interactions.complete(POLLS)))
    if interactions.qa is not None:
        sections.append(qa_section(interactions.qa, times, interactions.complete(QA)))
    if interactions.survey is not None:
        sections.append(survey_section(interactions.survey, times, interactions.complete(SURVEY)))
    return sections


def source_note(kind: str, found: Results) -> str:
    """Which Zoom endpoint the section shows."""
    what = "webinar" if found.webinar else "meeting"
    if found.source == REPORT:
        return f"From Zoom's {what} report: GET /report/{what}s/{{id}}/{_ENDPOINTS[kind]}."
    return f"From Zoom's past {what} results: GET /past_{what}s/{{id}}/{_ENDPOINTS[kind]}."


def _name(person: Person) -> str:
    name = person.name or f"{person.first_name} {person.last_name}".strip()
    return clean_text(name, limit=MAX_NAME) or NO_NAME


def _email(person: Person) -> str:
    if person.email:
        return person.email
    return UNUSABLE_EMAIL if person.email_error else NO_EMAIL


def _who(person: Person) -> str:
    return f"{_name(person)} <{_email(person)}>"


def _cell(text: str) -> str:
    return clean_text(text, limit=MAX_CELL)


def _more(parts: Parts, hidden: int, what: str, complete: bool) -> None:
    if hidden > 0:
        where = "in Zoom's file attached" if complete else "in the host's and compliance copies"
        line = f"... {hidden} more {what if hidden == 1 else what + 's'} ({where})"
        parts.html.append(para(line))
        parts.text.append(line)


def _start(kind: str, found: Results, times: Times, shown: int) -> Parts:
    parts = Parts([], [])
    parts.note(source_note(kind, found))
    for note in found.notes:
        parts.note(note)
    if shown:
        parts.html.append(para(times_note(times)))
        parts.text.append(times_note(times))
    return parts


def _poll_title(poll: Poll) -> str:
    title = clean_text(poll.title, limit=MAX_CELL)
    ident = clean_text(poll.poll_id, limit=MAX_NAME)
    if title:
        return f"Poll: {title}" + (f" (poll ID {ident})" if ident else "")
    return f"Poll ID {ident}" if ident else "Poll (Zoom gives no poll ID)"


def polls_section(found: PollResults, times: Times, complete: bool = True) -> Section:
    """The poll answers, a table per poll."""
    parts = _start(POLLS, found, times, len(found.answers))
    budget = MAX_ROWS
    for poll in found.polls:
        shown = poll.answers[: max(budget, 0)]
        budget -= len(poll.answers)
        if not shown:
            continue
        title = _poll_title(poll)
        parts.html.append(tag("p", P, f"<b>{escape(title)}</b>"))
        parts.text.append(title)
        _answer_rows(
            parts, [(a.respondent, a.question, a.answer, a.answered_at) for a in shown], times
        )
    _more(parts, -budget, "answer", complete)
    return parts.done(POLLS, "Polls" + _close_answers(parts, found, "poll answers"))


def survey_section(found: SurveyResults, times: Times, complete: bool = True) -> Section:
    """The survey answers, one table."""
    parts = _start(SURVEY, found, times, len(found.answers))
    shown = found.answers[:MAX_ROWS]
    if shown:
        _answer_rows(
            parts, [(a.respondent, a.question, a.answer, a.answered_at) for a in shown], times
        )
    _more(parts, len(found.answers) - len(shown), "answer", complete)
    name = clean_text(found.survey_name, limit=MAX_NAME)
    heading = f"Survey: {name}" if name else "Survey"
    return parts.done(SURVEY, heading + _close_answers(parts, found, "survey answers"))


def _close_answers(parts: Parts, found: PollResults | SurveyResults, none: str) -> str:
    """A polls or survey section's end: what Zoom reported none of, and the closing notes;
    returns what its heading adds (the answers and respondents counted)."""
    if not found.answers and not found.withheld:
        parts.html.append(para(f"Zoom reports no {none}."))
        parts.text.append(f"Zoom reports no {none}.")
    closing_notes(
        parts,
        what=ANSWERS,
        withheld=found.withheld,
        problems=[p for a in found.answers for p in a.problems] + list(found.input_errors),
        withheld_errors=found.withheld_errors,
    )
    if not found.answers:
        return ""
    answers, people = count(len(found.answers), "answer"), count(found.respondents, "respondent")
    return f" ({answers} from {people})"


Answer = tuple[Person, str, str, datetime | None]  # respondent, question, answer, when


def _answer_rows(parts: Parts, answers: Sequence[Answer], times: Times) -> None:
    rows = []
    for person, question, answer, at in answers:
        cells = (_name(person), _email(person), _cell(question), _cell(answer), when(times, at))
        rows.append(row([escape(c) for c in cells], TD))
        parts.text.append(f"- {_who(person)}, {when(times, at, NO_TIME)}")
        parts.text.append(f"    Question: {cells[2]}")
        parts.text.append(f"    Answer:   {cells[3]}")
    parts.html.append(table(ANSWER_HEAD, rows))


def _status(q: QAQuestion) -> str:
    status = clean_text(q.status, limit=MAX_NAME) or "status not given"
    return f"{status}; answered live" if q.answered_live and status != "answered" else status


def qa_section(found: QAResults, times: Times, complete: bool = True) -> Section:
    """The questions, each followed by its answers."""
    parts = _start(QA, found, times, len(found.questions))
    shown = found.questions[:MAX_ROWS]
    rows = []
    for q in shown:
        who = f"<b>{escape(_name(q.asker))}</b><br>{tag('span', MUTED, escape(_email(q.asker)))}"
        asked, question, status = when(times, q.created), _cell(q.question), _status(q)
        cells = [who, escape(asked), f"<b>{escape(question)}</b>", escape(status)]
        rows.append(row(cells, PERSON))
        parts.text.append(
            f"- Question from {_who(q.asker)}, {when(times, q.created, NO_TIME)} ({status}):"
        )
        parts.text.append(f"    {question}")
        for a in q.answers:
            kind = clean_text(a.kind, limit=MAX_NAME) or "type not given"
            answered, content = when(times, a.created), _cell(a.content)
            rows.append(row([escape(c) for c in (_who(a.who), answered, content, kind)], TD))
            at = when(times, a.created, NO_TIME)
            parts.text.append(f"    Answer by {_who(a.who)}, {at} ({kind}):")
            parts.text.append(f"      {content}")
        if not q.answers and q.answer.strip():
            cells = [NO_ANSWERER, "not given", _cell(q.answer), "not given"]
            rows.append(row([escape(c) for c in cells], TD))
            parts.text.append(f"    Answer: {_cell(q.answer)}")
    if rows:
        parts.html.append(table(QA_HEAD, rows))
    _more(parts, len(found.questions) - len(shown), "question", complete)
    if not found.questions and not found.withheld:
        parts.html.append(para("Zoom reports no questions."))
        parts.text.append("Zoom reports no questions.")
    closing_notes(
        parts,
        what=("question or answer", "questions or answers"),
        withheld=found.withheld,
        problems=[
            p
            for q in found.questions
            for p in (*q.problems, *(x for a in q.answers for x in a.problems))
        ]
        + list(found.input_errors),
        withheld_errors=found.withheld_errors,
    )
    heading = "Q&A"
    if found.questions:
        heading += (
            f" ({count(len(found.questions), 'question')}, {count(found.answer_count, 'answer')})"
        )
    return parts.done(QA, heading)
