"""Runs function_app through the local host against Azurite and the simulators."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from archiver import entrypoints
from archiver.host.runner import Host, RunSummary
from archiver.settings import DEFAULTS

ROOT = Path(__file__).resolve().parents[2]


def seed(
    sims, *, meetings: int, seed: int, recording_mb: float = 0.2, content_sources: bool = False
) -> dict[str, Any]:
    """`python -m sim seed` (with --content-sources: archiving on, and its meetings)."""
    sims.control("POST", "/reset")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim",
            "seed",
            "--control",
            sims.control_url,
            "--users",
            "6",
            "--meetings",
            str(meetings),
            "--recording-mb",
            str(recording_mb),
            "--seed",
            str(seed),
            *(["--content-sources"] if content_sources else []),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def settings(azurite, sims, **extra: str) -> dict[str, str]:
    tag = uuid.uuid4().hex[:8]
    return {
        **{k: v for k, v in DEFAULTS.items() if v},
        **sims.env(),
        "AzureWebJobsStorage": azurite.connection_string,
        "INTERNAL_DOMAINS": "contoso.com",
        "FALLBACK_MAILBOX": "zoom-archive@contoso.com",
        "TABLE_PREFIX": f"e{tag}",
        "MEETINGS_QUEUE": f"meetings-{tag}",
        "FILES_QUEUE": f"files-{tag}",
        "STAGING_CONTAINER": f"staging-{tag}",
        "ARCHIVE_CONTAINER": f"archive-{tag}",
        "LOCAL_FUNCTION_KEY": "e2e-key",
        **extra,
    }


def run(values: dict[str, str], monkeypatch, tmp_path: Path) -> RunSummary:
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    entrypoints._deps = None  # a fresh composition root per run, as a new worker process would
    host_json = tmp_path / "host.json"
    host_json.write_text(
        json.dumps(
            {
                "version": "2.0",
                "extensions": {
                    "queues": {
                        "batchSize": 8,
                        "maxDequeueCount": 5,
                        "visibilityTimeout": "00:00:01",
                        "maxPollingInterval": "00:00:00.5",
                    },
                    "blobs": {"maxDequeueCount": 5},
                },
            }
        )
    )
    sys.path.insert(0, str(ROOT))
    host = Host("function_app", values, host_json, port=0, host_id=f"e2e{uuid.uuid4().hex[:6]}")
    return host.run_once(timeout=240)


def items(sims, mailbox: str) -> list[dict[str, Any]]:
    return sims.control("GET", f"/m365/mailboxes/{mailbox}/items?folder=Zoom%20Meetings")["items"]


def uuid_of(item: dict[str, Any]) -> str:
    return next(
        h["value"] for h in item["internetMessageHeaders"] if h["name"] == "X-Zoom-Meeting-UUID"
    )


def all_items(sims, corpus) -> dict[str, list[str]]:
    return {m: [uuid_of(i) for i in items(sims, m)] for m in corpus["mailboxes"]}


def cli(values: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m archiver ARGS` with these settings, as an admin runs it."""
    import os

    return subprocess.run(
        [sys.executable, "-m", "archiver", *args],
        cwd=ROOT,
        text=True,
        capture_output=True,
        env={**os.environ, **values},
        check=False,
        timeout=120,
    )
