"""What each Azure Functions trigger calls: decode the input, build dependencies once, run one step.

Settings are read from os.environ here and nowhere else, on first use (never at import, so a cold
start that only serves the webhook does not connect anywhere it does not need).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from archiver.contracts import FileWorkItem, Manifest, WorkItem
from archiver.deps import Deps
from archiver.settings import Settings

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
            _deps = Deps(Settings.from_mapping(os.environ))
        return _deps


def discover(*, past_due: bool = False) -> None:
    """Timer: one discovery cycle."""
    from archiver.discovery import run_discovery

    if past_due:
        log.info("discovery timer is past due; running now")
    run_discovery(deps())


def stage_meeting(body: bytes, *, dequeue_count: int) -> None:
    """MEETINGS_QUEUE: stage one meeting instance."""
    from archiver.staging import stage_meeting as stage

    stage(deps(), WorkItem.from_json(body), dequeue_count=dequeue_count)


def stage_file(body: bytes, *, dequeue_count: int) -> None:
    """FILES_QUEUE: stage one large file of a meeting."""
    from archiver.staging import stage_file as stage

    stage(deps(), FileWorkItem.from_json(body), dequeue_count=dequeue_count)


def import_meeting(blob_name: str, body: bytes) -> None:
    """Blob trigger on <staging>/<key>/manifest.json: deliver to every mailbox."""
    from archiver.importer import import_meeting as run_import

    log.info("manifest received", extra={"blob": blob_name})
    run_import(deps(), Manifest.from_json(body))


def _not_built(what: str) -> HttpReply:
    body = {"error": "not_implemented", "message": f"{what} is not available in this version"}
    return HttpReply(501, json.dumps(body).encode())


def zoom_webhook(body: bytes, headers: Mapping[str, str]) -> HttpReply:
    """HTTP zoom/webhook: Zoom event notifications."""
    return _not_built("the Zoom webhook endpoint")


def status(params: Mapping[str, str]) -> HttpReply:
    """HTTP status: pipeline state as JSON."""
    return _not_built("the status endpoint")


def run_log(params: Mapping[str, str]) -> HttpReply:
    """HTTP log: the run log as CSV."""
    return _not_built("the run log endpoint")
