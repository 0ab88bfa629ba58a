"""The Zoom scopes the archiver needs, and which of them a token lacks (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Need:
    """One API the archiver calls: its granular :admin scope or the classic one grants it."""

    call: str
    granular: str
    classic: str
    required: bool = True  # False: the archiver falls back without it
    without: str = ""  # what is lost without an optional scope


NEEDS = (
    Need("GET /users", "user:read:list_users:admin", "user:read:admin"),
    Need(
        "GET /accounts/me/recordings",
        "cloud_recording:read:list_account_recordings:admin",
        "account:read:admin",
        required=False,
        without="discovery lists every user's recordings instead (Zoom calls grow with users)",
    ),
    Need(
        "GET /users/{id}/recordings",
        "cloud_recording:read:list_user_recordings:admin",
        "recording:read:admin",
    ),
    Need(
        "GET /meetings/{uuid}/recordings",
        "cloud_recording:read:list_recording_files:admin",
        "recording:read:admin",
    ),
    Need("GET /past_meetings/{uuid}", "meeting:read:past_meeting:admin", "meeting:read:admin"),
    Need(
        "GET /past_meetings/{uuid}/participants",
        "meeting:read:list_past_participants:admin",
        "meeting:read:admin",
    ),
    Need(
        "GET /report/meetings/{uuid}/participants",
        "report:read:list_meeting_participants:admin",
        "report:read:admin",
        required=False,
        without="participants lose their per-session join and leave times",
    ),
    Need(
        "GET /report/history_meetings",
        "report:read:list_history_meetings:admin",
        "report:read:admin",
        required=False,
        without="meetings nobody recorded are found in each user's meeting report instead "
        "(ARCHIVE_UNRECORDED; Heavy calls grow with users)",
    ),
    Need(
        "GET /report/users/{id}/meetings",
        "report:read:user:admin",
        "report:read:admin",
        required=False,
        without="without the meeting history too, meetings nobody recorded are archived only "
        "from a meeting.ended webhook (ARCHIVE_UNRECORDED)",
    ),
    Need(
        "GET /report/webinars/{uuid}/participants",
        "report:read:list_webinar_participants:admin",
        "report:read:admin",
        required=False,
        without="webinar attendees come from the past-webinar list (no per-session times)",
    ),
    Need(
        "GET /report/webinars/{uuid}",
        "report:read:webinar:admin",
        "report:read:admin",
        required=False,
        without="a webinar nobody recorded has no details (topic, host) in its item",
    ),
    Need(
        "GET /past_webinars/{uuid}/participants",
        "webinar:read:list_past_participants:admin",
        "webinar:read:admin",
        required=False,
        without="without the report scope too, webinars are archived without their attendees",
    ),
    Need(
        "GET /past_webinars/{uuid}/absentees",
        "webinar:read:list_absentees:admin",
        "webinar:read:admin",
        required=False,
        without="webinar items do not list the registrants who did not attend",
    ),
    Need(
        "GET /archive_files",
        "archiving:read:list_archived_files:admin",
        "recording:read:admin",
        required=False,
        without="archived meetings are not discovered (ZOOM_ARCHIVING: cloud recordings only)",
    ),
    Need(
        "GET /past_meetings/{uuid}/archive_files",
        "archiving:read:archived_files:admin",
        "recording:read:admin",
        required=False,
        without="no meeting's archive is read (every chat line, breakout rooms, files shared in "
        "the chat)",
    ),
    Need(
        "GET /past_meetings/{uuid}/polls",
        "meeting:read:list_past_polls:admin",
        "meeting:read:admin",
        required=False,
        without="poll results are not archived",
    ),
    Need(
        "GET /past_meetings/{uuid}/qa",
        "meeting:read:past_qa:admin",
        "meeting:read:admin",
        required=False,
        without="Q&A is archived only from the report (when the report scope is granted)",
    ),
    Need(
        "GET /report/meetings/{uuid}/qa",
        "report:read:list_meeting_qa:admin",
        "report:read:admin",
        required=False,
        without="Q&A comes from the past-meeting endpoint (no status, times or answer types)",
    ),
    Need(
        "GET /report/meetings/{uuid}/survey",
        "report:read:meeting_survey:admin",
        "report:read:admin",
        required=False,
        without="survey answers are not archived",
    ),
    Need(
        "GET /past_webinars/{uuid}/polls",
        "webinar:read:list_past_polls:admin",
        "webinar:read:admin",
        required=False,
        without="webinar poll results are not archived",
    ),
    Need(
        "GET /past_webinars/{uuid}/qa",
        "webinar:read:past_qa:admin",
        "webinar:read:admin",
        required=False,
        without="webinar Q&A is archived only from the report (when the report scope is granted)",
    ),
    Need(
        "GET /report/webinars/{uuid}/qa",
        "report:read:list_webinar_qa:admin",
        "report:read:admin",
        required=False,
        without="webinar Q&A comes from the past-webinar endpoint (no status, times or types)",
    ),
    Need(
        "GET /report/webinars/{uuid}/survey",
        "report:read:webinar_survey:admin",
        "report:read:admin",
        required=False,
        without="webinar survey answers are not archived",
    ),
    Need(
        "GET /meetings/{uuid}/meeting_summary",
        "meeting:read:summary:admin",
        "",
        required=False,
        without="AI Companion summaries are not archived",
    ),
    Need(
        "GET /meetings/meeting_summaries",
        "meeting:read:list_summaries:admin",
        "",
        required=False,
        without="the sweep does not find summaries a missed webhook would have brought",
    ),
)


def missing(granted: Iterable[str]) -> list[Need]:
    """The needs none of whose scopes is granted, required ones first."""
    have = set(granted)
    lacking = [n for n in NEEDS if n.granular not in have and n.classic not in have]
    return sorted(lacking, key=lambda n: not n.required)
