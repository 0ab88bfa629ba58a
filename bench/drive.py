"""Run the archiver's functions one at a time, in this process, and measure only their CPU.

The throughput benchmark's second figure: what the archiver code itself costs per meeting, without
the local Functions host (queue polling, blob scans, receipts), which Azure's own host replaces.
Settings come from the environment, as in Azure. Each function call runs alone, so the process CPU
time across the call (worker threads included) is that call's cost; the queue and blob reads that
feed the calls (the host's work) are outside the measured spans.

It also counts the HTTP calls made inside the measured spans and, afterwards, measures on the same
services what one call costs with no archiver logic at all: the Azure SDK's cheapest Table and
Blob calls, and a bare HTTPS request to the simulators with requests. Calls per meeting times
those costs is the floor any code making those calls through these libraries pays on this
machine. Prints one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests.adapters
from azure.core.exceptions import ResourceNotFoundError

from archiver import entrypoints
from archiver.adapters.retry import pooled_session
from archiver.core.contracts import MANIFESTS_PREFIX

FLOOR_CALLS = 200  # calls per kind when measuring what one call costs


class Meter:
    """Sums process CPU seconds spent inside measured calls, and the HTTP calls made there."""

    def __init__(self) -> None:
        self.cpu_s = 0.0
        self.calls: dict[str, int] = {}
        self.cpu_by_name: dict[str, float] = {}
        self.http: dict[str, int] = {"storage": 0, "https": 0}
        self._measuring = False
        self._lock = threading.Lock()

    def run(self, name: str, call: Callable[[], None]) -> None:
        self._measuring = True
        started = time.process_time()
        try:
            call()
        finally:
            spent = time.process_time() - started
            self.cpu_s += spent
            self.cpu_by_name[name] = self.cpu_by_name.get(name, 0.0) + spent
            self._measuring = False
            self.calls[name] = self.calls.get(name, 0) + 1

    def count_http(self) -> None:
        """Count requests sent through requests' adapter while a measured call runs."""
        original = requests.adapters.HTTPAdapter.send

        def send(adapter: Any, request: Any, **kw: Any) -> Any:
            if self._measuring:
                kind = "https" if request.url.startswith("https:") else "storage"
                with self._lock:
                    self.http[kind] += 1
            return original(adapter, request, **kw)

        requests.adapters.HTTPAdapter.send = send  # type: ignore[method-assign]


def cpu_ms_per_call(call: Callable[[], object], n: int = FLOOR_CALLS) -> float:
    for _ in range(10):
        call()  # connections open, caches warm
    started = time.process_time()
    for _ in range(n):
        call()
    return 1000 * (time.process_time() - started) / n


def call_floor() -> dict[str, float]:
    """CPU ms of one call with no archiver logic: cheapest SDK calls, and a bare HTTPS request."""
    deps = entrypoints.deps()
    table = deps.storage.tables.get_table_client("benchfloor")
    table.create_table()
    entity = {"PartitionKey": "p", "RowKey": "r", "value": 1}
    table.upsert_entity(entity)
    container = deps.storage.blobs.get_container_client("benchfloor")
    container.create_container()
    container.upload_blob("b", b"x", overwrite=True)
    storage = [
        cpu_ms_per_call(lambda: table.get_entity("p", "r")),
        cpu_ms_per_call(lambda: table.upsert_entity(entity)),
        cpu_ms_per_call(lambda: container.get_blob_client("b").download_blob().readall()),
        cpu_ms_per_call(lambda: container.upload_blob("b", b"x", overwrite=True)),
    ]
    session = pooled_session()
    # An unauthenticated Graph request: a full TLS round trip that the simulator answers 401.
    url = f"{deps.settings.graph_url}/users/nobody@contoso.com"
    https = cpu_ms_per_call(lambda: session.get(url, timeout=30))
    return {"storage_call_cpu_ms": sum(storage) / len(storage), "https_call_cpu_ms": https}


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
    meter.count_http()
    meter.run("discover", entrypoints.discover)
    settings = entrypoints.deps().settings
    drain(meter, settings.meetings_queue, "stage_meeting", _stage_meeting)
    drain(meter, settings.files_queue, "stage_file", _stage_file)
    blobs = entrypoints.deps().blobs
    staging = settings.staging_container
    for name in blobs.list_names(staging, MANIFESTS_PREFIX):
        body = blobs.read_bytes(staging, name, limit=64 * 1024 * 1024)
        meter.run("import_meeting", lambda name=name, body=body: _import(name, body))
    floor = call_floor()
    answer = {
        "cpu_s": round(meter.cpu_s, 3),
        "calls": meter.calls,
        "cpu_s_by_function": {name: round(cpu, 3) for name, cpu in meter.cpu_by_name.items()},
        "http_calls": meter.http,
        **{name: round(value, 3) for name, value in floor.items()},
        "pid": os.getpid(),
    }
    print(json.dumps(answer))
    return 0


def _stage_meeting(body: bytes) -> None:
    entrypoints.stage_meeting(body, dequeue_count=1)


def _stage_file(body: bytes) -> None:
    entrypoints.stage_file(body, dequeue_count=1)


def _import(name: str, body: bytes) -> None:
    entrypoints.import_meeting(name, body)


if __name__ == "__main__":
    raise SystemExit(main())
