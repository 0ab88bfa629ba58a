"""Zoom simulator: the real-world shapes of shared/reference/real-world-shapes.md #1-#10."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote

import pytest

from tests.sim.support import (
    Receiver,
    days_ago,
    download,
    enc,
    seed_meeting,
    zoom_get,
    zoom_token,
)

pytestmark = pytest.mark.integration
CC = "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nAnn: hello\n"


@pytest.fixture
def zoom(simulators):
    simulators.control("POST", "/reset")
    for uid, email, first in (("u1", "ann@contoso.com", "Ann"), ("u2", "bob@contoso.com", "Bob")):
        simulators.control(
            "POST",
            "/zoom/users",
            {"id": uid, "email": email, "first_name": first, "last_name": "Example"},
        )
    return simulators


@pytest.fixture
def tok(zoom) -> str:
    return zoom_token(zoom)


def files_of(sims, uuid: str, tok: str) -> list[dict]:
    return zoom_get(sims, f"/meetings/{enc(uuid)}/recordings", tok).json()["recording_files"]


# -- #1 CC and TIMELINE files without id ------------------------------------------------------
def test_cc_and_timeline_files_are_listed_without_id_status_size_type_or_play_url(
    zoom, tok
) -> None:
    """real-world-shapes.md #1: CC and TIMELINE files have no id, status, file_size,
    recording_type or play_url."""
    seed_meeting(
        zoom,
        "idless==",
        files=[{"file_type": "CC", "content": CC}, {"file_type": "TIMELINE", "content": "{}"}],
    )
    for entry in files_of(zoom, "idless==", tok):
        assert not {"id", "status", "file_size", "recording_type", "play_url"} & set(entry)
        assert entry["download_url"]


def test_a_timeline_seeded_with_id_is_listed_in_the_other_observed_form(zoom, tok) -> None:
    """real-world-shapes.md #1: some TIMELINE files do carry an id (both forms occur)."""
    seed_meeting(zoom, "tl==", files=[{"file_type": "TIMELINE", "content": "{}", "with_id": True}])
    [entry] = files_of(zoom, "tl==", tok)
    assert entry["id"]
    assert entry["file_size"] == 2
    assert (entry["status"], entry["recording_type"]) == ("completed", "timeline")


def test_an_id_less_file_downloads_from_a_stable_url(zoom, tok) -> None:
    """real-world-shapes.md #1: the id-less file still has a working, stable download_url."""
    seed_meeting(zoom, "cc==", files=[{"file_type": "CC", "content": CC}])
    first = files_of(zoom, "cc==", tok)[0]["download_url"]
    assert files_of(zoom, "cc==", tok)[0]["download_url"] == first
    assert download(zoom, first, tok).text == CC


def test_the_control_api_names_each_file_by_internal_id_and_listed_id(zoom) -> None:
    """real-world-shapes.md #1: tests match files by the internal id; listed_id is null when
    Zoom lists none."""
    described = seed_meeting(
        zoom,
        "ids==",
        files=[{"file_type": "MP4", "size": 10}, {"file_type": "CC", "content": CC}],
    )
    mp4, cc = described["files"]
    assert mp4["listed_id"] == mp4["id"]
    assert cc["listed_id"] is None
    assert cc["id"]


# -- #2 no host_email in listings; GET /users/{userId} ----------------------------------------
def test_recording_listings_carry_host_id_and_no_host_email(zoom, tok) -> None:
    """real-world-shapes.md #2: recording listings carry no host_email, only host_id."""
    seed_meeting(zoom, "host==")
    listed = zoom_get(
        zoom, "/users/u1/recordings", tok, **{"from": days_ago(3)[:10], "to": days_ago(0)[:10]}
    ).json()["meetings"][0]
    single = zoom_get(zoom, f"/meetings/{enc('host==')}/recordings", tok).json()
    for body in (listed, single):
        assert body["host_id"] == "u1"
        assert "host_email" not in body


@pytest.mark.parametrize("key", ["u2", "bob@contoso.com"])
def test_get_user_gives_the_address_of_an_id_or_email(zoom, tok, key: str) -> None:
    """real-world-shapes.md #2: GET /users/{userId} (id or email) gives the host's address."""
    user = zoom_get(zoom, f"/users/{key}", tok).json()
    assert (user["id"], user["email"], user["display_name"]) == (
        "u2",
        "bob@contoso.com",
        "Bob Example",
    )
    assert {"first_name", "last_name", "type", "status", "timezone"} <= set(user)


def test_an_unknown_user_is_404_code_1001(zoom, tok) -> None:
    """real-world-shapes.md #2: Get user answers 1001 for someone not on the account."""
    answer = zoom_get(zoom, "/users/nobody@contoso.com", tok)
    assert answer.status_code == 404
    assert answer.json() == {"code": 1001, "message": "User does not exist: nobody@contoso.com."}


def test_get_user_needs_the_user_read_scope(zoom) -> None:
    """real-world-shapes.md #2: /users/{userId} needs user:read:user:admin (or user:read:admin)."""
    zoom.control("PATCH", "/zoom/settings", {"scopes": ["user:read:list_users:admin"]})
    answer = zoom_get(zoom, "/users/u1", zoom_token(zoom))
    assert (answer.status_code, answer.json()["code"]) == (400, 4711)
    assert "user:read:user:admin" in answer.json()["message"]
    zoom.control("PATCH", "/zoom/settings", {"scopes": ["user:read:admin"]})
    assert zoom_get(zoom, "/users/u1", zoom_token(zoom)).status_code == 200


def test_recording_webhooks_still_carry_host_email(zoom) -> None:
    """real-world-shapes.md #2: only webhooks carry host_email."""
    seed_meeting(zoom, "hook==")
    receiver = Receiver([200])
    try:
        zoom.control(
            "POST",
            "/zoom/webhooks/send",
            {"url": receiver.url, "event": "recording.completed", "meeting_uuid": "hook=="},
        )
    finally:
        receiver.close()
    obj = json.loads(receiver.received[0][1])["payload"]["object"]
    assert obj["host_email"] == "ann@contoso.com"


# -- #3 meetings older than a year ------------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    ["/past_meetings/{u}", "/past_meetings/{u}/participants", "/report/meetings/{u}/participants"],
)
def test_a_meeting_over_a_year_old_is_refused_with_12702(zoom, tok, path: str) -> None:
    """real-world-shapes.md #3: past-meeting, past-participants and report answer 400 code
    12702 for meetings older than a year."""
    seed_meeting(zoom, "old==", start_time=days_ago(400))
    answer = zoom_get(zoom, path.format(u=enc("old==")), tok)
    assert answer.status_code == 400
    assert answer.json() == {"code": 12702, "message": "Can not access a meeting a year ago."}


def test_the_recordings_of_a_meeting_over_a_year_old_are_still_served(zoom, tok) -> None:
    """real-world-shapes.md #3: a backfill still gets the files and metadata."""
    seed_meeting(zoom, "old==", start_time=days_ago(400))
    [entry] = files_of(zoom, "old==", tok)
    assert len(download(zoom, entry["download_url"], tok).content) == 1000


# -- #4 listed size differs from the bytes served ---------------------------------------------
def test_the_listed_size_can_differ_from_the_bytes_served(zoom, tok) -> None:
    """real-world-shapes.md #4: the listing says file_size N, the download serves the real
    bytes with a correct Content-Length."""
    seed_meeting(zoom, "size==", files=[{"file_type": "MP4", "size": 5000, "listed_size": 4096}])
    [entry] = files_of(zoom, "size==", tok)
    assert entry["file_size"] == 4096
    answer = download(zoom, entry["download_url"], tok)
    assert int(answer.headers["Content-Length"]) == len(answer.content) == 5000


def test_a_range_starting_beyond_the_end_answers_416(zoom, tok) -> None:
    """real-world-shapes.md #4: a Range beyond the end answers 416, even when the listing
    claims the file is longer."""
    seed_meeting(zoom, "r==", files=[{"file_type": "MP4", "size": 5000, "listed_size": 9000}])
    [entry] = files_of(zoom, "r==", tok)
    answer = download(zoom, entry["download_url"], tok, Range="bytes=5000-")
    assert answer.status_code == 416
    assert answer.headers["Content-Range"] == "bytes */5000"


# -- #5 date windows --------------------------------------------------------------------------
def test_a_recordings_window_over_a_month_is_clamped_and_the_clamped_from_echoed(zoom, tok) -> None:
    """real-world-shapes.md #5: a span over a month is clamped, not refused; the echoed from is
    one calendar month before to, and to is kept."""
    early, late = days_ago(40), days_ago(2)
    seed_meeting(zoom, "early==", start_time=early)
    seed_meeting(zoom, "late==", start_time=late)
    asked_from, asked_to = days_ago(50)[:10], days_ago(0)[:10]
    body = zoom_get(zoom, "/users/u1/recordings", tok, **{"from": asked_from, "to": asked_to})
    assert body.status_code == 200
    to = date.fromisoformat(asked_to)
    month_back = (to.replace(day=1) - timedelta(days=1)).replace(day=min(to.day, 28))
    assert body.json()["to"] == asked_to
    assert date.fromisoformat(body.json()["from"]) >= month_back
    assert [m["uuid"] for m in body.json()["meetings"]] == ["late=="]


def test_the_clamp_keeps_a_calendar_month_window_whole(zoom, tok) -> None:
    """real-world-shapes.md #5: from=2024-11-04&to=2024-12-04 (a real accepted window) is
    echoed as asked; 2024-11-01..2024-12-31 comes back from 2024-11-30."""
    whole = zoom_get(
        zoom, "/users/u1/recordings", tok, **{"from": "2024-11-04", "to": "2024-12-04"}
    )
    assert (whole.json()["from"], whole.json()["to"]) == ("2024-11-04", "2024-12-04")
    long = zoom_get(zoom, "/users/u1/recordings", tok, **{"from": "2024-11-01", "to": "2024-12-31"})
    assert (long.json()["from"], long.json()["to"]) == ("2024-11-30", "2024-12-31")


def test_recordings_past_the_maximum_age_are_not_listed(zoom, tok) -> None:
    """real-world-shapes.md #5: recordings are listed within a limited past (setting
    recordings_max_age_days; default no limit)."""
    seed_meeting(zoom, "aged==", start_time=days_ago(20))
    window = {"from": days_ago(25)[:10], "to": days_ago(0)[:10]}
    assert len(zoom_get(zoom, "/users/u1/recordings", tok, **window).json()["meetings"]) == 1
    zoom.control("PATCH", "/zoom/settings", {"recordings_max_age_days": 10})
    assert zoom_get(zoom, "/users/u1/recordings", tok, **window).json()["meetings"] == []


# -- #6 waiting room --------------------------------------------------------------------------
WAITING = [
    {"name": "Ann", "email": "ann@contoso.com", "sessions": [[0, 30]]},
    {"name": "Bob", "email": "bob@contoso.com", "sessions": [[0, 2, "in_waiting_room"], [2, 30]]},
    {"name": "Cy", "email": "cy@contoso.com", "sessions": [[1, 20, "in_waiting_room"]]},
]


def test_report_rows_say_in_meeting_or_in_waiting_room(zoom, tok) -> None:
    """real-world-shapes.md #6: report participant rows have status in_meeting or
    in_waiting_room."""
    seed_meeting(zoom, "wait==", participants=WAITING)
    rows = zoom_get(zoom, f"/report/meetings/{enc('wait==')}/participants", tok).json()
    bob = [r["status"] for r in rows["participants"] if r["name"] == "Bob"]
    assert bob == ["in_waiting_room", "in_meeting"]


@pytest.mark.parametrize(
    "path", ["/report/meetings/{u}/participants", "/past_meetings/{u}/participants"]
)
def test_someone_only_in_the_waiting_room_has_only_waiting_room_rows(zoom, tok, path: str) -> None:
    """real-world-shapes.md #6: a person who was only ever in the waiting room appears only
    with in_waiting_room rows (report and past participants alike)."""
    seed_meeting(zoom, "wait==", participants=WAITING)
    rows = zoom_get(zoom, path.format(u=enc("wait==")), tok).json()["participants"]
    assert {r["status"] for r in rows if r["name"] == "Cy"} == {"in_waiting_room"}


def test_the_control_api_says_who_was_admitted(zoom) -> None:
    """real-world-shapes.md #6: seeded participants are described with admitted false when
    they only waited."""
    described = seed_meeting(zoom, "wait==", participants=WAITING)
    assert [p["admitted"] for p in described["participants"]] == [True, True, False]


# -- #7 unknown or mis-encoded UUIDs ----------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    ["/past_meetings/{u}", "/past_meetings/{u}/participants", "/report/meetings/{u}/participants"],
)
def test_an_unknown_meeting_is_404_code_3001_on_past_meeting_and_report_calls(
    zoom, tok, path: str
) -> None:
    """real-world-shapes.md #7: unknown meeting UUID → 404 code 3001 (Zoom's spec wording)."""
    answer = zoom_get(zoom, path.format(u=enc("missing==")), tok)
    assert (answer.status_code, answer.json()["code"]) == (404, 3001)


def test_a_single_encoded_slash_uuid_is_3001_on_past_meetings_and_3301_on_recordings(
    zoom, tok
) -> None:
    """real-world-shapes.md #7: a mis-encoded UUID names no meeting: 3001 on past-meeting
    calls, 3301 ("There is no recording for this meeting.") on recordings."""
    seed_meeting(zoom, "/slash==")
    once = quote("/slash==", safe="")
    assert zoom_get(zoom, f"/past_meetings/{once}", tok).json()["code"] == 3001
    answer = zoom_get(zoom, f"/meetings/{once}/recordings", tok).json()
    assert answer == {"code": 3301, "message": "There is no recording for this meeting."}
    assert zoom_get(zoom, f"/past_meetings/{enc('/slash==')}", tok).status_code == 200


def test_a_meeting_with_one_participant_has_no_report_rows_rather_than_a_404(zoom, tok) -> None:
    """real-world-shapes.md #7: a 404 must not mean "nobody attended"; Zoom documents the
    report for meetings with two or more participants and no error for the others."""
    seed_meeting(zoom, "alone==", participants=[{"name": "Ann", "email": "ann@contoso.com"}])
    answer = zoom_get(zoom, f"/report/meetings/{enc('alone==')}/participants", tok)
    assert answer.status_code == 200
    assert answer.json()["participants"] == []


# -- #8 429 shapes ----------------------------------------------------------------------------
def test_per_second_429s_say_qps_and_carry_retry_after_only_sometimes(zoom, tok) -> None:
    """real-world-shapes.md #8: per-second limits: X-RateLimit-Category, X-RateLimit-Type QPS,
    sometimes a Retry-After (here every other refusal, in seconds)."""
    zoom.control("PATCH", "/zoom/settings", {"rate_limit_scale": 0.02})  # Medium: 1 per second
    limited = [a for a in (zoom_get(zoom, "/users", tok) for _ in range(6)) if a.status_code == 429]
    assert len(limited) >= 2
    assert {a.headers["X-RateLimit-Type"] for a in limited} == {"QPS"}
    assert limited[0].headers["X-RateLimit-Category"] == "Medium"
    assert limited[0].headers["Retry-After"] == "1"
    assert "Retry-After" not in limited[1].headers


def test_the_daily_limit_answers_retry_after_as_the_next_midnight_utc(zoom, tok) -> None:
    """real-world-shapes.md #8: daily limits: X-RateLimit-Type Daily-limit and Retry-After as
    an ISO 8601 date-time, the next 00:00 UTC."""
    seed_meeting(zoom, "d==")
    zoom.control("PATCH", "/zoom/settings", {"daily_limit": {"heavy": 2}})
    answers = [zoom_get(zoom, f"/report/meetings/{enc('d==')}/participants", tok) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    refused = answers[-1]
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    assert refused.headers["X-RateLimit-Type"] == "Daily-limit"
    assert refused.headers["Retry-After"] == f"{tomorrow.isoformat()}T00:00:00Z"
    assert "daily rate limit" in refused.json()["message"]


def test_a_429_can_carry_neither_limit_type_nor_retry_after(zoom, tok) -> None:
    """real-world-shapes.md #8: real answers sometimes carry neither header
    (rate_limit_headers "none")."""
    zoom.control(
        "PATCH", "/zoom/settings", {"daily_limit": {"medium": 0}, "rate_limit_headers": "none"}
    )
    answer = zoom_get(zoom, "/users", tok)
    assert answer.status_code == 429
    assert "X-RateLimit-Type" not in answer.headers
    assert "Retry-After" not in answer.headers
    assert answer.headers["X-RateLimit-Category"] == "Medium"


# -- #9 token reissue -------------------------------------------------------------------------
def test_with_single_token_a_new_token_invalidates_the_previous_one(zoom) -> None:
    """real-world-shapes.md #9: token reissue may invalidate the previous S2S token (401 code
    124); setting single_token."""
    zoom.control("PATCH", "/zoom/settings", {"single_token": True})
    first = zoom_token(zoom)
    second = zoom_token(zoom)
    answer = zoom_get(zoom, "/users", first)
    assert answer.status_code == 401
    assert answer.json() == {"code": 124, "message": "Invalid access token."}
    assert zoom_get(zoom, "/users", second).status_code == 200


def test_by_default_several_tokens_work_at_once(zoom) -> None:
    """real-world-shapes.md #9: UNSURE in the reference, so single_token is off by default."""
    first, second = zoom_token(zoom), zoom_token(zoom)
    assert zoom_get(zoom, "/users", first).status_code == 200
    assert zoom_get(zoom, "/users", second).status_code == 200


# -- #10 webhook redelivery -------------------------------------------------------------------
def send(sims, url: str, **extra) -> dict:
    body = {"url": url, "event": "recording.completed", "meeting_uuid": "hook==", **extra}
    return sims.control("POST", "/zoom/webhooks/send", body)


def test_an_unacknowledged_webhook_is_sent_again_with_the_same_event_ts(zoom) -> None:
    """real-world-shapes.md #10: retried with the same event_ts (same body), with a fresh
    signature, when not acknowledged."""
    seed_meeting(zoom, "hook==")
    receiver = Receiver([500, 500, 204])
    try:
        result = send(zoom, receiver.url, retries=3, retry_delay_s=1.1)
    finally:
        receiver.close()
    assert [a["status"] for a in result["attempts"]] == [500, 500, 204]
    bodies = {body for _, body in receiver.received}
    assert len(bodies) == 1
    stamps = [headers["x-zm-request-timestamp"] for headers, _ in receiver.received]
    assert len(set(stamps)) == 3
    assert len({headers["x-zm-signature"] for headers, _ in receiver.received}) == 3


def test_an_answer_later_than_three_seconds_is_not_an_acknowledgement(zoom) -> None:
    """real-world-shapes.md #10: Zoom wants 200/204 within 3 s; a late 200 gets the event
    again."""
    seed_meeting(zoom, "hook==")
    receiver = Receiver([200], delay_s=3.3)
    started = time.monotonic()
    try:
        result = send(zoom, receiver.url, retries=1)
    finally:
        receiver.close()
    assert [(a["status"], a["acknowledged"]) for a in result["attempts"]] == [
        (200, False),
        (200, False),
    ]
    assert time.monotonic() - started >= 6.6


def test_without_retries_a_webhook_is_sent_once(zoom) -> None:
    """real-world-shapes.md #10: retries default to 0, so existing callers stay fast."""
    seed_meeting(zoom, "hook==")
    receiver = Receiver([503])
    try:
        result = send(zoom, receiver.url)
    finally:
        receiver.close()
    assert result["status"] == 503
    assert len(result["attempts"]) == len(receiver.received) == 1
