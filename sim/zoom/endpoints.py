"""Each simulated endpoint's rate-limit category and the scopes that grant it.

Categories are Zoom's rate-limit labels from the spec excerpts and zoom-api.md §2 (Light, Medium,
Heavy, Resource-intensive); scopes are the granular `:admin` scope first, then the classic
scopes of accounts that have not migrated (zoom-api.md §1.2 and the scope lists cited below).
A token needs any one of an endpoint's scopes; without, Zoom answers 400 code 4711 naming the
first one.
"""

from __future__ import annotations

from typing import NamedTuple


class Endpoint(NamedTuple):
    category: str  # light | medium | heavy | resource
    scopes: tuple[str, ...]


E = Endpoint
ENDPOINTS: dict[str, Endpoint] = {
    # -- users and cloud recordings (zoom-api.md §1.2, §2) --------------------------------
    "users": E("medium", ("user:read:list_users:admin", "user:read:admin")),
    "user": E("light", ("user:read:user:admin", "user:read:admin")),
    "recordings": E(
        "medium", ("cloud_recording:read:list_user_recordings:admin", "recording:read:admin")
    ),
    "meeting_recordings": E(
        "light", ("cloud_recording:read:list_recording_files:admin", "recording:read:admin")
    ),
    # GET /accounts/me/recordings: Medium (zoom-api.md §2); the classic scope for `me` is
    # account:read:admin (old docs, zoom-api.md §2.10); refused with 4711 naming the granular one
    # when the app lacks it (observed 2026).
    "account_recordings": E(
        "medium",
        ("cloud_recording:read:list_account_recordings:admin", "account:read:admin"),
    ),
    # -- past meetings ----------------------------------------------------------------------
    "past_meeting": E("light", ("meeting:read:past_meeting:admin", "meeting:read:admin")),
    "past_participants": E(
        "medium", ("meeting:read:list_past_participants:admin", "meeting:read:admin")
    ),
    "past_instances": E("medium", ("meeting:read:list_past_instances:admin", "meeting:read:admin")),
    # Poll results: Medium (zoom-content-sources.md §3); granular name as public S2S apps list it
    # (`meeting:read:list_past_polls:admin`).
    "past_polls": E("medium", ("meeting:read:list_past_polls:admin", "meeting:read:admin")),
    # UNSURE: the granular name is guessed from the webinar one (`webinar:read:past_qa`), and the
    # label from the webinar Q&A's Medium.
    "past_qa": E("medium", ("meeting:read:past_qa:admin", "meeting:read:admin")),
    # -- reports: Heavy ("Heavy = Report and most Dashboard APIs", zoom-api.md §3) -------------
    "report": E("heavy", ("report:read:list_meeting_participants:admin", "report:read:admin")),
    "report_meeting": E("heavy", ("report:read:meeting:admin", "report:read:admin")),
    "report_user_meetings": E("heavy", ("report:read:user:admin", "report:read:admin")),
    "report_history": E("heavy", ("report:read:list_history_meetings:admin", "report:read:admin")),
    # UNSURE: granular names of the meeting poll/Q&A/survey reports, by analogy with the webinar
    # ones public apps list (report:read:list_webinar_polls:admin, …:list_webinar_qa:admin).
    "report_polls": E("heavy", ("report:read:list_meeting_polls:admin", "report:read:admin")),
    "report_qa": E("heavy", ("report:read:list_meeting_qa:admin", "report:read:admin")),
    "report_survey": E("heavy", ("report:read:meeting_survey:admin", "report:read:admin")),
    # -- webinars (need the Webinar licence as well) -----------------------------------------
    "webinars": E("medium", ("webinar:read:list_webinars:admin", "webinar:read:admin")),
    "past_webinar_instances": E(
        "light", ("webinar:read:list_past_instances:admin", "webinar:read:admin")
    ),
    "past_webinar_participants": E(
        "medium", ("webinar:read:list_past_participants:admin", "webinar:read:admin")
    ),
    "webinar_absentees": E("medium", ("webinar:read:list_absentees:admin", "webinar:read:admin")),
    # webinar:read:list_past_polls / webinar:read:past_qa, Medium (a published PowerShell wrapper
    # of the spec and a public scope list; zoom-api.md §2).
    "past_webinar_polls": E("medium", ("webinar:read:list_past_polls:admin", "webinar:read:admin")),
    "past_webinar_qa": E("medium", ("webinar:read:past_qa:admin", "webinar:read:admin")),
    "report_webinar": E("heavy", ("report:read:webinar:admin", "report:read:admin")),
    "report_webinar_participants": E(
        "heavy", ("report:read:list_webinar_participants:admin", "report:read:admin")
    ),
    "report_webinar_polls": E(
        "heavy", ("report:read:list_webinar_polls:admin", "report:read:admin")
    ),
    "report_webinar_qa": E("heavy", ("report:read:list_webinar_qa:admin", "report:read:admin")),
    # UNSURE: granular name.
    "report_webinar_survey": E("heavy", ("report:read:webinar_survey:admin", "report:read:admin")),
    # -- AI Companion summary: granular only (zoom-api.md §1.2 lists no classic scope). UNSURE:
    # Zoom's label for this endpoint is not in the reference; Light like other single reads.
    "meeting_summary": E("light", ("meeting:read:summary:admin",)),
    # UNSURE: label of the account's summary list; Medium like other lists.
    "meeting_summaries": E("medium", ("meeting:read:list_summaries:admin",)),
    # -- Archiving API (archiving.txt; zoom-content-sources.md §1) ----------------------------
    "archive": E("medium", ("archiving:read:list_archived_files:admin", "recording:read:admin")),
    "archive_meeting": E(
        "light", ("archiving:read:archived_files:admin", "recording:read:admin", "recording:read")
    ),
    # UNSURE: granular names of statistics and delete; classic scopes per the spec.
    "archive_statistics": E(
        "medium", ("archiving:read:archived_file_statistics:admin", "recording:read:admin")
    ),
    "archive_delete": E(
        "light", ("archiving:delete:archived_files:admin", "recording:write:admin")
    ),
}
CATEGORY = {name: e.category for name, e in ENDPOINTS.items()}
ENDPOINT_SCOPES = {name: e.scopes for name, e in ENDPOINTS.items()}
# By default the app has every granular scope listed here.
DEFAULT_SCOPES = frozenset(e.scopes[0] for e in ENDPOINTS.values())
# Zoom's names for the categories, as in X-RateLimit-Category.
CATEGORY_NAMES = {
    "light": "Light",
    "medium": "Medium",
    "heavy": "Heavy",
    "resource": "Resource-intensive",
}
