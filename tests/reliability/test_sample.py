"""A sample of the crash-point matrix and the fault matrix (the whole: `make reliability`).

Points are chosen by what they are, not by number, so the sample stays meaningful when the call
sequence changes: the moments exactly-once depends on most.
"""

from __future__ import annotations

import pytest

from tests.reliability.faults import Cell, run_fault
from tests.reliability.harness import Harness
from tests.reliability.scenarios import scenarios

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
SCENARIOS = {s.name: s for s in scenarios()}
# (scenario, the call to crash at, which occurrence, before or after it)
POINTS = [
    ("small", "azurite-queue POST", 1, "after"),  # claimed and enqueued, checkpoint not moved
    ("small", "/manifests/", 1, "before"),  # files staged, the commit marker not written
    ("small", "mailFolders/{id}/messages", 1, "after"),  # an item created, its answer lost
    ("small", "$batch", 2, "before"),  # every item made, no outcome recorded
    ("fan-out", "/manifests/", 1, "after"),  # the last file's manifest written, ledger not
    ("late transcript", "mailFolders/{id}/messages", 2, "after"),  # an update half delivered
]
CELLS = [
    Cell("Graph create", "503"),
    Cell("Graph chunk PUT", "reset mid-body"),
    Cell("Zoom download", "429 Retry-After HTTP-date"),
]


@pytest.fixture(scope="module")
def harness(azurite, simulators, tmp_path_factory) -> Harness:
    return Harness(azurite, simulators, tmp_path_factory.mktemp("crash"))


@pytest.fixture(scope="module")
def labels(harness) -> dict[str, list[str]]:
    return {name: harness.count(SCENARIOS[name]) for name in {p[0] for p in POINTS}}


@pytest.mark.parametrize("point", POINTS, ids=lambda p: f"{p[0]}: {p[3]} {p[1]} #{p[2]}")
def test_a_crash_at_this_point_loses_and_duplicates_nothing(
    harness, labels, point: tuple[str, str, int, str]
) -> None:
    scenario, call, nth, when = point
    matching = [i for i, label in enumerate(labels[scenario], start=1) if call in label]
    assert len(matching) >= nth, f"{scenario} makes no call {call!r} #{nth}: {labels[scenario]}"
    outcome = harness.crash(SCENARIOS[scenario], matching[nth - 1], when)
    assert outcome.ok, outcome.problems


@pytest.mark.parametrize("cell", CELLS, ids=lambda c: f"{c.kind}: {c.fault}")
def test_a_fault_on_this_call_loses_and_duplicates_nothing(harness, cell: Cell) -> None:
    outcome = run_fault(harness, cell)
    assert outcome.ok, outcome.problems
