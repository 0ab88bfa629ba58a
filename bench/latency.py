"""Webhook to mailbox latency: the simulator fires recording.completed for N meetings at a steady
rate at the running local host; reports p50/p95/max from delivery to the item being in the mailbox.

Last line: JSON with p50_s and p95_s.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import ROOT, Bench, print_table


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--meetings", type=int, default=30)
    parser.add_argument("--rate", type=float, default=2.0, help="webhooks per second")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp:
        bench = Bench(Path(tmp))
        port = free_port()
        host = None
        try:
            sims = bench.sims
            sims.control("POST", "/zoom/users", {"id": "u1", "email": "ann@contoso.com"})
            sims.control("POST", "/m365/mailboxes", {"address": "ann@contoso.com"})
            now = datetime.now(UTC)
            for n in range(args.meetings):
                sims.control(
                    "POST",
                    "/zoom/meetings",
                    {
                        "uuid": f"lat{n:04d}==",
                        "id": 83000000000 + n,
                        "host_id": "u1",
                        "start_time": (now - timedelta(minutes=40)).isoformat(),
                        "participants": [{"name": "Ann", "email": "ann@contoso.com"}],
                        "files": [
                            {"file_type": "MP4", "size": 200_000},
                            {"file_type": "CHAT", "content": "00:00:01\tAnn:\thi\n"},
                        ],
                    },
                )
            # Webhooks only: discovery would find the meetings too, so it runs yearly here.
            settings = bench.write_settings(DISCOVERY_SCHEDULE="0 0 0 1 1 *")
            host = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "archiver",
                    "host",
                    "--settings",
                    str(settings),
                    "--port",
                    str(port),
                ],
                cwd=ROOT,
                env={**os.environ, **bench.values},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(3)
            sent: dict[str, float] = {}
            seen: dict[str, float] = {}
            done = threading.Event()

            def watch() -> None:
                while not done.is_set():
                    items = sims.control(
                        "GET", "/m365/mailboxes/ann@contoso.com/items?folder=Zoom%20Meetings"
                    )["items"]
                    for item in items:
                        uuid = next(
                            h["value"]
                            for h in item["internetMessageHeaders"]
                            if h["name"] == "X-Zoom-Meeting-UUID"
                        )
                        seen.setdefault(uuid, time.perf_counter())
                    time.sleep(0.05)

            watcher = threading.Thread(target=watch, daemon=True)
            watcher.start()
            url = f"http://127.0.0.1:{port}/api/zoom/webhook"
            for n in range(args.meetings):
                uuid = f"lat{n:04d}=="
                sent[uuid] = time.perf_counter()
                answer = sims.control(
                    "POST",
                    "/zoom/webhooks/send",
                    {"url": url, "event": "recording.completed", "meeting_uuid": uuid},
                )
                if answer["status"] != 200:
                    raise SystemExit(f"webhook refused: {answer}")
                time.sleep(1 / args.rate)
            deadline = time.perf_counter() + 120
            while len(seen) < args.meetings and time.perf_counter() < deadline:
                time.sleep(0.2)
            done.set()
        finally:
            if host is not None:
                host.terminate()
                host.wait(timeout=30)
            bench.close()
    latencies = sorted(seen[u] - sent[u] for u in sent if u in seen)
    if not latencies:
        print(json.dumps({"p50_s": None, "p95_s": None, "ok": False}))
        return 1
    p50 = statistics.median(latencies)
    p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
    print_table(
        [
            ("meetings", f"{len(latencies)}/{args.meetings} archived, webhooks at {args.rate}/s"),
            ("p50", f"{p50:.2f} s"),
            ("p95", f"{p95:.2f} s"),
            ("max", f"{latencies[-1]:.2f} s"),
        ]
    )
    print(
        json.dumps(
            {
                "meetings": args.meetings,
                "p50_s": round(p50, 2),
                "p95_s": round(p95, 2),
                "max_s": round(latencies[-1], 2),
                "ok": len(latencies) == args.meetings,
            }
        )
    )
    return 0 if len(latencies) == args.meetings else 1


if __name__ == "__main__":
    raise SystemExit(main())
