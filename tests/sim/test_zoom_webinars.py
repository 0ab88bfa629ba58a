"""Zoom simulator: webinars (zoom-content-sources.md §3, zoom-api.md §2.13)."""

from __future__ import annotations

import pytest

from tests.sim.support import categories, day_ago, days_ago, enc, seed_meeting, zoom_get, zoom_token

pytestmark = pytest.mark.integration
WEBINAR_ID = 91000000001
PEOPLE = [
    {"name": "Ann", "email": "ann@contoso.com", "user_id": "u1", "role": "host"},
    {"name": "Bob", "email": "bob@contoso.com", "user_id": "u2", "role": "panelist"},
    {"name": "Viewer", "email": "viewer@fabrikam.com"},
]
REGISTRANTS = [
    {"email": "viewer@fabrikam.com", "first_name": "Vi", "last_name": "Ewer"},
    {"email": "noshow@fabrikam.com", "first_name": "No", "last_name": "Show"},
]


@pytest.fixture
def zoom(simulators):
    simulators.control("POST", "/reset")
    for uid, email, first in (("u1", "ann@contoso.com", "Ann"), ("u2", "bob@contoso.com", "Bob")):
        simulators.control("POST", "/zoom/users", {"id": uid, "email": email, "first_name": first})
    return simulators


@pytest.fixture
def tok(zoom) -> str:
    return zoom_token(zoom)


def webinar(sims, uuid: str = "web==", **fields) -> dict:
    doc = {
        "kind": "webinar",
        "id": WEBINAR_ID,
        "participants": PEOPLE,
        "registrants": REGISTRANTS,
        "polls": [
            {"id": "wp", "answers": [{"name": "Viewer", "question": "Clear?", "answer": "Yes"}]}
        ],
        "qa": [
            {
                "name": "Viewer",
                "question": "Slides?",
                "answers": [{"name": "Bob", "content": "Tomorrow"}],
            }
        ],
        "survey": {"answers": [{"name": "Viewer", "question": "Rate", "answer": "5"}]},
        **fields,
    }
    return seed_meeting(sims, uuid, **doc)


def test_webinar_recordings_come_through_the_recordings_endpoints(zoom, tok) -> None:
    """zoom-api.md §2.13: same /users/{id}/recordings list (type 5) and
    /meetings/{webinarId|UUID}/recordings."""
    webinar(zoom)
    listed = zoom_get(zoom, "/users/u1/recordings", tok, **{"from": day_ago(5), "to": day_ago(0)})
    assert [(m["uuid"], m["type"]) for m in listed.json()["meetings"]] == [("web==", 5)]
    assert zoom_get(zoom, f"/meetings/{WEBINAR_ID}/recordings", tok).json()["uuid"] == "web=="


def test_webinars_are_listed_per_user(zoom, tok) -> None:
    """Rivet WebinarsListWebinarsResponse: webinars[{uuid, id, host_id, topic, type,
    start_time, duration, timezone, …}]."""
    webinar(zoom)
    [listed] = zoom_get(zoom, "/users/u1/webinars", tok).json()["webinars"]
    assert (listed["id"], listed["type"], listed["host_id"]) == (WEBINAR_ID, 5, "u1")


def test_past_webinar_instances_list_each_uuid(zoom, tok) -> None:
    """Rivet WebinarsListPastWebinarInstancesResponse: {"webinars": [{uuid, start_time}]}."""
    webinar(zoom, "w1==", start_time=days_ago(8))
    webinar(zoom, "w2==", start_time=days_ago(1))
    body = zoom_get(zoom, f"/past_webinars/{WEBINAR_ID}/instances", tok).json()
    assert [w["uuid"] for w in body["webinars"]] == ["w1==", "w2=="]


def test_past_webinar_participants_have_the_documented_fields(zoom, tok) -> None:
    """zoom-content-sources.md §3: id, name, user_email, join_time, leave_time, duration,
    status, internal_user."""
    webinar(zoom)
    rows = zoom_get(zoom, f"/past_webinars/{enc('web==')}/participants", tok).json()["participants"]
    assert [r["user_email"] for r in rows] == [p["email"] for p in PEOPLE]
    assert {"join_time", "leave_time", "duration", "status", "internal_user"} <= set(rows[0])
    assert [r["internal_user"] for r in rows] == [True, True, False]


def test_absentees_are_the_registrants_who_did_not_attend(zoom, tok) -> None:
    """zoom-api.md §2.13: /past_webinars/{id}/absentees lists registrants[]."""
    webinar(zoom)
    body = zoom_get(zoom, f"/past_webinars/{enc('web==')}/absentees", tok).json()
    assert [r["email"] for r in body["registrants"]] == ["noshow@fabrikam.com"]


def test_webinar_polls_and_qa_have_the_meeting_shapes(zoom, tok) -> None:
    """Rivet WebinarsListPastWebinarPollResultsResponse / ListQAsOfPastWebinarResponse."""
    webinar(zoom)
    polls = zoom_get(zoom, f"/past_webinars/{enc('web==')}/polls", tok).json()
    assert polls["questions"][0]["question_details"][0]["answer"] == "Yes"
    qa = zoom_get(zoom, f"/past_webinars/{enc('web==')}/qa", tok).json()
    assert qa["questions"][0]["question_details"] == [{"question": "Slides?", "answer": "Tomorrow"}]


def test_webinar_reports_are_heavy(zoom, tok) -> None:
    """zoom-api.md §2: /report/webinars/{id} and its participants, polls, qa and survey are
    Heavy."""
    webinar(zoom)
    zoom.control("DELETE", "/counters")
    u = enc("web==")
    detail = zoom_get(zoom, f"/report/webinars/{u}", tok).json()
    assert (detail["uuid"], detail["participants_count"]) == ("web==", 3)
    rows = zoom_get(zoom, f"/report/webinars/{u}/participants", tok).json()["participants"]
    assert len(rows) == 3
    qa = zoom_get(zoom, f"/report/webinars/{u}/qa", tok).json()["questions"][0]
    assert qa["question_details"][0]["answer_details"][0]["content"] == "Tomorrow"
    assert zoom_get(zoom, f"/report/webinars/{u}/polls", tok).json()["questions"]
    survey = zoom_get(zoom, f"/report/webinars/{u}/survey", tok).json()
    assert (survey["webinar_uuid"], survey["survey_answers"][0]["name"]) == ("web==", "Viewer")
    assert categories(zoom) == {"Heavy": 5}


def test_a_webinar_is_not_a_past_meeting(zoom, tok) -> None:
    """zoom-api.md §2.13: no /past_webinars/{id} details endpoint — webinars have their own
    endpoints; the meeting ones answer 404 code 3001 (UNSURE: Zoom's exact answer)."""
    webinar(zoom)
    answer = zoom_get(zoom, f"/past_meetings/{enc('web==')}", tok)
    assert (answer.status_code, answer.json()["code"]) == (404, 3001)


@pytest.mark.parametrize(
    "path",
    [
        "/users/u1/webinars",
        f"/past_webinars/{WEBINAR_ID}/instances",
        "/past_webinars/{u}/participants",
        "/past_webinars/{u}/absentees",
        "/past_webinars/{u}/polls",
        "/past_webinars/{u}/qa",
        "/report/webinars/{u}",
        "/report/webinars/{u}/participants",
        "/report/webinars/{u}/survey",
    ],
)
def test_without_the_webinar_licence_every_webinar_endpoint_is_code_200(
    zoom, tok, path: str
) -> None:
    """zoom-content-sources.md §3 ("refused like a missing scope"); the spec's webinar errors
    and a public connector's log: HTTP 400, code 200, "Webinar plan is missing"."""
    webinar(zoom)
    zoom.control("PATCH", "/zoom/settings", {"webinar_licence": False})
    answer = zoom_get(zoom, path.format(u=enc("web==")), tok)
    assert answer.status_code == 400
    assert answer.json()["code"] == 200
    assert answer.json()["message"].startswith("Webinar plan is missing.")


def test_the_webinar_endpoints_need_webinar_scopes_first(zoom) -> None:
    """Scopes are checked before the licence: webinar:read:list_past_participants:admin."""
    webinar(zoom)
    zoom.control(
        "PATCH",
        "/zoom/settings",
        {"scopes": ["user:read:list_users:admin"], "webinar_licence": False},
    )
    answer = zoom_get(zoom, f"/past_webinars/{enc('web==')}/participants", zoom_token(zoom))
    assert (answer.status_code, answer.json()["code"]) == (400, 4711)
    assert "webinar:read:list_past_participants:admin" in answer.json()["message"]
