"""Parsers for Zoom's chat TXT and WebVTT transcripts and captions; malformed lines are counted."""

from __future__ import annotations

import re
from dataclasses import dataclass

_CHAT_TAB = re.compile(r"^(\d{1,2}:\d{2}:\d{2})\t(.*?):?\t(.*)$")
_CHAT_LOCAL = re.compile(r"^(\d{1,2}:\d{2}:\d{2})\s+From\s+(.*?)\s+to\s+(.*?):\s*(.*)$")
_CUE = re.compile(r"^(\d{1,2}:)?\d{2}:\d{2}[.,]\d{3}\s+-->\s+(\d{1,2}:)?\d{2}:\d{2}[.,]\d{3}")
_DIRECT = re.compile(r"\s*\((Direct Message|Privately)\)$", re.IGNORECASE)
_VOICE = re.compile(r"^<v\s+([^>]+)>(.*?)(</v>)?$")


@dataclass(frozen=True)
class ChatLine:
    """One chat message: time offset, sender, recipient ("Everyone" or a person), text."""

    time: str
    sender: str
    recipient: str
    text: str

    @property
    def private(self) -> bool:
        """True for a direct message (not to Everyone)."""
        return self.recipient.lower() not in ("everyone", "")


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
    """Chat lines in order, and how many lines could not be parsed."""
    lines: list[ChatLine] = []
    unparsed = 0
    for raw in decode(data).splitlines():
        if not raw.strip():
            continue
        tab = _CHAT_TAB.match(raw)
        local = _CHAT_LOCAL.match(raw)
        if local:
            lines.append(ChatLine(local[1], local[2], local[3], local[4]))
        elif tab:
            sender, recipient = tab[2], "Everyone"
            if " to " in sender:  # "Ann to Bob(Direct Message)"
                sender, _, recipient = sender.partition(" to ")
            recipient = _DIRECT.sub("", recipient.strip())
            lines.append(ChatLine(tab[1], sender.strip(), recipient, tab[3]))
        elif raw.startswith(("\t", " ")) and lines:  # continuation of a multi-line message
            last = lines[-1]
            lines[-1] = ChatLine(
                last.time, last.sender, last.recipient, f"{last.text}\n{raw.strip()}"
            )
        else:
            unparsed += 1
    return lines, unparsed


def parse_vtt(data: bytes) -> tuple[list[Turn], int]:
    """Speaker turns (consecutive cues of the same speaker merged), and unparsed cue count."""
    text = decode(data)
    blocks = re.split(r"\r?\n\r?\n", text.strip())
    turns: list[Turn] = []
    unparsed = 0
    for block in blocks:
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        timing = next((i for i, line in enumerate(lines) if _CUE.match(line)), None)
        if timing is None:
            if lines and not lines[0].startswith(("WEBVTT", "NOTE", "STYLE")):
                unparsed += 1
            continue
        start = lines[timing].split("-->")[0].strip()
        body = " ".join(lines[timing + 1 :])
        speaker, said = _speaker(body)
        if turns and turns[-1].speaker == speaker:
            turns[-1] = Turn(turns[-1].start, speaker, f"{turns[-1].text} {said}".strip())
        else:
            turns.append(Turn(start, speaker, said))
    return turns, unparsed


def _speaker(body: str) -> tuple[str, str]:
    voice = _VOICE.match(body)
    if voice:
        return voice[1].strip(), voice[2].strip()
    name, sep, said = body.partition(": ")
    if sep and 0 < len(name) <= 80:
        return name.strip(), said.strip()
    return "", body.strip()
