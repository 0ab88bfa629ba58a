"""The codes of Zoom's JSON chat and member log, and the tolerant base64 they are written in.

msg_extended_type is 12 digits, six 2-digit fields: sender location, receiver location, action,
00, receiver, 00 (zoom-content-sources.md §1). A code this module does not know is kept as it is
and recorded; privacy (core/privacy.py) withholds such a line like a direct message.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

KINDS = {
    1: "public",
    2: "direct",
    3: "deleted",
    4: "reaction",
    5: "feedback",
    6: "edited",
    7: "reply",
}
FEEDBACK = {"1": "raise hand", "2": "yes", "3": "no"}
LOCATIONS = {
    "01": "meeting",
    "02": "webinar",
    "03": "breakout room",
    "04": "waiting room",
    "05": "backstage",
}
ACTIONS = {"01": "sent", "02": "deleted", "03": "edited"}
RECEIVERS = {
    "01": "everyone",
    "02": "hosts and panelists",
    "03": "attendees, panelists copied",
    "04": "direct message",
    "05": "the waiting room",
    "06": "all hosts",
    "07": "private group",
}
UNREADABLE = "??"  # the receiver of a line whose msg_extended_type could not be read
_DIGITS = re.compile(r"\d{12}")
_B64 = re.compile(r"[A-Za-z0-9+/]*")
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Problems:
    """Problems in the order found: the first `limit` in full, the rest counted."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.found: list[str] = []
        self.more = 0

    def add(self, problem: str) -> None:
        """Record one problem."""
        if len(self.found) < self.limit:
            self.found.append(problem)
        else:
            self.more += 1

    def all(self) -> tuple[str, ...]:
        """The problems recorded, the last saying how many more there were."""
        if not self.more:
            return tuple(self.found)
        return (*self.found, f"... and {self.more} more problem(s)")


def type_name(value: Any) -> str:
    """What a JSON value is, for a problem (never the value: it may be a private message)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    return "a list" if isinstance(value, list) else "an object"


def b64_bytes(value: str) -> bytes | None:
    """The bytes a base64 value (standard or URL alphabet, padding optional) encodes, or None."""
    if len(value) % 4 == 0 and not value.endswith("==="):
        try:  # the common case, padded and standard: checked and decoded in C
            return binascii.a2b_base64(value, strict_mode=True)
        except (binascii.Error, ValueError):
            pass
    body = value.rstrip("=")
    if len(value) - len(body) > 2 or len(body) % 4 == 1:
        return None
    if _B64.fullmatch(body):
        alphabet = None
    elif _B64URL.fullmatch(body):
        alphabet = b"-_"
    else:
        return None
    try:
        return base64.b64decode(body + "=" * (-len(body) % 4), altchars=alphabet, validate=True)
    except (binascii.Error, ValueError):
        return None


def decoded_text(value: str) -> str | None:
    """The text a base64 value encodes; None when it is not base64 of UTF-8 text.

    Control characters (other than tab and line breaks) in the result mean the value was not
    base64 after all: plain words often decode, but to bytes like that.
    """
    raw = b64_bytes(value.strip())
    if raw is None:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if _CONTROL.search(text) else text


def extended_type(value: Any, where: str, problems: Problems) -> tuple[str, str, str, str]:
    """(sender location, receiver location, action, receiver) from msg_extended_type.

    Absent: all "". Unreadable: the receiver is UNREADABLE, which no audience rule knows, so the
    line is withheld like a direct message.
    """
    if value is None or value == "":
        return "", "", "", ""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        digits = str(value).zfill(12)  # a number loses the leading zero of "01…"
    elif isinstance(value, str):
        digits = value.strip()
    else:
        digits = ""
    if not _DIGITS.fullmatch(digits):
        problems.add(
            f"{where}.msg_extended_type: expected 12 digits; withheld like a direct message"
        )
        return "", "", "", UNREADABLE
    fields = [digits[i : i + 2] for i in range(0, 12, 2)]
    sent_from, sent_to, action, receiver = fields[0], fields[1], fields[2], fields[4]
    if fields[3] != "00" or fields[5] != "00":
        problems.add(f"{where}.msg_extended_type: fields 4 and 6 are not 00 (ignored)")
    for name, code, known in (
        ("sender location", sent_from, LOCATIONS),
        ("receiver location", sent_to, LOCATIONS),
        ("action", action, ACTIONS),
        ("receiver", receiver, RECEIVERS),
    ):
        if code not in known:
            problems.add(
                f"{where}.msg_extended_type: unknown {name} {code}; withheld like a direct message"
            )
    return sent_from, sent_to, action, receiver
