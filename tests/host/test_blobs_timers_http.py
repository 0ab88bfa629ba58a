"""Blob triggers fire once per blob version across restarts; timers, settings and HTTP routes."""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import UTC, datetime

import pytest
from azure.storage.blob import BlobServiceClient

from archiver.core import ncrontab
from archiver.errors import ConfigurationError
from archiver.host.loader import resolve
from tests.host.support import calls, make_host

pytestmark = pytest.mark.integration


def upload(azurite, container: str, name: str, data: bytes) -> None:
    service = BlobServiceClient.from_connection_string(azurite.connection_string)
    client = service.get_container_client(container)
    if not client.exists():
        client.create_container()
    client.upload_blob(name, data, overwrite=True)


def test_a_blob_fires_once_across_a_host_restart_and_again_when_changed(azurite, tmp_path):
    host = make_host(azurite, tmp_path)
    container = host.functions[1].binding["path"].split("/")[0]
    upload(azurite, container, "k1/manifest.json", b"v1")
    upload(azurite, container, "k1/other.bin", b"not a manifest")
    host.run_once(timeout=30)
    assert calls("blob") == [(f"{container}/k1/manifest.json", b"v1")]
    from archiver.host.runner import Host

    again = Host(
        "tests.host.apps.sample_app",
        host._settings,
        tmp_path / "host.json",
        port=0,
        host_id=host._host_id,
    )
    again.run_once(timeout=30)
    assert len(calls("blob")) == 1
    upload(azurite, container, "k1/manifest.json", b"v2")
    again = Host(
        "tests.host.apps.sample_app",
        host._settings,
        tmp_path / "host.json",
        port=0,
        host_id=host._host_id,
    )
    again.run_once(timeout=30)
    assert calls("blob")[-1] == (f"{container}/k1/manifest.json", b"v2")


def test_a_failing_blob_is_retried_then_poisoned(azurite, tmp_path) -> None:
    host = make_host(azurite, tmp_path, max_dequeue=2)
    container = host.functions[1].binding["path"].split("/")[0]
    upload(azurite, container, "k2/manifest.json", b"fail")
    summary = host.run_once(timeout=30)
    assert len(calls("blob")) == 2
    assert summary.stats["watched"].poisoned == 1


def test_timers_run_once_in_run_once(azurite, tmp_path) -> None:
    make_host(azurite, tmp_path).run_once(timeout=30)
    assert calls("tick") == [False]


def test_a_missing_setting_in_a_binding_is_named() -> None:
    with pytest.raises(ConfigurationError, match="WORK_QUEUE"):
        resolve("%WORK_QUEUE%", {})


def test_ncrontab_schedules_give_the_next_occurrence() -> None:
    every_15 = ncrontab.parse("0 */15 * * * *")
    after = datetime(2026, 1, 1, 10, 7, 30, tzinfo=UTC)
    assert every_15.next_after(after) == datetime(2026, 1, 1, 10, 15, 0, tzinfo=UTC)
    weekdays = ncrontab.parse("0 30 9 * * mon-fri")
    assert weekdays.next_after(datetime(2026, 1, 3, 0, 0, tzinfo=UTC)).weekday() == 0


@pytest.mark.parametrize("bad", ["* * * * *", "0 60 * * * *", "0 */0 * * * *", "a b c d e f"])
def test_invalid_schedules_are_refused_with_a_clear_error(bad: str) -> None:
    with pytest.raises(ConfigurationError, match="schedule"):
        ncrontab.parse(bad)


def get(url: str, **headers: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def test_http_routes_honour_function_keys(azurite, tmp_path) -> None:
    host = make_host(azurite, tmp_path)
    host.start()
    try:
        base = f"http://127.0.0.1:{host.http_port}/api"
        assert get(f"{base}/hello/ann") == (401, b"")
        assert get(f"{base}/hello/ann?code=wrong") == (401, b"")
        assert get(f"{base}/hello/ann?code=k3y") == (200, b"hello ann")
        assert get(f"{base}/hello/ann", **{"x-functions-key": "k3y"}) == (200, b"hello ann")
        assert get(f"{base}/nothing-here")[0] == 404
        assert get(f"{base}/open")[0] == 405
    finally:
        host.stop(grace=1)


def test_stopping_leaves_an_unfinished_message_to_reappear(azurite, tmp_path) -> None:
    import base64
    import time

    from azure.storage.queue import QueueClient

    from tests.host.apps import sample_app

    host = make_host(azurite, tmp_path)
    name = next(f.binding["queueName"] for f in host.functions if f.name == "slow")
    slow = QueueClient.from_connection_string(azurite.connection_string, name)
    slow.send_message(base64.b64encode(b"long job").decode())
    sample_app.RELEASE.clear()
    host.start()
    deadline = time.monotonic() + 20
    while not calls("slow") and time.monotonic() < deadline:
        time.sleep(0.05)
    host.stop(grace=0.2)  # the invocation is still running
    sample_app.RELEASE.set()
    time.sleep(0.5)  # it finishes after the host stopped
    assert calls("slow") == [b"long job"]
    assert slow.get_queue_properties().approximate_message_count == 1  # not deleted, not lost


def test_console_lines_carry_the_structured_fields_of_a_step() -> None:
    import logging

    from archiver.host.cli import ConsoleFormatter

    record = logging.LogRecord("archiver.steps", logging.INFO, "x", 1, "import created", (), None)
    record.meeting, record.mailbox, record.duration_ms = "k1", "ann@contoso.com", 12.5
    line = ConsoleFormatter("%(levelname)s %(message)s").format(record)
    assert line == "INFO import created meeting=k1 mailbox=ann@contoso.com duration_ms=12.5"
