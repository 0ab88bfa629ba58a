"""The cloud-recording source: a meeting's recordings, with its details and people where Zoom
still has them.

Recordings are required (they are what was recorded); the past-meeting details and the
participant list are taken where Zoom still has them. When Zoom cannot give the participant list
(meetings over a year old answer 12702, unknown ones 404) the meeting is still archived from its
recordings and the item says why the list is missing: a 404 never silently means "nobody came".
Recording listings carry no host address, so the host's is looked up by host_id.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from archiver.core.model import Meeting
from archiver.core.ports import ZoomPort
from archiver.errors import BudgetExhaustedError, InvalidInputError, NotFoundError, PermanentError

log = logging.getLogger(__name__)

TOO_OLD = "12702"  # Zoom: "Can not access a meeting a year ago"
NO_RECORDING = "3301"  # Zoom: "There is no recording for this meeting"
BUDGET_SPENT = (
    "Zoom's daily budget of report calls is spent: the participants are from the past-meetings "
    "participant list"
)
OLD_MEETING = (
    "Zoom no longer provides the participant list of meetings more than a year old (code 12702)"
)


class CloudRecordings:
    """Recordings, past-meeting details and participants (the cloud-recording APIs)."""

    name = "cloud recordings"

    def __init__(self, zoom: ZoomPort, *, people: bool = True) -> None:
        self._zoom = zoom
        # False for webinars: the meeting endpoints do not know them (the webinar source does).
        self._people = people

    def fetch(self, uuid: str) -> Meeting | None:
        """The meeting's part, or None when Zoom has no recording of it."""
        try:
            return fetch_meeting(self._zoom, uuid, people=self._people)
        except NotFoundError as error:
            if error.code != NO_RECORDING:
                raise
            return None


def fetch_meeting(zoom: ZoomPort, uuid: str, *, people: bool = True) -> Meeting:
    """The meeting as Zoom knows it now; InvalidInputError when its recordings are malformed.
    Without `people`, its recordings only."""
    recordings = zoom.get_recordings(uuid)
    past: dict[str, Any] | None = None
    participants: list[dict[str, Any]] | None = None
    past_note = note = ""
    budget_notes: list[str] = []
    if people:
        past, past_note = optional(lambda: zoom.get_past_meeting(uuid), "meeting details")
        participants, note = optional(
            lambda: participant_rows(zoom, uuid, budget_notes), "participant list"
        )
    meeting = Meeting.from_zoom(
        recordings,
        past,
        participants or [],
        host_email=host_email(zoom, recordings, past),
        participants_note=note or ("" if participants else participant_note(past_note)),
    )
    if meeting.uuid != uuid:
        raise InvalidInputError(f"recordings.uuid: {meeting.uuid!r} differs from the work item")
    return replace(meeting, notes=(*meeting.notes, *budget_notes)) if budget_notes else meeting


def participant_rows(zoom: ZoomPort, uuid: str, notes: list[str]) -> list[dict[str, Any]]:
    """The participant rows; when the day's Heavy budget is spent, the past-meetings list
    (Medium) instead of waiting for 00:00 UTC, with a note saying so."""
    try:
        return zoom.list_participants(uuid)
    except BudgetExhaustedError:
        notes.append(BUDGET_SPENT)
        return zoom.list_past_participants(uuid)


def optional(call: Any, what: str) -> tuple[Any, str]:
    """(answer, "") or (None, why Zoom could not give it)."""
    try:
        return call(), ""
    except InvalidInputError as error:
        if error.code != TOO_OLD:
            raise
        return None, OLD_MEETING
    except NotFoundError as error:
        return None, f"Zoom answered 404 for the {what} ({error.message[:160]})"


def participant_note(past_note: str) -> str:
    if past_note:
        return f"the participant list is unavailable: {past_note}"
    return "Zoom lists no participants for this meeting (it omits meetings with one participant)"


def host_email(zoom: ZoomPort, recordings: dict[str, Any], past: dict[str, Any] | None) -> str:
    known = str(recordings.get("host_email") or (past or {}).get("user_email") or "")
    host_id = str(recordings.get("host_id") or (past or {}).get("host_id") or "")
    if known or not host_id:
        return known
    try:
        return str(zoom.get_user(host_id).get("email") or "")
    except PermanentError as error:
        # A deleted or foreign host: the item says "unknown" rather than the meeting failing.
        log.warning("host lookup failed", extra={"host_id": host_id, "error": error.reason})
        return ""
