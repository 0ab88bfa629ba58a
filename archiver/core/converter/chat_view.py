"""The chat and the member log as the body shows them (pure; every Zoom text cleaned here and
escaped by whoever renders it as HTML).

A JSON chat line says who wrote from where to whom ("Carl (waiting room) to all hosts"), what
kind of message it is (deleted, edited, reply, reaction, non-verbal feedback), the original of a
deleted or edited message, and the files shared with it; a reply or reaction follows the message
it answers, indented. Threads are built in one pass over the lines (a message answers only one
shown before it), so no input loops and the cost is linear.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from html import escape

from archiver.core.converter.chat_codes import LOCATIONS, RECEIVERS, UNREADABLE
from archiver.core.converter.chat_json import is_direct, is_grouped
from archiver.core.converter.content import ItemContent
from archiver.core.converter.member_log import BACKSTAGE, Room
from archiver.core.converter.names import clean_text, truncate
from archiver.core.converter.styles import MUTED, PERSON, TABLE_ATTRS, TD, TH, row, tag
from archiver.core.converter.transcripts import ChatLine
from archiver.core.converter.values import Times, size

MAX_LINE = 2000
MAX_DEPTH = 6  # deeper replies are shown at this depth
SHOWN_PROBLEMS = 10
CHAT_TIMES = "Times as Zoom's chat file gives them."
JSON_CHAT_TIMES = "Times from the start of the meeting, as Zoom's chat file gives them."
ROOMS_TITLE = "Private groups and backstage"
ROOMS_INTRO = "Who was in the backstage and in each private group, as Zoom's member log gives it."
_KIND_TAGS = {
    "deleted": "deleted",
    "edited": "edited",
    "reply": "reply",
    "reaction": "reaction",
    "feedback": "non-verbal feedback",
    "unknown": "a kind of message this version does not know",
}
_ACTION_TAGS = {"02": "deleted", "03": "edited"}
_INDENT = "    "


@dataclass(frozen=True)
class Line:
    """A chat line or a transcript turn, as shown."""

    time: str
    who: str  # who spoke or wrote (and from where to whom, for chat)
    text: str
    tag: str = ""  # what kind of message it is, when not one to everyone ("direct message, reply")
    depth: int = 0  # how deep in a thread of replies
    details: tuple[str, ...] = ()  # the original of an edit, shared files, …

    @property
    def plain(self) -> str:
        """As plain text (indented under the message it answers)."""
        indent = _INDENT * self.depth
        mark = "\u21b3 " if self.depth else ""
        kind = f" ({self.tag})" if self.tag else ""
        first = f"{indent}{mark}[{self.time}] {self.who}{kind}: {self.text}"
        return "\n".join([first, *(f"{indent}{_INDENT}{d}" for d in self.details)])

    @property
    def html(self) -> str:
        """As HTML: Zoom's text escaped, the kind and details muted."""
        indent = "&nbsp;" * 6 * self.depth + ("&#8627; " if self.depth else "")
        kind = f' <span style="{MUTED}">({escape(self.tag)})</span>' if self.tag else ""
        out = f"{indent}[{escape(self.time)}] <b>{escape(self.who)}</b>{kind}: {escape(self.text)}"
        pad = indent + "&nbsp;" * 4
        return out + "".join(
            f'<br>\n{pad}<span style="{MUTED}">{escape(d)}</span>' for d in self.details
        )


def chat_lines(lines: Sequence[ChatLine]) -> list[Line]:
    """The chat as shown: in order, each reply or reaction after the message it answers."""
    position: dict[str, int] = {}
    children: list[list[int]] = [[] for _ in lines]
    roots: list[int] = []
    answers: list[bool] = []  # the line answers a message that is not shown
    for i, line in enumerate(lines):
        target = _target(line)
        j = position.get(target) if target else None
        (roots if j is None else children[j]).append(i)
        answers.append(bool(target) and j is None)
        if line.kind and line.message_id:
            position.setdefault(line.message_id, i)
    out: list[Line] = []
    stack = [(i, 0) for i in reversed(roots)]
    while stack:
        i, depth = stack.pop()
        line = _addressed_as_original(lines[i], lines, position)
        out.append(_line(line, min(depth, MAX_DEPTH), orphan=answers[i]))
        stack.extend((c, depth + 1) for c in reversed(children[i]))
    return out


def _addressed_as_original(
    line: ChatLine, lines: Sequence[ChatLine], position: dict[str, int]
) -> ChatLine:
    """A deletion or edit that says nothing of whom it went to, addressed as its original was
    (Zoom's record of the change may carry no receiver; it is shown only where the original
    is, core/privacy.py)."""
    j = position.get(line.original_id) if line.original_id else None
    if j is None or line.recipient_email or line.group or line.receiver not in ("", "01"):
        return line
    o = lines[j]
    return replace(
        line,
        recipient=o.recipient,
        recipient_email=o.recipient_email,
        receiver=o.receiver,
        group=o.group,
        sent_to=o.sent_to,
    )


def chat_times(content: ItemContent) -> str:
    """What the chat's times are."""
    return JSON_CHAT_TIMES if any(c.kind for c in content.chat) else CHAT_TIMES


def chat_notes(content: ItemContent) -> list[str]:
    """What the chat section says about what it does not show."""
    notes = []
    if content.chat_unparsed:
        notes.append(
            f"{content.chat_unparsed} chat line(s) could not be read; the chat file is attached"
        )
    if content.withheld:
        what = content.withheld_what or "direct message(s) between other participants"
        notes.append(
            f"{content.withheld} {what} are not shown in this copy ({content.withheld_note})"
        )
    notes += _problems("Reading the chat file", content.chat_problems)
    return notes


def room_notes(content: ItemContent) -> list[str]:
    """What the member-log section says about what it does not show."""
    notes = []
    if content.rooms_withheld:
        notes.append(
            f"{content.rooms_withheld} private group(s) or backstage this mailbox's owner was not "
            f"part of are not shown in this copy ({content.withheld_note})"
        )
    return notes + _problems("Reading the member log", content.room_problems)


def rooms_text(rooms: Sequence[Room], times: Times) -> list[str]:
    """The member log as plain text: a line per room, an indented line per member's stay."""
    out = []
    for room in rooms:
        out.append(f"- {_room_name(room)}: {_room_times(room, times)}")
        out += [
            f"    {_member(s.email)}: joined {_at(s.joined, times)}, left {_at(s.left, times)}"
            for s in room.stays
        ] or ["    (no members listed)"]
    return out


def rooms_html(rooms: Sequence[Room], times: Times) -> list[str]:
    """The member log as one table: a shaded row per room, then a row per member's stay."""
    out = [f"<table{TABLE_ATTRS}>", row(("Member", "Joined", "Left"), TH, "th")]
    for room in rooms:
        head = (
            f"<b>{escape(_room_name(room))}</b>"
            f'<br><span style="{MUTED}">{escape(_room_times(room, times))}</span>'
        )
        out.append(f"<tr valign=top>{tag('td', PERSON, head, ' colspan=3')}</tr>")
        cells = [(_member(s.email), _at(s.joined, times), _at(s.left, times)) for s in room.stays]
        for member in cells or [("(no members listed)", "", "")]:
            out.append(row([escape(c) or "&nbsp;" for c in member], TD))
    out.append("</table>")
    return out


def _problems(what: str, problems: Sequence[str]) -> list[str]:
    shown = [f"{what}: {clean_text(p, limit=300)}" for p in problems[:SHOWN_PROBLEMS]]
    if len(problems) > SHOWN_PROBLEMS:
        shown.append(f"{what}: {len(problems) - SHOWN_PROBLEMS} more problem(s) not listed here")
    return shown


def _target(line: ChatLine) -> str:
    """The message a line answers (a reply's parent; what a reaction is to)."""
    if line.kind == "reaction":
        return line.parent_id or line.original_id
    return line.parent_id if line.kind else ""


def _line(line: ChatLine, depth: int, *, orphan: bool) -> Line:
    time = clean_text(line.time, limit=40)
    text = truncate(line.text, MAX_LINE)
    if not line.kind:  # Zoom's chat text
        who = clean_text(line.sender, limit=200)
        if line.direct:
            who += f" to {clean_text(line.recipient, limit=200)} (direct message)"
        return Line(time, who, text)
    # Zoom's JSON keeps a message's own line breaks (CR LF among them): shown as one "\n".
    text = "\n".join(text.splitlines())
    details = []
    kind = _KIND_TAGS.get(line.kind) or _ACTION_TAGS.get(line.action, "")
    if kind == "deleted":
        if line.original is not None:
            text = truncate(line.original, MAX_LINE)
        elif not text:
            text = "(the deleted message is not in the chat file)"
    elif kind == "edited":
        details.append(
            f"before the edit: {truncate(line.original, MAX_LINE)}"
            if line.original is not None
            else "the message before the edit is not in the chat file"
        )
    if orphan:
        details.append("answers a message that is not shown in this copy")
    details += [
        f"shared file: {clean_text(f.name, limit=200)}"
        + (f", {size(f.size)}" if f.size is not None else "")
        for f in line.files
    ]
    tags = ", ".join(t for t in ("direct message" if is_direct(line) else "", kind) if t)
    return Line(time, _who(line), text, tags, depth, tuple(details))


def _who(line: ChatLine) -> str:
    """ "Ann to Everyone", "Carl (waiting room) to all hosts", "Ann to Bob" (direct)."""
    sender = _name(line.sender, line.sender_email)
    if is_direct(line):
        to = _name(line.recipient, line.recipient_email)
    elif is_grouped(line):
        to = f"private group {clean_text(line.group, limit=100)}" if line.group else "a group"
    elif line.receiver == UNREADABLE:
        to = "an audience Zoom's file does not say"
    elif line.receiver in ("", "01"):
        to = "Everyone"
    else:
        to = RECEIVERS.get(line.receiver) or f"an unknown audience (code {line.receiver})"
    if line.sent_to not in ("", "01", "02", line.sent_from) and line.receiver != "05":
        to += f" ({_place(line.sent_to)})"
    if line.sent_from not in ("", "01", "02"):
        sender += f" ({_place(line.sent_from)})"
    return f"{sender} to {to}"


def _place(code: str) -> str:
    return LOCATIONS.get(code) or f"location code {clean_text(code, limit=10)}"


def _name(name: str, email: str) -> str:
    return clean_text(name, limit=200) or clean_text(email, limit=200) or "(no name)"


def _member(email: str) -> str:
    return clean_text(email, limit=200) or "(an address Zoom does not give)"


def _room_name(room: Room) -> str:
    if room.kind == BACKSTAGE:
        return "Backstage"
    return f"Private group {clean_text(room.room_id, limit=100) or '(no id)'}"


def _room_times(room: Room, times: Times) -> str:
    return f"opened {_at(room.created, times)}, closed {_at(room.deleted, times)}"


def _at(value: datetime | None, times: Times) -> str:
    return times.short(value) if value is not None else "unknown"
