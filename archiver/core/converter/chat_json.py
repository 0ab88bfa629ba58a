"""Zoom's CHAT_MESSAGE chat (the Archiving API's JSON) as chat lines, and filtered copies of it.

`{"uuid": …, "messages": [{msg_type, e_time, s_name, s_email, r_name, r_email, msg_id,
msg_content, msg_extended_type, original_msg_id, parent_msg_id, private_group_id, files,
rich_text, …}]}`, or the whole file as base64 of that JSON (zoom-content-sources.md §1). The
messages are read one by one (converter/json_reader.py), so a file cut short or broken inside
one message keeps every message before the break. Whatever is wrong with
a message is recorded by its index and the rest of it kept; a message that is not an object is
left out and counted. One pass reads the messages and one more finds each deleted or edited
message's original by id, so the cost is linear in the file. Nothing here raises for data, and
no recorded problem quotes the file's text (any of it may be a direct message).

Formatting (`rich_text`) is not rendered: the text is shown as plain, escaped text, and the
ranges stay in the file and in filtered copies.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from archiver.core.converter.chat_codes import (
    FEEDBACK,
    KINDS,
    Problems,
    b64_bytes,
    decoded_text,
    extended_type,
    type_name,
)
from archiver.core.converter.json_reader import json_text, read_messages, text_of
from archiver.core.converter.transcripts import ChatLine, SharedFile

MAX_PROBLEMS = 100
PUBLIC_RECEIVERS = frozenset({"", "01", "03"})  # everyone; attendees with panelists copied
PUBLIC_LOCATIONS = frozenset({"", "01", "02"})  # the meeting or the webinar itself
_TIME = re.compile(r"\d{1,3}:\d{2}:\d{2}")


@dataclass(frozen=True)
class ChatJson:
    """A JSON chat file as read: its lines, what could not be read, and its frame for copies."""

    lines: tuple[ChatLine, ...]
    unparsed: int  # messages (or stretches of the file) that are not lines
    problems: tuple[str, ...]
    envelope: str  # the top-level object with its messages left out, as JSON


def is_json_chat(data: bytes) -> bool:
    """True when a chat file holds JSON (or base64 of JSON), whatever its file type says."""
    head = text_of(data[:4096], Problems(0), strict=False)
    start = head.lstrip()
    if start.startswith(("{", "[")):
        return True  # a list is not Zoom's JSON either, but JSON: read (and refused) as JSON
    compact = "".join(start.split())[:64]
    raw = b64_bytes(compact[: len(compact) // 4 * 4])
    return raw is not None and raw.lstrip().removeprefix(b"\xef\xbb\xbf").startswith(b"{")


def parse_chat_json(data: bytes) -> ChatJson:
    """The lines of a CHAT_MESSAGE file, with each problem recorded by the message's index."""
    problems = Problems(MAX_PROBLEMS)
    text = json_text(data, problems)
    if text is None:
        return ChatJson((), 1, problems.all(), "{}")
    found, members, unparsed = read_messages(text, problems)
    lines: list[ChatLine] = []
    for index, doc in found:
        line = _line(index, doc, problems)
        if line is None:
            unparsed += 1
        else:
            lines.append(line)
    return ChatJson(tuple(_with_originals(lines)), unparsed, problems.all(), _frame(members))


def chat_json(envelope: str, lines: Sequence[ChatLine]) -> bytes:
    """A JSON chat file of these lines (a filtered copy): the original's frame, their messages."""
    try:
        frame = json.loads(envelope) if envelope else {}
    except (ValueError, RecursionError):
        frame = {}
    if not isinstance(frame, dict):
        frame = {}
    messages = []
    for line in lines:
        try:
            messages.append(json.loads(line.raw))
        except (ValueError, RecursionError):
            continue  # no message as Zoom wrote it (a damaged document): shown in the body only
    frame["messages"] = messages
    return json.dumps(frame, ensure_ascii=True, separators=(",", ":")).encode()


def is_grouped(line: ChatLine) -> bool:
    """A message to a private group."""
    return bool(line.group) or line.receiver == "07"


def is_direct(line: ChatLine) -> bool:
    """A message to one person: Zoom says so, or names a receiver where no group is meant.

    Any sign of a single receiver counts (an address, or a name without a broadcast code), so a
    message that might be direct is treated as direct: a wrong guess withholds, never discloses.
    """
    if line.receiver == "04" or line.recipient_email:
        return True
    if is_grouped(line):
        return False
    named = line.recipient.strip().casefold() not in ("", "everyone")
    return line.kind == "direct" or (named and line.receiver in ("", "04"))


def is_public(line: ChatLine) -> bool:
    """A message everyone in the meeting saw, by what the line itself says."""
    return (
        line.kind in KINDS.values()
        and not is_direct(line)
        and not is_grouped(line)
        and line.receiver in PUBLIC_RECEIVERS
        and line.sent_from in PUBLIC_LOCATIONS
        and line.sent_to in PUBLIC_LOCATIONS
    )


def _frame(members: dict[str, Any]) -> str:
    try:
        return json.dumps(members, ensure_ascii=True, separators=(",", ":"))
    except (ValueError, RecursionError):
        return '{"messages":[]}'


def _line(index: int, doc: Any, problems: Problems) -> ChatLine | None:
    where = f"messages[{index}]"
    if not isinstance(doc, dict):
        problems.add(f"{where}: expected an object, got {type_name(doc)}; left out")
        return None
    msg_type = _msg_type(doc.get("msg_type"), where, problems)
    kind = KINDS.get(msg_type, "unknown")

    def field(name: str) -> str:
        return _base64_field(doc, name, where, problems)

    # Read in the order Zoom's schema lists the fields, so problems come in that order too.
    time = _time(doc, where, problems)
    sender, sender_email = field("s_name"), field("s_email").strip().lower()
    recipient, recipient_email = field("r_name"), field("r_email").strip().lower()
    message_id = field("msg_id")
    text = _feedback(doc, where, problems) if kind == "feedback" else field("msg_content")
    sent_from, sent_to, action, receiver = extended_type(
        doc.get("msg_extended_type"), where, problems
    )
    return ChatLine(
        time=time,
        sender=sender,
        recipient=recipient,
        text=text,
        kind=kind,
        sender_email=sender_email,
        recipient_email=recipient_email,
        sent_from=sent_from,
        sent_to=sent_to,
        action=action,
        receiver=receiver,
        group=_plain(doc, "private_group_id", where, problems),
        message_id=message_id,
        original_id=field("original_msg_id"),
        parent_id=field("parent_msg_id"),
        files=_files(doc.get("files"), where, problems),
        raw=_raw(doc, where, problems),
    )


def _with_originals(lines: list[ChatLine]) -> list[ChatLine]:
    """Each deleted or edited message with its original's text, when the original is there."""
    by_id: dict[str, int] = {}
    for i, line in enumerate(lines):
        by_id.setdefault(line.message_id, i)
    out = []
    for i, line in enumerate(lines):
        changes = line.kind in ("deleted", "edited") or line.action in ("02", "03")
        j = by_id.get(line.original_id) if changes and line.original_id else None
        original = lines[j].text if j is not None and j != i else None
        # Only a line that names no single person and no group goes to everyone; every other
        # is marked, so that a reader knowing only names treats it as direct and withholds it.
        marked = not is_public(line)
        changed = original is not None or marked
        out.append(replace(line, original=original, marked=marked) if changed else line)
    return out


def _msg_type(value: Any, where: str, problems: Problems) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isdigit() and len(value) < 4:
        number = int(value.strip())
    else:
        problems.add(f"{where}.msg_type: expected a number, got {type_name(value)}")
        return 0
    if number not in KINDS:
        problems.add(f"{where}.msg_type: unknown type {number}; withheld like a direct message")
    return number


def _plain(doc: dict[str, Any], name: str, where: str, problems: Problems) -> str:
    value = doc.get(name)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    problems.add(f"{where}.{name}: expected text, got {type_name(value)}; not used")
    return ""


def _base64_field(doc: dict[str, Any], name: str, where: str, problems: Problems) -> str:
    value = _plain(doc, name, where, problems)
    if not value:
        return ""
    text = decoded_text(value)
    if text is None:
        problems.add(f"{where}.{name}: not base64 of text; kept as Zoom wrote it")
        return value
    return text


def _feedback(doc: dict[str, Any], where: str, problems: Problems) -> str:
    """Non-verbal feedback's name: msg_content is its code, as base64 or (tolerated) as is."""
    raw = _plain(doc, "msg_content", where, problems).strip()
    code = raw if raw in FEEDBACK else (decoded_text(raw) or "").strip()
    if code not in FEEDBACK:
        problems.add(f"{where}.msg_content: not a non-verbal feedback code (1, 2 or 3)")
        return "(unknown non-verbal feedback)"
    return FEEDBACK[code]


def _time(doc: dict[str, Any], where: str, problems: Problems) -> str:
    value = _plain(doc, "e_time", where, problems)
    if not _TIME.fullmatch(value.strip()):
        problems.add(f"{where}.e_time: expected HH:MM:SS")
    return value.strip()


def _files(value: Any, where: str, problems: Problems) -> tuple[SharedFile, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.add(f"{where}.files: expected a list, got {type_name(value)}; not listed")
        return ()
    out = []
    for k, doc in enumerate(value):
        at = f"{where}.files[{k}]"
        if not isinstance(doc, dict):
            problems.add(f"{at}: expected an object, got {type_name(doc)}; not listed")
            continue
        size = doc.get("fileSize")
        if isinstance(size, str) and size.strip().isdigit() and len(size) < 20:
            size = int(size)
        if size is not None and (
            not isinstance(size, int) or isinstance(size, bool) or not 0 <= size < 2**63
        ):
            problems.add(f"{at}.fileSize: expected a number of bytes, got {type_name(size)}")
            size = None
        file_id = _plain(doc, "fileId", at, problems)
        out.append(SharedFile(file_id, _plain(doc, "fileName", at, problems) or file_id, size))
    return tuple(out)


def _raw(doc: dict[str, Any], where: str, problems: Problems) -> str:
    try:
        return json.dumps(doc, ensure_ascii=True, separators=(",", ":"))
    except (ValueError, RecursionError):
        problems.add(f"{where}: cannot be written back; left out of filtered copies")
        return ""
