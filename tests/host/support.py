"""Builds a Host over the sample app with settings isolated per test."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from archiver.host.runner import Host
from tests.host.apps import sample_app


def make_host(azurite, tmp_path: Path, *, max_dequeue: int = 2, **extra: str) -> Host:
    tag = uuid.uuid4().hex[:8]
    settings = {
        "AzureWebJobsStorage": azurite.connection_string,
        "WORK_QUEUE": f"work-{tag}",
        "SLOW_QUEUE": f"slow-{tag}",
        "WATCHED": f"watched-{tag}",
        "SCHEDULE": "0 */5 * * * *",
        "LOCAL_FUNCTION_KEY": "k3y",
        **extra,
    }
    host_json = tmp_path / "host.json"
    host_json.write_text(
        json.dumps(
            {
                "version": "2.0",
                "extensions": {
                    "queues": {
                        "batchSize": 4,
                        "maxDequeueCount": max_dequeue,
                        "visibilityTimeout": "00:00:00",
                        "maxPollingInterval": "00:00:00.2",
                    },
                    "blobs": {"maxDequeueCount": max_dequeue},
                },
            }
        )
    )
    sample_app.CALLS.clear()
    return Host("tests.host.apps.sample_app", settings, host_json, port=0, host_id=f"h{tag}")


def calls(kind: str) -> list[object]:
    return [value for name, value in sample_app.CALLS if name == kind]
