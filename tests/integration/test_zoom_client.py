"""The Zoom client against the Zoom simulator: tokens, paging, encoding, limits, downloads."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

import pytest

from archiver.adapters.zoom import ZoomClient
from archiver.errors import (
    AuthenticationError,
    BudgetExhaustedError,
    IncompleteDownloadError,
    TransientError,
    UntrustedHostError,
)
from archiver.operations.checks import zoom_scopes
from tests.support.clients import zoom_client

pytestmark = pytest.mark.integration


@pytest.fixture
def zoom(simulators, monkeypatch) -> ZoomClient:
    simulators.control("POST", "/reset")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", simulators.info["ca_bundle"])
    simulators.control("POST", "/zoom/users", {"id": "u1", "email": "ann@contoso.com"})
    start = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    for uuid in ("/lead==", "mid//dle==", "plain=="):
        simulators.control(
            "POST",
            "/zoom/meetings",
            {
                "uuid": uuid,
                "id": 81000000009,
                "host_id": "u1",
                "start_time": start,
                "participants": [{"name": "Ann", "email": "ann@contoso.com"}, {"name": "G"}],
                "files": [{"id": f"f{len(uuid)}", "file_type": "MP4", "size": 200_000}],
            },
        )
    return zoom_client(simulators)


def test_an_expired_token_is_refreshed_once_and_the_call_succeeds(zoom, simulators) -> None:
    assert [u["id"] for u in zoom.list_users()] == ["u1"]
    simulators.control("POST", "/zoom/tokens/expire")
    assert [u["id"] for u in zoom.list_users()] == ["u1"]
    assert zoom.calls["POST /oauth/token"] == 2


def test_users_are_followed_across_pages(zoom, simulators) -> None:
    for i in range(2, 302):
        simulators.control("POST", "/zoom/users", {"id": f"u{i}", "email": f"u{i}@contoso.com"})
    assert len({u["id"] for u in zoom.list_users()}) == 301


@pytest.mark.parametrize("uuid", ["/lead==", "mid//dle==", "plain=="])
def test_uuids_are_encoded_the_way_zoom_requires(zoom, uuid: str) -> None:
    assert zoom.get_recordings(uuid)["uuid"] == uuid
    assert zoom.get_past_meeting(uuid)["uuid"] == uuid
    assert len(zoom.list_participants(uuid)) == 2


def test_recordings_are_listed_in_month_windows_without_duplicates(zoom) -> None:
    today = date.today()
    found = list(zoom.list_recordings("u1", start=today - timedelta(days=75), end=today))
    assert sorted(m["uuid"] for m in found) == ["/lead==", "mid//dle==", "plain=="]


def test_downloads_follow_the_redirect_and_resume_with_a_range(zoom, simulators) -> None:
    url = zoom.get_recordings("plain==")["recording_files"][0]["download_url"]
    whole = hashlib.sha256()
    with zoom.open_download(url) as chunks:
        for chunk in chunks:
            whole.update(chunk)
    expected = simulators.control("GET", "/zoom/meetings")["meetings"][2]["files"][0]["sha256"]
    assert whole.hexdigest() == expected
    with zoom.open_download(url, start=150_000) as chunks:
        assert sum(len(c) for c in chunks) == 50_000


def test_a_download_with_an_expired_token_is_refreshed_once_and_succeeds(zoom, simulators):
    # Fault matrix: Zoom download / expired token (401, code 124) was a file left out.
    url = zoom.get_recordings("plain==")["recording_files"][0]["download_url"]
    simulators.control("POST", "/zoom/tokens/expire")
    with zoom.open_download(url) as chunks:
        assert sum(len(c) for c in chunks) == 200_000
    assert zoom.calls["POST /oauth/token"] == 2


def test_a_download_refusing_a_fresh_token_too_is_retried_later_not_left_out(zoom, simulators):
    url = zoom.get_recordings("plain==")["recording_files"][0]["download_url"]
    expired = {"code": 124, "message": "Invalid access token."}
    simulators.control(
        "POST",
        "/faults",
        {
            "server": "zoom",
            "path": "/rec/download/",
            "action": "status",
            "status": 401,
            "body": expired,
            "count": 2,
        },
    )
    with pytest.raises(TransientError, match="401"), zoom.open_download(url) as chunks:
        list(chunks)


def test_a_download_url_on_a_foreign_host_is_refused_before_any_request(zoom) -> None:
    with pytest.raises(UntrustedHostError):
        zoom.open_download("https://evil.example/rec/download/x")
    assert "GET download" not in zoom.calls


def test_an_html_answer_is_never_taken_for_the_file(zoom, simulators) -> None:
    url = zoom.get_recordings("plain==")["recording_files"][0]["download_url"]
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
            "count": 2,  # a fresh token is refused too
        },
    )
    with (
        pytest.raises(IncompleteDownloadError, match="text/html"),
        zoom.open_download(url) as chunks,
    ):
        list(chunks)


def test_rate_limited_calls_wait_and_succeed(zoom, simulators) -> None:
    simulators.control("PATCH", "/zoom/settings", {"rate_limit_scale": 0.05})
    try:
        for _ in range(6):
            assert zoom.get_recordings("plain==")["uuid"] == "plain=="
    finally:
        simulators.control("PATCH", "/zoom/settings", {"rate_limit_scale": 1.0})


class RecordingLimiter:
    """The limiter port, recording what the client asks and tells it (and never waiting)."""

    def __init__(self) -> None:
        self.acquired: list[str] = []
        self.refusals: list[tuple[str, bool]] = []

    def acquire(self, category: str) -> float:
        self.acquired.append(category)
        return 0.0

    def refused(self, category: str, *, daily: bool, retry_after: float | None) -> None:
        self.refusals.append((category, daily))

    def remaining_today(self, category: str) -> int | None:
        return None


def test_the_client_asks_its_limiter_before_each_call_and_tells_it_each_429(zoom, simulators):
    limiter = RecordingLimiter()
    zoom = zoom_client(simulators, limiter=limiter)  # the fixture seeded the meeting
    simulators.control("DELETE", "/counters")
    # One Light call a second allowed: the limiter lets every call through at once, so every
    # call after the first of its second is refused (however slow this machine is, unless a
    # call takes a second).
    simulators.control("PATCH", "/zoom/settings", {"rate_limit_scale": 1 / 80})
    try:
        for _ in range(6):
            zoom.get_recordings("plain==")
    finally:
        simulators.control("PATCH", "/zoom/settings", {"rate_limit_scale": 1.0})
    seen = simulators.control("GET", "/counters")["zoom-categories"]
    assert seen.get("Light refused", 0) >= 1
    assert limiter.acquired == ["light"] * seen["Light"]  # refused attempts included
    assert limiter.refusals == [("light", False)] * seen["Light refused"]
    simulators.control("PATCH", "/zoom/settings", {"daily_limit": {"light": 0}})
    with pytest.raises(BudgetExhaustedError):
        zoom.get_recordings("plain==")
    assert limiter.refusals[-1] == ("light", True)


def test_a_missing_scope_is_named_and_the_participant_report_falls_back(zoom, simulators) -> None:
    granted = [
        "user:read:list_users:admin",
        "recording:read:admin",  # classic scopes still count
        "meeting:read:list_past_participants:admin",
    ]
    simulators.control("PATCH", "/zoom/settings", {"scopes": granted})
    next(iter(zoom.list_users()))
    assert zoom.granted_scopes == frozenset(granted)
    with pytest.raises(AuthenticationError, match=r"lacks a scope .*meeting:read:past_meeting"):
        zoom.get_past_meeting("plain==")
    # Without the report scope the past-meeting participants list is used instead.
    assert [p["name"] for p in zoom.list_participants("plain==")] == ["Ann", "G"]
    with pytest.raises(AuthenticationError) as lacking:
        zoom_scopes(zoom.granted_scopes)
    assert str(lacking.value).startswith(
        "the Zoom app lacks 1 scope(s): meeting:read:past_meeting:admin (or classic "
        "meeting:read:admin) for GET /past_meetings/{uuid}"
    )
