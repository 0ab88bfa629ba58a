"""Chat TXT, WebVTT and CHAT_MESSAGE JSON parsing speed on large files: MB/s, and scaling.

Builds a chat file, a transcript and a JSON chat of --size-mb each (the worst shapes the old
parsers were quadratic on: long multi-line messages and one speaker talking for thousands of
cues, besides ordinary lines; for the JSON chat, long chains of replies, many replies and
reactions to one message, edits and deletions of earlier messages, direct and private-group
messages), parses each once at 1/4 of the size and once at full size in the same run, and prints
MB/s and the time ratio full / quarter (4.0 is linear; quadratic would be near 16). The JSON
chat's time includes deciding every line's audience and threading it as the body shows it. Last
line: JSON with chat_mb_s, vtt_mb_s, json_mb_s, chat_scaling, vtt_scaling, json_scaling.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from archiver.core.converter.chat_json import parse_chat_json
from archiver.core.converter.chat_view import chat_lines
from archiver.core.converter.transcripts import parse_chat, parse_vtt
from archiver.core.model import Meeting
from archiver.core.privacy import circles, identities, json_audiences
from bench.common import print_table

MIB = 1024 * 1024


def chat_file(size: int) -> bytes:
    """Ordinary lines, direct messages, messages continued over many lines, and long lines
    that look almost like the local format (the old pattern backtracked over them)."""
    out: list[str] = []
    length = i = 0
    while length < size:
        if i % 100 == 99:
            line = "00:00:01 From " + "someone to " * 1000 + "\n"
        elif i % 50 == 0:
            body = "\n".join(f"\tcontinued line {j} of a long pasted message" for j in range(200))
            line = f"00:{i % 60:02d}:{i % 60:02d}\tAnn:\tpaste start\n{body}\n"
        elif i % 7 == 0:
            line = f"00:{i % 60:02d}:{i % 60:02d}\tBob to Ann(Direct Message):\tprivate {i}\n"
        else:
            line = f"00:{i % 60:02d}:{i % 60:02d}\tCat:\tmessage number {i} to everyone\n"
        out.append(line)
        length += len(line)
        i += 1
    return "".join(out).encode()[:size]


def vtt_file(size: int) -> bytes:
    """One speaker for most cues (merged into one turn), with some speaker changes."""
    out = ["WEBVTT\n\n"]
    length = i = 0
    while length < size:
        speaker = "Ann" if i % 20_000 else "Bob"
        at = f"00:{i // 60 % 60:02d}:{i % 60:02d}"
        cue = f"{i}\n{at}.000 --> {at}.900\n"
        cue += f"{speaker}: words spoken in cue number {i}\n\n"
        out.append(cue)
        length += len(cue)
        i += 1
    return "".join(out).encode()[:size]


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def json_chat_file(size: int) -> bytes:
    """A CHAT_MESSAGE file: public messages, each 3rd a reply to the one before (chains as long
    as the file), each 5th a reaction to the very first, edits and deletions of earlier
    messages, direct and private-group messages."""
    out: list[str] = []
    length = i = 0
    ann, bob = _b64("ann@contoso.com"), _b64("bob@contoso.com")
    while length < size:
        msg = {"msg_type": 1, "e_time": "00:10:00", "s_name": _b64("Ann"), "s_email": ann,
               "msg_id": _b64(f"{{M{i}}}"), "msg_content": _b64(f"message number {i}"),
               "msg_extended_type": "010101000100"}  # fmt: skip
        if i % 3 == 1:
            msg.update(msg_type=7, parent_msg_id=_b64(f"{{M{i - 1}}}"))
        elif i % 5 == 2:
            msg.update(msg_type=4, parent_msg_id=_b64("{M0}"), msg_content=_b64("\U0001f44d"))
        elif i % 7 == 3:
            msg.update(
                msg_type=2, r_name=_b64("Bob"), r_email=bob, msg_extended_type="010101000400"
            )
        elif i % 11 == 4:
            msg.update(private_group_id="pg-1", msg_type=2, msg_extended_type="010101000700")
        elif i % 13 == 5:
            msg.update(msg_type=6, original_msg_id=_b64(f"{{M{i // 2}}}"))
        elif i % 17 == 6:
            msg.update(msg_type=3, original_msg_id=_b64(f"{{M{i // 3}}}"), msg_content="")
        piece = json.dumps(msg) + ","
        out.append(piece)
        length += len(piece)
        i += 1
    return ('{"uuid": "u==", "messages": [' + "".join(out).rstrip(",") + "]}").encode()


MEETING = Meeting.from_zoom(
    {"uuid": "u==", "id": 1, "start_time": "2026-11-20T15:00:00Z"},
    None,
    [{"name": n, "user_email": f"{n.lower()}@contoso.com"} for n in ("Ann", "Bob")],
    host_email="ann@contoso.com",
)


def parse_and_decide(data: bytes) -> None:
    """Parse a JSON chat, decide each line's audience, and thread it for the body."""
    lines = parse_chat_json(data).lines
    known = identities(MEETING, {"ann@contoso.com": "A", "bob@contoso.com": "B"})
    json_audiences(lines, circles(MEETING, known, known.mailbox_of, (), lines))
    chat_lines(lines)


def timed(parse: object, data: bytes) -> float:
    started = time.perf_counter()
    parse(data)  # type: ignore[operator]
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=10)
    args = parser.parse_args()
    size = int(args.size_mb * MIB)
    rows: list[tuple[str, str]] = []
    figures: dict[str, float] = {}
    for name, make, parse in (
        ("chat", chat_file, parse_chat),
        ("vtt", vtt_file, parse_vtt),
        ("json", json_chat_file, parse_and_decide),
    ):
        quarter, full = make(size // 4), make(size)
        small, large = timed(parse, quarter), timed(parse, full)
        mb = len(full) / MIB
        figures[f"{name}_mb_s"] = round(mb / large, 1)
        figures[f"{name}_scaling"] = round(large / small, 2)
        rows.append(
            (
                f"{name} {mb:.1f} MB",
                f"{large:.2f} s, {mb / large:.1f} MB/s; full / quarter {large / small:.2f} "
                "(4 = linear)",
            )
        )
    print_table(rows)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
