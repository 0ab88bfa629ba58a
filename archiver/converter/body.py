"""The item body, as HTML and as plain text, from the same facts (pure; all Zoom text escaped)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from archiver.converter.names import clean_text, truncate
from archiver.converter.transcripts import parse_chat, parse_vtt
from archiver.model import Meeting, StagedFile

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


def participant_rows(meeting: Meeting) -> list[_Row]:
    """One row per person: sessions (rejoins) merged by email, or by name for guests."""
    rows: dict[str, _Row] = {}
    for p in meeting.participants:
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


def _chat(staged: Sequence[StagedFile], texts: Mapping[str, bytes]) -> tuple[list[str], int]:
    lines: list[str] = []
    unparsed = 0
    for f in staged:
        if f.kind == "chat" and f.file_id in texts:
            parsed, bad = parse_chat(texts[f.file_id])
            unparsed += bad
            for c in parsed:
                mark = f" to {c.recipient} (private)" if c.private else ""
                lines.append(
                    f"[{c.time}] {clean_text(c.sender, limit=200)}{mark}: "
                    f"{truncate(c.text, MAX_LINE)}"
                )
    return lines, unparsed


def _transcript(staged: Sequence[StagedFile], texts: Mapping[str, bytes]) -> tuple[list[str], int]:
    for kind in ("transcript", "captions"):
        for f in staged:
            if f.kind == kind and f.file_id in texts:
                turns, bad = parse_vtt(texts[f.file_id])
                return [
                    f"[{t.start}] {clean_text(t.speaker or 'Unknown speaker', limit=200)}: "
                    f"{truncate(t.text, MAX_LINE)}"
                    for t in turns
                ], bad
    return [], 0


Sections = tuple[list[str], int, list[str], int, list[tuple[str, int, str, str]]]


def _sections(
    meeting: Meeting, staged: Sequence[StagedFile], texts: Mapping[str, bytes]
) -> Sections:
    chat, chat_bad = _chat(staged, texts)
    transcript, vtt_bad = _transcript(staged, texts)
    files = [(f.name, f.size, f.sha256, _file_status(f)) for f in staged]
    files += [
        (f"{f.file_type} {f.recording_type}", f.size, "", "still processing at Zoom when archived")
        for f in meeting.processing_files
    ]
    return chat, chat_bad, transcript, vtt_bad, files


def _limited(lines: list[str]) -> list[str]:
    if len(lines) <= MAX_LINES:
        return lines
    return [*lines[:MAX_LINES], f"... {len(lines) - MAX_LINES} more (see the attached file)"]


def render_text(
    meeting: Meeting,
    staged: Sequence[StagedFile],
    texts: Mapping[str, bytes],
    *,
    part: int | None = None,
    part_count: int | None = None,
    revision: int = 0,
) -> str:
    """The plain-text alternative."""
    chat, chat_bad, transcript, vtt_bad, files = _sections(meeting, staged, texts)
    out = [f"{k}: {v}" for k, v in _facts(meeting, part, part_count, revision)]
    out += ["", "Participants:"]
    for r in participant_rows(meeting):
        out.append(
            f"- {clean_text(r.name, limit=200)} <{r.email or 'guest, no email'}> "
            f"joined {r.first_join:%H:%M:%S}, left {r.last_leave:%H:%M:%S}, "
            f"{r.seconds // 60} min, {r.sessions} session(s)"
        )
    out += ["", "Chat:"] + (_limited(chat) or ["(none)"])
    if chat_bad:
        out.append(f"({chat_bad} chat line(s) could not be read; the chat file is attached)")
    out += ["", "Transcript:"] + (_limited(transcript) or ["(none)"])
    if vtt_bad:
        out.append(f"({vtt_bad} transcript cue(s) could not be read; the file is attached)")
    out += ["", "Files:"]
    out += [
        f"- {name}: {size} bytes, SHA-256 {sha or 'n/a'} - {status}"
        for name, size, sha, status in files
    ] or ["(none)"]
    return "\n".join(out) + "\n"


def render_html(
    meeting: Meeting,
    staged: Sequence[StagedFile],
    texts: Mapping[str, bytes],
    *,
    part: int | None = None,
    part_count: int | None = None,
    revision: int = 0,
) -> str:
    """The HTML body."""
    chat, chat_bad, transcript, vtt_bad, files = _sections(meeting, staged, texts)
    e = escape
    out = [
        "<html><body>",
        f"<h2>Zoom meeting: {e(clean_text(meeting.topic, limit=300))}</h2>",
        "<table>",
    ]
    out += [
        f"<tr><th align=left>{e(k)}</th><td>{e(v)}</td></tr>"
        for k, v in _facts(meeting, part, part_count, revision)
    ]
    out += [
        "</table>",
        "<h3>Participants</h3>",
        "<table border=1 cellpadding=3>",
        "<tr><th>Name</th><th>Email</th><th>Joined</th><th>Left</th><th>Minutes</th>"
        "<th>Sessions</th></tr>",
    ]
    for r in participant_rows(meeting):
        out.append(
            f"<tr><td>{e(clean_text(r.name, limit=200))}</td>"
            f"<td>{e(r.email or 'guest, no email')}</td>"
            f"<td>{r.first_join:%H:%M:%S}</td><td>{r.last_leave:%H:%M:%S}</td>"
            f"<td>{r.seconds // 60}</td><td>{r.sessions}</td></tr>"
        )
    out.append("</table>")
    for title, lines, bad in (("Chat", chat, chat_bad), ("Transcript", transcript, vtt_bad)):
        out.append(f"<h3>{title}</h3>")
        out += [f"<p>{e(line)}</p>" for line in _limited(lines)] or ["<p>(none)</p>"]
        if bad:
            out.append(f"<p><i>{bad} line(s) could not be read; the file is attached.</i></p>")
    out += ["<h3>Files</h3>", "<ul>"]
    out += [
        f"<li>{e(name)}: {size} bytes, SHA-256 {e(sha or 'n/a')} - {e(status)}</li>"
        for name, size, sha, status in files
    ]
    out += ["</ul>", "</body></html>"]
    return "\n".join(out)
