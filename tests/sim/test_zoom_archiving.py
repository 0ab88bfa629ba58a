"""Zoom simulator: the Meeting & Webinar Archiving API (zoom-content-sources.md §1-2,
zoom-openapi-excerpts/archiving.txt)."""

from __future__ import annotations

import base64
import hashlib
import json
import time
import urllib.error
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
import requests

from tests.sim.support import (
    categories,
    days_ago,
    download,
    enc,
    iso_ago,
    seed_meeting,
    send_event,
    zoom_call,
    zoom_get,
    zoom_token,
)

pytestmark = pytest.mark.integration

PEOPLE = [
    {"name": "Ann", "email": "ann@contoso.com", "user_id": "u1"},
    {"name": "Bob", "email": "bob@contoso.com", "user_id": "u2"},
    {"name": "Cy", "email": "cy@contoso.com", "user_id": "u3"},
    {"name": "Guest", "email": ""},
    {"name": "Partner", "email": "partner@fabrikam.com"},
    {"name": "Waiter", "email": "", "sessions": [[0, 3, "in_waiting_room"], [3, 30]]},
]
MESSAGES = [
    {"id": "m1", "sender": "Ann", "text": "hello all"},
    {"id": "m2", "sender": "Bob", "to": "Cy", "text": "DM between two others"},
    {"id": "m3", "sender": "Cy", "group": "pg1", "text": "in the group"},
    {"id": "m4", "sender": "Ann", "kind": "deleted", "original": "m1", "text": "hello all"},
    {"id": "m5", "sender": "Bob", "kind": "edited", "original": "m2", "to": "Cy", "text": "fixed"},
    {"id": "m6", "sender": "Cy", "kind": "reply", "parent": "m1", "text": "hi Ann"},
    {"id": "m7", "sender": "Partner", "kind": "reaction", "parent": "m1", "text": "👍"},
    {"id": "m8", "sender": "Bob", "kind": "feedback", "text": "raise_hand"},
    {
        "id": "m9",
        "sender": "Ann",
        "text": "the plan",
        "files": [{"name": "plan.pdf", "size": 3000}],
    },
    {
        "id": "m10",
        "sender": "Waiter",
        "text": "let me in",
        "location": "waiting_room",
        "audience": "hosts_from_waiting_room",
    },
]
ARCHIVE = {
    "messages": MESSAGES,
    "private_groups": [{"id": "pg1", "members": ["Bob", "Cy"], "create_minute": 2}],
    "files": [
        {"file_type": "MP4", "size": 5000},
        {"file_type": "M4A", "size": 2000, "individual": True, "participant": "Bob"},
        {"file_type": "M4A", "size": 2000, "individual": True, "participant": "Partner"},
        {"file_type": "CHAT_MESSAGE"},
        {"file_type": "CHAT"},
        {"file_type": "SUB_GROUP_MEMBER_LOG"},
    ],
}
WEEK = {"from": iso_ago(3), "to": iso_ago(0)}


@pytest.fixture
def zoom(simulators):
    simulators.control("POST", "/reset")
    for uid, email, first in (
        ("u1", "ann@contoso.com", "Ann"),
        ("u2", "bob@contoso.com", "Bob"),
        ("u3", "cy@contoso.com", "Cy"),
    ):
        simulators.control(
            "POST",
            "/zoom/users",
            {"id": uid, "email": email, "first_name": first, "group_ids": [f"g-{uid}"]},
        )
    simulators.control("PATCH", "/zoom/settings", {"archiving_enabled": True})
    return simulators


@pytest.fixture
def tok(zoom) -> str:
    return zoom_token(zoom)


def archived(sims, uuid: str = "arch==", **fields) -> dict:
    """A meeting seeded with the full archive above (and no cloud recording by default)."""
    return seed_meeting(
        sims, uuid, participants=PEOPLE, files=[], archive=fields.pop("archive", ARCHIVE), **fields
    )


def listed(sims, tok: str, **params) -> dict:
    answer = zoom_get(sims, "/archive_files", tok, **{**WEEK, **params})
    assert answer.status_code == 200, answer.text
    return answer.json()


def file_of(body: dict, file_type: str, *, individual: bool = False) -> dict:
    return next(
        f
        for f in body["archive_files"]
        if f["file_type"] == file_type and f["individual"] == individual
    )


def chat_json(sims, tok: str) -> dict:
    body = zoom_get(sims, f"/past_meetings/{enc('arch==')}/archive_files", tok).json()
    return json.loads(download(sims, file_of(body, "CHAT_MESSAGE")["download_url"], tok).content)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


# -- the account feature, the window, paging --------------------------------------------------
def test_an_account_without_archiving_is_refused_with_code_2001(zoom, tok) -> None:
    """archiving.txt: the feature is enabled by Zoom Support; the only 400 the spec documents
    is 2001 "Account does not exist" (archiving_enabled false, the default)."""
    zoom.control("PATCH", "/zoom/settings", {"archiving_enabled": False})
    answer = zoom_get(zoom, "/archive_files", tok, **WEEK)
    assert answer.status_code == 400
    assert answer.json() == {"code": 2001, "message": "Account does not exist: sim-account."}


def test_without_archiving_no_meeting_has_an_archive(zoom, tok) -> None:
    """archiving.txt: the per-meeting call documents only 404 code 3001; an account without the
    feature has no archive to answer with, even one seeded."""
    archived(zoom)
    zoom.control("PATCH", "/zoom/settings", {"archiving_enabled": False})
    answer = zoom_get(zoom, f"/past_meetings/{enc('arch==')}/archive_files", tok)
    assert (answer.status_code, answer.json()["code"]) == (404, 3001)


def test_a_window_over_seven_days_is_refused_with_code_300(zoom, tok) -> None:
    """archiving.txt: from and to "cannot exceed seven days"."""
    answer = zoom_get(zoom, "/archive_files", tok, **{"from": iso_ago(8), "to": iso_ago(0)})
    assert (answer.status_code, answer.json()["code"]) == (400, 300)


def test_a_future_to_is_reset_to_now_and_echoed(zoom, tok) -> None:
    """archiving.txt next_page_token note: "if your to parameter is for a future time, Zoom
    resets this value to the current time and returns this value in the response body"."""
    asked = {"from": iso_ago(2), "to": iso_ago(-2)}
    body = listed(zoom, tok, **asked)
    echoed = datetime.fromisoformat(body["to"].replace("Z", "+00:00"))
    assert abs((echoed - datetime.now(UTC)).total_seconds()) < 5
    assert body["from"] == asked["from"]


def test_the_next_page_needs_the_echoed_to_not_the_future_one(zoom, tok) -> None:
    """archiving.txt: "Use these same to and next_page_token values … otherwise you will get an
    invalid token error"."""
    for i in range(3):
        archived(zoom, f"a{i}==", start_time=days_ago(1 + i * 0.1))
    future = {"from": iso_ago(2), "to": iso_ago(-1), "page_size": 1}
    first = listed(zoom, tok, **future)
    assert first["next_page_token"]
    same = {**future, "to": first["to"], "next_page_token": first["next_page_token"]}
    assert listed(zoom, tok, **same)["meetings"]
    wrong = {**future, "next_page_token": first["next_page_token"]}
    time.sleep(1.1)  # the reset `to` moves on with the clock
    answer = zoom_get(zoom, "/archive_files", tok, **wrong)
    assert (answer.status_code, answer.json()["code"]) == (400, 300)


def test_an_expired_archive_page_token_is_refused(zoom, tok) -> None:
    """archiving.txt: "The expiration period for this token is 15 minutes"."""
    for i in range(2):
        archived(zoom, f"e{i}==", start_time=days_ago(1 + i * 0.1))
    first = listed(zoom, tok, page_size=1)
    zoom.control("PATCH", "/zoom/settings", {"page_token_lifetime_s": 0})
    late = zoom_get(
        zoom, "/archive_files", tok, **WEEK, page_size=1, next_page_token=first["next_page_token"]
    )
    assert (late.status_code, late.json()["code"]) == (400, 300)


def test_by_default_the_window_is_on_meeting_start_time(zoom, tok) -> None:
    """archiving.txt: query_date_type defaults to meeting_start_time; archive_complete_time
    finds a meeting that started before the window but completed inside it."""
    archived(zoom, "late==", start_time=days_ago(9), archive_complete_time=iso_ago(1))
    assert listed(zoom, tok)["meetings"] == []
    by_completion = listed(zoom, tok, query_date_type="archive_complete_time")["meetings"]
    assert [m["uuid"] for m in by_completion] == ["late=="]


def test_groups_filter_by_the_participants_primary_groups(zoom, tok) -> None:
    """zoom-content-sources.md §1: group_ids filters archived meetings; group_id lists the
    participants' primary groups."""
    archived(zoom)
    body = listed(zoom, tok, group_ids="g-u2")
    assert body["meetings"][0]["group_id"] == "g-u1,g-u2,g-u3"
    assert listed(zoom, tok, group_ids="other")["meetings"] == []


# -- the meeting object -----------------------------------------------------------------------
def test_an_archived_meeting_has_the_documented_fields(zoom, tok) -> None:
    """archiving.txt / 2025 spec: the meeting object and each archive file's fields."""
    archived(zoom)
    [meeting] = listed(zoom, tok)["meetings"]
    assert {
        "uuid",
        "id",
        "host_id",
        "topic",
        "type",
        "start_time",
        "timezone",
        "duration",
        "duration_in_second",
        "total_size",
        "recording_count",
        "meeting_type",
        "account_name",
        "complete_time",
        "is_breakout_room",
        "status",
        "archive_files",
        "physical_files",
    } <= set(meeting)
    assert (meeting["meeting_type"], meeting["is_breakout_room"], meeting["status"]) == (
        "internal",
        False,
        "completed",
    )
    assert meeting["recording_count"] == len(meeting["archive_files"]) == 6
    assert meeting["total_size"] == sum(f["file_size"] for f in meeting["archive_files"])
    for f in meeting["archive_files"]:
        assert {
            "id",
            "file_type",
            "file_extension",
            "file_size",
            "download_url",
            "status",
            "recording_type",
            "individual",
            "participant_join_time",
            "participant_leave_time",
            "encryption_fingerprint",
        } <= set(f)
        assert "/rec/archive/download/" in f["download_url"]
        assert "file_name" not in f  # webhook payloads only


def test_number_of_messages_is_listed_for_json_and_txt_files_only(zoom, tok) -> None:
    """archiving.txt: number_of_messages "will return only when the file_extension is JSON or
    TXT"."""
    archived(zoom)
    [meeting] = listed(zoom, tok)["meetings"]
    for f in meeting["archive_files"]:
        assert ("number_of_messages" in f) == (f["file_extension"] in ("JSON", "TXT"))
    assert file_of(meeting, "CHAT_MESSAGE")["number_of_messages"] == len(MESSAGES)


def test_individual_files_name_a_member_and_blank_someone_outside_the_account(zoom, tok) -> None:
    """archiving.txt: participant_email "If the participant is not part of the host's account,
    this returns an empty string"; only individual files carry it."""
    archived(zoom)
    [meeting] = listed(zoom, tok)["meetings"]
    audio = [f for f in meeting["archive_files"] if f["individual"]]
    assert sorted(f["participant_email"] for f in audio) == ["", "bob@contoso.com"]
    assert all(
        "participant_email" not in f for f in meeting["archive_files"] if not f["individual"]
    )


def test_an_external_meeting_has_no_id_host_or_topic(zoom, tok) -> None:
    """archiving.txt: "The id, host_id, and topic PII … are removed when this value is
    external"."""
    archived(zoom, meeting_type="external")
    [meeting] = listed(zoom, tok)["meetings"]
    assert meeting["meeting_type"] == "external"
    assert not {"id", "host_id", "topic"} & set(meeting)


def test_a_breakout_room_is_its_own_archived_meeting_under_its_parent(zoom, tok) -> None:
    """zoom-content-sources.md §2: is_breakout_room true, type 100, parent_meeting_id the
    parent's UUID."""
    room = {
        "name": "Room A",
        "members": ["Bob", "Cy"],
        "archive": {
            "messages": [{"sender": "Bob", "text": "in the room"}],
            "files": [{"file_type": "CHAT_MESSAGE"}],
        },
    }
    archived(zoom, breakout_rooms=[room])
    rooms = [m for m in listed(zoom, tok)["meetings"] if m["is_breakout_room"]]
    assert len(rooms) == 1
    assert (rooms[0]["type"], rooms[0]["parent_meeting_id"]) == (100, "arch==")
    answer = zoom_get(zoom, f"/past_meetings/{enc(rooms[0]['uuid'])}/archive_files", tok).json()
    content = json.loads(download(zoom, answer["archive_files"][0]["download_url"], tok).content)
    assert content["messages"][0]["msg_extended_type"][:2] == "03"  # sent from a breakout room


def test_an_archived_meeting_without_cloud_recording_has_no_recordings(zoom, tok) -> None:
    """The brief: archived meetings may have no cloud recording; the recordings endpoint then
    answers 404 code 3301 while /archive_files lists the meeting."""
    archived(zoom)
    assert [m["uuid"] for m in listed(zoom, tok)["meetings"]] == ["arch=="]
    answer = zoom_get(zoom, f"/meetings/{enc('arch==')}/recordings", tok)
    assert (answer.status_code, answer.json()["code"]) == (404, 3301)


def test_one_meetings_archive_is_light_and_an_unknown_one_is_3001(zoom, tok) -> None:
    """archiving.txt: GET /past_meetings/{meetingUUID}/archive_files is Light; 404 code 3001
    "Meeting {meetingUUId} does not exist." (a single-encoded / UUID names none)."""
    archived(zoom, "/slash==")
    zoom.control("DELETE", "/counters")
    assert zoom_get(zoom, f"/past_meetings/{enc('/slash==')}/archive_files", tok).status_code == 200
    assert categories(zoom) == {"Light": 1}
    once = quote("/slash==", safe="")
    answer = zoom_get(zoom, f"/past_meetings/{once}/archive_files", tok)
    assert (answer.status_code, answer.json()["code"]) == (404, 3001)


def test_listing_archives_needs_the_archiving_scope(zoom) -> None:
    """zoom-api.md §1.2: archiving:read:list_archived_files:admin (or recording:read:admin)."""
    zoom.control("PATCH", "/zoom/settings", {"scopes": ["user:read:list_users:admin"]})
    answer = zoom_get(zoom, "/archive_files", zoom_token(zoom), **WEEK)
    assert (answer.status_code, answer.json()["code"]) == (400, 4711)
    assert "archiving:read:list_archived_files:admin" in answer.json()["message"]


def test_statistics_count_files_by_extension_and_status(zoom, tok) -> None:
    """archiving.txt: GET /archive_files/statistics."""
    archived(zoom)
    stats = zoom_get(zoom, "/archive_files/statistics", tok, **WEEK).json()
    assert stats["total_records"] == 1
    assert stats["statistic_by_file_extension"]["m4a_file_count"] == 2
    assert stats["statistic_by_file_extension"]["json_file_count"] == 2
    assert stats["statistic_by_file_status"]["completed_file_count"] == 6


# -- chat files -------------------------------------------------------------------------------
def test_chat_message_json_base64_encodes_names_emails_ids_and_content(zoom, tok) -> None:
    """zoom-content-sources.md §1: s_name, s_email, msg_id and msg_content are base64; e_time
    is HH:MM:SS since the start."""
    archived(zoom)
    content = chat_json(zoom, tok)
    assert content["uuid"] == "arch=="
    first = content["messages"][0]
    assert (first["msg_type"], first["e_time"]) == (1, "00:00:00")
    assert (first["s_name"], first["s_email"], first["msg_content"]) == (
        b64("Ann"),
        b64("ann@contoso.com"),
        b64("hello all"),
    )
    assert base64.b64decode(first["msg_id"]).startswith(b"{")
    assert first["msg_extended_type"] == "010101000100"  # meeting → meeting, sent, everyone


def test_chat_message_json_holds_direct_messages_between_any_two_people(zoom, tok) -> None:
    """zoom-content-sources.md §1: "The Archiving API holds every message, direct ones between
    any two people included" (msg_type 2, receiver fields, receiver code 04)."""
    archived(zoom)
    dm = chat_json(zoom, tok)["messages"][1]
    assert dm["msg_type"] == 2
    assert (dm["r_name"], dm["r_email"]) == (b64("Cy"), b64("cy@contoso.com"))
    assert dm["msg_extended_type"][8:10] == "04"


def test_private_group_messages_carry_the_group_id(zoom, tok) -> None:
    """zoom-content-sources.md §1: private_group_id; receiver code 07 (private group)."""
    archived(zoom)
    group = chat_json(zoom, tok)["messages"][2]
    assert group["private_group_id"] == "pg1"
    assert group["msg_extended_type"][8:10] == "07"


def test_deleted_and_edited_messages_point_at_the_original(zoom, tok) -> None:
    """zoom-content-sources.md §1: msg_type 3 deleted and 6 edited with original_msg_id; the
    action field says 02 deleted, 03 edited."""
    archived(zoom)
    messages = chat_json(zoom, tok)["messages"]
    deleted, edited = messages[3], messages[4]
    assert (deleted["msg_type"], deleted["original_msg_id"]) == (3, messages[0]["msg_id"])
    assert (edited["msg_type"], edited["original_msg_id"]) == (6, messages[1]["msg_id"])
    assert deleted["msg_extended_type"][4:6] == "02"
    assert edited["msg_extended_type"][4:6] == "03"


def test_replies_reactions_and_feedback_are_in_the_json(zoom, tok) -> None:
    """zoom-content-sources.md §1: 7 reply (parent_msg_id), 4 emoji reaction, 5 non-verbal
    feedback (msg_content 1 = raise hand)."""
    archived(zoom)
    messages = chat_json(zoom, tok)["messages"]
    reply, reaction, feedback = messages[5], messages[6], messages[7]
    assert (reply["msg_type"], reply["parent_msg_id"]) == (7, messages[0]["msg_id"])
    assert (reaction["msg_type"], reaction["msg_content"]) == (4, b64("👍"))
    assert (feedback["msg_type"], feedback["msg_content"]) == (5, b64("1"))


def test_waiting_room_chat_says_so_in_the_extended_type(zoom, tok) -> None:
    """zoom-content-sources.md §1: sender location 04 waiting room; receiver 06 all hosts from
    the waiting room."""
    archived(zoom)
    waiting = chat_json(zoom, tok)["messages"][9]
    assert waiting["msg_extended_type"] == "040401000600"
    assert waiting["s_email"] == ""  # a guest: no email to show


def test_a_file_shared_in_chat_is_a_physical_file_that_downloads(zoom, tok) -> None:
    """2025 spec: physical_files {file_id, file_name, file_size, download_url
    …/rec/archive/attached/download/…}; the message lists it in files[]."""
    archived(zoom)
    [meeting] = listed(zoom, tok)["meetings"]
    [shared] = meeting["physical_files"]
    assert (shared["file_name"], shared["file_size"]) == ("plan.pdf", 3000)
    assert "/rec/archive/attached/download/" in shared["download_url"]
    assert len(download(zoom, shared["download_url"], tok).content) == 3000
    message = chat_json(zoom, tok)["messages"][8]
    assert message["files"] == [
        {"fileId": shared["file_id"], "fileName": "plan.pdf", "fileSize": 3000}
    ]


def test_a_chat_message_file_can_come_base64_encoded(zoom, tok) -> None:
    """Zoom's text: "A JSON file encoded in base64 format" (UNSURE which form real files take:
    seeded with encoding base64, the whole file is base64)."""
    archive = {**ARCHIVE, "files": [{"file_type": "CHAT_MESSAGE", "encoding": "base64"}]}
    archived(zoom, archive=archive)
    body = zoom_get(zoom, f"/past_meetings/{enc('arch==')}/archive_files", tok).json()
    raw = download(zoom, body["archive_files"][0]["download_url"], tok).content
    assert not raw.startswith(b"{")
    assert json.loads(base64.b64decode(raw))["uuid"] == "arch=="


def test_the_txt_chat_holds_public_and_direct_messages_but_no_deleted_or_waiting_room_ones(
    zoom, tok
) -> None:
    """zoom-content-sources.md §1: only JSON carries deleted messages and waiting-room chat;
    both carry public and direct ones."""
    archived(zoom)
    body = zoom_get(zoom, f"/past_meetings/{enc('arch==')}/archive_files", tok).json()
    text = download(zoom, file_of(body, "CHAT")["download_url"], tok).text
    assert "00:01:00\tBob to Cy(Direct Message):\tDM between two others" in text
    assert "let me in" not in text
    assert text.count("hello all") == 1  # the deletion is not a line of its own


def test_the_sub_group_member_log_lists_private_groups(zoom, tok) -> None:
    """zoom-content-sources.md §1: {archiving_start_time, private_group[{id, createTime,
    deleteTime, actions[{email, joinTime, leaveTime}]}]}."""
    archived(zoom)
    body = zoom_get(zoom, f"/past_meetings/{enc('arch==')}/archive_files", tok).json()
    log = json.loads(
        download(zoom, file_of(body, "SUB_GROUP_MEMBER_LOG")["download_url"], tok).content
    )
    [group] = log["private_group"]
    assert group["id"] == "pg1"
    assert [a["email"] for a in group["actions"]] == ["bob@contoso.com", "cy@contoso.com"]
    assert log["archiving_start_time"].endswith("Z")


# -- downloads --------------------------------------------------------------------------------
def test_the_fingerprint_is_the_sha256_of_the_bytes_served(zoom, tok) -> None:
    """zoom-content-sources.md §1: encryption_fingerprint = SHA-256 hex of the file."""
    archived(zoom)
    [meeting] = listed(zoom, tok)["meetings"]
    for f in meeting["archive_files"]:
        served = download(zoom, f["download_url"], tok).content
        assert hashlib.sha256(served).hexdigest() == f["encryption_fingerprint"]
        assert len(served) == f["file_size"]


def test_a_fingerprint_can_be_seeded_to_mismatch(zoom, tok) -> None:
    """The product's end-to-end check must notice a wrong fingerprint ("fingerprint":
    "mismatch")."""
    archived(
        zoom, archive={"files": [{"file_type": "MP4", "size": 100, "fingerprint": "mismatch"}]}
    )
    [f] = listed(zoom, tok)["meetings"][0]["archive_files"]
    served = download(zoom, f["download_url"], tok).content
    assert hashlib.sha256(served).hexdigest() != f["encryption_fingerprint"]


def test_archive_downloads_redirect_to_a_signed_url_and_honour_ranges(zoom, tok) -> None:
    """Like recording downloads (zoom-api.md §2.6): 302, Range → 206, beyond the end → 416."""
    archived(zoom)
    f = file_of(listed(zoom, tok)["meetings"][0], "MP4")
    first = requests.get(
        f["download_url"],
        headers={"Authorization": f"Bearer {tok}"},
        allow_redirects=False,
        timeout=10,
        verify=zoom.info["ca_bundle"],
    )
    assert first.status_code == 302
    assert first.headers["Location"].startswith("https://localhost:")
    part = download(zoom, f["download_url"], tok, Range="bytes=10-19")
    assert (part.status_code, part.headers["Content-Range"]) == (206, "bytes 10-19/5000")
    assert download(zoom, f["download_url"], tok, Range="bytes=5000-").status_code == 416


def test_a_bad_token_or_a_query_token_gets_the_html_page(zoom, tok) -> None:
    """zoom-api.md §2.6: a bad token is a 200 HTML page; the spec shows archive downloads with
    the Authorization header only (UNSURE for ?access_token=, refused here)."""
    archived(zoom)
    url = file_of(listed(zoom, tok)["meetings"][0], "MP4")["download_url"]
    bad = download(zoom, url, "wrong")
    assert (bad.status_code, bad.headers["Content-Type"][:9]) == (200, "text/html")
    query = requests.get(
        url, params={"access_token": tok}, timeout=10, verify=zoom.info["ca_bundle"]
    )
    assert query.headers["Content-Type"].startswith("text/html")


def test_the_webhook_download_token_opens_the_files_for_a_day_only(zoom, tok) -> None:
    """zoom-content-sources.md §1: recording.archive_files_completed carries download_token,
    sent as Bearer, valid 24 h (setting download_token_lifetime_s)."""
    archived(zoom)
    _, event = send_event(zoom, "recording.archive_files_completed", "arch==")
    url = event["payload"]["object"]["archive_files"][0]["download_url"]
    assert len(download(zoom, url, event["download_token"]).content) == 5000
    zoom.control("PATCH", "/zoom/settings", {"download_token_lifetime_s": 0})
    _, stale = send_event(zoom, "recording.archive_files_completed", "arch==")
    assert (
        download(zoom, url, stale["download_token"]).headers["Content-Type"].startswith("text/html")
    )


def test_the_archive_webhook_carries_the_meeting_object_with_file_names(zoom) -> None:
    """Rivet RecordingArchiveFilesCompletedEvent: top-level download_token, payload.account_id,
    payload.object = the archived meeting, archive_files with file_name."""
    archived(zoom)
    answer, event = send_event(zoom, "recording.archive_files_completed", "arch==")
    assert answer["acknowledged"]
    assert event["event"] == "recording.archive_files_completed"
    assert event["payload"]["account_id"] == "sim-account"
    assert event["payload"]["object"]["uuid"] == "arch=="
    assert all(f["file_name"] for f in event["payload"]["object"]["archive_files"])


# -- retention, processing, deletion ----------------------------------------------------------
def test_past_the_retention_the_archive_is_gone(zoom, tok) -> None:
    """Zoom KB0068489: artifacts kept 1 to 30 days (setting archive_retention_days): then the
    listing omits them, the per-meeting call is 404 3001 and downloads are the HTML page of a
    deleted file."""
    archived(zoom, archive_complete_time=iso_ago(2))
    url = file_of(listed(zoom, tok)["meetings"][0], "MP4")["download_url"]
    zoom.control("PATCH", "/zoom/settings", {"archive_retention_days": 1})
    assert listed(zoom, tok)["meetings"] == []
    assert zoom_get(zoom, f"/past_meetings/{enc('arch==')}/archive_files", tok).status_code == 404
    assert download(zoom, url, tok).headers["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("days", [0, 31])
def test_the_retention_setting_is_one_to_thirty_days(zoom, days: int) -> None:
    """Zoom KB0068489: "a minimum of 1 to a maximum of 30 days"."""
    with pytest.raises(urllib.error.HTTPError) as refused:
        zoom.control("PATCH", "/zoom/settings", {"archive_retention_days": days})
    assert refused.value.code == 400


def test_a_processing_archive_has_no_complete_time_until_it_completes(zoom, tok) -> None:
    """2025 spec: status completed|processing; complete_time "" while processing; files
    cannot be downloaded yet (HTML page)."""
    archived(zoom, archive={**ARCHIVE, "status": "processing"})
    [meeting] = listed(zoom, tok)["meetings"]
    assert (meeting["status"], meeting["complete_time"]) == ("processing", "")
    url = file_of(meeting, "MP4")["download_url"]
    assert download(zoom, url, tok).headers["Content-Type"].startswith("text/html")
    zoom.control("POST", f"/zoom/meetings/{quote('arch==', safe='')}/complete")
    [done] = listed(zoom, tok)["meetings"]
    assert done["status"] == "completed"
    assert done["complete_time"]
    assert len(download(zoom, url, tok).content) == 5000


def test_deleting_a_meetings_archive_removes_it(zoom, tok) -> None:
    """archiving.txt table: DELETE /past_meetings/{meetingUUID}/archive_files (Light)."""
    archived(zoom)
    answer = zoom_call(zoom, "DELETE", f"/past_meetings/{enc('arch==')}/archive_files", tok)
    assert answer.status_code == 204
    assert listed(zoom, tok)["meetings"] == []
