"""Q&A parsed from Zoom's JSON (pure; never raises for its data).

`GET /past_meetings/{id}/qa` or `/past_webinars/{id}/qa` (Medium, PAST): `{id, uuid,
start_time, questions[{name, email, question_details[{question, answer}]}]}`, one entry per
asker, several answers "returned together and separated by semicolons", a live answer as
"live answered". `GET /report/meetings|webinars/{id}/qa` (Heavy, REPORT) adds `user_id` and,
per question, `question_id, create_time, question_status` (default | open | dismissed |
answered | deleted) and `answer_details[{user_id, name, email, content, create_time, type}]`
(zoom-content-sources.md §3). An anonymous question comes from "Anonymous Attendee", no email.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from archiver.core.fields import shown
from archiver.core.interactions.polls import Results
from archiver.core.interactions.rows import (
    Person,
    Row,
    body_of,
    check_source,
    header,
    labelled,
    object_rows,
)

STATUSES = ("default", "open", "dismissed", "answered", "deleted")
LIVE = "live answered"  # Zoom's answer text for a question answered out loud


@dataclass(frozen=True)
class QAAnswer:
    """One answer to a question (reports only: the past-meeting shape has just the text)."""

    content: str
    who: Person
    created: datetime | None
    kind: str  # Zoom's `type` as given, e.g. "host_answered_publicly" ("" when none)
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class QAQuestion:
    """One question and its answers."""

    asker: Person
    asker_index: int  # the entry of Zoom's questions[] it came from
    question: str
    answer: str  # Zoom's `answer` text: answers joined by ";", or "live answered"
    question_id: str = ""  # reports only, like the fields below
    created: datetime | None = None
    status: str = ""  # one of STATUSES as Zoom gives it; "" when Zoom gives none
    answers: tuple[QAAnswer, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def answered_live(self) -> bool:
        """True when Zoom says the question was answered out loud."""
        return self.answer.strip().lower() == LIVE


@dataclass(frozen=True)
class QAResults(Results):
    """A meeting's or webinar's questions and answers."""

    questions: tuple[QAQuestion, ...] = ()

    @property
    def answer_count(self) -> int:
        """Answers shown: each answer detail, or one for an answer text without details."""
        return sum(len(q.answers) or bool(q.answer.strip()) for q in self.questions)

    @property
    def all_errors(self) -> tuple[str, ...]:
        """Every input error, the body's first, then each question's and answer's."""
        return (
            *self.input_errors,
            *(
                p
                for q in self.questions
                for p in (*q.problems, *(p for a in q.answers for p in a.problems))
            ),
        )


def parse_qa(raw: Any, *, source: str, webinar: bool = False) -> QAResults:
    """Zoom's Q&A body (PAST or REPORT shape) as questions in Zoom's order."""
    check_source(source)
    where = "webinar Q&A" if webinar else "Q&A"
    errors: list[str] = []
    body = body_of(raw, where, "question", errors)
    uuid, start = header(body, where, errors)
    questions: list[QAQuestion] = []
    for index, entry in object_rows(body, "questions", where, "question", errors):
        problems: list[str] = []
        row = Row(entry, f"{where}.questions[{index}]", problems)
        asker = row.person()
        label = f"Q&A asker {shown(asker.name)}"
        details = row.rows("question_details", "question of this asker")
        head = labelled(label, problems)
        if not details:
            errors.extend(head)
        for i, (n, detail) in enumerate(details):
            question = _question(detail, f"{row.where}.question_details[{n}]", asker, index, label)
            if i == 0 and head:
                question = replace(question, problems=(*head, *question.problems))
            questions.append(question)
    return QAResults(
        source=source,
        webinar=webinar,
        meeting_uuid=uuid,
        start_time=start,
        input_errors=tuple(errors),
        questions=tuple(questions),
    )


def _question(doc: Any, where: str, asker: Person, index: int, label: str) -> QAQuestion:
    problems: list[str] = []
    d = Row(doc, where, problems)
    status = d.text("question_status").strip()
    if status and status.lower() not in STATUSES:
        problems.append(
            f"{where}.question_status: unknown value {shown(status)}; shown as given, "
            "and the question is treated as not answered"
        )
    answers: list[QAAnswer] = []
    for n, detail in d.rows("answer_details", "answer detail"):
        own: list[str] = []
        a = Row(detail, f"{where}.answer_details[{n}]", own)
        answers.append(
            QAAnswer(
                content=a.text("content"),
                who=a.person(),
                created=a.time("create_time"),
                kind=a.text("type").strip(),
                problems=labelled(label, own),
            )
        )
    return QAQuestion(
        asker=asker,
        asker_index=index,
        question=d.text("question"),
        answer=d.text("answer"),
        question_id=d.text("question_id"),
        created=d.time("create_time"),
        status=status.lower() if status.lower() in STATUSES else status,
        answers=tuple(answers),
        problems=labelled(label, problems),
    )
