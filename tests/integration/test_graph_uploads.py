"""Graph upload sessions against the simulator: resume after a failed chunk, replace an expired
session, never send the Graph token to the upload host."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest

from archiver.adapters.graph import GraphClient
from archiver.errors import ThrottledError
from tests.support.clients import graph_client

pytestmark = pytest.mark.integration
MIB = 1024 * 1024
DATA = bytes(range(256)) * (7 * MIB // 256)  # 7 MiB: two chunks


def client(simulators, sleep: Callable[[float], None] = lambda s: None) -> GraphClient:
    return graph_client(simulators, sleep=sleep)


@pytest.fixture
def graph(simulators, monkeypatch) -> GraphClient:
    simulators.control("POST", "/reset")
    simulators.control("POST", "/m365/mailboxes", {"address": "ann@contoso.com"})
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", simulators.info["ca_bundle"])
    return client(simulators)


def upload(simulators, graph: GraphClient) -> dict:
    folder = graph.ensure_folder("ann@contoso.com", "Zoom Meetings")
    message = graph.create_item(
        "ann@contoso.com",
        folder,
        {
            "subject": "big",
            "singleValueExtendedProperties": [{"id": "Integer 0x0E07", "value": "1"}],
        },
    )
    graph.upload_attachment(
        "ann@contoso.com",
        message,
        name="big.mp4",
        content_type="video/mp4",
        size=len(DATA),
        read=lambda offset, n: DATA[offset : offset + n],
    )
    [item] = simulators.control(
        "GET", "/m365/mailboxes/ann@contoso.com/items?folder=Zoom%20Meetings"
    )["items"]
    return item["attachments"][0]


def test_an_upload_resumes_after_a_chunk_whose_answer_was_lost(simulators, graph) -> None:
    simulators.control(
        "POST",
        "/faults",
        {"server": "outlook", "method": "PUT", "action": "reset", "after_bytes": 0, "count": 1},
    )
    attachment = upload(simulators, graph)
    assert attachment["size"] == len(DATA)
    assert attachment["sha256"] == hashlib.sha256(DATA).hexdigest()
    counts = simulators.control("GET", "/counters")["outlook"]
    assert any(route.startswith("GET") for route in counts)  # asked for nextExpectedRanges


def test_an_expired_session_is_replaced_by_a_new_one(simulators, graph) -> None:
    simulators.control("PATCH", "/m365/settings", {"session_lifetime_s": 1})
    simulators.control(
        "POST",
        "/faults",
        {"server": "outlook", "method": "PUT", "action": "stall", "seconds": 1.5, "count": 1},
    )
    try:
        attachment = upload(simulators, graph)
    finally:
        simulators.control("PATCH", "/m365/settings", {"session_lifetime_s": 900})
    assert attachment["sha256"] == hashlib.sha256(DATA).hexdigest()
    sessions = [
        n
        for route, n in simulators.control("GET", "/counters")["m365"].items()
        if "createUploadSession" in route
    ]
    assert sum(sessions) == 2


def test_a_throttled_chunk_waits_as_told_and_is_sent_again(simulators, graph) -> None:
    waits: list[float] = []
    graph = client(simulators, sleep=waits.append)
    simulators.control(
        "POST",
        "/faults",
        {
            "server": "outlook",
            "method": "PUT",
            "action": "status",
            "status": 429,
            "headers": {"Retry-After": "7"},
            "body": {"error": {"code": "ApplicationThrottled", "message": "slow down"}},
            "count": 1,
        },
    )
    attachment = upload(simulators, graph)
    assert attachment["sha256"] == hashlib.sha256(DATA).hexdigest()
    assert waits == [7.0]


def test_an_upload_over_the_mailboxs_byte_budget_is_given_back_for_later(simulators, graph) -> None:
    simulators.control("PATCH", "/m365/settings", {"upload_bytes_budget": 5 * MIB})
    try:
        with pytest.raises(ThrottledError, match="throttled for over"):
            upload(simulators, graph)
    finally:
        simulators.control("PATCH", "/m365/settings", {"upload_bytes_budget": 150 * MIB})


def test_a_lost_answer_to_the_last_chunk_does_not_attach_the_file_twice(simulators, graph) -> None:
    """real-world-shapes.md #14: a completed session answers 404; the item already has it."""
    simulators.control(
        "POST",
        "/faults",
        {
            "server": "outlook",
            "method": "PUT",
            "action": "reset",
            "before_headers": True,
            "skip": 1,  # the first chunk is answered, the last one's answer is lost
            "count": 1,
        },
    )
    attachment = upload(simulators, graph)
    assert attachment["sha256"] == hashlib.sha256(DATA).hexdigest()
    [item] = simulators.control(
        "GET", "/m365/mailboxes/ann@contoso.com/items?folder=Zoom%20Meetings"
    )["items"]
    assert [a["name"] for a in item["attachments"]] == ["big.mp4"]
