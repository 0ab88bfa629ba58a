"""No secret and no token ever reaches a log, a blob, a table, a queue, a recorded error or an
admin command's output, through a whole run with failures, a poison message and webhooks.

The Graph app and the webhook secret are distinctive sentinels; the Zoom simulator's client
secret cannot be set, so its default is the sentinel there. Tokens are looked for by value (the
Zoom token the run used), by shape (JWTs, as Entra issues) and by the query parameters that
carry them (Outlook upload URLs, Zoom download URLs).
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from azure.core.exceptions import ResourceExistsError
from azure.data.tables import TableServiceClient
from azure.storage.blob import BlobServiceClient
from azure.storage.queue import BinaryBase64EncodePolicy, QueueServiceClient

from archiver import entrypoints
from archiver.host.runner import Host
from tests.e2e.support import cli, run, seed, settings

pytestmark = pytest.mark.e2e
GRAPH_SECRET = "GRAPH-SENTINEL-9c41e7b2"
WEBHOOK_SECRET = "WEBHOOK-SENTINEL-5a0f3d86"
ZOOM_SECRET = "sim-zoom-secret"  # the simulator's, which no control route changes
GRAPH_APP = "33333333-3333-4333-8333-333333333333"
TOKEN_SHAPES = [
    re.compile(r"eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}"),  # a JWT (Entra's access tokens)
    re.compile(r"(authtoken|access_token|download_access_token)=[\w.-]{8,}", re.IGNORECASE),
    re.compile(r"Bearer\s+[\w.-]{12,}"),
]
FAULTS = [
    {"server": "zoom", "method": "POST", "path": "/oauth/token", "status": 500, "count": 1},
    {"server": "zoom", "method": "GET", "path": "/recordings$", "status": 502, "count": 2},
    {"server": "m365", "method": "POST", "path": "/oauth2/v2.0/token", "status": 500, "count": 1},
    {"server": "m365", "method": "POST", "path": "/messages$", "status": 503, "count": 2},
]


def register_graph_app(sims) -> None:
    sims.control(
        "POST",
        "/m365/apps",
        {
            "tenant": sims.info["graph_tenant_id"],
            "client_id": GRAPH_APP,
            "client_secret": GRAPH_SECRET,
            "roles": ["User.Read.All"],
            "mailbox_scope": None,
        },
    )


def send_webhooks(sims, values: dict[str, str], tmp_path, uuid: str) -> None:
    """A genuine event, one signed with the wrong secret and a URL validation, to a live host."""
    entrypoints._deps = None
    host = Host("function_app", values, tmp_path / "host.json", port=0, host_id="secrets")
    host.start()
    try:
        url = f"http://127.0.0.1:{host.http_port}/api/zoom/webhook"
        for secret, status in ((WEBHOOK_SECRET, 200), ("not-the-secret", 401)):
            answer = sims.control(
                "POST",
                "/zoom/webhooks/send",
                {
                    "url": url,
                    "event": "recording.completed",
                    "meeting_uuid": uuid,
                    "secret": secret,
                },
            )
            assert answer["status"] == status
        check = sims.control(
            "POST",
            "/zoom/webhooks/send",
            {"url": url, "event": "endpoint.url_validation", "secret": WEBHOOK_SECRET},
        )
        assert check["validated"] is True
        time.sleep(1)
    finally:
        host.stop(grace=5)


def poison(connection: str, queue: str) -> None:
    """A message no function can read: it ends in the poison queue with its error."""
    client = QueueServiceClient.from_connection_string(connection).get_queue_client(
        queue, message_encode_policy=BinaryBase64EncodePolicy()
    )
    with contextlib.suppress(ResourceExistsError):
        client.create_queue()
    client.send_message(b'{"uuid": "no such meeting", "revision": "x"}')


def stored(connection: str, tag: str) -> Iterator[tuple[str, str]]:
    """(where, text) of every blob, table entity and queue message of this run's storage."""
    blobs = BlobServiceClient.from_connection_string(connection)
    for container in blobs.list_containers():
        if tag in container.name or container.name.startswith("azure-webjobs"):
            client = blobs.get_container_client(container.name)
            for blob in client.list_blobs():
                data = client.download_blob(blob.name).readall()
                yield f"blob {container.name}/{blob.name}", data.decode("latin-1")
    tables = TableServiceClient.from_connection_string(connection)
    for table in tables.list_tables():
        if tag in table.name:
            for entity in tables.get_table_client(table.name).list_entities():
                yield f"table {table.name}", json.dumps(dict(entity), default=str)
    queues = QueueServiceClient.from_connection_string(connection)
    for queue in queues.list_queues():
        if tag in queue.name:
            for message in queues.get_queue_client(queue.name).peek_messages(max_messages=32):
                yield f"queue {queue.name}", str(message.content)


def leaks(where: str, text: str, secrets: list[str]) -> list[str]:
    found = [f"{where}: secret {s[:6]}…" for s in secrets if s and s in text]
    found += [f"{where}: token {p.pattern}" for p in TOKEN_SHAPES if p.search(text)]
    return found


def archive_with_failures(azurite, sims, tmp_path) -> dict[str, Any]:
    """Seed, fail some calls, poison a message, run, send webhooks, run again."""
    corpus = seed(sims, meetings=3, seed=41)
    register_graph_app(sims)
    values = settings(
        azurite,
        sims,
        GRAPH_CLIENT_ID=GRAPH_APP,
        GRAPH_CLIENT_SECRET=GRAPH_SECRET,
        ZOOM_WEBHOOK_SECRET=WEBHOOK_SECRET,
    )
    for rule in FAULTS:
        sims.control("POST", "/faults", {"action": "status", **rule})
    monkeypatch = pytest.MonkeyPatch()
    try:
        poison(azurite.connection_string, values["MEETINGS_QUEUE"])
        first = run(values, monkeypatch, tmp_path)
        zoom_token = entrypoints.deps().zoom.token()
        send_webhooks(sims, values, tmp_path, corpus["meetings"][0]["uuid"])
        run(values, monkeypatch, tmp_path)
    finally:
        monkeypatch.undo()
        sims.control("DELETE", "/faults")
    failed = sum(s.failed for s in first.stats.values())
    return {"corpus": corpus, "values": values, "failed": failed, "zoom_token": zoom_token}


def test_no_secret_or_token_reaches_logs_storage_queues_or_admin_output(
    azurite, simulators, caplog, capfd, tmp_path
) -> None:
    caplog.set_level(logging.INFO)
    done = archive_with_failures(azurite, simulators, tmp_path)
    values = done["values"]
    secrets = [GRAPH_SECRET, WEBHOOK_SECRET, ZOOM_SECRET, done["zoom_token"]]
    since = (datetime.now(UTC) - timedelta(days=30)).date().isoformat()
    out = tmp_path / "eml"
    outputs = {
        "status": cli(values, "status"),
        "log": cli(values, "log", "--since", since, "--format", "csv"),
        "export-eml": cli(
            values, "export-eml", "--meeting", done["corpus"]["meetings"][0]["uuid"],
            "--out", str(out),
        ),
    }  # fmt: skip
    found: list[str] = []
    for name, answer in outputs.items():
        assert answer.returncode == 0, (name, answer.stderr[-2000:])
        found += leaks(name, answer.stdout + answer.stderr, secrets)
    for eml in out.glob("*.eml"):
        found += leaks(f"export {eml.name}", eml.read_bytes().decode("latin-1"), secrets)
    places = list(stored(azurite.connection_string, values["TABLE_PREFIX"][1:]))
    for where, text in places:
        found += leaks(where, text, secrets)
    kinds = {where.split()[0] for where, _ in places}
    for record in caplog.records:
        found += leaks(f"log {record.name}", json.dumps(vars(record), default=str), secrets)
    host_output = capfd.readouterr()
    found += leaks("host output", host_output.out + host_output.err, secrets)
    assert found == []
    # The scan means something only if error paths ran: failures retried, a message poisoned.
    status = json.loads(outputs["status"].stdout)
    assert done["failed"] > 0
    assert {"blob", "table", "queue"} <= kinds
    assert caplog.records
    assert sum(status["poison_queues"].values()) >= 1, status["poison_queues"]
