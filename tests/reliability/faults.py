"""The fault matrix: every kind of external call, refused or broken in every way it can be.

A cell injects one fault into the first two calls of one kind (the simulators' fault rules), then
runs the scenario and recovers as after a crash; the invariants of the crash harness must hold.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

from tests.reliability.harness import Harness
from tests.reliability.scenarios import CHAT, MIB, RUN, Item, Scenario, Seeded, _meeting, directory

# (name, simulator server, method, path pattern): each kind of call the archiver makes.
KINDS = [
    ("Zoom token", "zoom", "POST", r"/oauth/token"),
    ("Zoom users", "zoom", "GET", r"/v2/users(\?|$)"),
    ("Zoom recordings list", "zoom", "GET", r"/v2/users/[^/]+/recordings"),
    ("Zoom meeting recordings", "zoom", "GET", r"/v2/meetings/.+/recordings"),
    ("Zoom past meeting", "zoom", "GET", r"/v2/past_meetings/[^/?]+(\?|$)"),
    ("Zoom participants report", "zoom", "GET", r"/v2/report/meetings/.+/participants"),
    ("Zoom download", "zoom", "GET", r"/rec/download/"),
    ("Zoom download redirect target", "zoom-files", "GET", r"/file/"),
    ("Entra token", "m365", "POST", r"/oauth2/v2.0/token"),
    ("Graph user lookup", "m365", "GET", r"/v1.0/users/[^/?]+(\?|$)"),
    ("Graph folder", "m365", "GET", r"/childFolders"),
    ("Graph create", "m365", "POST", r"/mailFolders/[^/]+/messages$"),
    ("Graph attachment list", "m365", "GET", r"/attachments(\?|$)"),
    ("Graph attachment add", "m365", "POST", r"/messages/[^/]+/attachments$"),
    ("Graph upload session", "m365", "POST", r"/createUploadSession"),
    ("Graph chunk PUT", "outlook", "PUT", r"."),
]
FAULTS = [
    "429 Retry-After seconds",
    "429 Retry-After HTTP-date",
    "429 Retry-After ISO date",
    "429 without Retry-After",
    "500",
    "502",
    "503",
    "504",
    "reset mid-body",
    "read timeout",
    "expired token",
]
TIMEOUT_S = 5  # HTTP_TIMEOUT_SECONDS in these runs; a stall outlasts it


@dataclass(frozen=True)
class Cell:
    """One fault on one kind of call."""

    kind: str
    fault: str


@dataclass
class FaultOutcome:
    """What one cell came to."""

    kind: str
    fault: str
    ok: bool
    seconds: float
    problems: list[str] = field(default_factory=list)
    applies: bool = True


def fault_cells() -> list[Cell]:
    """Every (kind, fault) pair."""
    return [Cell(kind, fault) for kind, *_ in KINDS for fault in FAULTS]


def _every_call(sims: Any) -> Seeded:
    """One meeting whose delivery makes every kind of call: an upload session (4 MB), an
    attachment added after the create (too big to ride inline beside the create's body)."""
    directory(sims)
    files = [
        {"file_type": "MP4", "size": 4 * MIB + 3},
        {"file_type": "M4A", "size": int(2.9 * MIB)},
        {"file_type": "CHAT", "content": CHAT},
    ]
    described = _meeting(sims, "faults==", files)
    return Seeded([Item("faults==", shas=frozenset(f["sha256"] for f in described["files"]))])


SCENARIO = Scenario(
    "faults",
    "one meeting making every kind of call",
    _every_call,
    [RUN],
    settings={"HTTP_TIMEOUT_SECONDS": str(TIMEOUT_S)},
)


def rule(cell: Cell) -> dict[str, Any] | None:
    """The simulators' fault rule for a cell; None where the fault cannot apply to the call."""
    _, server, method, path = next(k for k in KINDS if k[0] == cell.kind)
    base: dict[str, Any] = {"server": server, "method": method, "path": path, "count": 2}
    zoom = server.startswith("zoom")
    soon = datetime.now(UTC) + timedelta(seconds=1)
    busy = {"code": 429, "message": "slow down"} if zoom else {"error": {"code": "TooManyRequests"}}
    if cell.fault.startswith("429"):
        headers = {
            "429 Retry-After seconds": {"Retry-After": "1"},
            "429 Retry-After HTTP-date": {"Retry-After": format_datetime(soon, usegmt=True)},
            "429 Retry-After ISO date": {"Retry-After": soon.strftime("%Y-%m-%dT%H:%M:%SZ")},
            "429 without Retry-After": {},
        }[cell.fault]
        if cell.kind == "Entra token":  # Entra throttles in plain text, not in Graph's JSON
            answer: dict[str, Any] = {"text": "Too Many Requests"}
        else:
            answer = {"body": busy}
        return {**base, "action": "status", "status": 429, "headers": headers, **answer}
    if cell.fault.isdigit():
        return {**base, "action": "status", "status": int(cell.fault), "body": {"error": "down"}}
    if cell.fault == "reset mid-body":
        return {**base, "action": "reset", "after_bytes": 5}
    if cell.fault == "read timeout":
        return {**base, "action": "stall", "seconds": TIMEOUT_S + 2, "count": 1}
    if cell.kind in (
        "Zoom token",
        "Entra token",
        "Zoom download redirect target",
        "Graph chunk PUT",
    ):
        return None  # no bearer token to expire on these (the upload URL carries its own)
    if zoom:
        expired = {"code": 124, "message": "Invalid access token."}
    else:
        expired = {"error": {"code": "InvalidAuthenticationToken", "message": "expired"}}
    return {**base, "action": "status", "status": 401, "body": expired}


def run_fault(harness: Harness, cell: Cell) -> FaultOutcome:
    """Inject the cell's fault, run, recover, check."""
    fault = rule(cell)
    if fault is None:
        return FaultOutcome(cell.kind, cell.fault, True, 0.0, applies=False)
    settings, values, seeded = harness.prepare(SCENARIO)
    harness.sims.control("POST", "/faults", fault)
    started = time.monotonic()
    harness.phase(RUN, settings, values, seeded)
    problems = harness.check(values, seeded)
    from tests.reliability.harness import _recovery_steps

    steps = _recovery_steps()
    while problems and time.monotonic() - started < 120:
        step = next(steps, None)
        if step is None:
            break
        harness.phase(step, settings, values, seeded)
        problems = harness.check(values, seeded)
    harness.sims.control("DELETE", "/faults")
    return FaultOutcome(
        cell.kind, cell.fault, not problems, round(time.monotonic() - started, 1), problems
    )


def render_faults(outcomes: list[FaultOutcome]) -> list[str]:
    """The fault matrix as a markdown table: kinds down, faults across."""
    if not outcomes:
        return []
    lines = [
        "## Fault matrix",
        "",
        "Each cell: the first two calls of that kind answer with that fault (a read timeout",
        "stalls one call past HTTP_TIMEOUT_SECONDS), then the run and, where needed, the",
        "recovery steps; ✔ with the seconds until every invariant held. Graph `$batch` is not",
        "used by the archiver, so it has no row.",
        "",
        "| Call | " + " | ".join(FAULTS) + " |",
        "|---|" + "---|" * len(FAULTS),
    ]
    for kind, *_ in KINDS:
        cells = []
        for fault in FAULTS:
            found = next((o for o in outcomes if o.kind == kind and o.fault == fault), None)
            if found is None:
                cells.append("-")
            elif not found.applies:
                cells.append("n/a")
            else:
                cells.append(
                    f"✔ {found.seconds:.0f} s" if found.ok else "✘ " + "; ".join(found.problems[:1])
                )
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    return lines
