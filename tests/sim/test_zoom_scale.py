"""Zoom simulator: discovery at enterprise scale — the account-level recordings listing and a
generated account of many users (zoom-content-sources.md §5, zoom-api.md §2.10)."""

from __future__ import annotations

import hashlib

import pytest

from tests.sim.support import (
    categories,
    day_ago,
    download,
    enc,
    seed_meeting,
    zoom_get,
    zoom_token,
)

pytestmark = pytest.mark.integration
MONTH = {"from": day_ago(25), "to": day_ago(0)}
BULK = {"users": 100_000, "meetings_per_day": 2000, "days": 30, "seed": 3}


@pytest.fixture
def zoom(simulators):
    simulators.control("POST", "/reset")
    for uid, email in (("u1", "ann@contoso.com"), ("u2", "bob@contoso.com")):
        simulators.control("POST", "/zoom/users", {"id": uid, "email": email})
    return simulators


@pytest.fixture
def tok(zoom) -> str:
    return zoom_token(zoom)


@pytest.fixture
def bulk(zoom) -> dict:
    return zoom.control("POST", "/zoom/bulk", BULK)


# -- GET /accounts/me/recordings --------------------------------------------------------------
def test_the_account_listing_has_every_hosts_recordings_with_host_email(zoom, tok) -> None:
    """zoom-content-sources.md §5: the per-user envelope for the whole account plus host_email
    per meeting."""
    seed_meeting(zoom, "a==")
    seed_meeting(zoom, "b==", host_id="u2")
    body = zoom_get(zoom, "/accounts/me/recordings", tok, **MONTH).json()
    assert {"from", "to", "page_size", "total_records", "next_page_token", "meetings"} <= set(body)
    assert sorted((m["uuid"], m["host_email"]) for m in body["meetings"]) == [
        ("a==", "ann@contoso.com"),
        ("b==", "bob@contoso.com"),
    ]
    assert body["meetings"][0]["recording_files"]


def test_the_account_listing_leaves_out_unrecorded_meetings(zoom, tok) -> None:
    """Like the per-user listing: meetings without cloud recordings are not listed."""
    seed_meeting(zoom, "none==", files=[])
    assert zoom_get(zoom, "/accounts/me/recordings", tok, **MONTH).json()["meetings"] == []


def test_without_the_account_scope_the_listing_is_4711_naming_it(zoom) -> None:
    """Observed 2026 (zoom-api.md §2.10): 400/4711 missing
    cloud_recording:read:list_account_recordings:admin."""
    zoom.control(
        "PATCH", "/zoom/settings", {"scopes": ["cloud_recording:read:list_user_recordings:admin"]}
    )
    answer = zoom_get(zoom, "/accounts/me/recordings", zoom_token(zoom), **MONTH)
    assert answer.status_code == 400
    assert answer.json() == {
        "code": 4711,
        "message": "Invalid access token, does not contain scopes:"
        "[cloud_recording:read:list_account_recordings, "
        "cloud_recording:read:list_account_recordings:admin].",
    }


def test_the_account_listing_is_medium_and_clamps_windows_to_a_month(zoom, tok) -> None:
    """zoom-api.md §2: Medium; from/to at most a month (clamped like the user listing,
    UNSURE)."""
    zoom.control("DELETE", "/counters")
    body = zoom_get(
        zoom, "/accounts/me/recordings", tok, **{"from": "2026-09-01", "to": "2026-10-31"}
    ).json()
    assert (body["from"], body["to"]) == ("2026-09-30", "2026-10-31")
    assert categories(zoom) == {"Medium": 1}


def test_another_accounts_recordings_are_refused(zoom, tok) -> None:
    """Master-account calls (/accounts/{otherId}/recordings) are not this account's."""
    answer = zoom_get(zoom, "/accounts/other/recordings", tok, **MONTH)
    assert (answer.status_code, answer.json()["code"]) == (400, 2001)


# -- a generated enterprise account -----------------------------------------------------------
def test_one_control_call_creates_a_hundred_thousand_users(zoom, tok, bulk) -> None:
    """The brief: POST /zoom/bulk seeds N users, M meetings a day for D days, deterministically;
    /users lists the seeded and generated users together."""
    assert (bulk["users"], bulk["meetings"]) == (100_000, 60_000)
    body = zoom_get(zoom, "/users", tok, page_size=300).json()
    assert body["total_records"] == 100_002
    page = zoom_get(zoom, "/users", tok, page_size=300, next_page_token=body["next_page_token"])
    assert page.json()["users"][0]["id"] == "bu000298"


def test_generated_users_are_found_by_id_and_by_email(zoom, tok, bulk) -> None:
    """GET /users/{userId} takes an id or an email for generated users as for seeded ones."""
    user = bulk["sample_users"][1]
    assert zoom_get(zoom, f"/users/{user['id']}", tok).json()["email"] == user["email"]
    assert zoom_get(zoom, f"/users/{user['email']}", tok).json()["id"] == user["id"]
    assert zoom_get(zoom, "/users/bu999999", tok).status_code == 404


def test_a_generated_users_recordings_are_listed_by_day(zoom, tok, bulk) -> None:
    """Each generated meeting's host lists it in their recordings, and it resolves by UUID."""
    sample = bulk["sample_meetings"][1]
    listing = zoom_get(
        zoom,
        f"/users/{sample['host_id']}/recordings",
        tok,
        **{"from": day_ago(29), "to": day_ago(0)},
    ).json()
    assert sample["uuid"] in [m["uuid"] for m in listing["meetings"]]
    assert all(m["host_id"] == sample["host_id"] for m in listing["meetings"])
    direct = zoom_get(zoom, f"/meetings/{enc(sample['uuid'])}/recordings", tok).json()
    assert direct["id"] == sample["id"]


def test_generated_meetings_have_participants_and_downloadable_files(zoom, tok, bulk) -> None:
    """Generated meetings behave like seeded ones: report rows, 302 downloads of stable bytes."""
    sample = bulk["sample_meetings"][0]
    files = zoom_get(zoom, f"/meetings/{enc(sample['uuid'])}/recordings", tok).json()
    mp4 = files["recording_files"][0]
    served = download(zoom, mp4["download_url"], tok).content
    assert len(served) == mp4["file_size"]
    again = download(zoom, mp4["download_url"], tok).content
    assert hashlib.sha256(served).digest() == hashlib.sha256(again).digest()
    for sample in bulk["sample_meetings"]:
        count = zoom_get(zoom, f"/past_meetings/{enc(sample['uuid'])}", tok).json()
        rows = zoom_get(zoom, f"/report/meetings/{enc(sample['uuid'])}/participants", tok).json()
        people = rows["participants"]
        assert len(people) == (
            count["participants_count"] if count["participants_count"] > 1 else 0
        )
        assert all(p["id"] == sample["host_id"] for p in people[:1])


def test_the_bulk_corpus_is_deterministic(zoom, bulk) -> None:
    """The same spec gives the same users and meetings."""
    again = zoom.control("POST", "/zoom/bulk", BULK)
    assert again["sample_meetings"] == bulk["sample_meetings"]
    other = zoom.control("POST", "/zoom/bulk", {**BULK, "seed": 4})
    assert other["sample_meetings"] != bulk["sample_meetings"]


def test_the_account_listing_pages_through_every_generated_recording(zoom, tok, bulk) -> None:
    """Account-level discovery is O(meetings): total_records counts them all without a scan."""
    body = zoom_get(
        zoom,
        "/accounts/me/recordings",
        tok,
        page_size=300,
        **{"from": day_ago(9), "to": day_ago(0)},
    ).json()
    assert body["total_records"] == 10 * 2000
    nxt = zoom_get(
        zoom,
        "/accounts/me/recordings",
        tok,
        page_size=300,
        next_page_token=body["next_page_token"],
        **{"from": day_ago(9), "to": day_ago(0)},
    ).json()
    uuids = {m["uuid"] for m in body["meetings"]}
    assert uuids.isdisjoint(m["uuid"] for m in nxt["meetings"])
    assert all(m["host_email"].endswith("@bulk.example.com") for m in nxt["meetings"])


def test_generated_users_can_be_inactive_and_meetings_unrecorded(zoom, tok) -> None:
    """inactive_every and unrecorded_every shape the corpus; unrecorded meetings are still in
    history_meetings."""
    zoom.control(
        "POST",
        "/zoom/bulk",
        {
            "users": 1000,
            "meetings_per_day": 10,
            "days": 3,
            "inactive_every": 4,
            "unrecorded_every": 5,
        },
    )
    inactive = zoom_get(zoom, "/users", tok, status="inactive").json()
    assert inactive["total_records"] == 250
    assert {u["status"] for u in inactive["users"]} == {"inactive"}
    window = {"from": day_ago(2), "to": day_ago(0)}
    recorded = zoom_get(zoom, "/accounts/me/recordings", tok, **window).json()["total_records"]
    history = zoom_get(zoom, "/report/history_meetings", tok, **window).json()["total_records"]
    assert (recorded, history) == (24, 30)


def test_a_generated_user_joined_the_meetings_of_their_neighbours(zoom, tok) -> None:
    """pastJoined finds meetings a generated user attended without hosting them."""
    zoom.control("POST", "/zoom/bulk", {"users": 50, "meetings_per_day": 50, "days": 2})
    body = zoom_get(
        zoom,
        "/report/users/bu000007/meetings",
        tok,
        type="pastJoined",
        **{"from": day_ago(1), "to": day_ago(0)},
    ).json()
    hosts = {m["user_email"] for m in body["meetings"]}
    assert hosts - {"hugo.000007@bulk.example.com"}  # someone else hosted at least one
