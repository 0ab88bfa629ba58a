"""The Zoom client survives what Zoom really answers (real-world-shapes.md, Zoom section)."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, date, datetime, timedelta

import pytest

from archiver.adapters.zoom import ZoomClient
from archiver.adapters.zoom import client as zoom_module
from archiver.errors import ThrottledError
from archiver.sources.recordings import fetch_meeting
from tests.support.clients import zoom_client

pytestmark = pytest.mark.integration


@pytest.fixture
def sims(simulators, monkeypatch):
    simulators.control("POST", "/reset")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", simulators.info["ca_bundle"])
    simulators.control(
        "POST", "/zoom/users", {"id": "u1", "email": "ann@contoso.com", "first_name": "Ann"}
    )
    return simulators


def client(sims, sleeps: list[float] | None = None, sleep=None) -> ZoomClient:
    recorded = sleeps.append if sleeps is not None else lambda s: None
    return zoom_client(sims, sleep=sleep or recorded)


def meeting(sims, uuid: str, *, days_ago: float = 0.1, files=None, people=None) -> dict:
    return sims.control(
        "POST",
        "/zoom/meetings",
        {
            "uuid": uuid,
            "id": 81000000100,
            "host_id": "u1",
            "start_time": (datetime.now(UTC) - timedelta(days=days_ago)).isoformat(),
            "participants": people or [{"name": "Ann", "email": "ann@contoso.com"}],
            "files": files or [{"file_type": "MP4", "size": 1000}],
        },
    )


def test_days_zoom_skips_by_clamping_a_long_window_are_listed_again(sims, monkeypatch) -> None:
    """real-world-shapes.md #5: spans over a month are clamped, the echoed `from` says so."""
    meeting(sims, "early==", days_ago=40)
    meeting(sims, "late==", days_ago=5)
    monkeypatch.setattr(zoom_module, "WINDOW_DAYS", 60)  # wider than Zoom allows
    today = date.today()
    found = client(sims).list_recordings("u1", start=today - timedelta(days=50), end=today)
    assert sorted(m["uuid"] for m in found) == ["early==", "late=="]


def test_the_host_address_comes_from_the_user_since_listings_carry_none(sims) -> None:
    """real-world-shapes.md #2: recordings list host_id, not host_email."""
    meeting(sims, "host==")
    zoom = client(sims)
    assert "host_email" not in zoom.get_recordings("host==")
    assert fetch_meeting(zoom, "host==").host_email == "ann@contoso.com"


def test_a_daily_limit_is_reported_with_when_to_come_back_not_waited_out(sims) -> None:
    """real-world-shapes.md #8: Daily-limit 429 with Retry-After as an ISO date-time."""
    meeting(sims, "daily==")
    sims.control("PATCH", "/zoom/settings", {"daily_limit": {"light": 0}})
    sleeps: list[float] = []
    with pytest.raises(ThrottledError, match="daily limit") as refused:
        client(sims, sleeps).get_recordings("daily==")
    assert refused.value.retry_after is not None
    assert 0 < refused.value.retry_after <= 86_400
    assert sleeps == []  # nobody sleeps until midnight inside a function


def test_per_second_limits_without_any_header_are_backed_off_and_retried(sims) -> None:
    """real-world-shapes.md #8: real 429s sometimes carry neither header."""
    meeting(sims, "qps==")
    sims.control(
        "PATCH", "/zoom/settings", {"rate_limit_scale": 0.03, "rate_limit_headers": "none"}
    )
    waited: list[float] = []

    def sleep(seconds: float) -> None:  # really wait: the limit is per second
        waited.append(seconds)
        time.sleep(seconds)

    zoom = client(sims, sleep=sleep)
    for _ in range(5):
        assert zoom.get_recordings("qps==")["uuid"] == "qps=="
    assert waited  # it backed off


def test_instances_that_replace_each_others_tokens_both_keep_working(sims) -> None:
    """real-world-shapes.md #9: a new token may invalidate the previous one."""
    meeting(sims, "token==")
    sims.control("PATCH", "/zoom/settings", {"single_token": True})
    first, second = client(sims), client(sims)
    for _ in range(3):
        assert first.get_recordings("token==")["uuid"] == "token=="
        assert second.get_recordings("token==")["uuid"] == "token=="


def test_a_download_longer_than_its_listing_is_complete_by_http(sims) -> None:
    """real-world-shapes.md #4: the listed file_size can be wrong."""
    described = meeting(
        sims, "size==", files=[{"file_type": "MP4", "size": 5000, "listed_size": 4000}]
    )
    zoom = client(sims)
    listed = zoom.get_recordings("size==")["recording_files"][0]
    assert listed["file_size"] == 4000
    digest = hashlib.sha256()
    with zoom.open_download(listed["download_url"]) as chunks:
        for chunk in chunks:
            digest.update(chunk)
    assert digest.hexdigest() == described["files"][0]["sha256"]


def test_a_participant_list_zoom_no_longer_has_is_named_not_taken_for_nobody(sims) -> None:
    """real-world-shapes.md #3: meetings over a year old answer 12702."""
    meeting(
        sims,
        "old==",
        days_ago=400,
        people=[
            {"name": "Ann", "email": "ann@contoso.com"},
            {"name": "Bob", "email": "bob@contoso.com"},
        ],
    )
    found = fetch_meeting(client(sims), "old==")
    assert found.participants == ()
    assert "code 12702" in found.participants_note
    assert found.host_email == "ann@contoso.com"  # from the user, as past_meeting refuses too


def test_cc_and_timeline_files_without_ids_get_the_same_ids_every_time(sims) -> None:
    """real-world-shapes.md #1: CC and TIMELINE files have no id in Zoom's spec."""
    meeting(
        sims,
        "ids==",
        files=[
            {"file_type": "CC", "content": "WEBVTT\n"},
            {"file_type": "TIMELINE", "content": "{}"},
        ],
    )
    zoom = client(sims)
    one, two = fetch_meeting(zoom, "ids=="), fetch_meeting(zoom, "ids==")
    assert [f.file_id for f in one.files] == [f.file_id for f in two.files]
    assert len({f.file_id for f in one.files}) == 2


def test_the_recordings_source_has_nothing_for_a_meeting_zoom_has_no_recording_of(sims) -> None:
    from archiver.sources.recordings import CloudRecordings

    assert CloudRecordings(client(sims)).fetch("never-recorded==") is None
