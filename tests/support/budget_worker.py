"""One instance of the shared Zoom budget in a process of its own (test_zoom_budget.py).

Usage: python -m tests.support.budget_worker CONNECTION PREFIX CATEGORY CALLS START PER_WINDOW
Waits until wall-clock START, books CALLS calls of CATEGORY as acquire() does (book the next
instant, sleep until it) and prints the booked instants as one JSON line.
"""

from __future__ import annotations

import json
import sys
import time

from azure.data.tables import TableServiceClient

from archiver.adapters.ledger import Tables
from archiver.adapters.zoom.budget import SharedBudget
from archiver.adapters.zoom.slots import Grid, Terms

TERMS = Terms(lease=3.0, grace=0.5, turn=3.0)


def main(argv: list[str]) -> int:
    connection, prefix, category, calls, start, per_window = argv
    tables = Tables(TableServiceClient.from_connection_string(connection), prefix)
    budget = SharedBudget(
        tables, plan="business", grids={category: Grid(int(per_window), 1.0)}, terms=TERMS
    )
    time.sleep(max(0.0, float(start) - time.time()))
    instants = []
    for _ in range(int(calls)):
        instant = budget.reserve(category)
        instants.append(instant)
        time.sleep(max(0.0, instant - time.time()))
    print(json.dumps({"instance": budget.instance, "instants": instants}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
