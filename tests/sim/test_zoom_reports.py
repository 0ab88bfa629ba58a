"""Zoom simulator: reports, history of unrecorded meetings, polls, Q&A, surveys
(zoom-content-sources.md §3 and §5, zoom-openapi-excerpts/past-meetings-and-reports.txt)."""

from __future__ import annotations

import pytest

from tests.sim.support import (
    categories,
    day_ago,
    days_ago,
    enc,
    seed_meeting,
    zoom_get,
    zoom_token,
)

pytestmark = pytest.mark.integration
MONTH = {"from": day_ago(20), "to": day_ago(0)}
THREE = [
    {"name": "Ann", "email": "ann@contoso.com", "user_id": "u1"},
    {"name": "Bob", "email": "bob@contoso.com", "user_id": "u2"},
    {"name": "Guest", "email": ""},
]
POLL = {
    "id": "p1",
    "answers": [
        {"name": "Bob", "question": "Ship it?", "answer": "Yes", "minute": 5},
        {"name": "Guest", "question": "Ship it?", "answer": "No", "minute": 6},
        {"name": "Bob", "question": "When?", "answer": "Friday", "minute": 7},
    ],
}
QA = [
    {
        "name": "Bob",
        "question": "Budget?",
        "minute": 10,
        "answers": [
            {"name": "Ann", "content": "Approved"},
            {"name": "Ann", "content": "in Q3", "type": "host_answered_privately"},
        ],
    },
    {"name": "Guest", "question": "Recording?", "anonymous": True, "live": True},
]
SURVEY = {
    "id": "s1",
    "name": "After the call",
    "answers": [{"name": "Bob", "question": "Useful?", "question_id": "q1", "answer": "Very"}],
}


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


def unrecorded(sims, uuid: str = "plain==", **fields) -> dict:
    return seed_meeting(sims, uuid, participants=THREE, files=[], **fields)


# -- meetings nobody recorded -----------------------------------------------------------------
def test_an_unrecorded_meeting_has_no_recordings_but_is_in_the_reports(zoom, tok) -> None:
    """The brief: a meeting seeded with no files has participants and reports, and the
    recordings endpoint answers 404 code 3301; the user's recordings listing leaves it out."""
    unrecorded(zoom)
    answer = zoom_get(zoom, f"/meetings/{enc('plain==')}/recordings", tok)
    assert answer.json() == {"code": 3301, "message": "There is no recording for this meeting."}
    listing = zoom_get(zoom, "/users/u1/recordings", tok, **MONTH).json()
    assert listing["meetings"] == []
    rows = zoom_get(zoom, f"/report/meetings/{enc('plain==')}/participants", tok).json()
    assert len(rows["participants"]) == 3


def test_history_meetings_finds_meetings_with_no_recording(zoom, tok) -> None:
    """zoom-content-sources.md §5: history_meetings lists every meeting with its features
    (record_to_cloud false when nothing was recorded)."""
    unrecorded(zoom)
    seed_meeting(zoom, "rec==")
    rows = zoom_get(zoom, "/report/history_meetings", tok, **MONTH).json()["history_meetings"]
    by_uuid = {r["meeting_uuid"]: r for r in rows}
    assert by_uuid["plain=="]["feature_used"]["record_to_cloud"] is False
    assert by_uuid["rec=="]["feature_used"]["record_to_cloud"] is True
    row = by_uuid["plain=="]
    assert {
        "meeting_uuid",
        "meeting_id",
        "type",
        "host_email",
        "host_display_name",
        "start_time",
        "end_time",
        "topic",
        "participants",
        "duration",
        "feature_used",
    } <= set(row)
    assert (row["host_email"], row["participants"]) == ("ann@contoso.com", 3)


def test_history_meetings_reports_the_features_used(zoom, tok) -> None:
    """zoom-content-sources.md §5: feature_used {in_meeting_chat, poll, meeting_summary,
    breakout_room, waiting_room, …}."""
    people = [*THREE, {"name": "Wait", "email": "", "sessions": [[0, 2, "in_waiting_room"]]}]
    seed_meeting(
        zoom,
        "busy==",
        participants=people,
        files=[{"file_type": "CHAT", "content": "x"}],
        polls=[POLL],
        summary={},
        breakout_rooms=[{"members": ["Bob"]}],
    )
    [row] = zoom_get(zoom, "/report/history_meetings", tok, **MONTH).json()["history_meetings"]
    used = row["feature_used"]
    for feature in ("in_meeting_chat", "poll", "meeting_summary", "breakout_room", "waiting_room"):
        assert used[feature], feature


def test_history_meetings_is_heavy_and_needs_its_report_scope(zoom) -> None:
    """zoom-content-sources.md §5: treat as Heavy; scope report:read:list_history_meetings:admin."""
    zoom.control("PATCH", "/zoom/settings", {"scopes": ["report:read:user:admin"]})
    answer = zoom_get(zoom, "/report/history_meetings", zoom_token(zoom), **MONTH)
    assert (answer.status_code, answer.json()["code"]) == (400, 4711)
    assert "report:read:list_history_meetings:admin" in answer.json()["message"]


@pytest.mark.parametrize(
    "window",
    [
        {"from": day_ago(40), "to": day_ago(0)},  # over a month
        {"from": day_ago(200), "to": day_ago(180)},  # before the last six months
        {"to": day_ago(0)},  # from missing
    ],
)
def test_report_windows_are_a_month_within_six_months(zoom, tok, window: dict) -> None:
    """Spec (report/users): "limited to a month and the month must fall within the past six
    months"; observed code 300 for history_meetings beyond six months."""
    for path in ("/report/history_meetings", "/report/users/u1/meetings"):
        answer = zoom_get(zoom, path, tok, **window)
        assert (answer.status_code, answer.json()["code"]) == (400, 300)


def test_history_meetings_filters_by_meeting_type(zoom, tok) -> None:
    """zoom-content-sources.md §5: meeting_type meeting|webinar|all."""
    unrecorded(zoom)
    unrecorded(zoom, "web==", kind="webinar")
    rows = zoom_get(zoom, "/report/history_meetings", tok, **MONTH, meeting_type="webinar").json()
    assert [r["meeting_uuid"] for r in rows["history_meetings"]] == ["web=="]
    assert rows["history_meetings"][0]["type"] == 5


# -- the user meetings report -----------------------------------------------------------------
def test_the_user_report_needs_two_unique_participants(zoom, tok) -> None:
    """Spec: "Meetings and webinars are returned only if they have two or more unique
    participants"; type pastOne lists the single-participant ones (UNSURE reading)."""
    unrecorded(zoom)
    seed_meeting(zoom, "alone==", participants=THREE[:1], files=[])
    past = zoom_get(zoom, "/report/users/u1/meetings", tok, **MONTH).json()["meetings"]
    assert [m["uuid"] for m in past] == ["plain=="]
    one = zoom_get(zoom, "/report/users/u1/meetings", tok, **MONTH, type="pastOne").json()
    assert [m["uuid"] for m in one["meetings"]] == ["alone=="]


def test_the_user_report_has_the_documented_fields(zoom, tok) -> None:
    """Spec: uuid, id, topic, start/end, duration, participants_count, has_recording,
    has_chat, has_screen_share, user_email, …"""
    unrecorded(zoom)
    [row] = zoom_get(zoom, "/report/users/ann@contoso.com/meetings", tok, **MONTH).json()[
        "meetings"
    ]
    assert (row["uuid"], row["has_recording"], row["participants_count"]) == ("plain==", False, 3)
    assert row["participants_count_my_account"] == 2
    assert {"has_chat", "has_screen_share", "user_email", "user_name", "total_minutes"} <= set(row)


def test_past_joined_lists_meetings_the_user_attended(zoom, tok) -> None:
    """Spec: pastJoined — "All past meetings the account's users hosted or joined"."""
    unrecorded(zoom)
    hosted = zoom_get(zoom, "/report/users/u2/meetings", tok, **MONTH).json()["meetings"]
    assert hosted == []
    joined = zoom_get(zoom, "/report/users/u2/meetings", tok, **MONTH, type="pastJoined").json()
    [row] = joined["meetings"]
    assert row["uuid"] == "plain=="
    assert row["join_time"].count("/") == 2  # "12/22/2021 16:20", the spec's example form


def test_an_unknown_user_report_is_404_code_1001(zoom, tok) -> None:
    """Spec: 404 code 1001 "User {userId} not exist or not belong to this account."."""
    answer = zoom_get(zoom, "/report/users/nobody/meetings", tok, **MONTH)
    assert (answer.status_code, answer.json()["code"]) == (404, 1001)


# -- one meeting's report ---------------------------------------------------------------------
def test_the_meeting_report_has_the_detail_fields(zoom, tok) -> None:
    """Spec (reportMeetingDetails): uuid, id, topic, start/end, duration, participants_count,
    total_minutes, user_email, user_name, custom_keys, tracking_fields."""
    unrecorded(zoom)
    body = zoom_get(zoom, f"/report/meetings/{enc('plain==')}", tok).json()
    assert (body["uuid"], body["participants_count"], body["user_email"]) == (
        "plain==",
        3,
        "ann@contoso.com",
    )
    assert {"custom_keys", "tracking_fields", "total_minutes", "dept", "type"} <= set(body)


def test_a_meeting_id_names_the_latest_instance_in_reports(zoom, tok) -> None:
    """Spec: "If you provide a meeting ID, the API will return a response for the latest
    meeting instance"."""
    unrecorded(zoom, "old==", id=81111111111, start_time=days_ago(3))
    unrecorded(zoom, "new==", id=81111111111, start_time=days_ago(1))
    assert zoom_get(zoom, "/report/meetings/81111111111", tok).json()["uuid"] == "new=="
    assert zoom_get(zoom, "/past_meetings/81111111111", tok).json()["uuid"] == "new=="


def test_every_report_call_counts_against_the_shared_daily_cap(zoom, tok) -> None:
    """zoom-api.md §3: Heavy and Resource-intensive share the daily cap (daily_limit heavy);
    the next report call of any kind is refused with the daily-limit 429."""
    unrecorded(zoom, polls=[POLL], qa=QA, survey=SURVEY)
    zoom.control("PATCH", "/zoom/settings", {"daily_limit": {"heavy": 5}})
    u = enc("plain==")
    paths = [
        "/report/history_meetings",
        "/report/users/u1/meetings",
        f"/report/meetings/{u}",
        f"/report/meetings/{u}/polls",
        f"/report/meetings/{u}/qa",
    ]
    assert [zoom_get(zoom, p, tok, **MONTH).status_code for p in paths] == [200] * 5
    refused = zoom_get(zoom, f"/report/meetings/{u}/survey", tok)
    assert refused.status_code == 429
    assert refused.headers["X-RateLimit-Type"] == "Daily-limit"
    assert refused.headers["X-RateLimit-Category"] == "Heavy"


def test_the_counters_report_calls_per_category(zoom, tok) -> None:
    """GET /counters: zoom-categories counts authorised calls per rate-limit category."""
    unrecorded(zoom)
    zoom.control("DELETE", "/counters")
    zoom_get(zoom, "/users", tok)
    zoom_get(zoom, f"/past_meetings/{enc('plain==')}", tok)
    zoom_get(zoom, f"/report/meetings/{enc('plain==')}", tok)
    assert categories(zoom) == {"Medium": 1, "Light": 1, "Heavy": 1}


# -- polls, Q&A, surveys ----------------------------------------------------------------------
def test_past_poll_results_group_answers_by_participant(zoom, tok) -> None:
    """Rivet MeetingsListPastMeetingsPollResultsResponse: {id, uuid, start_time,
    questions[{name, email, question_details[{question, answer, polling_id, date_time}]}]}."""
    unrecorded(zoom, polls=[POLL])
    body = zoom_get(zoom, f"/past_meetings/{enc('plain==')}/polls", tok).json()
    assert (body["uuid"], body["id"]) == ("plain==", 82000000000 + len("plain=="))
    bob = next(q for q in body["questions"] if q["name"] == "Bob")
    assert bob["email"] == "bob@contoso.com"
    assert [d["answer"] for d in bob["question_details"]] == ["Yes", "Friday"]
    assert bob["question_details"][0]["polling_id"] == "p1"


def test_anonymous_poll_answers_are_from_an_anonymous_attendee(zoom, tok) -> None:
    """zoom-content-sources.md §3 / 2025 spec: anonymous polls answer with name (and first and
    last name in the report) "Anonymous Attendee"."""
    unrecorded(zoom, polls=[{**POLL, "anonymous": True}])
    past = zoom_get(zoom, f"/past_meetings/{enc('plain==')}/polls", tok).json()["questions"]
    assert {q["name"] for q in past} == {"Anonymous Attendee"}
    assert {q["email"] for q in past} == {""}
    report = zoom_get(zoom, f"/report/meetings/{enc('plain==')}/polls", tok).json()["questions"]
    assert {(q["first_name"], q["last_name"]) for q in report} == {
        ("Anonymous Attendee", "Anonymous Attendee")
    }


def test_past_qa_joins_answers_with_semicolons(zoom, tok) -> None:
    """2025 spec: "All answers will be returned together and separated by semicolons"; a live
    answer reads "live answered"; anonymous askers are "Anonymous Attendee"."""
    unrecorded(zoom, qa=QA)
    questions = zoom_get(zoom, f"/past_meetings/{enc('plain==')}/qa", tok).json()["questions"]
    bob, anon = questions
    assert bob["question_details"] == [{"question": "Budget?", "answer": "Approved;in Q3"}]
    assert (anon["name"], anon["question_details"][0]["answer"]) == (
        "Anonymous Attendee",
        "live answered",
    )


def test_the_qa_report_adds_ids_status_and_answer_details(zoom, tok) -> None:
    """zoom-content-sources.md §3: user_id, question_id, create_time, question_status,
    answer_details[{user_id, name, email, content, create_time, type}]."""
    unrecorded(zoom, qa=QA)
    bob = zoom_get(zoom, f"/report/meetings/{enc('plain==')}/qa", tok).json()["questions"][0]
    assert bob["user_id"] == "u2"
    detail = bob["question_details"][0]
    assert detail["question_status"] == "answered"
    assert [a["type"] for a in detail["answer_details"]] == [
        "host_answered_publicly",
        "host_answered_privately",
    ]
    assert {"question_id", "create_time"} <= set(detail)


def test_the_survey_report_lists_each_respondents_answers(zoom, tok) -> None:
    """Rivet ReportsGetMeetingSurveyReportResponse: meeting_id, meeting_uuid, survey_id,
    survey_name, survey_answers[{email, name, answer_details[…]}]."""
    unrecorded(zoom, survey=SURVEY)
    body = zoom_get(zoom, f"/report/meetings/{enc('plain==')}/survey", tok).json()
    assert (body["meeting_uuid"], body["survey_id"], body["survey_name"]) == (
        "plain==",
        "s1",
        "After the call",
    )
    [bob] = body["survey_answers"]
    assert (bob["email"], bob["answer_details"][0]["answer"]) == ("bob@contoso.com", "Very")


def test_poll_results_are_medium_and_the_poll_report_is_heavy(zoom, tok) -> None:
    """zoom-content-sources.md §3: /past_meetings/{id}/polls Medium, /report/…/polls Heavy."""
    unrecorded(zoom, polls=[POLL])
    zoom.control("DELETE", "/counters")
    zoom_get(zoom, f"/past_meetings/{enc('plain==')}/polls", tok)
    zoom_get(zoom, f"/report/meetings/{enc('plain==')}/polls", tok)
    assert categories(zoom) == {"Medium": 1, "Heavy": 1}


def test_past_meeting_details_say_whether_a_summary_exists(zoom, tok) -> None:
    """zoom-content-sources.md §4: GET /past_meetings/{id} has has_meeting_summary."""
    unrecorded(zoom)
    seed_meeting(zoom, "sum==", summary={})
    assert (
        zoom_get(zoom, f"/past_meetings/{enc('plain==')}", tok).json()["has_meeting_summary"]
        is False
    )
    assert (
        zoom_get(zoom, f"/past_meetings/{enc('sum==')}", tok).json()["has_meeting_summary"] is True
    )


def test_past_instances_list_the_uuids_of_a_meeting_id(zoom, tok) -> None:
    """Spec (pastMeetings): {"meetings": [{"uuid", "start_time"}]} for a numeric ID."""
    unrecorded(zoom, "i1==", id=81234567890, start_time=days_ago(2))
    unrecorded(zoom, "i2==", id=81234567890, start_time=days_ago(1))
    body = zoom_get(zoom, "/past_meetings/81234567890/instances", tok).json()
    assert [m["uuid"] for m in body["meetings"]] == ["i1==", "i2=="]
