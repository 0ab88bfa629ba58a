"""`python -m tests.reliability [--scenario NAME] [--jobs N] [--write docs/reliability.md]`:
the whole crash-point matrix (what `make reliability` runs), as a table.

`--results F` appends each outcome to F (JSON lines) as it is known, so a long run can be
followed and a stopped one keeps what it found. `--render F` (repeatable) writes the report
from such files alone (the latest outcome of each point and cell counts), for example after
running again only the scenarios a fix touched.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

from tests.reliability.faults import Cell, FaultOutcome, fault_cells, render_faults, run_fault
from tests.reliability.harness import Harness, Outcome
from tests.reliability.scenarios import Scenario, scenarios
from tests.reliability.test_outage import storage_outage
from tests.support.azurite import Azurite
from tests.support.simulators import Simulators

WHEN = ("before", "after")
OUTAGE_S = 30


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.reliability", description=__doc__)
    parser.add_argument("--scenario", action="append", help="only these (default: all)")
    parser.add_argument("--jobs", type=int, default=3, help="runs at once (each its own sims)")
    parser.add_argument("--write", type=Path, help="write the markdown report here")
    parser.add_argument("--no-faults", action="store_true", help="skip the fault matrix")
    parser.add_argument("--no-outage", action="store_true", help="skip the storage outage")
    parser.add_argument("--fault-kind", action="append", help="only these kinds of call's cells")
    parser.add_argument("--results", type=Path, help="append each outcome here (JSON lines)")
    parser.add_argument(
        "--render",
        type=Path,
        action="append",
        help="only write the report from these results files (later ones win)",
    )
    args = parser.parse_args(argv)
    chosen = [s for s in scenarios() if not args.scenario or s.name in args.scenario]
    if args.render:
        return _from_results(args.render, chosen, args.write)
    started = time.monotonic()
    _RESULTS[:] = [args.results] if args.results else []
    with tempfile.TemporaryDirectory(prefix="reliability-") as work:
        root = Path(work)
        with Azurite(root / "azurite") as azurite:
            sims = [Simulators(root / f"sim{i}") for i in range(args.jobs)]
            try:
                harnesses = [Harness(azurite, s, root / f"h{i}") for i, s in enumerate(sims)]
                outcomes = run_matrix(harnesses, chosen)
                faults = [] if args.no_faults else run_faults(harnesses, args.fault_kind)
                # Alone: it stops the storage every run shares.
                outage = None if args.no_outage else storage_outage(harnesses[0], OUTAGE_S)
                if outage is not None:
                    _record("outage", {"said": outage[0], "problems": outage[1]})
            finally:
                for s in sims:
                    s.stop()
    report = render(chosen, outcomes, faults, outage, minutes=(time.monotonic() - started) / 60)
    if args.write:
        args.write.write_text(report)
        print(f"wrote {args.write}")
    else:
        print(report)
    failed = [o for o in outcomes if not o.ok] + [f for f in faults if not f.ok]
    return 1 if failed or (outage and outage[1]) else 0


_RESULTS: list[Path] = []  # where outcomes are appended (set by main)
_results_lock = threading.Lock()


def _record(kind: str, outcome: dict[str, object]) -> None:
    """One outcome, appended to the results file (if any) the moment it is known."""
    if not _RESULTS:
        return
    line = json.dumps({**outcome, "record": kind, "commit": _commit()}, ensure_ascii=False)
    with _results_lock, _RESULTS[0].open("a", encoding="utf-8") as out:
        out.write(line + "\n")


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() or "?"


def _from_results(paths: list[Path], chosen: list[Scenario], write: Path | None) -> int:
    """The report from results files: each scenario's points from the last commit that ran it
    (a fix can change a scenario's calls, so points of two commits are never mixed), and each
    fault cell's latest outcome."""
    crashes: dict[tuple[str, int, str], Outcome] = {}
    latest: dict[str, str] = {}  # scenario -> the last commit that ran it
    cells: dict[tuple[str, str], FaultOutcome] = {}
    outage: tuple[str, list[str]] | None = None
    ran_at: dict[str, str] = {}  # what (a scenario, the outage) -> commit
    fault_at: dict[str, str] = {}  # kind of call -> the commit its cells last ran at
    lines = [line for p in paths for line in p.read_text(encoding="utf-8").splitlines()]
    for line in lines:
        row = json.loads(line)
        commit = row.pop("commit")
        kind = _record_of(row)
        if kind == "crash":
            ran_at[row["scenario"]] = commit
        elif kind == "fault":
            fault_at[row["kind"]] = commit
        else:
            ran_at["the storage outage"] = commit
        if kind == "crash":
            o = Outcome(**row)
            if latest.get(o.scenario) != commit:
                latest[o.scenario] = commit
                crashes = {k: v for k, v in crashes.items() if k[0] != o.scenario}
            crashes[(o.scenario, o.point, o.when)] = o
        elif kind == "fault":
            f = FaultOutcome(**row)
            cells[(f.kind, f.fault)] = f
        else:
            outage = (row["said"], row["problems"])
    outcomes = [o for o in crashes.values() if o.scenario in {s.name for s in chosen}]
    commits = _provenance(ran_at, fault_at)
    report = render(chosen, outcomes, list(cells.values()), outage, minutes=0, commits=commits)
    if write:
        write.write_text(report)
        print(f"wrote {write}")
    else:
        print(report)
    failed = [o for o in outcomes if not o.ok] + [f for f in cells.values() if not f.ok]
    return 1 if failed or (outage and outage[1]) else 0


def _record_of(row: dict[str, Any]) -> str:
    """What a results line records, taken off it (older files put it under "kind", which a
    fault cell's own `kind` overwrote)."""
    kind = row.pop("record", None) or (
        "crash" if "scenario" in row else "fault" if "fault" in row else "outage"
    )
    if kind != "fault":
        row.pop("kind", None)
    return str(kind)


def _provenance(ran_at: dict[str, str], fault_at: dict[str, str]) -> list[str]:
    """What ran at which commit: ["small, fan-out, the fault matrix at abc", "… at def"]."""
    ran_at = dict(ran_at)
    if fault_at:
        most = Counter(fault_at.values()).most_common(1)[0][0]
        ran_at["the fault matrix"] = most
        for kind, commit in fault_at.items():
            if commit != most:
                ran_at[f"its {kind} cells"] = commit
    by_commit: dict[str, list[str]] = {}
    for what, commit in ran_at.items():
        by_commit.setdefault(commit, []).append(what)
    return [f"{', '.join(whats)} at {commit}" for commit, whats in by_commit.items()]


def _pool(harnesses: list[Harness], jobs: Iterable[tuple]) -> list:  # type: ignore[type-arg]
    """Run `(function, args...)` jobs, each on a harness of its own at a time."""
    free = list(harnesses)
    lock = threading.Condition()

    def run(job: tuple) -> object:  # type: ignore[type-arg]
        with lock:
            while not free:
                lock.wait()
            harness = free.pop()
        try:
            function, *rest = job
            return function(harness, *rest)
        finally:
            with lock:
                free.append(harness)
                lock.notify()

    with ThreadPoolExecutor(max_workers=len(harnesses)) as pool:
        return list(pool.map(run, list(jobs)))


def run_matrix(harnesses: list[Harness], chosen: list[Scenario]) -> list[Outcome]:
    """Every crash point of every scenario, before and after its call."""
    counts = _pool(harnesses, [(Harness.count, s) for s in chosen])
    jobs = [
        (_crash, scenario, point, when)
        for scenario, labels in zip(chosen, counts, strict=True)
        for point in range(1, len(labels) + 1)
        for when in WHEN
    ]
    return _pool(harnesses, jobs)


def _crash(harness: Harness, scenario: Scenario, point: int, when: str) -> Outcome:
    outcome = harness.crash(scenario, point, when)
    _record("crash", asdict(outcome))
    if not outcome.ok:
        print(
            f"FAILED {outcome.scenario} #{point} {when} {outcome.call}: {outcome.problems[:3]}",
            flush=True,
        )
    return outcome


def _fault(harness: Harness, cell: Cell) -> FaultOutcome:
    outcome = run_fault(harness, cell)
    _record("fault", asdict(outcome))
    if not outcome.ok:
        print(f"FAILED {cell.kind} / {cell.fault}: {outcome.problems[:3]}", flush=True)
    return outcome


def run_faults(harnesses: list[Harness], kinds: list[str] | None = None) -> list[FaultOutcome]:
    """Every cell of the fault matrix (or of these kinds of call)."""
    cells = [c for c in fault_cells() if not kinds or c.kind in kinds]
    return _pool(harnesses, [(_fault, cell) for cell in cells])


def render(
    chosen: list[Scenario],
    outcomes: list[Outcome],
    faults: list[FaultOutcome],
    outage: tuple[str, list[str]] | None,
    *,
    minutes: float,
    commits: list[str] | None = None,
) -> str:
    """The markdown report: a summary, then a table per scenario, then the fault matrix."""
    lines = [
        "# Reliability: crash points and faults",
        "",
        "Generated by `make reliability` (`python -m tests.reliability --write`",
        "`docs/reliability.md`); do not edit by hand. `make test` runs a sample of it",
        "(tests/reliability/test_sample.py).",
        "",
        "Every call the pipeline makes to storage, Zoom, Graph or Entra is a crash point. For",
        "each point of each scenario the scenario runs from scratch and the process is killed",
        "(os._exit, no cleanup) just before the request is sent, or just after its answer",
        "arrived; the local host is then started again (`run --once`), `replay` runs, and the",
        "host again, until every invariant holds: each expected item in each mailbox exactly",
        "once with exactly its files (SHA-256), no meeting or delivery left short of final,",
        "staging empty, the archive container holding what it must, the run log naming every",
        "delivery. Recovery is the time from the crash to the moment all of that holds",
        "(delivery leases of 10 s and queue leases of 3 s in these runs; in production",
        "DELIVERY_LEASE_SECONDS, 60 by default, and the Functions host's own).",
        "",
        _when(minutes, commits or [_commit()]),
        "",
        "| Scenario | Crash points | Runs | Passed | Recovery median / max |",
        "|---|---|---|---|---|",
    ]
    for scenario in chosen:
        mine = [o for o in outcomes if o.scenario == scenario.name]
        times = sorted(o.recovery_s for o in mine)
        median = times[len(times) // 2] if times else 0
        lines.append(
            f"| {scenario.name}: {scenario.description} | {len(mine) // 2} | {len(mine)} | "
            f"{sum(o.ok for o in mine)} | {median:.1f} s / {max(times, default=0):.1f} s |"
        )
    for scenario in chosen:
        mine = sorted(
            (o for o in outcomes if o.scenario == scenario.name), key=lambda o: (o.point, o.when)
        )
        lines += [
            "",
            f"## {scenario.name}",
            "",
            "| # | Call | Before | After |",
            "|---|---|---|---|",
        ]
        for point in sorted({o.point for o in mine}):
            pair = {o.when: o for o in mine if o.point == point}
            call = next(iter(pair.values())).call
            cells = [_cell(pair.get(w)) for w in WHEN]
            lines.append(f"| {point} | `{call}` | {cells[0]} | {cells[1]} |")
    lines += ["", *render_faults(faults)]
    if outage is not None:
        said, problems = outage
        verdict = "every invariant held afterwards" if not problems else "; ".join(problems[:3])
        lines += [
            "",
            "## Storage outage",
            "",
            f"Azurite stopped {OUTAGE_S} s in the middle of a fan-out run, then started again:",
            f"{verdict}. `python -m archiver status` run during the outage printed:",
            "",
            f"    {said}",
        ]
    return "\n".join(lines) + "\n"


def _when(minutes: float, commits: list[str]) -> str:
    # One run: its commit. Results files: what ran at which commit ("small, fan-out at abc").
    now = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    if " at " in commits[0]:
        return f"Written {now} from the results of {'; '.join(commits)}."
    took = f", {minutes:.0f} minutes" if minutes else ""
    return f"Run of {now} at commit {commits[0]}{took}."


def _cell(outcome: Outcome | None) -> str:
    if outcome is None:
        return "-"
    mark = "✔" if outcome.ok else "✘ " + "; ".join(outcome.problems[:2])
    return f"{mark} {outcome.recovery_s:.1f} s"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
