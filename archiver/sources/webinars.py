"""The webinar source: a webinar's details, the people who joined it (host, panelists and
attendees, with each join and leave) and its absentees, from Zoom's webinar endpoints (the
meeting endpoints answer 404 for a webinar). Its recordings come from the cloud-recording source.

Details come from the detail report (Heavy; there is no past-webinar details endpoint);
participants from the participant report (Heavy), else the past-webinar list (Medium) when the
day's Heavy budget is spent or the report is refused. Absentees (registrants who did not join)
are listed in the item, never recipients. Every webinar endpoint needs the Webinar licence: an
account without it answers 400 code 200, which turns the source off for this process (`check`
says so) instead of being asked again for every webinar.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from archiver.core.model import Meeting
from archiver.core.ports import ZoomPort
from archiver.core.switch import Refusal
from archiver.errors import (
    AuthenticationError,
    BudgetExhaustedError,
    InvalidInputError,
    NotFoundError,
)
from archiver.sources.recordings import OLD_MEETING, TOO_OLD, host_email, optional

log = logging.getLogger(__name__)

NAME = "webinar"
NO_LICENCE = "200"  # Zoom: "Webinar plan is missing. You must subscribe to the webinar plan…"
REPORT = "the webinar participant report"
PAST_LIST = "the past-webinar participant list"
MAX_LISTED = 500  # absentees named in the item; the count says how many more


def unlicensed(error: Exception) -> bool:
    """True when Zoom says the account has no Webinar licence."""
    return isinstance(error, InvalidInputError) and error.code == NO_LICENCE


class WebinarSource:
    """Webinar details, participants and absentees (the webinar APIs)."""

    name = NAME

    def __init__(
        self,
        zoom: ZoomPort,
        licence: Refusal,
        *,
        on_refused: Callable[[str], None] | None = None,
    ) -> None:
        self._zoom = zoom
        self._licence = licence
        self._on_refused = on_refused  # records the refusal for `status` and other processes

    def fetch(self, uuid: str) -> Meeting | None:
        """The webinar's part, or None when the account has no Webinar licence."""
        if self._licence.refused is not None:
            return None
        try:
            return self._webinar(uuid)
        except InvalidInputError as error:
            if not unlicensed(error):
                raise
            self._licence.refuse(error.message)
            log.info("webinar source off: no Webinar licence", extra={"error": error.reason})
            if self._on_refused is not None:
                self._on_refused(error.message)
            return None

    def _webinar(self, uuid: str) -> Meeting | None:
        details, details_note = self._details(uuid)
        rows, used, why = self._participants(uuid)
        if not details and not rows:
            return None
        start = details.get("start_time") or min(str(r.get("join_time") or "") for r in rows)
        absent, absent_note = self._absentees(uuid)
        notes = [n for n in (details_note, why, absent_note) if n]
        if used:
            notes.append(f"Webinar participants (host, panelists, attendees) are from {used}.")
        notes.extend(absentee_notes(absent or []))
        meeting = Meeting.from_zoom(
            {"uuid": uuid, "id": details.get("id", 0), "start_time": start},
            details or None,
            rows,
            host_email=host_email(self._zoom, {}, details) if details else None,
            participants_note=""
            if rows
            else f"the webinar's participant list is unavailable: {why}",
        )
        if meeting.uuid != uuid:
            raise InvalidInputError(f"webinar.uuid: {meeting.uuid!r} is not the work item's")
        return replace(meeting, notes=(*meeting.notes, *notes))

    def _details(self, uuid: str) -> tuple[dict[str, Any], str]:
        try:
            return dict(self._zoom.get_webinar_report(uuid)), ""
        except BudgetExhaustedError:
            return (
                {},
                "Zoom's daily budget of report calls is spent: the webinar's details are not known",
            )
        except InvalidInputError as error:
            if error.code != TOO_OLD:
                raise
            return {}, OLD_MEETING.replace("participant list", "webinar details")
        except (NotFoundError, AuthenticationError) as error:
            return {}, f"the webinar's detail report is not available ({error.message[:160]})"

    def _absentees(self, uuid: str) -> tuple[list[dict[str, Any]], str]:
        try:
            found, _ = optional(lambda: self._zoom.list_webinar_absentees(uuid), "absentees")
        except AuthenticationError as error:
            return [], f"the webinar's absentees are not available ({error.message[:160]})"
        return list(found or []), ""

    def _participants(self, uuid: str) -> tuple[list[dict[str, Any]], str, str]:
        """(rows, which list they came from, why the report was not used)."""
        try:
            rows = self._zoom.list_webinar_report_participants(uuid)
            if rows:
                return rows, REPORT, ""
            why = "the webinar participant report lists nobody"
        except BudgetExhaustedError:
            why = f"Zoom's daily budget of report calls is spent: participants are from {PAST_LIST}"
        except InvalidInputError as error:
            if error.code != TOO_OLD:
                raise
            why = f"{OLD_MEETING}: the webinar participant report is not available"
        except (NotFoundError, AuthenticationError) as error:
            why = f"the webinar participant report is not available ({error.message[:160]})"
        found, note = optional(
            lambda: self._zoom.list_past_webinar_participants(uuid), "participant list"
        )
        if not found:
            return [], "", f"{why}; {note}" if note else why
        return list(found), PAST_LIST, why


def absentee_notes(rows: list[dict[str, Any]]) -> list[str]:
    """The item's line naming the registrants who did not attend (not recipients)."""
    named = []
    for row in rows[:MAX_LISTED]:
        if not isinstance(row, dict):
            continue
        name = " ".join(str(row.get(k) or "") for k in ("first_name", "last_name")).strip()
        email = str(row.get("email") or "")
        named.append(f"{name} <{email}>" if name and email else name or email or "unnamed")
    if not named:
        return []
    more = len(rows) - MAX_LISTED
    tail = f" and {more} more" if more > 0 else ""
    return [f"Registered, did not attend ({len(rows)}): " + "; ".join(named) + tail]
