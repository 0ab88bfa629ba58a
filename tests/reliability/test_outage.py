"""Storage goes away for a while in the middle of a run: nothing is lost or duplicated, and
an admin command run meanwhile says in one line what is unreachable."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.reliability.harness import ROOT, Harness, _recovery_steps
from tests.reliability.scenarios import RUN, scenarios

pytestmark = pytest.mark.e2e


def storage_outage(harness: Harness, seconds: float) -> tuple[str, list[str]]:
    """Halt Azurite for `seconds` during a fan-out run; (what `status` said meanwhile, what
    does not hold once the host ran again)."""
    azurite = harness.azurite
    scenario = next(s for s in scenarios() if s.name == "fan-out")
    settings, values, seeded = harness.prepare(scenario)
    env = {**os.environ, **values}
    run = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "archiver",
            *RUN,
            "--settings",
            str(settings),
            "--host-json",
            str(harness.work / "host.json"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(1.5)
        azurite.halt()
        status = subprocess.run(
            [sys.executable, "-m", "archiver", "status"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        time.sleep(seconds)
    finally:
        azurite.start()
    run.wait(timeout=300)
    problems = harness.check(values, seeded)
    for step in _recovery_steps():
        if not problems:
            break
        harness.phase(step, settings, values, seeded)
        problems = harness.check(values, seeded)
    said = status.stderr.strip() if status.returncode else "(status answered)"
    return said, problems


def test_an_azurite_outage_mid_run_loses_nothing_and_the_cli_names_the_endpoint(
    azurite, simulators, tmp_path
) -> None:
    said, problems = storage_outage(Harness(azurite, simulators, tmp_path), 10)
    [line] = said.splitlines()  # one line, no traceback
    assert line.startswith("error: storage unreachable")
    assert f"127.0.0.1:{azurite.table_port}" in line
    assert problems == []
