"""The item body, as HTML and as plain text, from the same sections (pure; all Zoom text escaped).

Both renderings show the same facts in the same order: the meeting's facts (with its time zone
and where the record came from), the participants with each of their sessions, the people who
only waited, the chat, the transcript, the files and the notes.

Outlook desktop renders HTML with Word's engine, so the HTML is simple tables and paragraphs
with inline styles on every element (Word does not carry a font from <body> into tables): no
<style> block, no CSS layout (grid, flex, float, positioning), no images, no external resources.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from archiver.core.converter.chat_view import (
    ROOMS_INTRO,
    ROOMS_TITLE,
    Line,
    chat_lines,
    chat_notes,
    chat_times,
    room_notes,
    rooms_html,
    rooms_text,
)
from archiver.core.converter.content import ItemContent
from archiver.core.converter.interactions import interaction_sections
from archiver.core.converter.member_log import Room
from archiver.core.converter.names import clean_text, truncate
from archiver.core.converter.people import Person, Session, people
from archiver.core.converter.provenance import PRODUCT, VERSION, source_names
from archiver.core.converter.section import Section
from archiver.core.converter.styles import (
    FACT,
    FONT,
    H2,
    H3,
    LIST,
    MONO,
    MUTED,
    NOTE,
    PERSON,
    TABLE_ATTRS,
    TD,
    TH,
    WAITING,
    P,
    row,
    tag,
)
from archiver.core.converter.values import Times, duration, size
from archiver.core.fields import unicode_text
from archiver.core.keys import meeting_key
from archiver.core.model import Meeting
from archiver.core.staged import StagedFile

MAX_LINES = 2000  # chat lines / transcript turns rendered; the full file is attached
MAX_LINE = 2000
NO_EMAIL = "guest, no email"
UNUSABLE_EMAIL = "email not usable, see Notes"
WAITED_NOTE = "In the waiting room only; never admitted to the meeting."
TRANSCRIPT_TIMES = "Times from the start of the recording, as Zoom's transcript gives them."


@dataclass(frozen=True)
class _File:
    name: str
    size: str
    sha256: str
    status: str

    @property
    def plain(self) -> str:
        facts = ", ".join(
            x for x in (self.size, f"SHA-256 {self.sha256}" if self.sha256 else "") if x
        )
        return f"{self.name}: {facts} - {self.status}" if facts else f"{self.name} - {self.status}"


@dataclass(frozen=True)
class _Body:
    """Every section of the body, computed once for both renderings."""

    title: str
    facts: list[tuple[str, str]]
    times: Times
    people: list[Person]
    people_note: str
    waited: list[Person]
    chat: list[Line]
    chat_times: str
    chat_notes: list[str]
    rooms: tuple[Room, ...]
    room_notes: list[str]
    transcript: list[Line]
    transcript_notes: list[str]
    files: list[_File]
    notes: list[str]
    sections: list[Section]  # polls, Q&A, survey and summary (after the transcript)


def _facts(
    meeting: Meeting,
    times: Times,
    *,
    part: int | None,
    part_count: int | None,
    revision: int,
    archived_at: datetime | None,
) -> list[tuple[str, str]]:
    facts = [
        ("Topic", clean_text(meeting.topic or _no_topic(meeting), limit=1000)),
        *_origin(meeting),
        ("Meeting ID", str(meeting.meeting_id or "(not given by Zoom)")),
        ("Meeting UUID", clean_text(meeting.uuid, limit=200)),
        ("Host", clean_text(f"{meeting.host_name} <{meeting.host_email or 'unknown'}>", limit=300)),
        ("Start", times.full(meeting.start_time)),
        ("End", times.full(meeting.end_time)),
        ("Duration", f"{meeting.duration_min} min"),
        ("Time zone", times.zone_fact(meeting.start_time, meeting.end_time)),
    ]
    if part:
        facts.append(("Part", f"{part} of {part_count} (the files of this meeting were split)"))
    if revision:
        facts.append(
            (
                "Update",
                f"{revision}: files Zoom completed after this meeting was first "
                "archived (the earlier item is unchanged)",
            )
        )
    facts.append(("Archived", provenance(meeting, times, archived_at)))
    return facts


def title_of(meeting: Meeting) -> str:
    """What the item is about: the topic; a breakout room's names its parent meeting too."""
    topic = meeting.topic or _no_topic(meeting)
    if meeting.parent_uuid:
        parent = meeting.parent_topic or "a meeting"
        return f"{parent} - breakout room {topic}"
    return topic


def _no_topic(meeting: Meeting) -> str:
    return "(external meeting: Zoom gives no topic)" if meeting.external else "(no topic)"


def _origin(meeting: Meeting) -> list[tuple[str, str]]:
    """Where a breakout room was opened from, and whether the meeting was hosted elsewhere."""
    facts = []
    if meeting.parent_uuid:
        parent = clean_text(meeting.parent_topic or "(topic not known)", limit=300)
        facts.append(
            (
                "Breakout room of",
                f"{parent} (meeting key {meeting_key(meeting.parent_uuid)}, UUID "
                f"{clean_text(meeting.parent_uuid, limit=200)}): the parent meeting is archived "
                "as an item of its own",
            )
        )
    if meeting.external:
        facts.append(
            (
                "Hosted",
                "outside your Zoom account (an external meeting): Zoom gives no meeting ID, "
                "host or topic for it",
            )
        )
    return facts


def provenance(meeting: Meeting, times: Times, archived_at: datetime | None) -> str:
    """The provenance line: when, by what, and from which Zoom sources the item was made."""
    made = f"by {PRODUCT} {VERSION}, from the Zoom sources: {source_names(meeting.sources)}"
    if archived_at is None:
        return f"{made} (the archive time was not recorded)"
    return f"{times.full(archived_at)} {made}"


def _file_status(f: StagedFile) -> str:
    if f.disposition == "attach":
        return "attached"
    if f.disposition == "link":
        return f"kept in archive storage at {f.location} ({f.note})"
    if f.disposition == "split":
        parts = "; ".join(f"{p.name}: {size(p.size)}, SHA-256 {p.sha256}" for p in f.parts)
        names = " ".join(p.name for p in f.parts)
        return (
            f"split into {len(f.parts)} parts, one per item ({f.note}). Parts: {parts}. "
            f'Reassemble: cat {names} > "{f.name}" && sha256sum "{f.name}"'
        )
    return f.note or "not stored"


def _size(f: StagedFile) -> str:
    """What Zoom served, readably and exactly; and what Zoom listed when that differs."""
    return size(f.size, listed=f.listed_size)


def _body(
    meeting: Meeting,
    staged: Sequence[StagedFile],
    content: ItemContent,
    *,
    part: int | None,
    part_count: int | None,
    revision: int,
    archived_at: datetime | None,
) -> _Body:
    times = Times.of(meeting.timezone, meeting.start_time)
    transcript = [
        Line(
            clean_text(t.start, limit=40),
            clean_text(t.speaker or "Unknown speaker", limit=200),
            truncate(t.text, MAX_LINE),
        )
        for t in content.transcript
    ]
    transcript_notes = (
        [f"{content.transcript_unparsed} transcript cue(s) could not be read; the file is attached"]
        if content.transcript_unparsed
        else []
    )
    files = [_File(f.name, _size(f), f.sha256, _file_status(f)) for f in staged]
    files += [_File(m.description, "", "", f"not archived: {m.reason}") for m in content.missing]
    files += [
        _File(
            f"{f.file_type} {f.recording_type}".strip(),
            "",
            "",
            "still processing at Zoom when archived",
        )
        for f in meeting.processing_files
    ]
    notes = [
        clean_text(n, limit=MAX_LINE)
        for n in (*meeting.notes, *meeting.input_errors, *content.notes)
    ]
    admitted, waited = people(meeting.participants)
    return _Body(
        title=f"Zoom meeting: {clean_text(title_of(meeting), limit=300)}",
        facts=_facts(
            meeting,
            times,
            part=part,
            part_count=part_count,
            revision=revision,
            archived_at=archived_at,
        ),
        times=times,
        people=admitted,
        people_note=clean_text(meeting.participants_note, limit=MAX_LINE),
        waited=waited,
        chat=chat_lines(content.chat),
        chat_times=chat_times(content),
        chat_notes=chat_notes(content),
        rooms=content.rooms,
        room_notes=room_notes(content),
        transcript=transcript,
        transcript_notes=transcript_notes,
        files=files,
        notes=notes,
        sections=interaction_sections(content.interactions, times) if content.interactions else [],
    )


def _count(n: int, what: str) -> str:
    return f"{n} {what}" if n == 1 else f"{n} {what}s"


def _times_note(times: Times) -> str:
    zone = f"UTC, with {times.name} in brackets" if times.name else "UTC"
    return f"Times on {times.day:%Y-%m-%d} unless a date is shown; {zone}."


def _totals(person: Person) -> str:
    out = []
    if person.admitted:
        seconds = sum(s.seconds for s in person.admitted)
        out.append(
            f"in the meeting {duration(seconds)} over {_count(len(person.admitted), 'session')}"
        )
    if person.waiting:
        seconds = sum(s.seconds for s in person.waiting)
        out.append(
            f"in the waiting room {duration(seconds)} over {_count(len(person.waiting), 'session')}"
        )
    return "; ".join(out)


def _email(person: Person) -> str:
    if person.email:
        return person.email
    return UNUSABLE_EMAIL if person.email_error else NO_EMAIL


def _session_label(person: Person, session: Session) -> str:
    label = f"{session.number}. {'in meeting' if session.admitted else 'waiting room'}"
    if session.name != person.name:
        label += f' as "{clean_text(session.name, limit=200)}"'
    return label


def _session_duration(session: Session) -> str:
    shown = duration(session.seconds)
    if session.zoom_seconds != session.seconds:
        shown += f" (Zoom reports {duration(session.zoom_seconds)})"
    return shown


def _texts(b: _Body) -> tuple[tuple[str, str, list[Line], list[str]], ...]:
    """The chat and the transcript: title, what their times are, lines, notes."""
    return (
        ("Chat", b.chat_times, b.chat, b.chat_notes),
        ("Transcript", TRANSCRIPT_TIMES, b.transcript, b.transcript_notes),
    )


def _limited(lines: list[str]) -> list[str]:
    if len(lines) <= MAX_LINES:
        return lines
    return [*lines[:MAX_LINES], f"... {len(lines) - MAX_LINES} more (see the attached file)"]


def _people_heading(title: str, found: list[Person]) -> str:
    if not found:
        return title
    who = "1 person" if len(found) == 1 else f"{len(found)} people"
    return f"{title} ({who}, {_count(sum(len(p.sessions) for p in found), 'session')})"


def render_text(
    meeting: Meeting,
    staged: Sequence[StagedFile],
    content: ItemContent,
    *,
    part: int | None = None,
    part_count: int | None = None,
    revision: int = 0,
    archived_at: datetime | None = None,
) -> str:
    """The plain-text alternative: the same sections as the HTML, as aligned text."""
    b = _body(
        meeting,
        staged,
        content,
        part=part,
        part_count=part_count,
        revision=revision,
        archived_at=archived_at,
    )
    width = max(len(k) for k, _ in b.facts) + 2
    out = [b.title, ""]
    out += [f"{k + ':':<{width}}{v}" for k, v in b.facts]

    def heading(title: str) -> None:
        out.extend(["", title, "-" * len(title)])

    def person_lines(found: list[Person]) -> None:
        for p in found:
            out.append(f"- {clean_text(p.name, limit=200)} <{_email(p)}>: {_totals(p)}")
            out.extend(
                f"    {_session_label(p, s)}: joined {b.times.short(s.joined)}, "
                f"left {b.times.short(s.left)}, {_session_duration(s)}"
                for s in p.sessions
            )

    heading(_people_heading("Participants", b.people))
    if b.people_note:
        out.append(f"({b.people_note})")
    if b.people or b.waited:
        out.append(_times_note(b.times))
    person_lines(b.people)
    if not b.people:
        out.append("(none listed)")
    if b.waited:
        heading(_people_heading("Waited, not admitted", b.waited))
        out.append(WAITED_NOTE)
        person_lines(b.waited)
    for title, intro, lines, notes in _texts(b):
        heading(title)
        if lines:
            out.append(f"({intro})")
        out += _limited([line.plain for line in lines]) or ["(none)"]
        out += [f"({n})" for n in notes]
        if title == "Chat" and (b.rooms or b.room_notes):
            heading(ROOMS_TITLE)
            if b.rooms:
                out.append(f"({ROOMS_INTRO} {_times_note(b.times)})")
            out += rooms_text(b.rooms, b.times)
            out += [f"({n})" for n in b.room_notes]
    for section in b.sections:
        heading(section.heading)
        out.append(section.text)
    heading("Files")
    out += [f"- {f.plain}" for f in b.files] or ["(none)"]
    if b.notes:
        heading("Notes")
        out += [f"- {n}" for n in b.notes]
    # Chat and transcript text can hold half a UTF-16 pair (a staged document's JSON escape):
    # made encodable here, once, for both renderings.
    return unicode_text("\n".join(out) + "\n")


def _html_people(b: _Body, found: list[Person]) -> list[str]:
    """One table: a shaded row per person (name, email, totals), then a row per session."""
    out = [f"<table{TABLE_ATTRS}>", row(("Session", "Joined", "Left", "Duration"), TH, "th")]
    for p in found:
        who = (
            f"<b>{escape(clean_text(p.name, limit=200))}</b> &lt;{escape(_email(p))}&gt;"
            f'<br><span style="{MUTED}">{escape(_totals(p))}</span>'
        )
        out.append(f"<tr valign=top>{tag('td', PERSON, who, ' colspan=4')}</tr>")
        for s in p.sessions:
            cells = (
                _session_label(p, s),
                b.times.short(s.joined),
                b.times.short(s.left),
                _session_duration(s),
            )
            style = TD if s.admitted else WAITING
            out.append("<tr>" + "".join(tag("td", style, escape(c)) for c in cells) + "</tr>")
    out.append("</table>")
    return out


def _html_lines(lines: list[Line]) -> str:
    shown = [line.html for line in lines[:MAX_LINES]]
    if len(lines) > MAX_LINES:
        shown.append(f"... {len(lines) - MAX_LINES} more (see the attached file)")
    return tag("p", P, "<br>\n".join(shown) if shown else "(none)")


def _html_files(files: list[_File]) -> list[str]:
    if not files:
        return [tag("p", P, "(none)")]
    out = [f"<table{TABLE_ATTRS}>", row(("File", "Size", "Status"), TH, "th")]
    for f in files:
        sha = f'<br><span style="{MONO}">SHA-256 {escape(f.sha256)}</span>' if f.sha256 else ""
        out.append(row((escape(f.name) + sha, escape(f.size) or "&nbsp;", escape(f.status)), FACT))
    out.append("</table>")
    return out


def render_html(
    meeting: Meeting,
    staged: Sequence[StagedFile],
    content: ItemContent,
    *,
    part: int | None = None,
    part_count: int | None = None,
    revision: int = 0,
    archived_at: datetime | None = None,
) -> str:
    """The HTML body (every Zoom-provided text escaped; inline styles only)."""
    b = _body(
        meeting,
        staged,
        content,
        part=part,
        part_count=part_count,
        revision=revision,
        archived_at=archived_at,
    )

    def heading(title: str) -> str:
        return tag("h3", H3, escape(title))

    def para(text: str, style: str = P) -> str:
        return tag("p", style, escape(text))

    out = [f'<html><body style="{FONT}">', tag("h2", H2, escape(b.title))]
    out.append(f"<table{TABLE_ATTRS}>")
    out += [
        f"<tr valign=top>{tag('th', TH, escape(k))}{tag('td', FACT, escape(v))}</tr>"
        for k, v in b.facts
    ]
    out.append("</table>")
    out.append(heading(_people_heading("Participants", b.people)))
    if b.people_note:
        out.append(para(b.people_note, NOTE))
    if b.people or b.waited:
        out.append(para(_times_note(b.times)))
    out += _html_people(b, b.people) if b.people else [para("(none listed)")]
    if b.waited:
        out.append(heading(_people_heading("Waited, not admitted", b.waited)))
        out.append(para(WAITED_NOTE))
        out += _html_people(b, b.waited)
    for title, intro, lines, notes in _texts(b):
        out.append(heading(title))
        if lines:
            out.append(para(intro, NOTE))
        out.append(_html_lines(lines))
        out += [para(n, NOTE) for n in notes]
        if title == "Chat" and (b.rooms or b.room_notes):
            out.append(heading(ROOMS_TITLE))
            if b.rooms:
                out.append(para(f"{ROOMS_INTRO} {_times_note(b.times)}", NOTE))
                out += rooms_html(b.rooms, b.times)
            out += [para(n, NOTE) for n in b.room_notes]
    for section in b.sections:
        out += [heading(section.heading), section.html]
    out.append(heading("Files"))
    out += _html_files(b.files)
    if b.notes:
        out.append(heading("Notes"))
        out.append(f'<ul style="{LIST}">')
        out += [tag("li", P, escape(n)) for n in b.notes]
        out.append("</ul>")
    out.append("</body></html>")
    return unicode_text("\n".join(out))
