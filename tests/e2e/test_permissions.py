"""Graph permissions missing or too narrow: the meeting says why, and nothing is lost once fixed."""

from __future__ import annotations

import json
import time
from collections import Counter

import pytest

from archiver import entrypoints
from tests.e2e.support import all_items, run, seed, settings
from tests.e2e.test_operations import cli

pytestmark = pytest.mark.e2e


def test_without_user_read_all_meetings_wait_with_the_reason_then_archive_once_granted(
    azurite, simulators, monkeypatch, tmp_path
) -> None:
    corpus = seed(simulators, meetings=2, seed=31)
    simulators.control("PATCH", "/m365/settings", {"app_roles": []})
    values = settings(azurite, simulators)
    run(values, monkeypatch, tmp_path)
    assert all(not uuids for uuids in all_items(simulators, corpus).values())
    status = json.loads(cli(values, "status").stdout)
    assert status["meetings"]["staged"] == len(corpus["meetings"])
    assert status["poison_queues"]["webjobs-blobtrigger-poison"] == len(corpus["meetings"])
    # The reason is on every stuck meeting, with what to do about it.
    reasons = [m["last_error"] for m in status["pending_errors"]]
    assert len(reasons) == len(corpus["meetings"])
    assert all("403 Authorization_RequestDenied" in r and "User.Read.All" in r for r in reasons)
    # The admin consents User.Read.All and replays: every meeting arrives exactly once.
    simulators.control("PATCH", "/m365/settings", {"app_roles": ["User.Read.All"]})
    entrypoints._deps = None
    replayed = json.loads(cli(values, "replay").stdout)
    assert replayed["blob_poison"] == len(corpus["meetings"])
    run(values, monkeypatch, tmp_path)
    delivered = all_items(simulators, corpus)
    assert {u for uuids in delivered.values() for u in uuids} == {
        m["uuid"] for m in corpus["meetings"]
    }
    assert all(n == 1 for uuids in delivered.values() for n in Counter(uuids).values())
    after = json.loads(cli(values, "status").stdout)
    assert after["meetings"]["imported"] == len(corpus["meetings"])
    assert after["pending_errors"] == []


def test_an_item_over_a_mailbox_message_size_fails_there_only_and_replay_completes_it(
    azurite, simulators, monkeypatch, tmp_path
) -> None:
    corpus = seed(simulators, meetings=1, seed=32, recording_mb=8)
    [meeting] = corpus["meetings"]
    victim = meeting["host_email"]
    mib = 1024 * 1024
    simulators.control("PATCH", f"/m365/mailboxes/{victim}", {"max_message_bytes": 5 * mib})
    values = settings(azurite, simulators, MAX_DELIVERY_ATTEMPTS="1")
    run(values, monkeypatch, tmp_path)
    status = json.loads(cli(values, "status").stdout)
    assert status["meetings"]["partial"] == 1
    assert status["mailbox_failures"] == {victim: 1}
    today = time.strftime("%Y-%m-%d", time.gmtime())
    log = cli(values, "log", "--since", today, "--format", "csv").stdout
    [failed] = [row for row in log.splitlines() if ",failed," in row]
    assert victim in failed
    assert "ErrorMessageSizeExceeded" in failed
    assert "MaxReceiveSize" in failed
    # The admin raises the limit and replays: the item left without its recording is completed,
    # not created twice.
    simulators.control("PATCH", f"/m365/mailboxes/{victim}", {"max_message_bytes": 150 * mib})
    entrypoints._deps = None
    assert cli(values, "replay").returncode == 0
    run(values, monkeypatch, tmp_path)
    delivered = all_items(simulators, corpus)
    assert delivered[victim] == [meeting["uuid"]]
    items = simulators.control("GET", f"/m365/mailboxes/{victim}/items?folder=Zoom%20Meetings")
    [item] = items["items"]
    sizes = sorted(a["size"] for a in item["attachments"])
    assert sizes[-1] >= 8 * mib - 1024  # the recording is there now
    assert json.loads(cli(values, "status").stdout)["mailbox_failures"] == {}
