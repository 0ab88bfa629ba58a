"""Many small meetings end to end: meetings/s, archiver CPU per meeting, API calls vs the minimum.

Each meeting: 5 participants (all internal), chat, transcript, a 1 MB recording. Two phases, each on
a fresh Azurite and simulators:
1. end to end through the local host (`run --once`): meetings/s, the process's CPU per meeting (the
   host's polling and scanning included), API calls against the theoretical minimum (printed);
2. the same corpus shape, the functions called one at a time in-process without the host
   (bench/drive.py): CPU of the archiver code alone per meeting, the issue's figure, beside the
   floor for the HTTP calls it made (calls per meeting x the CPU of one call through the same
   libraries with no archiver logic, measured on the same services in the same run).
Last line: JSON with meetings_per_s, cpu_ms_per_meeting (phase 2), process_cpu_ms_per_meeting
(phase 1), calls_floor_ms_per_meeting (phase 2), zoom_calls_ratio and graph_calls_ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import Bench, print_table

USERS = 25
PEOPLE = 5
VTT = "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nP0: hi\n"


def seed(bench: Bench, meetings: int) -> None:
    sims = bench.sims
    users = [f"user{i}@contoso.com" for i in range(USERS)]
    for i, email in enumerate(users):
        sims.control("POST", "/zoom/users", {"id": f"u{i}", "email": email})
        sims.control("POST", "/m365/mailboxes", {"address": email})
    now = datetime.now(UTC)
    for n in range(meetings):
        host = n % USERS
        people = [{"name": f"P{k}", "email": users[(host + k) % USERS]} for k in range(PEOPLE)]
        sims.control(
            "POST",
            "/zoom/meetings",
            {
                "uuid": f"tp{n:05d}==",
                "id": 82000000000 + n,
                "host_id": f"u{host}",
                "topic": f"meeting {n}",
                "start_time": (now - timedelta(hours=2, minutes=n % 50)).isoformat(),
                "participants": people,
                "files": [
                    {"file_type": "MP4", "size": 1024 * 1024},
                    {"file_type": "CHAT", "content": "00:00:01\tP0:\thello\n"},
                    {
                        "file_type": "TRANSCRIPT",
                        "content": "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nP0: hi\n",
                    },
                ],
            },
        )


def count(counters: dict[str, dict[str, int]], server: str, skip: tuple[str, ...] = ()) -> int:
    return sum(
        n for route, n in counters.get(server, {}).items() if not any(s in route for s in skip)
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--meetings", type=int, default=500)
    parser.add_argument(
        "--code-meetings", type=int, default=100, help="meetings for phase 2 (functions alone)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-throughput-") as tmp:
        bench = Bench(Path(tmp))
        try:
            seed(bench, args.meetings)
            bench.sims.control("DELETE", "/counters")
            settings = bench.write_settings()
            before = bench.services_cpu_s()
            run = bench.run_archiver(
                "run", "--once", "--settings", str(settings), "--timeout", "3600"
            )
            after = bench.services_cpu_s()
            counters = bench.counters()
        finally:
            bench.close()
        alone = Bench(Path(tmp) / "alone")
        try:
            seed(alone, args.code_meetings)
            alone.write_settings()
            code = alone.run_functions_alone()
        finally:
            alone.close()
    m = args.meetings
    # Minimum Zoom calls: a token, the user lists (2 statuses, one page each), one recordings list
    # per user, then per meeting: recordings, past meeting, participants and 3 downloads (each a
    # 302 on the API host plus the file host).
    zoom_min = 1 + 2 + USERS + m * (3 + 3)
    zoom_actual = count(counters, "zoom")
    # Minimum Graph calls: a token, one lookup and one folder per mailbox, one create per item.
    graph_min = 1 + USERS * 2 + m * PEOPLE
    graph_actual = count(counters, "m365") + count(counters, "outlook")
    meetings_per_s = m / run.wall_s
    process_cpu_ms = 1000 * run.cpu_s / m
    cpu_ms = 1000 * code["cpu_s"] / args.code_meetings
    # What those calls cost with no archiver logic (measured on the same services, same run).
    storage_calls = code["http_calls"]["storage"] / args.code_meetings
    https_calls = code["http_calls"]["https"] / args.code_meetings
    floor_ms = storage_calls * code["storage_call_cpu_ms"] + https_calls * code["https_call_cpu_ms"]
    print_table(
        [
            ("meetings", f"{m} x {PEOPLE} mailboxes = {m * PEOPLE} items"),
            (
                "wall",
                f"{run.wall_s:.1f} s -> {meetings_per_s:.1f} meetings/s (exit {run.returncode})",
            ),
            (
                "process CPU",
                f"{run.cpu_s:.1f} s -> {process_cpu_ms:.1f} ms per meeting (local host included)",
            ),
            (
                "archiver code CPU",
                f"{code['cpu_s']:.1f} s over {args.code_meetings} meetings -> {cpu_ms:.1f} ms "
                "per meeting (functions alone, phase 2)",
            ),
            (
                "calls floor",
                f"{storage_calls:.1f} storage calls x {code['storage_call_cpu_ms']:.2f} ms + "
                f"{https_calls:.1f} HTTPS calls x {code['https_call_cpu_ms']:.2f} ms = "
                f"{floor_ms:.1f} ms per meeting with no archiver logic "
                f"(archiver code = {cpu_ms / floor_ms:.2f} x floor)",
            ),
            (
                "Zoom calls",
                f"{zoom_actual} (minimum {zoom_min}, ratio {zoom_actual / zoom_min:.2f})",
            ),
            (
                "Graph calls",
                f"{graph_actual} (minimum {graph_min}, ratio {graph_actual / graph_min:.2f})",
            ),
            ("peak RSS", f"{run.peak_rss_mb:.0f} MB"),
            (
                "capacity",
                f"one core of archiver process CPU carries about {1000 / process_cpu_ms:.1f} "
                f"meetings/s (host included; Azure's host and services run elsewhere): "
                f"{20 * process_cpu_ms / 1000:.1f} cores for 20 meetings/s",
            ),
            *(
                (f"{name} CPU", f"{after[name] - before[name]:.1f} s (same machine, same run)")
                for name in sorted(after)
            ),
            ("machine", f"{os.cpu_count()} cores shared by all of the above"),
        ]
    )
    print(
        json.dumps(
            {
                "meetings": m,
                "meetings_per_s": round(meetings_per_s, 2),
                "cpu_ms_per_meeting": round(cpu_ms, 1),
                "process_cpu_ms_per_meeting": round(process_cpu_ms, 1),
                "calls_floor_ms_per_meeting": round(floor_ms, 1),
                "meetings_per_s_per_core": round(1000 / process_cpu_ms, 1),
                "zoom_calls_ratio": round(zoom_actual / zoom_min, 3),
                "graph_calls_ratio": round(graph_actual / graph_min, 3),
                "services_cpu_s": {k: round(after[k] - before[k], 1) for k in sorted(after)},
                "ok": run.returncode == 0,
            }
        )
    )
    return 0 if run.returncode == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
