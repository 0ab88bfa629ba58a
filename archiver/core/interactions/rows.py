"""Reading one row of Zoom's poll, Q&A and survey JSON without ever raising for its data (pure).

Each bad value is recorded as a problem naming the row and the field ("poll respondent 'Bob':
polls.questions[2].question_details[0].date_time: not an ISO datetime ('yesterday'); not
shown") and a stated default is kept, as the meeting model does for participants and files.
A problem stays with its row, so a copy that leaves the row out leaves its problem out too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from archiver.core.addresses import email_address
from archiver.core.fields import optional_text, optional_time, shown
from archiver.errors import InvalidInputError

# Zoom's name for whoever answered an anonymous poll, survey or question (its spec's wording);
# such an answer comes with no email, and none is ever made up for it.
ANONYMOUS = "Anonymous Attendee"
# Which Zoom endpoint a parse came from: the past-meeting (or past-webinar) results, Medium, or
# the report, Heavy, which adds first and last names, IDs, times, statuses and answer details.
PAST = "past"
REPORT = "report"
SOURCES = (PAST, REPORT)
NOT_SHOWN = "not shown"


@dataclass(frozen=True)
class Person:
    """Someone who answered or asked, exactly as Zoom names them."""

    name: str  # as Zoom gives it ("Anonymous Attendee" for an anonymous answer)
    email: str | None  # a valid address, lowercased; None when Zoom gives none or a bad one
    first_name: str = ""  # reports only
    last_name: str = ""
    user_id: str = ""  # Zoom's user ID where the report gives one ("" for external users)
    email_error: str | None = None  # why the address Zoom gave is not used

    @property
    def anonymous(self) -> bool:
        """True for Zoom's anonymous answerer: the name "Anonymous Attendee" and no email."""
        return self.email is None and self.name == ANONYMOUS


class Row:
    """The fields of one row, each read once; a bad one adds a problem and gives a default."""

    def __init__(self, doc: Mapping[str, Any], where: str, problems: list[str]) -> None:
        self.doc = doc
        self.where = where
        self.problems = problems

    def text(self, name: str, consequence: str = NOT_SHOWN) -> str:
        """A text field ("" when absent, null or unusable)."""
        try:
            return optional_text(self.doc, name, self.where)
        except InvalidInputError as error:
            self.problems.append(f"{error}; {consequence}")
            return ""

    def time(self, name: str) -> datetime | None:
        """A time field (None when absent, empty or unusable)."""
        try:
            return optional_time(self.doc.get(name), f"{self.where}.{name}")
        except InvalidInputError as error:
            self.problems.append(f"{error}; {NOT_SHOWN}")
            return None

    def person(self, *, names: bool = False) -> Person:
        """The row's person: name, email (checked) and, for reports, first/last name and ID."""
        name = self.text("name")
        raw = self.text("email", "no email is shown").strip()
        email: str | None = None
        error: str | None = None
        if raw:
            try:
                email = email_address(raw, f"{self.where}.email")
            except InvalidInputError as invalid:
                error = f"{invalid}; not shown"
                self.problems.append(error)
        return Person(
            name=name,
            email=email,
            first_name=self.text("first_name") if names else "",
            last_name=self.text("last_name") if names else "",
            user_id=self.text("user_id") if "user_id" in self.doc else "",
            email_error=error,
        )

    def rows(self, name: str, what: str) -> list[tuple[int, Mapping[str, Any]]]:
        """The objects of a list field with their indexes; a non-object entry is a problem."""
        return object_rows(self.doc, name, self.where, what, self.problems)


def object_rows(
    doc: Mapping[str, Any], name: str, where: str, what: str, problems: list[str]
) -> list[tuple[int, Mapping[str, Any]]]:
    """The objects in doc[name] with their indexes; everything unusable is named in `problems`."""
    value = doc.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(
            f"{where}.{name}: expected a list of objects, got {shown(value)}; no {what} is shown"
        )
        return []
    out: list[tuple[int, Mapping[str, Any]]] = []
    for index, entry in enumerate(value):
        if isinstance(entry, Mapping):
            out.append((index, entry))
        else:
            problems.append(
                f"{where}.{name}[{index}]: expected an object, got {shown(entry)}; left out"
            )
    return out


def body_of(raw: Any, where: str, what: str, problems: list[str]) -> Mapping[str, Any]:
    """Zoom's answer body as an object; anything else is a problem and reads as empty."""
    if isinstance(raw, Mapping):
        return raw
    problems.append(f"{where}: expected an object, got {shown(raw)}; no {what} is shown")
    return {}


def header(
    body: Mapping[str, Any], where: str, problems: list[str], *, prefix: str = ""
) -> tuple[str, datetime | None]:
    """The meeting UUID and start time an answer body names (prefix "meeting_" in surveys)."""
    row = Row(body, where, problems)
    uuid = (row.text(f"{prefix}uuid") if prefix else "") or row.text("uuid")
    return uuid, row.time("start_time")


def labelled(label: str, problems: list[str]) -> tuple[str, ...]:
    """Problems of one row, each prefixed with who the row is about."""
    return tuple(f"{label}: {problem}" for problem in problems)


def check_source(source: str) -> str:
    """The source a caller names (a programming error, not data, when it is not one of SOURCES)."""
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, got {source!r}")
    return source
