"""Run the archiver's functions one at a time, in this process, and measure only their CPU.

The throughput benchmark's second figure: what the archiver code itself costs per meeting, without
the local Functions host (queue polling, blob scans, receipts), which Azure's own host replaces.
Settings come from the environment, as in Azure. Each function call runs alone, so the process CPU
time across the call (worker threads included) is that call's cost; the queue and blob reads that
feed the calls (the host's work) are outside the measured spans. Prints one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from azure.core.exceptions import ResourceNotFoundError

from archiver import entrypoints
from archiver.contracts import MANIFESTS_PREFIX


class Meter:
    """Sums process CPU seconds spent inside measured calls."""

    def __init__(self) -> None:
        self.cpu_s = 0.0
        self.calls: dict[str, int] = {}

    def run(self, name: str, call: Callable[[], None]) -> None:
        started = time.process_time()
        try:
            call()
        finally:
            self.cpu_s += time.process_time() - started
            self.calls[name] = self.calls.get(name, 0) + 1


def drain(meter: Meter, queue_name: str, name: str, step: Callable[[bytes], None]) -> None:
    """Feed every message of a queue to `step`, one at a time, deleting it after success."""
    queue = entrypoints.deps().storage.queue(queue_name)
    while True:
        try:
            messages = list(queue.receive_messages(messages_per_page=32, visibility_timeout=600))
        except ResourceNotFoundError:
            return  # nothing was ever sent to it
        if not messages:
            return
        for message in messages:
            body: bytes = message.content
            meter.run(name, lambda body=body: step(body))
            queue.delete_message(message)


def main() -> int:
    meter = Meter()
    meter.run("discover", entrypoints.discover)
    settings = entrypoints.deps().settings
    drain(meter, settings.meetings_queue, "stage_meeting", _stage_meeting)
    drain(meter, settings.files_queue, "stage_file", _stage_file)
    blobs = entrypoints.deps().blobs
    staging = settings.staging_container
    for name in blobs.list_names(staging, MANIFESTS_PREFIX):
        body = blobs.read_bytes(staging, name, limit=64 * 1024 * 1024)
        meter.run("import_meeting", lambda name=name, body=body: _import(name, body))
    print(json.dumps({"cpu_s": round(meter.cpu_s, 3), "calls": meter.calls, "pid": os.getpid()}))
    return 0


def _stage_meeting(body: bytes) -> None:
    entrypoints.stage_meeting(body, dequeue_count=1)


def _stage_file(body: bytes) -> None:
    entrypoints.stage_file(body, dequeue_count=1)


def _import(name: str, body: bytes) -> None:
    entrypoints.import_meeting(name, body)


if __name__ == "__main__":
    raise SystemExit(main())
