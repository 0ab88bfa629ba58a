"""Who was there: each person once, with every session Zoom reported for them (pure).

Zoom reports one row per join and leave. A person is recognised by email, or by name for guests
without one (as Meeting.attendees and Meeting.waited_only do), so each rejoin, and each stay in
the waiting room, is a session of the same person. People admitted at least once are the
participants; people who only ever waited are listed apart ("Waited, not admitted").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from archiver.core.model import Participant


@dataclass(frozen=True)
class Session:
    """One join and leave of one person, as Zoom reported it."""

    number: int  # 1-based, in the order the person joined
    admitted: bool  # False: in the waiting room
    name: str  # the display name Zoom gave for this session
    joined: datetime
    left: datetime
    zoom_seconds: int  # the duration Zoom reported

    @property
    def seconds(self) -> int:
        """The time between joining and leaving (0 if Zoom's leave time is before the join)."""
        return max(int((self.left - self.joined).total_seconds()), 0)


@dataclass(frozen=True)
class Person:
    """One participant and their sessions, in the order they joined."""

    name: str
    email: str | None
    email_error: str | None  # why the email Zoom gave was not used
    sessions: tuple[Session, ...]

    @property
    def admitted(self) -> tuple[Session, ...]:
        """Sessions in the meeting."""
        return tuple(s for s in self.sessions if s.admitted)

    @property
    def waiting(self) -> tuple[Session, ...]:
        """Sessions in the waiting room."""
        return tuple(s for s in self.sessions if not s.admitted)


def people(sessions: Sequence[Participant]) -> tuple[list[Person], list[Person]]:
    """(people admitted at least once, people who only waited), each in order of first join."""
    groups: dict[str, list[Participant]] = {}
    for p in sessions:
        groups.setdefault(_person(p), []).append(p)
    admitted: list[Person] = []
    waited: list[Person] = []
    for rows in groups.values():
        person = _of(rows)
        (admitted if person.admitted else waited).append(person)
    return sorted(admitted, key=_order), sorted(waited, key=_order)


def _person(p: Participant) -> str:
    # The same identity as archiver.core.model._person (who was admitted, who only waited).
    return p.email or f"name:{p.name.casefold()}"


def _of(rows: list[Participant]) -> Person:
    ordered = sorted(rows, key=lambda p: (p.join_time, p.leave_time))
    sessions = tuple(
        Session(i, p.admitted, p.name, p.join_time, p.leave_time, p.duration_s)
        for i, p in enumerate(ordered, start=1)
    )
    named = next((p for p in ordered if p.admitted), ordered[0])
    errors = [p.email_error for p in ordered if p.email_error]
    return Person(
        name=named.name,
        email=named.email,
        email_error=errors[0] if errors and not named.email else None,
        sessions=sessions,
    )


def _order(person: Person) -> tuple[datetime, str]:
    first = (person.admitted or person.sessions)[0]
    return first.joined, person.name.casefold()
