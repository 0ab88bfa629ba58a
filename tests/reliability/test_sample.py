"""A sample of the crash-point matrix and the fault matrix (the whole: `make reliability`).

Points are chosen by what they are, not by number, so the sample stays meaningful when the call
sequence changes: the moments exactly-once depends on most. `make test` runs the first two
points and the first cell (one scenario counted, about half a minute); `make test-slow` the rest.
"""

from __future__ import annotations

import pytest

from tests.reliability.faults import Cell, run_fault
from tests.reliability.harness import Harness
from tests.reliability.scenarios import scenarios

pytestmark = pytest.mark.e2e
SCENARIOS = {s.name: s for s in scenarios()}
# (scenario, the call to crash at, which occurrence, before or after it)
SLOW = pytest.mark.slow
POINTS = [
    ("small", "azurite-queue POST", 1, "after"),  # claimed and enqueued, checkpoint not moved
    ("small", "mailFolders/{id}/messages", 1, "after"),  # an item created, its answer lost
    pytest.param(("small", "/manifests/", 1, "before"), marks=SLOW),  # staged, no commit marker
    pytest.param(("small", "$batch", 2, "before"), marks=SLOW),  # items made, no outcome recorded
    pytest.param(("fan-out", "/manifests/", 1, "after"), marks=SLOW),  # last manifest, no ledger
    pytest.param(("late transcript", "mailFolders/{id}/messages", 2, "after"), marks=SLOW),
    # What the whole matrix found: an update claimed, its work item never sent; a replay
    # killed before it fired the import again.
    pytest.param(("late transcript", "azurite-queue POST", 1, "before"), marks=SLOW),
    pytest.param(("partial then replay", "PUT /staging/manifests/", 1, "before"), marks=SLOW),
]
CELLS = [
    Cell("Graph create", "503"),
    pytest.param(Cell("Graph chunk PUT", "reset mid-body"), marks=SLOW),
    pytest.param(Cell("Zoom download", "429 Retry-After HTTP-date"), marks=SLOW),
]


@pytest.fixture(scope="module")
def harness(azurite, simulators, tmp_path_factory) -> Harness:
    return Harness(azurite, simulators, tmp_path_factory.mktemp("crash"))


@pytest.fixture(scope="module")
def labels(harness) -> dict[str, list[str]]:
    """Each scenario's call labels, counted the first time a point of it runs."""

    class Counted(dict[str, list[str]]):
        def __missing__(self, name: str) -> list[str]:
            self[name] = harness.count(SCENARIOS[name])
            return self[name]

    return Counted()


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
