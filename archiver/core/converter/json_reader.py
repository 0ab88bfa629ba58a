"""JSON files read as far as they are readable (pure): the text (or the text its base64 encodes),
and a top-level object whose list of messages is read one element at a time.

Each member and each message is decoded by the C JSON decoder from where the last one ended, so
a file cut short or broken inside one message keeps everything before the break, and the cost is
linear in the file. Problems name positions and fields, never the text.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from archiver.core.converter.chat_codes import Problems, b64_bytes

_WS = re.compile(r"[ \t\n\r]*")


def _finite(number: str) -> float | None:
    value = float(number)
    return value if math.isfinite(value) else None


# NaN, Infinity and numbers too large for a float are not JSON: read as null, so that every
# message written back (a filtered copy) is valid JSON.
DECODER = json.JSONDecoder(parse_constant=lambda _: None, parse_float=_finite)


def text_of(data: bytes, problems: Problems, *, strict: bool = True) -> str:
    """Bytes as text (UTF-8 with or without BOM, or UTF-16 with one); bad bytes become U+FFFD."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if strict:
            problems.add("the file is not valid UTF-8: unreadable bytes are shown as U+FFFD")
        return data.decode("utf-8-sig", errors="replace")


def json_text(data: bytes, problems: Problems) -> str | None:
    """A JSON file's text from its "{": its own when it starts so, else what its base64 encodes."""
    text = text_of(data, problems).lstrip()
    if text.startswith("{"):
        return text
    raw = b64_bytes("".join(text.split()))
    if raw is None:
        problems.add("the file is neither a JSON object nor base64 of one; nothing in it is shown")
        return None
    inner = text_of(raw, problems).lstrip()
    if not inner.startswith("{"):
        problems.add("the file is base64 of something other than a JSON object; nothing is shown")
        return None
    return inner


def _skip(text: str, pos: int) -> int:
    found = _WS.match(text, pos)
    return found.end() if found else pos


def read_messages(
    text: str, problems: Problems
) -> tuple[list[tuple[int, Any]], dict[str, Any], int]:
    """Each message read (with its index), the top-level object's other members, and how many
    stretches of the file could not be read."""
    found: list[tuple[int, Any]] = []
    members: dict[str, Any] = {}
    pos = _skip(text, 1)  # past the "{" json_text starts the text with
    broken = ""
    if text.startswith("}", pos):
        pos += 1
    else:
        while not broken:
            pos, broken = _member(text, pos, members, found)
            pos = _skip(text, pos)
            if broken:
                break
            if text.startswith("}", pos):
                pos += 1
                break
            if not text.startswith(",", pos):
                broken = f"the JSON breaks at character {pos}"
            pos = _skip(text, pos + 1)
    if not broken and text[pos:].strip():
        broken = f"text after the JSON object (from character {pos}) is not read"
    if not broken and "messages" not in members:
        broken = "messages: missing"
    if broken:
        problems.add(f"{broken}; messages after that point are not shown")
    return found, members, int(bool(broken))


def _member(
    text: str, pos: int, members: dict[str, Any], found: list[tuple[int, Any]]
) -> tuple[int, str]:
    """One member of the top-level object read (messages one by one, into `found`); the
    position after it, and what broke it ("" when nothing did)."""
    try:
        key, pos = DECODER.raw_decode(text, pos)
        pos = _skip(text, pos)
        if not isinstance(key, str) or not text.startswith(":", pos):
            return pos, f"the JSON breaks at character {pos}"
        pos = _skip(text, pos + 1)
        if key == "messages" and "messages" not in members and text.startswith("[", pos):
            members["messages"] = []  # its place among the members, for copies
            return _array(text, pos + 1, found)
        value, pos = DECODER.raw_decode(text, pos)
    except (ValueError, RecursionError):
        return pos, f"the JSON breaks at character {pos}"
    if key == "messages":
        return pos, "messages: expected one list of messages"
    members[key] = value
    return pos, ""


def _array(text: str, pos: int, found: list[tuple[int, Any]]) -> tuple[int, str]:
    """Messages appended to `found` from the list's first element on; the position after the
    list, and what broke it ("" when nothing did)."""
    pos = _skip(text, pos)
    if text.startswith("]", pos):
        return pos + 1, ""
    while True:
        try:
            value, pos = DECODER.raw_decode(text, pos)
        except (ValueError, RecursionError):
            return pos, f"messages[{len(found)}]: not readable JSON (at character {pos})"
        found.append((len(found), value))
        pos = _skip(text, pos)
        if text.startswith(",", pos):
            pos = _skip(text, pos + 1)
        elif text.startswith("]", pos):
            return pos + 1, ""
        else:
            return pos, f"messages: the list breaks after messages[{len(found) - 1}]"
