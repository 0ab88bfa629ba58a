"""Chat TXT and WebVTT parsing speed on large files: MB/s, and how it scales with size.

Builds a chat file and a transcript of --size-mb each (the worst shapes the old parsers were
quadratic on: long multi-line messages and one speaker talking for thousands of cues, besides
ordinary lines), parses each once at 1/4 of the size and once at full size in the same run, and
prints MB/s and the time ratio full / quarter (4.0 is linear; quadratic would be near 16). Last
line: JSON with chat_mb_s, vtt_mb_s, chat_scaling, vtt_scaling.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from archiver.core.converter.transcripts import parse_chat, parse_vtt
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
    for name, make, parse in (("chat", chat_file, parse_chat), ("vtt", vtt_file, parse_vtt)):
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
