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
    # -- past meetings ----------------------------------------------------------------------
    "past_meeting": E("light", ("meeting:read:past_meeting:admin", "meeting:read:admin")),
    "past_participants": E(
        "medium", ("meeting:read:list_past_participants:admin", "meeting:read:admin")
    ),
    # -- reports: Heavy ("Heavy = Report and most Dashboard APIs", zoom-api.md §3) -------------
    "report": E("heavy", ("report:read:list_meeting_participants:admin", "report:read:admin")),
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
