"""Parsers for Zoom's chat TXT and WebVTT transcripts and captions; malformed lines are counted.

Both run in one pass over the text and build lists (no string grows by repeated concatenation,
no pattern that can backtrack over a whole line), so their cost is linear in the input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TIME = re.compile(r"\d{1,2}:\d{2}:\d{2}")
_CUE = re.compile(r"(\d{1,2}:)?\d{2}:\d{2}[.,]\d{3}[ \t]+-->[ \t]+(\d{1,2}:)?\d{2}:\d{2}[.,]\d{3}")
_DIRECT_MARKS = ("(direct message)", "(privately)")
EVERYONE = "Everyone"


@dataclass(frozen=True)
class SharedFile:
    """A file shared with a chat message (Zoom's `files[]` of CHAT_MESSAGE JSON)."""

    file_id: str
    name: str
    size: int | None = None


@dataclass(frozen=True)
class ChatLine:
    """One chat message: time offset, sender, recipient ("Everyone" or a person), text.

    A line of Zoom's JSON chat (converter/chat_json.py) also carries what the JSON says of it;
    a TXT line leaves those fields empty (`kind` "").
    """

    time: str
    sender: str
    recipient: str
    text: str
    # Zoom marked it "(Direct Message)" or "(Privately)": direct whatever the recipient is
    # called (a participant can rename themselves "Everyone"). A JSON line is marked unless it
    # went to everyone, so that a reader that knows only names withholds it.
    marked: bool = False
    # JSON chat: public | direct | deleted | reaction | feedback | edited | reply | unknown.
    kind: str = ""
    sender_email: str = ""  # lowercased; Zoom leaves it empty for hidden or outside people
    recipient_email: str = ""
    # msg_extended_type's fields, 2-digit codes ("" when Zoom gave none; chat_json.py names
    # them): where the sender and the receiver were, what was done, and to whom it went.
    sent_from: str = ""
    sent_to: str = ""
    action: str = ""
    receiver: str = ""
    group: str = ""  # private_group_id
    message_id: str = ""
    original_id: str = ""  # original_msg_id: the message deleted or edited
    parent_id: str = ""  # parent_msg_id: the message replied to
    # The original's text (deleted and edited messages), when the original is in the file.
    original: str | None = None
    files: tuple[SharedFile, ...] = ()
    raw: str = ""  # the message as Zoom wrote it (JSON), for filtered copies of the file

    @property
    def direct(self) -> bool:
        """True for a direct message (marked so, or to one person rather than Everyone)."""
        return self.marked or self.recipient.strip().lower() not in ("everyone", "")


@dataclass(frozen=True)
class Turn:
    """Consecutive cues of one speaker."""

    start: str
    speaker: str
    text: str


def decode(data: bytes) -> str:
    """Bytes as text, invalid UTF-8 replaced rather than refused."""
    return data.decode("utf-8-sig", errors="replace")


def parse_chat(data: bytes) -> tuple[list[ChatLine], int]:
    """Chat lines in order, and how many lines could not be parsed.

    Zoom writes either `HH:MM:SS<TAB>Sender:<TAB>text` (cloud recordings; a direct message reads
    `Ann to Bob(Direct Message):`) or `HH:MM:SS From Ann to Everyone: text` (local recordings,
    `(Privately)` for direct messages). A line starting with whitespace continues the message
    above it.
    """
    heads: list[tuple[str, str, str, bool]] = []
    bodies: list[list[str]] = []
    unparsed = 0
    for raw in decode(data).splitlines():
        if not raw.strip():
            continue
        parsed = _chat_line(raw)
        if parsed is not None:
            time, sender, recipient, marked, text = parsed
            heads.append((time, sender, recipient, marked))
            bodies.append([text])
        elif raw[:1] in ("\t", " ") and bodies:
            bodies[-1].append(raw.strip())
        else:
            unparsed += 1
    lines = [
        ChatLine(time, sender, recipient, "\n".join(body), marked)
        for (time, sender, recipient, marked), body in zip(heads, bodies, strict=True)
    ]
    return lines, unparsed


def _chat_line(raw: str) -> tuple[str, str, str, bool, str] | None:
    found = _TIME.match(raw)
    if found is None:
        return None
    time, rest = found.group(), raw[found.end() :]
    if rest.startswith("\t"):
        field, sep, text = rest[1:].partition("\t")
        if sep:
            sender, recipient, marked = _parties(field.strip().removesuffix(":"))
            return time, sender, recipient, marked, text
    rest = rest.lstrip()
    if not rest.startswith("From "):
        return None
    rest = rest[5:]
    to = rest.find(" to ")
    colon = rest.find(":", to + 4) if to >= 0 else -1
    if colon < 0:
        return None
    recipient, marked = _undirect(rest[to + 4 : colon])
    return time, rest[:to].strip(), recipient, marked, rest[colon + 1 :].strip()


def _parties(field: str) -> tuple[str, str, bool]:
    """ "Ann to Bob(Direct Message)" -> ("Ann", "Bob", True); "Ann" -> ("Ann", EVERYONE, False)."""
    sender, sep, recipient = field.partition(" to ")
    if not sep:
        return field.strip(), EVERYONE, False
    return (sender.strip(), *_undirect(recipient))


def _undirect(recipient: str) -> tuple[str, bool]:
    """The recipient's name without Zoom's direct-message mark, and whether it had one."""
    name = recipient.strip()
    lowered = name.lower()
    for mark in _DIRECT_MARKS:
        if lowered.endswith(mark):
            return name[: -len(mark)].strip(), True
    return name, False


def parse_vtt(data: bytes) -> tuple[list[Turn], int]:
    """Speaker turns (consecutive cues of the same speaker merged), and unparsed cue count."""
    starts: list[str] = []
    speakers: list[str] = []
    said: list[list[str]] = []
    unparsed = 0
    for block in _blocks(decode(data)):
        timing = next((i for i, line in enumerate(block) if _CUE.match(line)), None)
        if timing is None:
            if not block[0].startswith(("WEBVTT", "NOTE", "STYLE")):
                unparsed += 1
            continue
        start = block[timing].split("-->", 1)[0].strip()
        speaker, text = _speaker(" ".join(block[timing + 1 :]))
        if speakers and speakers[-1] == speaker:
            said[-1].append(text)
        else:
            starts.append(start)
            speakers.append(speaker)
            said.append([text])
    turns = [
        Turn(start, speaker, " ".join(t for t in texts if t))
        for start, speaker, texts in zip(starts, speakers, said, strict=True)
    ]
    return turns, unparsed


def _blocks(text: str) -> list[list[str]]:
    """Blank-line separated blocks of stripped, non-empty lines."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped:
            current.append(stripped)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _speaker(body: str) -> tuple[str, str]:
    if body.startswith(("<v ", "<v\t", "<v.")):
        close = body.find(">")
        if close > 0:
            text = body[close + 1 :]
            if text.endswith("</v>"):
                text = text[:-4]
            name = body[2:close]
            if name.startswith("."):  # "<v.loud Bob>": classes come first (WebVTT voice span)
                name = "".join(name.split(None, 1)[1:])
            return name.strip(), text.strip()
    name, sep, said = body.partition(": ")
    if sep and 0 < len(name) <= 80:
        return name.strip(), said.strip()
    return "", body.strip()


def chat_text(lines: list[ChatLine]) -> bytes:
    """Chat lines in Zoom's TXT format (a filtered copy of a chat file)."""
    out: list[str] = []
    for line in lines:
        field = (
            line.sender if not line.direct else f"{line.sender} to {line.recipient}(Direct Message)"
        )
        first, *more = line.text.split("\n")
        out.append(f"{line.time}\t{field}:\t{first}")
        out.extend(f"\t{extra}" for extra in more)
    return ("\n".join(out) + "\n").encode("utf-8") if out else b""
