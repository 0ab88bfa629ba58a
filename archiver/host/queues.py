"""Queue-trigger semantics: lease, base64 decode, retry after visibilityTimeout, poison queue."""

from __future__ import annotations

import base64
import binascii
import contextlib
import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from azure.core.exceptions import AzureError, ResourceExistsError, ResourceNotFoundError
from azure.storage.queue import QueueClient, QueueMessage

log = logging.getLogger("archiver.host")
# A message is invisible while its function runs: the real host takes a 10-minute lease and
# renews it at half-time, so a message reappears only when the process holding it is gone.
LEASE_SECONDS = 600
# The queue trigger's polling algorithm (Azure Functions docs): after a message was found, look
# again in 100 ms; after an empty poll wait about 200 ms, then longer after each further empty
# poll (randomized exponential back-off) up to maxPollingInterval.
FOUND_WAIT_S = 0.1
FIRST_EMPTY_WAIT_S = 0.2


@dataclass
class QueueOptions:
    """host.json extensions.queues (and blobs.maxDequeueCount for the blob-trigger queue)."""

    batch_size: int = 16
    # Fetch the next batch once this few are still running (the real host's newBatchThreshold);
    # at most batch_size + new_batch_threshold run at once. None: fetch whenever a slot is free,
    # with batch_size the most at once (the blob trigger's maxDegreeOfParallelism).
    new_batch_threshold: int | None = None
    max_dequeue_count: int = 5
    visibility_timeout: float = 0.0
    max_polling_interval: float = 2.0
    base64: bool = True
    lease_seconds: float = LEASE_SECONDS


@dataclass
class Stats:
    """What happened to one function's invocations."""

    invocations: int = 0
    succeeded: int = 0
    failed: int = 0
    poisoned: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **counts: int) -> None:
        with self.lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)


def ensure_queue(client: QueueClient) -> QueueClient:
    """Create the queue if it is missing (the Functions host does the same)."""
    with contextlib.suppress(ResourceExistsError):
        client.create_queue()
    return client


def decode_body(content: str, options: QueueOptions) -> bytes:
    """The message body as the function sees it; invalid base64 fails like the real host."""
    if not options.base64:
        return content.encode()
    try:
        return base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("message is not valid base64 (host.json messageEncoding)") from None


class QueueWorker:
    """Pulls messages and invokes `handle(body, message)` on a bounded pool."""

    def __init__(
        self,
        name: str,
        *,
        queue: QueueClient,
        poison: QueueClient,
        options: QueueOptions,
        handle: Callable[[bytes, QueueMessage], None],
        stats: Stats,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.name = name
        self.queue = ensure_queue(queue)
        self._poison = poison
        self._options = options
        self._handle = handle
        self.stats = stats
        self._capacity = options.batch_size + (options.new_batch_threshold or 0)
        self._pool = ThreadPoolExecutor(max_workers=self._capacity, thread_name_prefix=f"q-{name}")
        self._inflight: set[Future[None]] = set()
        self._lock = threading.Lock()
        self._abandoned = False
        self._clock = clock
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not security
        self._next_poll = 0.0
        self._empty_wait = 0.0  # the last wait after an empty poll; 0 after a message

    @property
    def busy(self) -> int:
        """Invocations running now."""
        with self._lock:
            return len(self._inflight)

    @property
    def full(self) -> bool:
        """Every slot is taken: a poll now would start nothing."""
        return self.busy >= self._capacity

    def poll(self) -> int:
        """Dequeue the next batch when few enough are running and the polling interval is up;
        returns how many were started."""
        busy = self.busy
        threshold = self._options.new_batch_threshold
        if threshold is not None and busy > threshold:
            return 0
        free = min(self._options.batch_size, self._capacity - busy)
        now = self._clock()
        if free <= 0 or now < self._next_poll:
            return 0
        messages = list(
            self.queue.receive_messages(
                messages_per_page=min(32, free),
                max_messages=free,
                visibility_timeout=int(self._options.lease_seconds),
            )
        )
        self._schedule(now, found=bool(messages))
        for message in messages:
            future = self._pool.submit(self._process, message)
            with self._lock:
                self._inflight.add(future)
            future.add_done_callback(self._done)
        return len(messages)

    def _schedule(self, now: float, *, found: bool) -> None:
        if found:
            self._empty_wait = 0.0
            self._next_poll = now + FOUND_WAIT_S
            return
        longest = self._options.max_polling_interval
        wait = FIRST_EMPTY_WAIT_S if not self._empty_wait else self._empty_wait * 2
        self._empty_wait = min(longest, wait)
        jitter = self._rng.uniform(0.8, 1.0) if self._empty_wait < longest else 1.0
        self._next_poll = now + self._empty_wait * jitter

    def wake(self) -> None:
        """Poll at the next chance: the host itself just put messages on this queue (as the
        real host's blob trigger does with its internal queue)."""
        self._empty_wait = 0.0
        self._next_poll = 0.0

    def _done(self, future: Future[None]) -> None:
        with self._lock:
            self._inflight.discard(future)

    def _process(self, message: QueueMessage) -> None:
        started = time.perf_counter()
        self.stats.add(invocations=1)
        lease = _Lease(self.queue, message, self._options.lease_seconds)
        try:
            with lease:
                self._handle(decode_body(message.content, self._options), message)
        except Exception as error:  # the function failed: retry later or poison
            self.stats.add(failed=1)
            try:
                self._failed(lease.message, error, started)
            except AzureError as unreachable:
                # Storage is down: the message reappears after its lease and is tried again.
                log.warning("%s: could not record the failure (%s)", self.name, unreachable)
            return
        message = lease.message
        self.stats.add(succeeded=1)
        if self._abandoned:
            # The host stopped before this finished: leave the message to reappear after its
            # lease, exactly as if the process had gone away (the steps are idempotent).
            log.warning(
                "%s finished after shutdown; message %s left to reappear", self.name, message.id
            )
            return
        try:
            self.queue.delete_message(message)
        except AzureError as unreachable:
            # Done, but storage is down: the message reappears and is done again (idempotent).
            log.warning("%s: could not delete message %s (%s)", self.name, message.id, unreachable)
            return
        log.info(
            "%s succeeded (message %s, attempt %s, %.0f ms)",
            self.name,
            message.id,
            message.dequeue_count,
            (time.perf_counter() - started) * 1000,
        )

    def _failed(self, message: QueueMessage, error: Exception, started: float) -> None:
        attempt = message.dequeue_count or 1
        log.warning(
            "%s failed (message %s, attempt %s/%s, %.0f ms): %s: %s",
            self.name,
            message.id,
            attempt,
            self._options.max_dequeue_count,
            (time.perf_counter() - started) * 1000,
            type(error).__name__,
            error,
        )
        try:
            if attempt >= self._options.max_dequeue_count:
                ensure_queue(self._poison).send_message(message.content)
                self.queue.delete_message(message)
                self.stats.add(poisoned=1)
                log.error(
                    "%s: message %s moved to %s", self.name, message.id, self._poison.queue_name
                )
            else:
                self.queue.update_message(
                    message, visibility_timeout=int(self._options.visibility_timeout)
                )
        except ResourceNotFoundError:
            pass  # already gone (deleted by a replay): nothing to retry

    def shutdown(self, grace: float) -> None:
        """Stop taking work; wait up to `grace` seconds for running invocations."""
        deadline = time.monotonic() + grace
        while self.busy and time.monotonic() < deadline:
            time.sleep(0.05)
        self._abandoned = self.busy > 0
        self._pool.shutdown(wait=False, cancel_futures=True)


class _Lease:
    """Renews a running message's invisibility at half its lease, as the real host does."""

    def __init__(self, queue: QueueClient, message: QueueMessage, seconds: float) -> None:
        self._queue = queue
        self.message = message
        self._seconds = seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew, daemon=True, name="lease")

    def _renew(self) -> None:
        while not self._stop.wait(self._seconds / 2):
            try:
                renewed = self._queue.update_message(
                    self.message, visibility_timeout=int(self._seconds)
                )
            except Exception:
                log.warning("could not renew the lease of message %s", self.message.id)
                continue
            # The renewal changes the pop receipt: what deletes or retries it needs the new one.
            self.message.pop_receipt = renewed.pop_receipt
            self.message.next_visible_on = renewed.next_visible_on

    def __enter__(self) -> _Lease:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=self._seconds)


def message_text(message: Any) -> str:
    """A queue message's raw stored text."""
    return str(message.content)
