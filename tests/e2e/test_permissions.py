"""Graph permissions missing or too narrow: the meeting says why, and nothing is lost once fixed."""

from __future__ import annotations

import json
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
