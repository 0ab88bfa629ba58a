"""What each Azure Functions trigger calls: decode the input, build dependencies once, run one step.

Settings are read from the environment on first use (never at import, so a cold start that only
serves the webhook does not connect anywhere it does not need).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from archiver.bootstrap import Deps, from_environment
from archiver.core.contracts import FileWorkItem, Manifest, WorkItem

log = logging.getLogger(__name__)
_lock = threading.Lock()
_deps: Deps | None = None


@dataclass(frozen=True)
class HttpReply:
    """An HTTP answer, independent of the Functions types."""

    status: int
    body: bytes
    content_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)


def deps() -> Deps:
    """The process-wide dependencies, built from the environment on first use."""
    global _deps  # noqa: PLW0603 - one composition root per worker process
    with _lock:
        if _deps is None:
            _deps = from_environment()
        return _deps


def discover(*, past_due: bool = False) -> None:
    """Timer: one discovery cycle."""
    from archiver.steps.discovery import run_discovery

    if past_due:
        log.info("discovery timer is past due; running now")
    run_discovery(deps())


def reconcile(*, past_due: bool = False) -> None:
    """Timer (SWEEP_SCHEDULE): every listing again over RECONCILE_DAYS."""
    from archiver.steps.discovery import run_reconcile

    if past_due:
        log.info("reconcile timer is past due; running now")
    run_reconcile(deps())


def discover_users(body: bytes, *, dequeue_count: int) -> None:
    """DISCOVERY_QUEUE: list the recordings of a shard of users (per-user discovery)."""
    from archiver.core.contracts import UsersShard
    from archiver.steps.discovery import discover_users as list_users

    list_users(deps(), UsersShard.from_json(body))


def stage_meeting(body: bytes, *, dequeue_count: int) -> None:
    """MEETINGS_QUEUE: stage one meeting instance."""
    from archiver.steps.staging import stage_meeting as stage

    stage(deps(), WorkItem.from_json(body), dequeue_count=dequeue_count)


def stage_file(body: bytes, *, dequeue_count: int) -> None:
    """FILES_QUEUE: stage one large file of a meeting."""
    from archiver.steps.staging import stage_file as stage

    stage(deps(), FileWorkItem.from_json(body), dequeue_count=dequeue_count)


def import_meeting(blob_name: str, body: bytes) -> None:
    """Blob trigger on <staging>/manifests/<key>.json: deliver to every mailbox."""
    from archiver.steps.importer import import_meeting as run_import

    log.info("manifest received", extra={"blob": blob_name})
    run_import(deps(), Manifest.from_json(body))


def zoom_webhook(body: bytes, headers: Mapping[str, str]) -> HttpReply:
    """HTTP zoom/webhook: Zoom event notifications."""
    from archiver.steps.intake import handle_event, reply_body

    status_code, answer = handle_event(deps(), body, headers)
    return HttpReply(status_code, reply_body(answer))


def status(params: Mapping[str, str]) -> HttpReply:
    """HTTP status: pipeline state as JSON; status?failed=1: every failed, partial and unmapped
    meeting with its date, topic and reason."""
    from archiver.operations.status import collect_status, failed_meetings

    if params.get("failed", "").lower() in ("1", "true", "yes"):
        body = {"failed": failed_meetings(deps())}
        return HttpReply(200, json.dumps(body, indent=2).encode())
    return HttpReply(200, json.dumps(collect_status(deps()), indent=2).encode())


def check(params: Mapping[str, str]) -> HttpReply:
    """HTTP check?mailbox=ADDRESS: `check` run by the function app itself, with its own identity
    (the only place GRAPH_CREDENTIAL=managedidentity can sign in); 503 when a check fails."""
    from archiver.operations.checks import run_checks

    results = run_checks(params.get("mailbox") or None, deps=deps())
    ok = all(result.ok for result in results)
    body = {"ok": ok, "checks": [result.as_dict() for result in results]}
    return HttpReply(200 if ok else 503, json.dumps(body, indent=2).encode())


def run_log(params: Mapping[str, str]) -> HttpReply:
    """HTTP log?since=yyyy-mm-dd&until=yyyy-mm-dd: the run log as CSV."""
    from archiver.operations.status import log_csv, log_range

    today = deps().clock().date()
    try:
        since, until = log_range(params.get("since"), params.get("until"), today)
    except ValueError as error:
        return HttpReply(400, json.dumps({"error": str(error)}).encode())
    body = log_csv(deps().runlog.entries(since, until)).encode()
    disposition = f'attachment; filename="zoom-archive-log-{since}-{until}.csv"'
    return HttpReply(200, body, "text/csv", {"Content-Disposition": disposition})
