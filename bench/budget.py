"""What the shared Zoom rate budget adds to a Zoom call, against the in-process limiter.

Fresh Azurite and simulators; one ZoomClient per limiter making the same sequential Light calls
(GET /users/{id}), in rounds that rotate the order, all in this process:
- in-process: the RateLimiter every process had before (no storage);
- shared: the SharedBudget (slots leased in Table storage, calls booked in process);
- per-call table: the design rejected, one Table round trip (read and conditional write of a
  per-second counter) before every call.
Limits are raised so no limiter paces the calls (the simulator allows 10x the plan, each limiter
400 Light calls a second); the shared budget first runs for a lease, to hold the share its
demand earns. Per call: wall ms, CPU ms of this process, and storage requests. Last line: JSON
with the figures and ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from azure.data.tables import TableServiceClient

from archiver.adapters.ledger import Tables
from archiver.adapters.zoom import ZoomClient
from archiver.adapters.zoom.budget import SharedBudget
from archiver.adapters.zoom.budgetrows import BudgetRows
from archiver.adapters.zoom.ratelimit import Limiter, RateLimiter
from archiver.adapters.zoom.slots import Grid, Terms
from bench.calls import CallCounter, ports
from bench.common import Bench, print_table

PER_SECOND = 400  # Light calls a second each limiter allows here (the plan's is 72)


class PerCallTable:
    """One Table round trip per Zoom call: the second's counter, read and written under its etag."""

    def __init__(self, tables: Tables) -> None:
        self._rows = BudgetRows(tables)
        self._inner = RateLimiter("business", headroom=PER_SECOND / 80)

    def acquire(self, category: str) -> float:
        while True:
            second = int(time.time())
            row = f"naive-{category}-{second}"
            text, etag = self._rows.read(row)
            count = int(text or 0)
            if count >= PER_SECOND:
                time.sleep(second + 1 - time.time())
                continue
            if self._rows.write(row, str(count + 1), etag):
                return self._inner.acquire(category)

    def refused(self, category: str, *, daily: bool, retry_after: float | None) -> None:
        self._inner.refused(category, daily=daily, retry_after=retry_after)

    def remaining_today(self, category: str) -> int | None:
        return None


def client(values: dict[str, str], limiter: Limiter) -> ZoomClient:
    return ZoomClient(
        api_url=values["ZOOM_API_URL"],
        oauth_url=values["ZOOM_OAUTH_URL"],
        account_id=values["ZOOM_ACCOUNT_ID"],
        client_id=values["ZOOM_CLIENT_ID"],
        client_secret=values["ZOOM_CLIENT_SECRET"],
        download_hosts=("127.0.0.1",),
        limiter=limiter,
    )


def measure(zoom: ZoomClient, calls: int, counter: CallCounter) -> dict[str, float]:
    before = sum(n for (service, _), n in counter.counts.items() if service == "table")
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(calls):
        zoom.get_user("u1")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    after = sum(n for (service, _), n in counter.counts.items() if service == "table")
    return {"wall": wall, "cpu": cpu, "table": float(after - before)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=500, help="calls per limiter per round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-budget-") as tmp:
        bench = Bench(Path(tmp))
        try:
            bench.sims.control("POST", "/zoom/users", {"id": "u1", "email": "ann@contoso.com"})
            bench.sims.control("PATCH", "/zoom/settings", {"rate_limit_scale": 10})
            os.environ.update(bench.values)  # the simulators' CA bundle
            service = TableServiceClient.from_connection_string(bench.azurite.connection_string)
            tables = Tables(service, "bench")
            shared = SharedBudget(tables, plan="business", grids={"light": Grid(PER_SECOND, 1.0)})
            zooms = {
                "in-process": client(
                    bench.values, RateLimiter("business", headroom=PER_SECOND / 80)
                ),
                "shared": client(bench.values, shared),
                "per-call table": client(bench.values, PerCallTable(tables)),
            }
            with CallCounter(ports(bench)) as counter:
                for zoom in zooms.values():
                    zoom.get_user("u1")  # token, table, connections
                # A lease and more, so the shared budget holds the share its demand earns.
                warm = time.monotonic() + Terms().lease + 2
                while time.monotonic() < warm:
                    measure(zooms["shared"], 50, counter)
                held = shared.report()["categories"]["light"]["held"]
                totals: dict[str, dict[str, float]] = {
                    n: {"wall": 0, "cpu": 0, "table": 0} for n in zooms
                }
                names = list(zooms)
                for round_ in range(args.rounds):
                    for name in names[round_ % 3 :] + names[: round_ % 3]:
                        for key, value in measure(zooms[name], args.calls, counter).items():
                            totals[name][key] += value
        finally:
            bench.close()
    n = args.calls * args.rounds
    per: dict[str, Any] = {
        name: {key: value / n for key, value in t.items()} for name, t in totals.items()
    }
    base = per["in-process"]
    print_table(
        [
            (
                name,
                f"{p['wall'] * 1000:.2f} ms wall, {p['cpu'] * 1000:.2f} ms CPU, "
                f"{p['table']:.4f} storage requests per call; wall x{p['wall'] / base['wall']:.2f}",
            )
            for name, p in per.items()
        ]
    )
    print(f"shared budget held {held} of {PER_SECOND} slots")
    figures = {
        "calls": n,
        "shared_slots_held": held,
        "wall_ms": {k: round(p["wall"] * 1000, 3) for k, p in per.items()},
        "cpu_ms": {k: round(p["cpu"] * 1000, 3) for k, p in per.items()},
        "storage_requests_per_call": {k: round(p["table"], 4) for k, p in per.items()},
        "shared_wall_ratio": round(per["shared"]["wall"] / base["wall"], 3),
        "shared_cpu_ratio": round(per["shared"]["cpu"] / base["cpu"], 3),
        "per_call_table_wall_ratio": round(per["per-call table"]["wall"] / base["wall"], 3),
        "per_call_table_cpu_ratio": round(per["per-call table"]["cpu"] / base["cpu"], 3),
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
