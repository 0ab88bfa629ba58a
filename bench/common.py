"""Shared benchmark plumbing: Azurite + simulators, settings, and measured archiver runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archiver.settings import DEFAULTS  # noqa: E402
from tests.support.azurite import Azurite  # noqa: E402
from tests.support.simulators import Simulators  # noqa: E402


@dataclass
class Measured:
    """One measured child process."""

    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    returncode: int


class Bench:
    """Azurite + simulators for one benchmark run, and the archiver's settings for them."""

    def __init__(self, work: Path) -> None:
        self.work = work
        work.mkdir(parents=True, exist_ok=True)
        self.azurite = Azurite(work / f"azurite-{uuid.uuid4().hex[:6]}")
        self.sims = Simulators(work / f"sim-{uuid.uuid4().hex[:6]}")
        self.values = {
            **{k: v for k, v in DEFAULTS.items() if v},
            **self.sims.env(),
            "AzureWebJobsStorage": self.azurite.connection_string,
            "INTERNAL_DOMAINS": "contoso.com",
            "LOCAL_FUNCTION_KEY": "bench-key",
        }
        self.settings_file = work / "local.settings.json"

    def write_settings(self, **extra: str) -> Path:
        self.values.update(extra)
        self.settings_file.write_text(json.dumps({"Values": self.values}))
        return self.settings_file

    def run_archiver(self, *args: str) -> Measured:
        """`python -m archiver <args>` measured: wall time, CPU time and peak RSS of the child."""
        started = time.perf_counter()
        log = self.work / "archiver.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [sys.executable, "-m", "archiver", *args],
                cwd=ROOT,
                env={**os.environ, **self.values},
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
            _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        if status != 0:
            # A failed run must say why: its warnings, errors and summary table.
            lines = log.read_text(errors="replace").splitlines()
            shown = [line for line in lines if " INFO " not in line]
            print("\n".join(shown[-60:]), file=sys.stderr)
        return Measured(
            wall,
            usage.ru_utime + usage.ru_stime,
            usage.ru_maxrss / 1024,
            os.waitstatus_to_exitcode(status),
        )

    def run_functions_alone(self) -> dict[str, Any]:
        """bench/drive.py: the functions called one at a time without the host; its JSON line."""
        answer = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "drive.py")],
            cwd=ROOT,
            env={**os.environ, **self.values},
            capture_output=True,
            text=True,
            check=False,
        )
        if answer.returncode != 0:
            raise RuntimeError(f"bench/drive.py failed:\n{answer.stderr[-4000:]}")
        return dict(json.loads(answer.stdout.strip().splitlines()[-1]))

    def services_cpu_s(self) -> dict[str, float]:
        """CPU seconds used so far by Azurite and by the simulators (Linux /proc; else empty)."""
        pids = {"azurite": self.azurite.pid, "simulators": self.sims.pid}
        try:
            return {name: tree_cpu_s(pid) for name, pid in pids.items()}
        except OSError:
            return {}

    def counters(self) -> dict[str, Any]:
        return self.sims.control("GET", "/counters")

    def close(self) -> None:
        self.sims.stop()
        self.azurite.stop()


def tree_cpu_s(root: int) -> float:
    """User + system CPU seconds of a process and its live descendants, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue  # exited while we looked
        # after the command: state ppid ... utime(12th) stime(13th), 0-based 11 and 12
        stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks)
    total, frontier = 0.0, [root]
    while frontier:
        pid = frontier.pop()
        total += stats.get(pid, (0, 0.0))[1]
        frontier.extend(child for child, (parent, _) in stats.items() if parent == pid)
    return total


def print_table(rows: list[tuple[str, str]]) -> None:
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
