"""The local Functions host: drives function_app's triggers against Azure Storage (Azurite).

A development and single-machine host: the queue, blob, timer and HTTP semantics the product
relies on, read from host.json and from the app object. In Azure the real Functions host runs the
same function_app.py.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from azure.core.exceptions import AzureError
from azure.functions.blob import InputStream
from azure.functions.queue import QueueMessage as FunctionsQueueMessage
from azure.functions.timer import TimerRequest
from azure.storage.blob import BlobServiceClient
from azure.storage.queue import QueueClient, QueueMessage
from azure.storage.queue import QueueMessage as StoredMessage

from archiver.core import ncrontab
from archiver.errors import ConfigurationError
from archiver.host.blobs import POISON_QUEUE, BlobWatcher
from archiver.host.http import HttpHost
from archiver.host.loader import Function, load_functions
from archiver.host.queues import QueueOptions, QueueWorker, Stats

log = logging.getLogger("archiver.host")
# Container scans for new blobs (the local stand-in for Event Grid) at most this often.
SCAN_INTERVAL = 0.5


def _seconds(value: Any, default: float) -> float:
    if value is None:
        return default
    h, m, s = str(value).split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def _positive(value: str, name: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if seconds < 2:
        raise ConfigurationError(f"{name} must be a number of seconds, at least 2; got {value!r}")
    return seconds


def read_options(host_json: Path) -> tuple[QueueOptions, QueueOptions]:
    """(queue options, blob-trigger queue options) from host.json."""
    doc = json.loads(host_json.read_text()) if host_json.exists() else {}
    queues = doc.get("extensions", {}).get("queues", {})
    blobs = doc.get("extensions", {}).get("blobs", {})
    options = QueueOptions(
        batch_size=int(queues.get("batchSize", 16)),
        new_batch_threshold=int(
            queues.get("newBatchThreshold", int(queues.get("batchSize", 16)) // 2)
        ),
        max_dequeue_count=int(queues.get("maxDequeueCount", 5)),
        visibility_timeout=_seconds(queues.get("visibilityTimeout"), 0),
        max_polling_interval=_seconds(queues.get("maxPollingInterval"), 2),
        base64=str(queues.get("messageEncoding", "base64")).lower() == "base64",
    )
    blob_options = QueueOptions(
        batch_size=int(blobs.get("maxDegreeOfParallelism", 8)),
        max_dequeue_count=int(blobs.get("maxDequeueCount", 5)),
        visibility_timeout=options.visibility_timeout,
        max_polling_interval=options.max_polling_interval,
        base64=False,
    )
    return options, blob_options


@dataclass
class RunSummary:
    """Per-function outcomes of a run."""

    stats: dict[str, Stats] = field(default_factory=dict)
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        """Nothing poisoned, no timer failed, finished in time."""
        return not self.timed_out and all(
            s.poisoned == 0 and not (name.startswith("timer:") and s.failed)
            for name, s in self.stats.items()
        )

    def table(self) -> str:
        """A readable summary."""
        lines = [
            f"{'function':22} {'invocations':>11} {'succeeded':>9} {'failed':>6} {'poisoned':>8}"
        ]
        for name, s in sorted(self.stats.items()):
            lines.append(
                f"{name.removeprefix('timer:'):22} {s.invocations:>11} {s.succeeded:>9} "
                f"{s.failed:>6} {s.poisoned:>8}"
            )
        if self.timed_out:
            lines.append("timed out before the queues were empty")
        return "\n".join(lines)


def default_host_id(app_module: str, functions: list[Function]) -> str:
    """The host id of an app: the same for every process serving the same app with the same
    settings (instances of one app share it, as in Azure, where it comes from the app's name),
    different for apps whose triggers name different queues or containers.

    Blob receipts and the internal blob-trigger queue are kept per host id, so two apps that
    share a storage account never take each other's blob-trigger messages.
    """
    triggers = sorted(
        (fn.name, fn.trigger, str(fn.binding.get("queueName") or fn.binding.get("path") or ""))
        for fn in functions
    )
    digest = hashlib.sha256(json.dumps([app_module, triggers]).encode()).hexdigest()
    return f"local-{digest[:16]}"


class Host:
    """Runs an app module's functions against the storage its bindings name."""

    def __init__(
        self,
        app_module: str,
        settings: Mapping[str, str],
        host_json: Path,
        *,
        port: int = 7071,
        host_id: str | None = None,
    ) -> None:
        self._settings = dict(settings)
        self.functions = load_functions(app_module, self._settings)
        self._options, self._blob_options = read_options(host_json)
        lease = self._settings.get("LOCAL_QUEUE_LEASE_SECONDS")
        if lease:
            # How long a message stays invisible once taken (renewed while its function runs):
            # what a message held by a process that died waits before it is delivered again.
            for options in (self._options, self._blob_options):
                options.lease_seconds = _positive(lease, "LOCAL_QUEUE_LEASE_SECONDS")
        self._port = port
        self._host_id = host_id or default_host_id(app_module, self.functions)
        self.summary = RunSummary()
        self._stop = threading.Event()
        self._workers: list[QueueWorker] = []
        self._watchers: dict[str, tuple[BlobWatcher, Function]] = {}
        self._blob_worker: QueueWorker | None = None
        self._http: HttpHost | None = None
        self._threads: list[threading.Thread] = []
        self._last_scan = 0.0
        self._build()

    def _connection(self, binding: Mapping[str, Any]) -> str:
        name = str(binding.get("connection") or "AzureWebJobsStorage")
        value = self._settings.get(name) or self._settings.get("AzureWebJobsStorage", "")
        if not value:
            raise ConfigurationError(
                f"{name} is not set: the local host needs a storage connection string "
                "(identity-based connections work only in Azure)"
            )
        if value.strip().lower() == "usedevelopmentstorage=true":
            return (
                "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey="
                "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/"
                "KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;"
                "QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;"
                "TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;"
            )
        return value

    def stats(self, name: str) -> Stats:
        """The counters of one function."""
        return self.summary.stats.setdefault(name, Stats())

    def _build(self) -> None:
        blob_connection = None
        for fn in self.functions:
            if fn.trigger == "queueTrigger":
                conn = self._connection(fn.binding)
                name = str(fn.binding["queueName"])
                self._workers.append(
                    QueueWorker(
                        fn.name,
                        queue=QueueClient.from_connection_string(conn, name),
                        poison=QueueClient.from_connection_string(conn, f"{name}-poison"),
                        options=self._options,
                        handle=self._queue_handler(fn),
                        stats=self.stats(fn.name),
                    )
                )
            elif fn.trigger == "blobTrigger":
                blob_connection = self._connection(fn.binding)
                service = BlobServiceClient.from_connection_string(blob_connection)
                watcher = BlobWatcher(service, fn.name, str(fn.binding["path"]), self._host_id)
                self._watchers[fn.name] = (watcher, fn)
                self.stats(fn.name)
            elif fn.trigger == "timerTrigger":
                ncrontab.parse(str(fn.binding["schedule"]))
                self.stats(f"timer:{fn.name}")
        if blob_connection:
            internal = f"azure-webjobs-blobtrigger-{self._host_id}"
            self._blob_worker = QueueWorker(
                "blob-triggers",
                queue=QueueClient.from_connection_string(blob_connection, internal),
                poison=QueueClient.from_connection_string(blob_connection, POISON_QUEUE),
                options=self._blob_options,
                handle=self._blob_handler,
                stats=Stats(),
            )

    def _queue_handler(self, fn: Function) -> Any:
        def handle(body: bytes, message: QueueMessage) -> None:
            fn.call(
                FunctionsQueueMessage(  # type: ignore[no-untyped-call]
                    id=message.id,
                    body=body,
                    dequeue_count=message.dequeue_count,
                    expiration_time=message.expires_on,
                    insertion_time=message.inserted_on,
                    time_next_visible=message.next_visible_on,
                    pop_receipt=message.pop_receipt,
                )
            )

        return handle

    def _blob_handler(self, body: bytes, message: StoredMessage) -> None:
        job = json.loads(body)
        watcher, fn = self._watchers[job["function"]]
        stats = self.stats(fn.name)
        blob = watcher.read(job["blob"], job["etag"])
        if blob is None:
            # Gone (a duplicate whose work is done and cleaned up) or overwritten (the new
            # version has a message of its own): nothing to run, as in the real host.
            log.info("%s: %s changed or gone since it was queued; skipped", fn.name, job["blob"])
            return
        data, uri, length = blob
        stats.add(invocations=1)
        try:
            fn.call(
                InputStream(
                    data=data, name=f"{watcher.container}/{job['blob']}", uri=uri, length=length
                )
            )
        except Exception:
            stats.add(failed=1)
            if (message.dequeue_count or 1) >= self._blob_options.max_dequeue_count:
                stats.add(poisoned=1)  # the queue worker moves it to the poison queue
            raise
        stats.add(succeeded=1)

    # -- running ----------------------------------------------------------------------------
    def run_timers_once(self) -> None:
        """Invoke every timer function once."""
        for fn in self.functions:
            if fn.trigger == "timerTrigger":
                self._fire_timer(fn)

    def _fire_timer(self, fn: Function, *, past_due: bool = False) -> None:
        stats = self.stats(f"timer:{fn.name}")
        stats.add(invocations=1)
        started = time.perf_counter()
        try:
            fn.call(TimerRequest(past_due=past_due))
        except Exception:
            stats.add(failed=1)
            log.exception("timer %s failed", fn.name)
            return
        stats.add(succeeded=1)
        log.info("timer %s succeeded (%.0f ms)", fn.name, (time.perf_counter() - started) * 1000)

    def pump(self) -> int:
        """One round: scan blobs, start what the queues hold; returns how much was started
        (blob versions enqueued, or left for another instance to enqueue, count too)."""
        started = 0
        blobs = self._blob_worker
        scan_due = time.monotonic() - self._last_scan >= SCAN_INTERVAL
        # While every blob-trigger slot is busy, what a scan finds could not start here anyway:
        # the scan waits for a free slot (another instance scans for itself).
        if blobs is not None and scan_due and not blobs.full:
            self._last_scan = time.monotonic()
            for watcher, _ in self._watchers.values():
                found = watcher.scan(blobs.queue.send_message)
                if found.enqueued:
                    blobs.wake()
                started += found.enqueued + found.deferred
        if blobs is not None:
            started += blobs.poll()
        for worker in self._workers:
            started += worker.poll()
        return started

    def _all_workers(self) -> list[QueueWorker]:
        return [*self._workers, *([self._blob_worker] if self._blob_worker else [])]

    def idle(self) -> bool:
        """No invocation running and no message left (visible, leased or waiting to retry)."""
        workers = self._all_workers()
        if any(worker.busy for worker in workers):
            return False  # decided without asking storage
        for worker in workers:
            if worker.queue.get_queue_properties().approximate_message_count:
                return False
        return True

    def run_once(self, *, timeout: float = 600) -> RunSummary:
        """Timers once, then queues and blob triggers until nothing is left."""
        self.run_timers_once()
        deadline = time.monotonic() + timeout
        quiet = 0
        while time.monotonic() < deadline:
            try:
                if self.pump() == 0 and self.idle():
                    self._last_scan = 0.0  # a due scan must see what the last invocations wrote
                    quiet = quiet + 1 if self.pump() == 0 and self.idle() else 0
                    if quiet >= 2:  # idle twice in a row: a blob written last round was seen
                        break
                else:
                    quiet = 0
            except AzureError as error:
                # Storage is unreachable: the real host keeps polling, and so does this one.
                log.warning("storage unreachable, polling again: %s", type(error).__name__)
                quiet = 0
                time.sleep(self._options.max_polling_interval)
            time.sleep(0.1)
        else:
            self.summary.timed_out = True
        self.stop(grace=5)
        return self.summary

    def start(self) -> None:
        """Serve HTTP, run timers on schedule and pump the queues until stop()."""
        http = [f for f in self.functions if f.trigger == "httpTrigger"]
        if http:
            key = self._settings.get("LOCAL_FUNCTION_KEY") or os.urandom(16).hex()
            if not self._settings.get("LOCAL_FUNCTION_KEY"):
                print(f"function key for this run: {key}")
            self._http = HttpHost(http, port=self._port, key=key, stats=self.stats)
            self._http.start()
            log.info("HTTP functions on http://127.0.0.1:%s/api/", self._http.port)
        for fn in self.functions:
            if fn.trigger == "timerTrigger":
                thread = threading.Thread(target=self._timer_loop, args=(fn,), daemon=True)
                thread.start()
                self._threads.append(thread)
        pump = threading.Thread(target=self._pump_loop, daemon=True)
        pump.start()
        self._threads.append(pump)

    @property
    def http_port(self) -> int | None:
        """The port HTTP functions are served on, once started."""
        return self._http.port if self._http else None

    def _timer_loop(self, fn: Function) -> None:
        schedule = ncrontab.parse(str(fn.binding["schedule"]))
        if fn.binding.get("runOnStartup"):
            self._fire_timer(fn)
        while not self._stop.is_set():
            now = datetime.now(UTC)
            due = schedule.next_after(now)
            if self._stop.wait((due - now).total_seconds()):
                return
            self._fire_timer(fn)

    def _pump_loop(self) -> None:
        interval = 0.1
        while not self._stop.is_set():
            try:
                interval = (
                    0.1 if self.pump() else min(self._options.max_polling_interval, interval * 2)
                )
            except Exception:
                log.exception("polling failed; retrying")
                interval = self._options.max_polling_interval
            self._stop.wait(interval)

    def stop(self, *, grace: float = 30) -> None:
        """Stop taking work; running invocations get `grace` seconds, the rest reappear later."""
        self._stop.set()
        if self._http:
            self._http.stop()
        for worker in self._all_workers():
            worker.shutdown(grace)
