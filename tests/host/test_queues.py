"""Queue triggers: base64 bodies, delete on success, retries, poison with the original body."""

from __future__ import annotations

import base64
import contextlib

import pytest
from azure.core.exceptions import ResourceExistsError
from azure.storage.queue import QueueClient

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
