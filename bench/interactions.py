"""Polls, Q&A and AI Companion summaries: parse and render time, and how it scales with size.

Builds a poll report with --answers answers (one respondent in three anonymous, some with a bad
time), a Q&A report with as many questions (public answers, open questions), and a summary of
--summary-mb of Markdown in the worst shapes for a renderer (unclosed emphasis and brackets,
backtick runs, list markers, 2,000-character lines; under the renderer's caps up to 4 MB),
parses and renders each at 1/4 and full size in the same run (best of three), and prints the
time ratio full / quarter (4.0 is linear, less where the body's 2,000-row cap bounds the
rendering; quadratic would be near 16). Last line: JSON with polls_scaling, qa_scaling,
summary_scaling and the full-size seconds.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from archiver.core.converter.interactions import interaction_sections
from archiver.core.converter.values import Times
from archiver.core.interactions import (
    REPORT,
    MeetingInteractions,
    parse_polls,
    parse_qa,
    parse_summary,
)
from bench.common import print_table

TIMES = Times.of("Europe/London", datetime(2026, 11, 20, 15, tzinfo=UTC))
LINES = ("**open [bracket ` tick *", "- a *b _c `d", "[x](https://x.example/", "`" * 7)


def polls(n: int) -> dict[str, Any]:
    rows = []
    for i in range(n):
        anonymous = i % 3 == 0
        rows.append(
            {
                "name": "Anonymous Attendee" if anonymous else f"Person {i}",
                "email": "" if anonymous else f"p{i}@contoso.com",
                "question_details": [
                    {
                        "question": f"Question {i % 10}",
                        "answer": "A;B" if i % 2 else "C",
                        "polling_id": f"poll-{i % 4}",
                        "date_time": "later" if i % 50 == 0 else "2026-11-20T15:20:00Z",
                    }
                ],
            }
        )
    return {"questions": rows}


def qa(n: int) -> dict[str, Any]:
    answer = {"name": "Ann", "email": "ann@contoso.com", "content": "yes"}
    rows = [
        {
            "name": f"Person {i}",
            "email": f"p{i}@contoso.com",
            "question_details": [
                {
                    "question": f"Why {i}?",
                    "answer": "yes",
                    "question_status": "answered" if i % 2 else "open",
                    "answer_details": [{**answer, "type": "host_answered_publicly"}],
                }
            ],
        }
        for i in range(n)
    ]
    return {"questions": rows}


def summary(size: int) -> dict[str, Any]:
    """Lines of 2,000 characters (under MAX_LINE, and at most MAX_LINES of them for 4 MB), so
    that what is rendered grows with the size asked for."""
    lines = []
    for i in range(max(size // 2000, 1)):
        piece = LINES[i % len(LINES)]
        lines.append((piece * (2000 // len(piece) + 1))[:1999])
    return {"summary_title": "t", "summary_content": "\n".join(lines)}


def timed(run: Callable[[], object], repeat: int = 3) -> float:
    """The best of `repeat` runs (the machine is shared: the minimum is the least noisy)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=40_000)
    parser.add_argument("--summary-mb", type=float, default=2)
    args = parser.parse_args()
    size = int(args.summary_mb * 1024 * 1024)
    cases: list[tuple[str, Callable[[int], Any], Callable[[Any], MeetingInteractions], int]] = [
        (
            "polls",
            polls,
            lambda b: MeetingInteractions(polls=parse_polls(b, source=REPORT)),
            args.answers,
        ),
        ("qa", qa, lambda b: MeetingInteractions(qa=parse_qa(b, source=REPORT)), args.answers),
        ("summary", summary, lambda b: MeetingInteractions(summary=parse_summary(b)), size),
    ]
    rows: list[tuple[str, str]] = []
    figures: dict[str, float] = {}
    for name, make, parse, n in cases:
        quarter, full = make(n // 4), make(n)
        small = timed(lambda q=quarter, p=parse: interaction_sections(p(q), TIMES))
        large = timed(lambda f=full, p=parse: interaction_sections(p(f), TIMES))
        figures[f"{name}_scaling"] = round(large / small, 2)
        figures[f"{name}_s"] = round(large, 3)
        rows.append(
            (f"{name} ({n:,})", f"{large:.2f} s; full / quarter {large / small:.2f} (4 = linear)")
        )
    print_table(rows)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
