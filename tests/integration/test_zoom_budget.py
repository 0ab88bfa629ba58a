"""The Zoom rate budget shared through Azurite: instances together stay under the per-second
limits, whether threads or processes, and a dead instance holds the others back only briefly."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from azure.data.tables import TableServiceClient

from archiver.adapters.ledger import Tables
from archiver.adapters.zoom.budget import POLL, SharedBudget
from archiver.adapters.zoom.budgetrows import BudgetRows, rate_row
from archiver.adapters.zoom.slots import Grid, Leases, Terms
from tests.support.simclock import SimClock

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
ZOOM_LIMIT = 10  # Light calls a second Zoom allows in these tests; the budget allows itself 90%
GRIDS = {"light": Grid(9, 1.0), "heavy": Grid(4, 1.0)}
TERMS = Terms(lease=4.0, grace=1.0, turn=4.0)
START = datetime(2026, 11, 25, 12, 0, tzinfo=UTC).timestamp()


@pytest.fixture
def tables(azurite) -> Tables:
    service = TableServiceClient.from_connection_string(azurite.connection_string)
    return Tables(service, f"b{uuid.uuid4().hex[:10]}")


def budget(tables: Tables, clock: SimClock, **kw) -> SharedBudget:
    return SharedBudget(
        tables, plan="business", grids=GRIDS, terms=TERMS, clock=clock.time, sleep=clock.sleep, **kw
    )


def run_threads(clock: SimClock, work: list[tuple[SharedBudget, int]], category: str) -> Counter:
    """Each (budget, calls) pair in a thread of its own; calls counted per simulated second."""
    seconds: Counter[int] = Counter()
    lock = threading.Lock()

    def calls(instance: SharedBudget, count: int) -> None:
        try:
            for _ in range(count):
                instance.acquire(category)
                with lock:
                    seconds[int(clock.time())] += 1
        finally:
            clock.done()

    threads = [threading.Thread(target=calls, args=pair) for pair in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return seconds


def test_instances_sharing_one_table_stay_under_the_per_second_limit_together(tables) -> None:
    clock = SimClock(START, parties=9)
    instances = [budget(tables, clock) for _ in range(3)]
    seconds = run_threads(clock, [(b, 30) for b in instances for _ in range(3)], "light")
    assert sum(seconds.values()) == 270
    assert max(seconds.values()) <= ZOOM_LIMIT  # the whole app's, not each instance's
    # And the budget is used: the calls took well under twice the time 9 a second needs.
    assert max(seconds) - min(seconds) < 2 * 30


def test_an_instance_that_dies_holding_slots_holds_the_others_back_only_for_its_lease(
    tables,
) -> None:
    clock = SimClock(START, parties=4)
    dead = budget(tables, clock)
    run_threads(clock, [(dead, 40)] * 4, "light")
    assert dead.report()["categories"]["light"]["held"] == 9  # alone, it held every slot
    died = clock.time()  # its threads stop; nobody gives its slots back
    later = SimClock(died, parties=1)
    budget(tables, later).acquire("light")
    waited = later.time() - died
    # Its slots stay booked until their lease ends plus the grace, then are free for others.
    assert TERMS.grace <= waited <= TERMS.lease + TERMS.grace + POLL + 1


def test_processes_sharing_one_table_never_book_the_same_instant(azurite) -> None:
    prefix = f"p{uuid.uuid4().hex[:10]}"
    start = time.time() + 3  # every process starts at once, after its imports
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.support.budget_worker",
                azurite.connection_string,
                prefix,
                "light",
                "20",
                str(start),
                "10",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = [json.loads(worker.communicate(timeout=120)[0]) for worker in workers]
    instants = [t for result in results for t in result["instants"]]
    assert len(instants) == 60
    assert len({round(t * 10) for t in instants}) == 60  # each call has its own grid instant
    assert max(Counter(int(t) for t in instants).values()) <= 10
    assert len({result["instance"] for result in results}) == 3


def test_a_per_second_429_holds_the_instance_back_for_retry_after(tables) -> None:
    clock = SimClock(START, parties=1)
    instance = budget(tables, clock)
    instance.acquire("light")
    refused_at = clock.time()
    instance.refused("light", daily=False, retry_after=2.0)
    instance.acquire("light")
    assert clock.time() >= refused_at + 2.0


def test_a_thread_that_slept_past_its_lease_books_again_instead_of_calling_late(tables) -> None:
    clock = SimClock(START, parties=1)
    paused = [True]

    def sleep(seconds: float) -> None:  # the first wait overruns: the process was frozen
        clock.sleep(seconds + (30.0 if paused[0] else 0.0))
        paused[0] = False

    instance = SharedBudget(
        tables, plan="business", grids=GRIDS, terms=TERMS, clock=clock.time, sleep=sleep
    )
    instance.acquire("light")
    called = clock.time()
    assert called >= START + 30
    text, _ = BudgetRows(tables).read(rate_row("light"))
    assert text is not None
    assert Leases.from_json(text, 9).held_by(instance.instance, called)  # a lease covers it
