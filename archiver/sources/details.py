"""The meeting-details source: a meeting nobody recorded (no cloud recording, no archive files),
archived from what Zoom keeps of every meeting: its details and its participants with each join
and leave.

Asked only when no other source has the meeting (`fallback`). Details come from the past-meeting
API (Light), else the detail report (Heavy). Participants come from the participant report
(Heavy: one row per join and leave, with addresses); when the day's Heavy budget is spent, or the
report is refused (a plan without reports, a meeting over a year old: 12702), from the
past-meetings list (Medium). The record says which was used.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from archiver.core.model import Meeting
from archiver.core.ports import ZoomPort
from archiver.errors import (
    AuthenticationError,
    BudgetExhaustedError,
    InvalidInputError,
    NotFoundError,
)
from archiver.sources.recordings import OLD_MEETING, TOO_OLD, host_email, optional

log = logging.getLogger(__name__)

NAME = "meeting details"
REPORT = "the participant report"
PAST_LIST = "the past-meetings participant list"
UNRECORDED = (
    "Zoom holds no cloud recording or archive of this meeting: it is archived from its details and "
)


class MeetingDetails:
    """Details and participants of a meeting with no recorded content."""

    name = NAME
    fallback = True  # asked only when no earlier source has the meeting

    def __init__(self, zoom: ZoomPort) -> None:
        self._zoom = zoom

    def fetch(self, uuid: str) -> Meeting | None:
        """The meeting's details and participants; NotFoundError when Zoom has no details."""
        past = self._details(uuid)
        rows, used, why = self._participants(uuid)
        notes = [f"{UNRECORDED}{used or 'no participant list'}."]
        if why:
            notes.append(why)
        meeting = Meeting.from_zoom(
            {"uuid": uuid, "id": past.get("id", 0), "timezone": past.get("timezone") or "UTC"},
            past,
            rows,
            host_email=host_email(self._zoom, {}, past),
            participants_note="" if rows else _no_rows(why, past),
        )
        if meeting.uuid != uuid:
            raise InvalidInputError(
                f"past_meeting.uuid: {meeting.uuid!r} differs from the work item"
            )
        return replace(meeting, notes=(*meeting.notes, *notes))

    def _details(self, uuid: str) -> dict[str, Any]:
        past, note = optional(lambda: self._zoom.get_past_meeting(uuid), "meeting details")
        if past is not None:
            return dict(past)
        try:
            return dict(self._zoom.get_meeting_report(uuid))
        except (NotFoundError, InvalidInputError, AuthenticationError) as error:
            if isinstance(error, InvalidInputError) and error.code == TOO_OLD:
                note = OLD_MEETING.replace("participant list", "details")
            raise NotFoundError(
                f"Zoom keeps no details of meeting {uuid} ({note or error.message[:160]})",
                service="zoom",
            ) from None

    def _participants(self, uuid: str) -> tuple[list[dict[str, Any]], str, str]:
        """(rows, which list they came from, why the report was not used)."""
        why = ""
        try:
            rows = self._zoom.list_report_participants(uuid)
            if rows:
                return rows, REPORT, ""
            why = "the participant report lists nobody"
        except BudgetExhaustedError:
            why = (
                "Zoom's daily budget of report calls is spent: the participants are from "
                f"{PAST_LIST}"
            )
        except InvalidInputError as error:
            if error.code != TOO_OLD:
                raise
            why = f"{OLD_MEETING}: the participant report is not available"
        except (NotFoundError, AuthenticationError) as error:
            why = f"the participant report is not available ({error.message[:160]})"
        found, note = optional(lambda: self._zoom.list_past_participants(uuid), "participant list")
        if not found:
            return [], "", f"{why}; {note}" if note else why
        return list(found), PAST_LIST, why


def _no_rows(why: str, past: dict[str, Any]) -> str:
    if past.get("participants_count") == 1:
        # Zoom: "the API doesn't return results if there's only one participant".
        return (
            "one person attended; Zoom keeps no participant list of a meeting with one "
            "participant, so who it was and when they joined and left are not known"
        )
    return f"the participant list is unavailable: {why}"
