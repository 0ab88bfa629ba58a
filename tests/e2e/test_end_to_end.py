"""The whole product through the local host: exactly once, across faults, expiry and reruns."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.e2e.support import all_items, run, seed, settings

pytestmark = pytest.mark.e2e


def expected_count(corpus) -> int:
    done = [m for m in corpus["meetings"] if all(f["status"] == "completed" for f in m["files"])]
    return len(done)


def test_the_corpus_is_archived_exactly_once_and_a_rerun_is_a_no_op(
    azurite, simulators, monkeypatch, tmp_path
) -> None:
    corpus = seed(simulators, meetings=8, seed=11)
    values = settings(azurite, simulators)
    assert run(values, monkeypatch, tmp_path).ok
    first = all_items(simulators, corpus)
    for mailbox, uuids in first.items():
        assert all(count == 1 for count in Counter(uuids).values()), mailbox
    archived = {u for uuids in first.values() for u in uuids}
    assert len(archived) == expected_count(corpus)
    assert run(values, monkeypatch, tmp_path).ok
    assert all_items(simulators, corpus) == first


def test_expired_tokens_and_throttling_on_both_sides_still_archive_everything_once(
    azurite, simulators, monkeypatch, tmp_path
) -> None:
    corpus = seed(simulators, meetings=4, seed=12)
    simulators.control("POST", "/zoom/tokens/expire")
    simulators.control("POST", "/m365/tokens/expire")
    for server, path in (("zoom", "/v2/meetings/"), ("m365", "/messages")):
        simulators.control(
            "POST",
            "/faults",
            {
                "server": server,
                "path": path,
                "action": "status",
                "status": 429,
                "count": 3,
                "headers": {"Retry-After": "1"},
                "body": {"code": 429, "message": "slow down"},
            },
        )
    assert run(settings(azurite, simulators), monkeypatch, tmp_path).ok
    archived = Counter(u for uuids in all_items(simulators, corpus).values() for u in set(uuids))
    assert len(archived) == expected_count(corpus)
    assert all(
        count == len(uuids)
        for uuids in [all_items(simulators, corpus)[m] for m in corpus["mailboxes"]]
        for count in [len(set(uuids))]
    )


def test_a_lost_create_response_produces_no_duplicate(azurite, simulators, monkeypatch, tmp_path):
    corpus = seed(simulators, meetings=3, seed=13)
    # The item is created, then the connection drops before the answer arrives.
    simulators.control(
        "POST",
        "/faults",
        {
            "server": "m365",
            "method": "POST",
            "path": "/mailFolders/[^/]+/messages$",
            "action": "reset",
            "after_bytes": 0,
            "count": 2,
        },
    )
    assert run(settings(azurite, simulators), monkeypatch, tmp_path).ok
    for mailbox, uuids in all_items(simulators, corpus).items():
        assert len(uuids) == len(set(uuids)), mailbox


def test_an_html_download_is_retried_and_never_archived(
    azurite, simulators, monkeypatch, tmp_path
) -> None:
    corpus = seed(simulators, meetings=2, seed=14)
    simulators.control(
        "POST",
        "/faults",
        {
            "server": "zoom",
            "path": "/rec/download/",
            "action": "status",
            "status": 200,
            "headers": {"Content-Type": "text/html"},
            "body": "<html>sign in</html>",
            "count": 2,
        },
    )
    assert run(settings(azurite, simulators), monkeypatch, tmp_path).ok
    sizes = {f["sha256"] for m in corpus["meetings"] for f in m["files"]}
    for mailbox in corpus["mailboxes"]:
        from tests.e2e.support import items

        for item in items(simulators, mailbox):
            # A filtered chat copy (a third party's view of a chat with direct messages) is
            # made by the archiver, not downloaded; every other attachment is Zoom's file.
            zooms = {a["sha256"] for a in item["attachments"] if "(filtered)" not in a["name"]}
            assert zooms <= sizes
