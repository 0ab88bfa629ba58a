"""Zoom simulator: AI Companion meeting summaries (zoom-content-sources.md §4)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

import pytest

from tests.sim.support import enc, seed_meeting, send_event, zoom_get, zoom_token

pytestmark = pytest.mark.integration
SUMMARY = {
    "title": "Quarterly planning",
    "overview": "The team agreed the Q3 budget.",
    "details": [{"label": "Budget", "summary": "Approved at 1.2M"}],
    "next_steps": ["Bob sends the plan", "Ann books the room"],
}


@pytest.fixture
def zoom(simulators):
    simulators.control("POST", "/reset")
    simulators.control("POST", "/zoom/users", {"id": "u1", "email": "ann@contoso.com"})
    return simulators


@pytest.fixture
def tok(zoom) -> str:
    return zoom_token(zoom)


def summary_of(sims, tok: str, uuid: str = "sum==") -> dict:
    answer = zoom_get(sims, f"/meetings/{enc(uuid)}/meeting_summary", tok)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_summary_has_the_current_and_the_deprecated_fields(zoom, tok) -> None:
    """zoom-content-sources.md §4: summary_title, summary_content (Markdown, current),
    summary_doc_url, times, and the deprecated summary_overview, summary_details, next_steps."""
    seed_meeting(zoom, "sum==", summary=SUMMARY)
    body = summary_of(zoom, tok)
    assert {
        "meeting_host_id",
        "meeting_host_email",
        "meeting_uuid",
        "meeting_id",
        "meeting_topic",
        "meeting_start_time",
        "meeting_end_time",
        "summary_start_time",
        "summary_end_time",
        "summary_created_time",
        "summary_last_modified_time",
        "summary_title",
        "summary_content",
        "summary_doc_url",
        "summary_overview",
        "summary_details",
        "next_steps",
    } <= set(body)
    assert body["meeting_host_email"] == "ann@contoso.com"
    assert body["summary_title"] == "Quarterly planning"
    assert body["summary_content"].startswith("## Quarterly planning")
    assert "- Bob sends the plan" in body["summary_content"]
    assert body["summary_details"] == SUMMARY["details"]


def test_summary_fields_can_be_the_current_ones_only(zoom, tok) -> None:
    """A Zoom SDK changelog: legacy fields "Deprecated and replaced … with a unified
    'summary_content' field" (setting summary_fields: current)."""
    seed_meeting(zoom, "sum==", summary=SUMMARY)
    zoom.control("PATCH", "/zoom/settings", {"summary_fields": "current"})
    body = summary_of(zoom, tok)
    assert "summary_content" in body
    assert not {"summary_overview", "summary_details", "next_steps"} & set(body)


def test_a_meeting_without_a_summary_is_404(zoom, tok) -> None:
    """UNSURE code: 404 code 3001 "Meeting summary does not exist." (an unknown meeting is 3001
    "Meeting does not exist")."""
    seed_meeting(zoom, "none==")
    answer = zoom_get(zoom, f"/meetings/{enc('none==')}/meeting_summary", tok)
    assert answer.status_code == 404
    assert answer.json() == {"code": 3001, "message": "Meeting summary does not exist."}
    unknown = zoom_get(zoom, f"/meetings/{enc('nope==')}/meeting_summary", tok)
    assert (unknown.status_code, unknown.json()["code"]) == (404, 3001)


def test_the_summary_needs_the_granular_summary_scope(zoom) -> None:
    """zoom-api.md §1.2: meeting:read:summary:admin (no classic scope)."""
    seed_meeting(zoom, "sum==", summary=SUMMARY)
    zoom.control("PATCH", "/zoom/settings", {"scopes": ["meeting:read:admin"]})
    answer = zoom_get(zoom, f"/meetings/{enc('sum==')}/meeting_summary", zoom_token(zoom))
    assert (answer.status_code, answer.json()["code"]) == (400, 4711)
    assert "meeting:read:summary:admin" in answer.json()["message"]


def test_editing_a_summary_bumps_its_last_modified_time(zoom, tok) -> None:
    """zoom-content-sources.md §4: summaries can be edited (meeting.summary_updated); the
    control route PATCH /zoom/meetings/{uuid}/summary edits as the host would."""
    seed_meeting(zoom, "sum==", summary=SUMMARY)
    before = summary_of(zoom, tok)
    zoom.control(
        "PATCH", f"/zoom/meetings/{quote('sum==', safe='')}/summary", {"next_steps": ["Done"]}
    )
    after = summary_of(zoom, tok)
    assert after["next_steps"] == ["Done"]
    assert after["summary_created_time"] == before["summary_created_time"]
    modified = datetime.fromisoformat(after["summary_last_modified_time"].replace("Z", "+00:00"))
    created = datetime.fromisoformat(after["summary_created_time"].replace("Z", "+00:00"))
    assert modified > created
    assert after["edited_summary"]["next_steps"] == ["Done"]


def test_summary_webhooks_carry_the_summary(zoom) -> None:
    """Rivet MeetingSummaryCompletedEvent / MeetingSummaryUpdatedEvent: payload.object is the
    summary; _updated adds operator and operator_id."""
    seed_meeting(zoom, "sum==", summary=SUMMARY)
    _, completed = send_event(zoom, "meeting.summary_completed", "sum==")
    assert completed["payload"]["object"]["summary_title"] == "Quarterly planning"
    assert "operator" not in completed["payload"]
    _, updated = send_event(zoom, "meeting.summary_updated", "sum==")
    assert (updated["payload"]["operator"], updated["payload"]["operator_id"]) == (
        "ann@contoso.com",
        "u1",
    )


def test_the_account_lists_its_summaries(zoom, tok) -> None:
    """zoom-api.md §2.12: GET /meetings/meeting_summaries → summaries[] with the header
    fields."""
    seed_meeting(zoom, "sum==", summary=SUMMARY)
    seed_meeting(zoom, "none==")
    body = zoom_get(zoom, "/meetings/meeting_summaries", tok).json()
    assert [s["meeting_uuid"] for s in body["summaries"]] == ["sum=="]
    assert "summary_content" not in body["summaries"][0]
