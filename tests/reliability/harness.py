"""The crash-point harness: run a scenario, kill it at call N, recover, check every invariant.

For each scenario a first run counts its crash points (every product call of its tested phases).
Then, for each point N and each side of it (before the request, after its answer), the scenario
runs again from scratch in its own tables, queues and containers; the process is killed at N
(os._exit, no cleanup); the real local host is started again (`run --once`), `replay` runs, and
the host once more, until the invariants hold or the recovery deadline passes:
- every expected item (meeting, update, part) is in every mailbox exactly once, with exactly its
  files (Zoom's SHA-256s), and nothing else is;
- no meeting is left in a non-final state, and no delivery short of complete;
- staging is empty; what the archive container must keep is there;
- the run log names an outcome for every delivery.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid as uuidlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from azure.data.tables import TableServiceClient
from azure.storage.blob import BlobServiceClient

from archiver.settings import DEFAULTS
from tests.reliability.crashpoints import CRASH_EXIT
from tests.reliability.scenarios import MAILBOXES, Item, Scenario, Seeded, webhook_delivery

ROOT = Path(__file__).resolve().parents[2]
RECOVERY_DEADLINE_S = 90
HOST_JSON = {
    "version": "2.0",
    "extensions": {
        # A failed invocation is retried after 3 s, five times: past the 10 s delivery lease.
        "queues": {
            "batchSize": 4,
            "newBatchThreshold": 2,
            "maxDequeueCount": 5,
            "visibilityTimeout": "00:00:03",
            "maxPollingInterval": "00:00:00.5",
        },
        "blobs": {"maxDequeueCount": 5},
    },
}


@dataclass
class Outcome:
    """One crash point's result."""

    scenario: str
    point: int
    when: str
    call: str
    ok: bool
    recovery_s: float
    problems: list[str] = field(default_factory=list)


class Harness:
    """Azurite and the simulators shared by every run; each run in its own storage names."""

    def __init__(self, azurite: Any, sims: Any, work: Path | None = None) -> None:
        self.azurite = azurite
        self.sims = sims
        self.work = work or Path(tempfile.mkdtemp(prefix="crash-"))
        self.work.mkdir(parents=True, exist_ok=True)
        (self.work / "host.json").write_text(json.dumps(HOST_JSON))

    # -- one run ----------------------------------------------------------------------------
    def prepare(self, scenario: Scenario) -> tuple[Path, dict[str, str], Seeded]:
        """Fresh simulators, seeded; settings of a run of its own; the setup phases done."""
        self.sims.control("POST", "/reset")
        seeded = scenario.seed(self.sims)
        tag = uuidlib.uuid4().hex[:8]
        values = {
            **DEFAULTS,  # empty ones too: nothing from a local.settings.json may leak in
            **self.sims.env(),
            "FUNCTIONS_WORKER_RUNTIME": "python",
            "AzureWebJobsStorage": self.azurite.connection_string,
            "INTERNAL_DOMAINS": "contoso.com",
            "TABLE_PREFIX": f"c{tag}",
            "MEETINGS_QUEUE": f"meetings-{tag}",
            "FILES_QUEUE": f"files-{tag}",
            "STAGING_CONTAINER": f"staging-{tag}",
            "ARCHIVE_CONTAINER": f"archive-{tag}",
            "DELIVERY_LEASE_SECONDS": "10",
            "LOCAL_QUEUE_LEASE_SECONDS": "3",
            "INITIAL_LOOKBACK_DAYS": "2",
            **scenario.settings,
        }
        settings = self.work / f"settings-{tag}.json"
        settings.write_text(json.dumps({"IsEncrypted": False, "Values": values}))
        for phase in scenario.setup:
            self.phase(phase, settings, values, seeded)
        if scenario.between is not None:
            later = scenario.between(self.sims)
            seeded.items += later.items
            seeded.archived |= later.archived
        return settings, values, seeded

    def phase(
        self,
        args: tuple[str, ...],
        settings: Path,
        values: dict[str, str],
        seeded: Seeded,
        *,
        crash_at: int = 0,
        when: str = "before",
    ) -> dict[str, Any]:
        """One command under the crash points; its report (count, labels, crashed)."""
        report = self.work / f"report-{uuidlib.uuid4().hex[:8]}.json"
        command = list(args)
        if args[:1] == ("webhook",):
            delivery = self.work / f"webhook-{uuidlib.uuid4().hex[:8]}.json"
            secret = self.sims.env()["ZOOM_WEBHOOK_SECRET"]
            delivery.write_text(
                json.dumps(webhook_delivery(seeded.webhook, secret, int(time.time())))
            )
            command = ["webhook", str(delivery)]
        elif args[:1] == ("run",):
            command = [
                *args,
                "--settings",
                str(settings),
                "--host-json",
                str(self.work / "host.json"),
            ]
        names = self._names(values)
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.reliability.crashrun",
                "--crash-at",
                str(crash_at),
                "--when",
                when,
                "--report",
                str(report),
                "--names",
                json.dumps(names),
                f"--prefix={values['TABLE_PREFIX']}",
                f"--prefix={values['STAGING_CONTAINER'].removeprefix('staging')}",
                "--",
                *command,
            ],
            cwd=ROOT,
            env={**os.environ, **values},
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        if os.environ.get("CRASH_DEBUG"):
            print(done.stdout[-3000:], done.stderr[-3000:], file=sys.stderr)
        return json.loads(report.read_text()) if report.exists() else {"count": 0, "labels": []}

    def _names(self, values: dict[str, str]) -> dict[str, str]:
        names = {}
        for key, service in (("ZOOM_API_URL", "zoom"), ("GRAPH_URL", "graph")):
            parts = urlsplit(values[key])
            names[f"{parts.hostname}:{parts.port}"] = service
        for part in self.azurite.connection_string.split(";"):
            name, _, url = part.partition("=")
            if name.endswith("Endpoint") and url:
                parts = urlsplit(url)
                names[f"{parts.hostname}:{parts.port}"] = f"azurite-{name[:-8].lower()}"
        return names

    # -- the matrix -------------------------------------------------------------------------
    def count(self, scenario: Scenario) -> list[str]:
        """The scenario's crash points, by the call each one is (a run with no crash)."""
        settings, values, seeded = self.prepare(scenario)
        labels: list[str] = []
        for phase in scenario.phases:
            labels += self.phase(phase, settings, values, seeded)["labels"]
        problems = self.check(values, seeded)
        if problems:
            raise AssertionError(f"{scenario.name} fails without any crash: {problems}")
        return labels

    def crash(self, scenario: Scenario, point: int, when: str) -> Outcome:
        """Kill the scenario at `point`, recover, and check."""
        settings, values, seeded = self.prepare(scenario)
        offset, call = 0, "?"
        crashed_at = time.monotonic()
        for phase in scenario.phases:
            report = self.phase(phase, settings, values, seeded, crash_at=point - offset, when=when)
            if report.get("crashed"):
                call = report["labels"][-1]
                crashed_at = time.monotonic()
                break
            offset += int(report["count"])
        deadline = crashed_at + RECOVERY_DEADLINE_S
        problems: list[str] = []
        for recovery in _recovery_steps():
            self.phase(recovery, settings, values, seeded)
            problems = self.check(values, seeded)
            if not problems or time.monotonic() > deadline:
                break
        took = time.monotonic() - crashed_at
        return Outcome(scenario.name, point, when, call, not problems, round(took, 1), problems)

    # -- invariants -------------------------------------------------------------------------
    def check(self, values: dict[str, str], seeded: Seeded) -> list[str]:
        """Every invariant; what does not hold, one line each."""
        problems = self._mailboxes(seeded.items)
        problems += self._ledger(values)
        problems += self._containers(values, seeded.archived)
        return problems

    def _mailboxes(self, expected: list[Item]) -> list[str]:
        problems = []
        for mailbox in MAILBOXES:
            found = self.sims.control(
                "GET", f"/m365/mailboxes/{mailbox}/items?folder=Zoom%20Meetings"
            )["items"]
            keys = Counter(_item_key(i) for i in found)
            for item in expected:
                key = (item.uuid, item.update, item.part)
                if keys[key] != 1:
                    problems.append(f"{mailbox}: {key} present {keys[key]} times")
            extra = set(keys) - {(i.uuid, i.update, i.part) for i in expected}
            problems += [f"{mailbox}: unexpected item {key}" for key in sorted(extra)]
            by_key = {_item_key(i): i for i in found}
            for item in expected:
                got = by_key.get((item.uuid, item.update, item.part))
                if got is None:
                    continue
                shas = [a["sha256"] for a in got["attachments"]]
                if item.part:
                    if [a["size"] for a in got["attachments"]] != [item.part_bytes]:
                        problems.append(f"{mailbox}: part {item.part} carries the wrong bytes")
                elif sorted(shas) != sorted(item.shas):
                    problems.append(
                        f"{mailbox}: {item.uuid} update {item.update} has {len(shas)} "
                        f"attachment(s), not its {len(item.shas)} files"
                    )
        return problems

    def _ledger(self, values: dict[str, str]) -> list[str]:
        tables = TableServiceClient.from_connection_string(self.azurite.connection_string)
        prefix = values["TABLE_PREFIX"]
        problems = []
        for row in _rows(tables, f"{prefix}meetings"):
            if row.get("state") not in ("imported", "no-content"):
                problems.append(f"meeting {row['RowKey']} left {row.get('state')}")
        deliveries = list(_rows(tables, f"{prefix}deliveries"))
        problems += [
            f"delivery {d['PartitionKey']}/{d.get('address')} left {d.get('state')}"
            for d in deliveries
            if d.get("state") != "complete"
        ]
        logged = {
            (r["uuid"], r["mailbox"])
            for r in _rows(tables, f"{prefix}runlog")
            if r.get("outcome") in ("archived", "already-archived")
        }
        for d in deliveries:
            if (d.get("uuid"), d.get("address")) not in logged:
                problems.append(
                    f"the run log says nothing of {d.get('uuid')} in {d.get('address')}"
                )
        return problems

    def _containers(self, values: dict[str, str], archived: set[str]) -> list[str]:
        blobs = BlobServiceClient.from_connection_string(self.azurite.connection_string)
        problems = []
        staging = blobs.get_container_client(values["STAGING_CONTAINER"])
        if staging.exists():
            left = [b.name for b in staging.list_blobs()]
            problems += [f"staging still holds {name}" for name in left]
        if archived:
            kept = blobs.get_container_client(values["ARCHIVE_CONTAINER"])
            shas = (
                {b.metadata.get("sha256") for b in kept.list_blobs(include=["metadata"])}
                if kept.exists()
                else set()
            )
            problems += [f"the archive container lacks {sha[:12]}" for sha in archived - shas]
        return problems


def _recovery_steps() -> Iterator[tuple[str, ...]]:
    """Restart the host, replay, the host again; then wait out leases and go round again."""
    from tests.reliability.scenarios import REPLAY, RUN

    yield RUN
    yield REPLAY
    yield RUN
    for _ in range(6):
        time.sleep(5)
        yield REPLAY
        yield RUN


def _rows(tables: TableServiceClient, name: str) -> list[dict[str, Any]]:
    from azure.core.exceptions import ResourceNotFoundError

    try:
        return [dict(row) for row in tables.get_table_client(name).list_entities()]
    except ResourceNotFoundError:
        return []


def _item_key(item: dict[str, Any]) -> tuple[str, int, int]:
    headers = {h["name"].lower(): h["value"] for h in item.get("internetMessageHeaders") or []}
    part = headers.get("x-zoom-archive-part", "0").split("/")[0]
    return (
        headers.get("x-zoom-meeting-uuid", "?"),
        int(headers.get("x-zoom-archive-update", "0")),
        int(part),
    )


__all__ = ["CRASH_EXIT", "Harness", "Outcome"]
