"""Zoom's report calls (Heavy) and the Medium participant list they fall back to: the meeting
history that finds meetings nobody recorded, and one meeting's details and participants.

Report listings take `from`/`to` days at most a month apart and within the last six months
(zoom-content-sources.md §5); a wider span is listed in windows, each meeting once.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any, Protocol
from urllib.parse import quote

# Days per report window: any 28 days fit in "one month", whatever the month.
REPORT_WINDOW_DAYS = 28
# How far back the report API reaches: six months, taken as 180 days (the shortest six months
# are 181 days).
REPORT_REACH_DAYS = 180


class _Calls(Protocol):
    def _get(
        self, path: str, category: str, params: dict[str, str] | None = None
    ) -> dict[str, Any]: ...

    def _pages(
        self, path: str, field: str, category: str, params: dict[str, str]
    ) -> Iterator[dict[str, Any]]: ...


def report_windows(start: date, end: date) -> Iterator[tuple[date, date]]:
    """[start, end] in consecutive windows of at most REPORT_WINDOW_DAYS days."""
    window_start = start
    while window_start <= end:
        window_end = min(end, window_start + timedelta(days=REPORT_WINDOW_DAYS - 1))
        yield window_start, window_end
        window_start = window_end + timedelta(days=1)


def _path_uuid(uuid: str) -> str:
    once = quote(uuid, safe="")
    return quote(once, safe="") if uuid.startswith("/") or "//" in uuid else once


class ReportCalls:
    """Mixin of ZoomClient: the report endpoints."""

    def list_history_meetings(
        self: _Calls, *, start: date, end: date, meeting_type: str = "meeting"
    ) -> Iterator[dict[str, Any]]:
        """Every meeting instance of the account that ended between two UTC days, recorded or
        not, with `feature_used` (GET /report/history_meetings, Heavy per page). Listed by end
        time, so a meeting is found on the day it ended, whenever it started."""
        seen: set[str] = set()
        for window_start, window_end in report_windows(start, end):
            params = {
                "from": window_start.isoformat(),
                "to": window_end.isoformat(),
                "date_type": "end_time",
                "meeting_type": meeting_type,
            }
            for row in self._pages("/report/history_meetings", "history_meetings", "heavy", params):
                if str(row.get("meeting_uuid")) not in seen:
                    seen.add(str(row.get("meeting_uuid")))
                    yield row

    def list_user_meeting_reports(
        self: _Calls, user_id: str, *, start: date, end: date, kind: str
    ) -> Iterator[dict[str, Any]]:
        """A user's past meetings between two UTC days (GET /report/users/{id}/meetings, Heavy
        per page): `kind` "past" (two or more participants) or "pastOne" (one participant)."""
        path = f"/report/users/{quote(user_id, safe='')}/meetings"
        for window_start, window_end in report_windows(start, end):
            params = {"from": window_start.isoformat(), "to": window_end.isoformat(), "type": kind}
            yield from self._pages(path, "meetings", "heavy", params)

    def get_meeting_report(self: _Calls, meeting_uuid: str) -> dict[str, Any]:
        """A past meeting's detail report (GET /report/meetings/{uuid}, Heavy)."""
        return self._get(f"/report/meetings/{_path_uuid(meeting_uuid)}", "heavy")

    def list_report_participants(self: _Calls, meeting_uuid: str) -> list[dict[str, Any]]:
        """The participant report: one row per join and leave (Heavy)."""
        path = f"/report/meetings/{_path_uuid(meeting_uuid)}/participants"
        return list(self._pages(path, "participants", "heavy", {}))

    def list_past_participants(self: _Calls, meeting_uuid: str) -> list[dict[str, Any]]:
        """The past-meetings participant list (Medium): what is left when the report is not."""
        path = f"/past_meetings/{_path_uuid(meeting_uuid)}/participants"
        return list(self._pages(path, "participants", "medium", {}))

    # -- webinars (every call needs the Webinar licence: 400 code 200 without it) -----------
    def get_webinar_report(self: _Calls, webinar_uuid: str) -> dict[str, Any]:
        """A past webinar's detail report (GET /report/webinars/{uuid}, Heavy): there is no
        past-webinar details endpoint."""
        return self._get(f"/report/webinars/{_path_uuid(webinar_uuid)}", "heavy")

    def list_webinar_report_participants(self: _Calls, webinar_uuid: str) -> list[dict[str, Any]]:
        """The webinar participant report: one row per join and leave (Heavy)."""
        path = f"/report/webinars/{_path_uuid(webinar_uuid)}/participants"
        return list(self._pages(path, "participants", "heavy", {}))

    def list_past_webinar_participants(self: _Calls, webinar_uuid: str) -> list[dict[str, Any]]:
        """The past-webinar participant list (Medium)."""
        path = f"/past_webinars/{_path_uuid(webinar_uuid)}/participants"
        return list(self._pages(path, "participants", "medium", {}))

    def list_webinar_absentees(self: _Calls, webinar_uuid: str) -> list[dict[str, Any]]:
        """Registrants who did not attend (GET /past_webinars/{uuid}/absentees, Medium)."""
        path = f"/past_webinars/{_path_uuid(webinar_uuid)}/absentees"
        return list(self._pages(path, "registrants", "medium", {}))

    def list_user_webinars(self: _Calls, user_id: str) -> Iterator[dict[str, Any]]:
        """A user's webinars (GET /users/{id}/webinars, Medium): `check` asks it to learn
        whether the account has the Webinar licence."""
        yield from self._pages(
            f"/users/{quote(user_id, safe='')}/webinars", "webinars", "medium", {}
        )
