"""The item body, as HTML and as plain text, from the same facts (pure; all Zoom text escaped)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from archiver.core.converter.content import ItemContent
from archiver.core.converter.names import clean_text, truncate
from archiver.core.fields import unicode_text
from archiver.core.model import Meeting, Participant
from archiver.core.staged import StagedFile

MAX_LINES = 2000  # chat lines / transcript turns rendered; the full file is attached
MAX_LINE = 2000


@dataclass(frozen=True)
class _Row:
    name: str
    email: str
    first_join: datetime
    last_leave: datetime
    seconds: int
    sessions: int


def _zone(meeting: Meeting) -> ZoneInfo | None:
    try:
        return ZoneInfo(meeting.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _when(value: datetime, meeting: Meeting) -> str:
    utc = f"{value:%Y-%m-%d %H:%M:%S} UTC"
    zone = _zone(meeting)
    if zone is None or meeting.timezone == "UTC":
        return utc
    local = value.astimezone(zone)
    return f"{utc} ({local:%Y-%m-%d %H:%M:%S} {clean_text(meeting.timezone, limit=60)})"


def participant_rows(sessions: Sequence[Participant]) -> list[_Row]:
    """One row per person: sessions (rejoins) merged by email, or by name for guests."""
    rows: dict[str, _Row] = {}
    for p in sessions:
        key = (p.email or f"name:{p.name}").lower()
        row = rows.get(key)
        if row is None:
            rows[key] = _Row(p.name, p.email or "", p.join_time, p.leave_time, p.duration_s, 1)
        else:
            rows[key] = _Row(
                row.name,
                row.email,
                min(row.first_join, p.join_time),
                max(row.last_leave, p.leave_time),
                row.seconds + p.duration_s,
                row.sessions + 1,
            )
    return sorted(rows.values(), key=lambda r: (r.first_join, r.name.lower()))


def _facts(
    meeting: Meeting, part: int | None, part_count: int | None, revision: int = 0
) -> list[tuple[str, str]]:
    facts = [
        ("Topic", clean_text(meeting.topic or "(no topic)", limit=1000)),
        ("Meeting ID", str(meeting.meeting_id)),
        ("Meeting UUID", clean_text(meeting.uuid, limit=200)),
        ("Host", clean_text(f"{meeting.host_name} <{meeting.host_email or 'unknown'}>", limit=300)),
        ("Start", _when(meeting.start_time, meeting)),
        ("End", _when(meeting.end_time, meeting)),
        ("Duration", f"{meeting.duration_min} min"),
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
    return facts


def _file_status(f: StagedFile) -> str:
    if f.disposition == "attach":
        return "attached"
    if f.disposition == "link":
        return f"kept in archive storage at {f.location} ({f.note})"
    if f.disposition == "split":
        parts = "; ".join(f"{p.name}: {p.size} bytes, SHA-256 {p.sha256}" for p in f.parts)
        names = " ".join(p.name for p in f.parts)
        return (
            f"split into {len(f.parts)} parts, one per item ({f.note}). Parts: {parts}. "
            f'Reassemble: cat {names} > "{f.name}" && sha256sum "{f.name}"'
        )
    return f.note or "not stored"


def _size(f: StagedFile) -> str:
    if f.listed_size is not None and f.listed_size != f.size:
        return f"{f.size} bytes (Zoom listed {f.listed_size})"
    return f"{f.size} bytes"


@dataclass(frozen=True)
class _Body:
    """Every section of the body, computed once for both renderings."""

    facts: list[tuple[str, str]]
    people: list[_Row]
    people_note: str
    waited: list[_Row]
    chat: list[str]
    chat_notes: list[str]
    transcript: list[str]
    transcript_notes: list[str]
    files: list[tuple[str, str, str, str]]  # name, size, SHA-256, what happened
    notes: list[str]


def _body(
    meeting: Meeting,
    staged: Sequence[StagedFile],
    content: ItemContent,
    *,
    part: int | None,
    part_count: int | None,
    revision: int,
) -> _Body:
    chat = [
        f"[{c.time}] {clean_text(c.sender, limit=200)}"
        + (f" to {clean_text(c.recipient, limit=200)} (direct message)" if c.direct else "")
        + f": {truncate(c.text, MAX_LINE)}"
        for c in content.chat
    ]
    chat_notes = []
    if content.chat_unparsed:
        chat_notes.append(
            f"{content.chat_unparsed} chat line(s) could not be read; the chat file is attached"
        )
    if content.withheld:
        chat_notes.append(
            f"{content.withheld} direct message(s) between other participants are not shown "
            f"in this copy ({content.withheld_note})"
        )
    transcript = [
        f"[{t.start}] {clean_text(t.speaker or 'Unknown speaker', limit=200)}: "
        f"{truncate(t.text, MAX_LINE)}"
        for t in content.transcript
    ]
    transcript_notes = (
        [f"{content.transcript_unparsed} transcript cue(s) could not be read; the file is attached"]
        if content.transcript_unparsed
        else []
    )
    files = [(f.name, _size(f), f.sha256, _file_status(f)) for f in staged]
    files += [(m.description, "", "", f"not archived: {m.reason}") for m in content.missing]
    files += [
        (
            f"{f.file_type} {f.recording_type}".strip(),
            "",
            "",
            "still processing at Zoom when archived",
        )
        for f in meeting.processing_files
    ]
    notes = [clean_text(n, limit=MAX_LINE) for n in (*meeting.input_errors, *content.notes)]
    return _Body(
        facts=_facts(meeting, part, part_count, revision),
        people=participant_rows(meeting.attendees),
        people_note=clean_text(meeting.participants_note, limit=MAX_LINE),
        waited=participant_rows(meeting.waited_only),
        chat=chat,
        chat_notes=chat_notes,
        transcript=transcript,
        transcript_notes=transcript_notes,
        files=files,
        notes=notes,
    )


def _limited(lines: list[str]) -> list[str]:
    if len(lines) <= MAX_LINES:
        return lines
    return [*lines[:MAX_LINES], f"... {len(lines) - MAX_LINES} more (see the attached file)"]


def _file_line(name: str, size: str, sha: str, status: str) -> str:
    facts = ", ".join(x for x in (size, f"SHA-256 {sha}" if sha else "") if x)
    return f"{name}: {facts} - {status}" if facts else f"{name} - {status}"


def render_text(
    meeting: Meeting,
    staged: Sequence[StagedFile],
    content: ItemContent,
    *,
    part: int | None = None,
    part_count: int | None = None,
    revision: int = 0,
) -> str:
    """The plain-text alternative."""
    b = _body(meeting, staged, content, part=part, part_count=part_count, revision=revision)
    out = [f"{k}: {v}" for k, v in b.facts]
    out += ["", "Participants:"]
    if b.people_note:
        out.append(f"({b.people_note})")
    for r in b.people:
        out.append(
            f"- {clean_text(r.name, limit=200)} <{r.email or 'guest, no email'}> "
            f"joined {r.first_join:%H:%M:%S}, left {r.last_leave:%H:%M:%S}, "
            f"{r.seconds // 60} min, {r.sessions} session(s)"
        )
    if b.waited:
        out += ["", "Waited, not admitted:"]
        out += [
            f"- {clean_text(r.name, limit=200)} <{r.email or 'guest, no email'}>" for r in b.waited
        ]
    out += ["", "Chat:"] + (_limited(b.chat) or ["(none)"])
    out += [f"({n})" for n in b.chat_notes]
    out += ["", "Transcript:"] + (_limited(b.transcript) or ["(none)"])
    out += [f"({n})" for n in b.transcript_notes]
    out += ["", "Files:"]
    out += [f"- {_file_line(*f)}" for f in b.files] or ["(none)"]
    if b.notes:
        out += ["", "Notes:"] + [f"- {n}" for n in b.notes]
    # Chat and transcript text can hold half a UTF-16 pair (a staged document's JSON escape):
    # made encodable here, once, for both renderings.
    return unicode_text("\n".join(out) + "\n")


def render_html(
    meeting: Meeting,
    staged: Sequence[StagedFile],
    content: ItemContent,
    *,
    part: int | None = None,
    part_count: int | None = None,
    revision: int = 0,
) -> str:
    """The HTML body (every Zoom-provided text escaped)."""
    b = _body(meeting, staged, content, part=part, part_count=part_count, revision=revision)
    e = escape
    out = [
        "<html><body>",
        f"<h2>Zoom meeting: {e(clean_text(meeting.topic, limit=300))}</h2>",
        "<table>",
    ]
    out += [f"<tr><th align=left>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in b.facts]
    out += ["</table>", "<h3>Participants</h3>"]
    if b.people_note:
        out.append(f"<p><i>{e(b.people_note)}</i></p>")
    out += [
        "<table border=1 cellpadding=3>",
        "<tr><th>Name</th><th>Email</th><th>Joined</th><th>Left</th><th>Minutes</th>"
        "<th>Sessions</th></tr>",
    ]
    for r in b.people:
        out.append(
            f"<tr><td>{e(clean_text(r.name, limit=200))}</td>"
            f"<td>{e(r.email or 'guest, no email')}</td>"
            f"<td>{r.first_join:%H:%M:%S}</td><td>{r.last_leave:%H:%M:%S}</td>"
            f"<td>{r.seconds // 60}</td><td>{r.sessions}</td></tr>"
        )
    out.append("</table>")
    if b.waited:
        out += ["<h3>Waited, not admitted</h3>", "<ul>"]
        out += [
            f"<li>{e(clean_text(r.name, limit=200))} &lt;{e(r.email or 'guest, no email')}&gt;</li>"
            for r in b.waited
        ]
        out.append("</ul>")
    sections = (
        ("Chat", b.chat, b.chat_notes),
        ("Transcript", b.transcript, b.transcript_notes),
    )
    for title, lines, notes in sections:
        out.append(f"<h3>{title}</h3>")
        out += [f"<p>{e(line)}</p>" for line in _limited(lines)] or ["<p>(none)</p>"]
        out += [f"<p><i>{e(n)}.</i></p>" for n in notes]
    out += ["<h3>Files</h3>", "<ul>"]
    out += [f"<li>{e(_file_line(*f))}</li>" for f in b.files]
    out.append("</ul>")
    if b.notes:
        out += ["<h3>Notes</h3>", "<ul>"] + [f"<li>{e(n)}</li>" for n in b.notes] + ["</ul>"]
    out.append("</body></html>")
    return unicode_text("\n".join(out))
