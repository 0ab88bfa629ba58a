"""README "Running locally", run as written: its command block, in a copy of the working tree.

The block runs in one bash process, as an admin pastes it into a shell: Azurite and the
simulators start in the background, the corpus is seeded, `archiver host` starts in the
background and `archiver run --once` runs next to it. The environment is a fresh machine's: no
venv on PATH, none of the sample's settings exported, no CA bundle of the machine's own. A port the
README uses is moved only when something else listens on it, the way the README's "Ports"
paragraph says (the command, and the setting through the environment, which wins over
local.settings.json). Then: the block ended within BLOCK_TIMEOUT_S with no failed attempt in
either process, the run archived the corpus (nothing left staged, every delivery in its mailbox
exactly once, a meeting in its host's mailbox), and the host that is still running archives a
meeting announced by a webhook afterwards (its blob trigger did not stall). About a minute.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.azurite import ACCOUNT, KEY, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
# The whole block, from activation to a finished `run --once` next to a running host.
BLOCK_TIMEOUT_S = 120
# Not copied: what `make setup` builds (linked instead), local state and caches.
NOT_COPIED = {
    ".git",
    ".venv",
    ".venv-infra",
    "node_modules",
    ".local",
    "demo-output",
    "local.settings.json",
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".import_linter_cache",
}
AZURITE_PORTS = (10000, 10001, 10002)
SIM_PORTS = (8443, 8444, 8445)
HOST_PORT = 7071
FUNCTION_KEY = "local-dev-key"  # LOCAL_FUNCTION_KEY in the sample


def readme_block() -> str:
    """The first bash block of README's "Running locally" section."""
    readme = (ROOT / "README.md").read_text()
    section = re.search(r"^## Running locally\n(.*?)^## ", readme, re.DOTALL | re.MULTILINE)
    assert section, "README.md has no 'Running locally' section"
    block = re.search(r"^```bash\n(.*?)^```", section[1], re.DOTALL | re.MULTILINE)
    assert block, "the 'Running locally' section has no bash block"
    return block[1]


def busy(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def relocate(block: str, sample: dict[str, str]) -> tuple[str, dict[str, str], dict[int, int]]:
    """Move the ports that are taken, as README's "Ports" paragraph says: (block, settings to
    export, old port -> new port)."""
    moved: dict[int, int] = {}
    exported: dict[str, str] = {}
    if any(busy(p) for p in AZURITE_PORTS):
        blob, queue, table = (free_port() for _ in AZURITE_PORTS)
        moved.update(zip(AZURITE_PORTS, (blob, queue, table), strict=True))
        flags = f"--blobPort {blob} --queuePort {queue} --tablePort {table}"
        block, count = re.subn(r"(npx azurite [^&\n]*?)\s*&", rf"\1 {flags} &", block)
        assert count == 1, "the block starts Azurite once"
        exported["AzureWebJobsStorage"] = (
            f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={KEY};"
            f"BlobEndpoint=http://127.0.0.1:{blob}/{ACCOUNT};"
            f"QueueEndpoint=http://127.0.0.1:{queue}/{ACCOUNT};"
            f"TableEndpoint=http://127.0.0.1:{table}/{ACCOUNT};"
        )
    for port in (*SIM_PORTS, HOST_PORT):
        if busy(port):
            moved[port] = free_port()
    for old, new in moved.items():
        if old in AZURITE_PORTS:
            continue
        block = re.sub(rf"(?<!\d){old}(?!\d)", str(new), block)
        for name in ("ZOOM_API_URL", "ZOOM_OAUTH_URL", "GRAPH_URL", "GRAPH_AUTHORITY_HOST"):
            value = exported.get(name, sample[name])
            if f":{old}/" in f"{value}/":
                exported[name] = re.sub(rf":{old}(?=/|$)", f":{new}", value)
    return block, exported, moved


def fresh_environment(sample: dict[str, str]) -> dict[str, str]:
    """This process's environment as a fresh machine's shell would have it."""
    venv_bin = (ROOT / ".venv" / "bin").resolve()
    drop = {*sample, "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "VIRTUAL_ENV", "PYTHONPATH"}
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("PYTEST")}
    env["PATH"] = os.pathsep.join(
        entry
        for entry in env.get("PATH", "").split(os.pathsep)
        if entry and Path(entry).resolve() != venv_bin
    )
    return env


def copy_tree(target: Path) -> None:
    """The working tree without what `make setup` builds; .venv and node_modules are linked."""
    shutil.copytree(ROOT, target, ignore=lambda _dir, names: NOT_COPIED & set(names))
    for built in (".venv", "node_modules"):
        source = (ROOT / built).resolve()
        if not source.exists():
            pytest.fail(f"{built} is missing: run `make setup` first")
        (target / built).symlink_to(source, target_is_directory=True)


def control(base: str, method: str, path: str, body: Any = None) -> Any:
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read() or b"null")


def archived(base: str, mailbox: str) -> list[dict[str, Any]]:
    folder = urllib.parse.quote("Zoom Meetings")
    path = f"/m365/mailboxes/{mailbox}/items?folder={folder}"
    return list(control(base, "GET", path)["items"])


def headers(item: dict[str, Any]) -> dict[str, str]:
    return {h["name"]: h["value"] for h in item.get("internetMessageHeaders") or []}


def stop(process: subprocess.Popen[bytes]) -> None:
    """End the block's shell and everything it started (its own process group), by its id."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)


def test_the_readme_local_steps_archive_the_corpus_with_host_and_run_once_side_by_side(
    tmp_path: Path,
) -> None:
    tree = tmp_path / "tree"
    copy_tree(tree)
    sample = json.loads((tree / "local.settings.sample.json").read_text())["Values"]
    block, exported, moved = relocate(readme_block(), sample)
    script = tmp_path / "readme-running-locally.sh"
    script.write_text(block)
    output = tmp_path / "block.log"
    control_url = f"http://127.0.0.1:{moved.get(8445, 8445)}"
    host_url = f"http://127.0.0.1:{moved.get(HOST_PORT, HOST_PORT)}/api"
    started = time.monotonic()
    with output.open("wb") as log:
        # Output to a file, not a pipe: the background jobs outlive the shell and keep it open.
        shell = subprocess.Popen(
            ["bash", "-e", str(script)],
            cwd=tree,
            env={**fresh_environment(sample), **exported},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        try:
            code = shell.wait(timeout=BLOCK_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            code = None
        elapsed = time.monotonic() - started
        host_log = tree / ".local" / "host.log"
        context = (
            f"ports moved: {moved}\n--- block output ---\n{output.read_text()[-6000:]}\n"
            f"--- host.log ---\n{host_log.read_text()[-4000:] if host_log.exists() else ''}"
        )
        assert code is not None, f"the block stalled: not done after {BLOCK_TIMEOUT_S} s\n{context}"
        assert code == 0, f"the block failed (exit {code}) after {elapsed:.0f} s\n{context}"
        # run --once's summary: every function ran without a failed attempt, and so did the
        # host's (two instances taking the same work twice would fail, then retry 30 s later).
        rows = re.findall(r"^(\w+) +(\d+) +\d+ +(\d+) +(\d+)$", output.read_text(), re.MULTILINE)
        assert {name for name, *_ in rows} >= {"discover", "stage_meeting", "import_meeting"}, (
            context
        )
        assert [row for row in rows if row[2:] != ("0", "0")] == [], context
        assert " failed (message " not in host_log.read_text(), context

        # What the run left behind, from the host that is still running (its HTTP status route).
        with urllib.request.urlopen(f"{host_url}/status?code={FUNCTION_KEY}", timeout=30) as r:
            status = json.loads(r.read())
        meetings = status["meetings"]
        assert status["last_discovery"]["state"] == "ok", json.dumps(status, indent=1)
        left = {s: meetings[s] for s in ("claimed", "queued", "staging", "staged") if meetings[s]}
        assert left == {}, f"left unfinished: {left}\n{context}"
        assert meetings["imported"] >= 50, meetings
        assert set(status["poison_queues"].values()) == {0}, status["poison_queues"]

        # Every delivery is in its mailbox, once.
        corpus = json.loads((tree / ".local" / "corpus.json").read_text().splitlines()[-1])
        items = {m: archived(control_url, m) for m in corpus["mailboxes"]}
        keys = Counter(
            (
                mailbox,
                *(h.get(f"X-Zoom-{n}") for n in ("Meeting-UUID", "Archive-Update", "Archive-Part")),
            )
            for mailbox, found in items.items()
            for h in map(headers, found)
        )
        assert sum(len(found) for found in items.values()) == meetings["delivered_items"]
        assert [key for key, n in keys.items() if n > 1] == []
        first = next(
            m
            for m in corpus["meetings"]
            if m["host_email"] in items
            and all(f["status"] == "completed" and f["trusted_url"] for f in m["files"])
        )
        mailbox = first["host_email"]
        assert first["uuid"] in {headers(i)["X-Zoom-Meeting-UUID"] for i in items[mailbox]}

        # The host keeps archiving after `run --once` ended: a meeting announced by webhook.
        seeded = control(control_url, "GET", "/zoom/meetings")["meetings"]
        host_id = next(m["host_id"] for m in seeded if m["uuid"] == first["uuid"])
        late = "readme-late-meeting=="
        control(
            control_url,
            "POST",
            "/zoom/meetings",
            {
                "uuid": late,
                "id": 81999000001,
                "host_id": host_id,
                "topic": "After run --once",
                "start_time": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
                "participants": [{"name": "Host", "email": mailbox}],
                "files": [{"file_type": "MP4", "size": 50_000}],
            },
        )
        answer = control(
            control_url,
            "POST",
            "/zoom/webhooks/send",
            {
                "url": f"{host_url}/zoom/webhook",
                "event": "recording.completed",
                "meeting_uuid": late,
            },
        )
        assert answer["status"] == 200, answer
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if late in {
                headers(i).get("X-Zoom-Meeting-UUID") for i in archived(control_url, mailbox)
            }:
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"the running host did not archive a meeting after run --once\n{context}")
    finally:
        stop(shell)
