"""Queue triggers: base64 bodies, delete on success, retries, poison with the original body."""

from __future__ import annotations

import base64
import contextlib
import itertools
import threading
import time
import uuid

import pytest
from azure.core.exceptions import ResourceExistsError
from azure.storage.queue import QueueClient

from archiver.host.queues import QueueOptions, QueueWorker, Stats
from tests.host.support import calls, make_host

pytestmark = pytest.mark.integration


def queue(azurite, name: str) -> QueueClient:
    client = QueueClient.from_connection_string(azurite.connection_string, name)
    with contextlib.suppress(ResourceExistsError):
        client.create_queue()
    return client


def test_a_successful_message_is_decoded_and_deleted(azurite, tmp_path) -> None:
    host = make_host(azurite, tmp_path)
    work = queue(azurite, host.functions[0].binding["queueName"])
    work.send_message(base64.b64encode(b"hello").decode())
    summary = host.run_once(timeout=30)
    assert calls("work") == [(b"hello", 1)]
    assert summary.ok
    assert work.get_queue_properties().approximate_message_count == 0


def test_a_failing_message_is_retried_then_poisoned_with_its_original_body(azurite, tmp_path):
    host = make_host(azurite, tmp_path, max_dequeue=3)
    name = host.functions[0].binding["queueName"]
    original = base64.b64encode(b"fail please").decode()
    queue(azurite, name).send_message(original)
    summary = host.run_once(timeout=60)
    assert [count for _, count in calls("work")] == [1, 2, 3]
    assert summary.stats["work"].poisoned == 1
    assert not summary.ok
    [poisoned] = list(queue(azurite, f"{name}-poison").receive_messages())
    assert poisoned.content == original


def test_a_message_that_is_not_base64_fails_like_the_real_host(azurite, tmp_path) -> None:
    host = make_host(azurite, tmp_path, max_dequeue=1)
    queue(azurite, host.functions[0].binding["queueName"]).send_message("not base64!")
    summary = host.run_once(timeout=30)
    assert calls("work") == []
    assert summary.stats["work"].poisoned == 1


def test_the_next_batch_is_fetched_when_running_drops_to_new_batch_threshold(azurite) -> None:
    name = f"batch{uuid.uuid4().hex[:8]}"
    work, poison = queue(azurite, name), queue(azurite, f"{name}-poison")
    gate = threading.Semaphore(0)  # each release lets one invocation finish

    def handle(_body: bytes, _message: object) -> None:
        gate.acquire(timeout=10)

    worker = QueueWorker(
        name,
        queue=work,
        poison=poison,
        options=QueueOptions(batch_size=2, new_batch_threshold=1, visibility_timeout=1),
        handle=handle,
        stats=Stats(),
        clock=lambda: now[0],
    )
    now = [0.0]  # each poll below comes a second after the last: never held back by back-off
    for n in range(6):
        work.send_message(base64.b64encode(f"m{n}".encode()).decode())

    def running(expected: int) -> int:
        deadline = time.monotonic() + 10
        while worker.busy != expected and time.monotonic() < deadline:
            time.sleep(0.02)
        return worker.busy

    def poll() -> int:
        now[0] += 1
        return worker.poll()

    try:
        assert poll() == 2  # one batch of batchSize
        assert poll() == 0  # two running, more than newBatchThreshold: no batch yet
        gate.release()
        assert running(1) == 1
        assert poll() == 2  # down to the threshold: the next batch
        assert worker.busy == 3  # batchSize + newBatchThreshold at most, as in Azure
        assert poll() == 0
    finally:
        for _ in range(6):
            gate.release()
        worker.shutdown(grace=10)


def test_an_empty_queue_is_polled_less_and_less_often_up_to_max_polling_interval(azurite) -> None:
    name = f"idle{uuid.uuid4().hex[:8]}"
    work = queue(azurite, name)
    now = [0.0]
    worker = QueueWorker(
        name,
        queue=work,
        poison=queue(azurite, f"{name}-poison"),
        options=QueueOptions(batch_size=4, max_polling_interval=2.0),
        handle=lambda _body, _message: None,
        stats=Stats(),
        clock=lambda: now[0],
    )
    polled: list[float] = []
    receive = work.receive_messages

    def counted(**kw):
        polled.append(now[0])
        return receive(**kw)

    def tick_for(seconds: float) -> list[float]:
        polled.clear()
        end = now[0] + seconds
        while now[0] < end:
            worker.poll()
            now[0] += 0.01
        return [later - earlier for earlier, later in itertools.pairwise(polled)]

    worker.queue.receive_messages = counted  # type: ignore[method-assign]
    try:
        gaps = tick_for(10)
        # About 200 ms after the first empty poll, then about twice as long each time...
        assert 0.15 <= gaps[0] <= 0.22
        assert all(later >= earlier * 1.5 for earlier, later in itertools.pairwise(gaps[:4]))
        # ...up to maxPollingInterval and no longer.
        assert 1.99 <= gaps[-1] <= 2.02
        assert max(gaps) <= 2.02
        # The host puts a message on the queue: polled at once, and 100 ms after a message.
        work.send_message(base64.b64encode(b"m").decode())
        worker.wake()
        gaps = tick_for(0.5)
        assert 0.09 <= gaps[0] <= 0.12
        assert 0.15 <= gaps[1] <= 0.22  # empty again: the back-off starts over
        deadline = time.monotonic() + 10
        while worker.stats.succeeded < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert worker.stats.succeeded == 1
    finally:
        worker.shutdown(grace=5)


def test_a_long_invocation_keeps_its_message_invisible_by_renewing_its_lease(azurite) -> None:
    """The real host renews a running message's lease at half-time: it reappears only when the
    process holding it is gone."""
    name = f"lease-{uuid.uuid4().hex[:8]}"
    seen: list[bytes] = []
    done = threading.Event()

    def slow(body: bytes, message: object) -> None:
        seen.append(body)
        done.wait(5)  # longer than the lease: only renewals keep the message hidden

    options = QueueOptions(batch_size=2, new_batch_threshold=0, base64=False, lease_seconds=2)
    worker = QueueWorker(
        "slow",
        queue=queue(azurite, name),
        poison=queue(azurite, f"{name}-poison"),
        options=options,
        handle=slow,
        stats=Stats(),
    )
    worker.queue.send_message("one")
    deadline = time.monotonic() + 4.5
    while time.monotonic() < deadline:
        worker.poll()
        time.sleep(0.2)
    done.set()
    worker.shutdown(5)
    assert seen == [b"one"]  # never handed out a second time while it ran
    assert worker.queue.get_queue_properties().approximate_message_count == 0
