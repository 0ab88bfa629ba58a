"""Poll results and survey answers parsed from Zoom's JSON (pure; never raises for its data).

Polls: `GET /past_meetings/{id}/polls` or `/past_webinars/{id}/polls` (Medium, PAST) and
`GET /report/meetings/{id}/polls` or `/report/webinars/{id}/polls` (Heavy, REPORT, which adds
first and last names): `{id, uuid, start_time, questions[{name, email, first_name?, last_name?,
question_details[{question, answer, polling_id, date_time}]}]}`, one entry per respondent.
Surveys: `GET /report/meetings|webinars/{id}/survey` (Heavy): `{meeting_uuid | webinar_uuid,
start_time, survey_id?, survey_name?, survey_answers[{email, name, first_name?, last_name?,
answer_details[{question, question_id, answer, date_time}]}]}` (zoom-content-sources.md §3).
Anonymous answers come from "Anonymous Attendee" with no email, and are kept so.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from archiver.core.fields import shown
from archiver.core.interactions.rows import (
    REPORT,
    Person,
    Row,
    body_of,
    check_source,
    header,
    labelled,
    object_rows,
)


@dataclass(frozen=True)
class Results:
    """What every poll, Q&A and survey parse records besides its rows."""

    source: str  # PAST or REPORT: the endpoint the item says it used
    webinar: bool = False
    meeting_uuid: str = ""  # as the body names it ("" when it does not)
    start_time: datetime | None = None
    # Problems with the body itself (not with one row): they can quote any of its values.
    input_errors: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # what the caller wants the section to say (e.g. a fallback)
    withheld: int = 0  # rows not shown in this copy (another person's answers)
    withheld_errors: int = 0  # input errors not shown in this copy (they may quote others)


@dataclass(frozen=True)
class PollAnswer:
    """One answer to one poll question."""

    respondent: Person
    respondent_index: int  # the entry of Zoom's questions[] it came from
    poll_id: str  # Zoom's polling_id ("" when not given)
    question: str
    answer: str  # as Zoom gives it (several choices are joined by Zoom)
    answered_at: datetime | None
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class PollTitle:
    """A poll's title, from the meeting's poll list, where the caller has it."""

    poll_id: str
    title: str


@dataclass(frozen=True)
class Poll:
    """The answers to one poll, in Zoom's order."""

    poll_id: str
    title: str
    answers: tuple[PollAnswer, ...]


@dataclass(frozen=True)
class PollResults(Results):
    """A meeting's or webinar's poll answers."""

    answers: tuple[PollAnswer, ...] = ()
    titles: tuple[PollTitle, ...] = ()

    @property
    def polls(self) -> tuple[Poll, ...]:
        """The answers grouped by poll, polls in the order of their first answer."""
        titles = {t.poll_id: t.title for t in self.titles}
        grouped: dict[str, list[PollAnswer]] = {}
        for answer in self.answers:
            grouped.setdefault(answer.poll_id, []).append(answer)
        return tuple(Poll(pid, titles.get(pid, ""), tuple(a)) for pid, a in grouped.items())

    @property
    def respondents(self) -> int:
        """How many respondents the answers shown came from."""
        return len({a.respondent_index for a in self.answers})

    @property
    def all_errors(self) -> tuple[str, ...]:
        """Every input error, the body's first, then each row's."""
        return (*self.input_errors, *(p for a in self.answers for p in a.problems))


@dataclass(frozen=True)
class SurveyAnswer:
    """One answer to one survey question."""

    respondent: Person
    respondent_index: int  # the entry of Zoom's survey_answers[] it came from
    question: str
    question_id: str
    answer: str
    answered_at: datetime | None
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class SurveyResults(Results):
    """A meeting's or webinar's survey answers (Zoom has them in reports only)."""

    survey_id: str = ""
    survey_name: str = ""
    answers: tuple[SurveyAnswer, ...] = ()

    @property
    def respondents(self) -> int:
        """How many respondents the answers shown came from."""
        return len({a.respondent_index for a in self.answers})

    @property
    def all_errors(self) -> tuple[str, ...]:
        """Every input error, the body's first, then each row's."""
        return (*self.input_errors, *(p for a in self.answers for p in a.problems))


def parse_polls(
    raw: Any,
    *,
    source: str,
    webinar: bool = False,
    titles: Mapping[str, str] | None = None,
) -> PollResults:
    """Zoom's poll results body (PAST or REPORT shape); `titles`: poll id -> title if known."""
    check_source(source)
    where = "webinar polls" if webinar else "polls"
    errors: list[str] = []
    body = body_of(raw, where, "poll answer", errors)
    uuid, start = header(body, where, errors)
    answers = [
        PollAnswer(
            respondent=found.person,
            respondent_index=found.index,
            poll_id=found.row.text("polling_id"),
            question=found.row.text("question"),
            answer=found.row.text("answer"),
            answered_at=found.row.time("date_time"),
            problems=found.problems(),
        )
        for found in _answers(
            body, where, ("questions", "question_details", "poll"), errors, names=source == REPORT
        )
    ]
    return PollResults(
        source=source,
        webinar=webinar,
        meeting_uuid=uuid,
        start_time=start,
        input_errors=tuple(errors),
        answers=tuple(answers),
        titles=tuple(PollTitle(k, v) for k, v in (titles or {}).items()),
    )


def poll_titles(raw: Any) -> tuple[dict[str, str], list[str]]:
    """Poll id -> title from `GET /meetings/{id}/polls` (`{polls[{id, title, …}]}`), and the
    problems found; the list reflects the polls as they are now, not as they were run."""
    errors: list[str] = []
    body = body_of(raw, "poll list", "poll title", errors)
    found: dict[str, str] = {}
    for index, entry in object_rows(body, "polls", "poll list", "poll title", errors):
        row = Row(entry, f"poll list.polls[{index}]", errors)
        poll_id, title = row.text("id"), row.text("title")
        if poll_id and title:
            found.setdefault(poll_id, title)
    return found, errors


def parse_survey(raw: Any, *, webinar: bool = False) -> SurveyResults:
    """Zoom's survey report body (`survey_answers[]`, one entry per respondent)."""
    where = "webinar survey" if webinar else "survey"
    errors: list[str] = []
    body = body_of(raw, where, "survey answer", errors)
    uuid, start = header(body, where, errors, prefix="webinar_" if webinar else "meeting_")
    top = Row(body, where, errors)
    survey_id, survey_name = top.text("survey_id"), top.text("survey_name")
    answers = [
        SurveyAnswer(
            respondent=found.person,
            respondent_index=found.index,
            question=found.row.text("question"),
            question_id=found.row.text("question_id"),
            answer=found.row.text("answer"),
            answered_at=found.row.time("date_time"),
            problems=found.problems(),
        )
        for found in _answers(
            body, where, ("survey_answers", "answer_details", "survey"), errors, names=True
        )
    ]
    return SurveyResults(
        source=REPORT,
        webinar=webinar,
        meeting_uuid=uuid,
        start_time=start,
        input_errors=tuple(errors),
        survey_id=survey_id,
        survey_name=survey_name,
        answers=tuple(answers),
    )


@dataclass
class _Found:
    """One answer of one respondent, as `_answers` walks them."""

    index: int  # the respondent's
    person: Person
    row: Row  # the answer's detail
    head: tuple[str, ...]  # the respondent's own problems (with their first answer only)
    own: list[str]  # the detail's problems (filled as its fields are read)
    label: str

    def problems(self) -> tuple[str, ...]:
        return (*self.head, *labelled(self.label, self.own))


def _answers(
    body: Mapping[str, Any],
    where: str,
    shape: tuple[str, str, str],
    errors: list[str],
    *,
    names: bool,
) -> Iterator[_Found]:
    """Every answer of every respondent: `shape` is (respondents' key, their answers' key,
    "poll" or "survey"). A respondent's own problems go with their first answer; those of a
    respondent with no readable answer become body errors (shown only in copies that see every
    answer)."""
    respondents, details_key, word = shape
    for index, entry in object_rows(body, respondents, where, f"{word} answer", errors):
        problems: list[str] = []
        row = Row(entry, f"{where}.{respondents}[{index}]", problems)
        person = row.person(names=names)
        label = f"{word} respondent {shown(person.name)}"
        details = row.rows(details_key, "answer of this respondent")
        head = tuple(labelled(label, problems))
        if not details:
            errors.extend(head)
        for i, (n, detail) in enumerate(details):
            own: list[str] = []
            d = Row(detail, f"{row.where}.{details_key}[{n}]", own)
            yield _Found(index, person, d, head if i == 0 else (), own, label)
