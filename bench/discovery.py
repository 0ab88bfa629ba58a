"""Discovery at enterprise scale: Zoom calls per sweep and per day, against the minimum.

Generates an account of --users users and --meetings-per-day meetings a day in the simulator
(POST /zoom/bulk: nothing stored, any size costs the same), then runs the archiver's discovery
in-process against it, the clock set to chosen times of one UTC day:
- the first run (it lists INITIAL_LOOKBACK_DAYS, claims and enqueues every meeting),
- a sweep just after midnight (LATE_LISTING_HOURS: yesterday is listed too),
- a sweep at noon (today only),
- the daily reconciliation (RECONCILE_DAYS),
- and, for comparison, one sweep in per-user mode (the account listing refused): the timer only
  enqueues shards, and the shard workers' calls are counted.
Each is measured by the simulator's per-category counters (GET /counters `zoom-categories`) and
wall time. A day is 96 sweeps (DISCOVERY_SCHEDULE every 15 minutes): 8 in the late-listing hours,
88 others, and one reconciliation.

--unrecorded-every K makes every K-th meeting one nobody recorded (default 2: half of them),
found only in the account's meeting history (Heavy).

The minimum, printed with its formula: Zoom lists recordings and the meeting history by UTC day,
300 per page, and a meeting can appear in today's listings at any time, so each sweep must list
at least today in both: min_sweep = ceil(R / 300) + ceil(M / 300) calls for R recorded of M
meetings a day, min_day = 96 * min_sweep. `zoom_calls_ratio` = the archiver's calls in a day /
min_day. Budgets (Business plan, Zoom's rate-limits page): Medium
60/s, i.e. 5,184,000 a day; Heavy and Resource-intensive share 60,000 a day. Last line: JSON with
zoom_calls_ratio, budget_share_medium, budget_share_heavy, sweep_seconds (the noon sweep) and the
per-user mode's figures.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from archiver.bootstrap import Deps
from archiver.settings import Settings
from archiver.steps.discovery import (
    LATE_LISTING_HOURS,
    discover_users,
    run_discovery,
    run_reconcile,
)
from bench.common import Bench, print_table

PAGE = 300
SWEEPS_PER_DAY = 96
MEDIUM_PER_DAY = 60 * 86_400
HEAVY_PER_DAY = 60_000


def categories(bench: Bench) -> Counter[str]:
    return Counter(bench.sims.control("GET", "/counters").get("zoom-categories", {}))


def measured(bench: Bench, run: Any) -> tuple[Counter[str], float]:
    before = categories(bench)
    started = time.perf_counter()
    run()
    return categories(bench) - before, time.perf_counter() - started


def deps_at(values: dict[str, str], clock: list[datetime]) -> Deps:
    """The archiver's dependencies in this process (the simulators' CA trusted as in a run)."""
    os.environ["REQUESTS_CA_BUNDLE"] = values["REQUESTS_CA_BUNDLE"]
    return Deps(Settings.from_mapping(values), clock=lambda: clock[0])


def drain_shards(deps: Deps) -> int:
    """The DISCOVERY_QUEUE workers: list every shard the timer enqueued."""
    from archiver.core.contracts import UsersShard

    queue = deps.storage.queue(deps.settings.discovery_queue)
    shards = 0
    while batch := list(queue.receive_messages(messages_per_page=32, visibility_timeout=300)):
        for message in batch:
            discover_users(deps, UsersShard.from_json(message.content))
            queue.delete_message(message)
            shards += 1
    return shards


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--meetings-per-day", type=int, default=3_000)
    parser.add_argument("--reconcile-days", type=int, default=7)
    parser.add_argument(
        "--unrecorded-every", type=int, default=2, help="every K-th meeting not recorded (0: none)"
    )
    parser.add_argument("--no-per-user", action="store_true", help="skip the per-user sweep")
    args = parser.parse_args(argv)
    users, per_day = args.users, args.meetings_per_day
    with tempfile.TemporaryDirectory(prefix="bench-discovery-") as work:
        bench = Bench(Path(work))
        try:
            return run(
                bench,
                users,
                per_day,
                args.reconcile_days,
                per_user=not args.no_per_user,
                unrecorded_every=args.unrecorded_every,
            )
        finally:
            bench.sims.stop()
            bench.azurite.stop()


def run(
    bench: Bench,
    users: int,
    per_day: int,
    reconcile_days: int,
    *,
    per_user: bool,
    unrecorded_every: int,
) -> int:
    today = datetime.now(UTC).date()
    bench.sims.control(
        "POST",
        "/zoom/bulk",
        {
            "users": users,
            "meetings_per_day": per_day,
            "days": reconcile_days + 1,
            "unrecorded_every": unrecorded_every,
        },
    )
    unrecorded = per_day // unrecorded_every if unrecorded_every else 0
    recorded = per_day - unrecorded
    values = {
        **bench.values,
        "INITIAL_LOOKBACK_DAYS": "1",
        "RECONCILE_DAYS": str(reconcile_days),
        "ZOOM_ARCHIVING": "off",
        "FALLBACK_MAILBOX": "zoom-archive@contoso.com",
    }
    clock = [datetime.combine(today, datetime.min.time(), tzinfo=UTC) + timedelta(minutes=1)]
    deps = deps_at(values, clock)
    first, first_s = measured(bench, lambda: run_discovery(deps))
    clock[0] += timedelta(minutes=15)  # 00:16, within the late-listing hours
    late, late_s = measured(bench, lambda: run_discovery(deps))
    clock[0] = clock[0].replace(hour=12, minute=0)
    noon, noon_s = measured(bench, lambda: run_discovery(deps))
    reconcile, reconcile_s = measured(bench, lambda: run_reconcile(deps))
    late_sweeps = LATE_LISTING_HOURS * 4
    # The day's first run also lists yesterday's meeting history (its checkpoint is yesterday):
    # one day of history pages, counted as the noon sweep's.
    first_of_day = noon["Heavy"]
    day_calls = (
        late_sweeps * sum(late.values())
        + (SWEEPS_PER_DAY - late_sweeps) * sum(noon.values())
        + sum(reconcile.values())
        + first_of_day
    )
    pages = math.ceil(recorded / PAGE) + math.ceil(per_day / PAGE)
    minimum = SWEEPS_PER_DAY * pages
    medium = (
        late_sweeps * late["Medium"]
        + (SWEEPS_PER_DAY - late_sweeps) * noon["Medium"]
        + reconcile["Medium"]
    )
    heavy = (
        late_sweeps * late["Heavy"]
        + (SWEEPS_PER_DAY - late_sweeps) * noon["Heavy"]
        + reconcile["Heavy"]
        + first_of_day
    )
    rows = [
        ("corpus", f"{users} users, {per_day} meetings a day ({recorded} recorded)"),
        ("first run", f"{dict(first)} in {first_s:.1f} s"),
        ("sweep after midnight", f"{dict(late)} in {late_s:.2f} s"),
        ("sweep at noon", f"{dict(noon)} in {noon_s:.2f} s"),
        (f"reconciliation ({reconcile_days} days)", f"{dict(reconcile)} in {reconcile_s:.2f} s"),
        (
            "a day",
            f"{late_sweeps} x {sum(late.values())} + {SWEEPS_PER_DAY - late_sweeps} x "
            f"{sum(noon.values())} + {sum(reconcile.values())} + {first_of_day} (yesterday's "
            f"history, once) = {day_calls} calls",
        ),
        (
            "minimum",
            f"96 sweeps x (ceil({recorded} / {PAGE}) + ceil({per_day} / {PAGE})) = {minimum} calls",
        ),
        ("ratio", f"{day_calls / minimum:.3f}"),
        ("Medium budget used", f"{medium / MEDIUM_PER_DAY:.4%} of {MEDIUM_PER_DAY:,}"),
        ("Heavy budget used", f"{heavy / HEAVY_PER_DAY:.4%} of {HEAVY_PER_DAY:,}"),
    ]
    result: dict[str, Any] = {
        "users": users,
        "meetings_per_day": per_day,
        "recorded_per_day": recorded,
        "zoom_calls_per_sweep": sum(noon.values()),
        "zoom_calls_per_day": day_calls,
        "zoom_calls_minimum_per_day": minimum,
        "zoom_calls_ratio": round(day_calls / minimum, 3),
        "budget_share_medium": round(medium / MEDIUM_PER_DAY, 5),
        "budget_share_heavy": round(heavy / HEAVY_PER_DAY, 5),
        "sweep_seconds": round(noon_s, 2),
    }
    if per_user:
        deps.account_listing.refuse("bench: per-user mode")
        clock[0] += timedelta(minutes=15)
        timer, timer_s = measured(bench, lambda: run_discovery(deps))
        workers, workers_s = measured(bench, lambda: drain_shards(deps))
        # The recordings listing refused: each user's recordings, every sweep (the meeting
        # history is still listed at account level, as in the sweeps above).
        sweep = timer + workers
        per_sweep = sum(sweep.values())
        rows += [
            ("per-user sweep: timer", f"{dict(timer)} in {timer_s:.2f} s (enqueues shards)"),
            ("per-user sweep: shard workers", f"{dict(workers)} in {workers_s:.1f} s"),
            (
                "per-user day",
                f"96 x {per_sweep} = {96 * per_sweep} calls "
                f"({96 * sweep['Medium'] / MEDIUM_PER_DAY:.2%} of Medium, "
                f"{96 * sweep['Heavy'] / HEAVY_PER_DAY:.2%} of Heavy)",
            ),
        ]
        result.update(
            per_user_calls_per_sweep=per_sweep,
            per_user_timer_seconds=round(timer_s, 2),
            per_user_workers_seconds=round(workers_s, 1),
            per_user_budget_share_medium=round(96 * sweep["Medium"] / MEDIUM_PER_DAY, 4),
            per_user_budget_share_heavy=round(96 * sweep["Heavy"] / HEAVY_PER_DAY, 4),
        )
    print_table(rows)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
