"""Zoom's report endpoints (all Heavy) and the past-meeting polls and Q&A.

Sources: zoom-openapi-excerpts/past-meetings-and-reports.txt (report/meetings, report/users),
zoom-content-sources.md §3 and §5 (history_meetings, polls, Q&A, surveys), Zoom's Rivet SDK
types. Every Heavy call counts against the daily cap Heavy shares with Resource-intensive
(Store.rate).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sim.core.http import Request, Response, Router, json_response
from sim.zoom.base import (
    MISSING_PAST_MEETING,
    MISSING_REPORT,
    ZoomApiBase,
    clamp_to_one_month,
    day_start,
    display_name,
    iso,
    parse_day,
    zoom_error,
)
from sim.zoom.interactions import polls_body, qa_body, survey_body
from sim.zoom.model import ZoomMeeting, admitted, sessions_of

REPORT_TYPES = ("past", "pastOne", "pastJoined")
# The report API reaches back six months (Zoom's spec for report/users; observed for
# history_meetings: "The API refused October 2025 with code 300 (only last six months)").
REPORT_MONTHS = 6


def unique_participants(m: ZoomMeeting) -> int:
    return len({p.get("email") or p["name"] for p in m.participants if admitted(p)})


def zoom_clock(moment: Any) -> str:
    """The report's attendee times, "12/22/2021 16:20" in Zoom's examples."""
    return str(moment.strftime("%m/%d/%Y %H:%M"))


class ZoomReports(ZoomApiBase):
    """Mixin of ZoomSim: /report/… and /past_meetings/{id}/polls|qa."""

    def _report_routes(self, r: Router) -> None:
        r.add("GET", "/v2/report/history_meetings", self.history_meetings)
        r.add("GET", "/v2/report/users/{user_id}/meetings", self.user_meetings_report)
        r.add("GET", "/v2/report/meetings/{meeting}", self.meeting_report)
        r.add("GET", "/v2/report/meetings/{meeting}/polls", self.meeting_polls_report)
        r.add("GET", "/v2/report/meetings/{meeting}/qa", self.meeting_qa_report)
        r.add("GET", "/v2/report/meetings/{meeting}/survey", self.meeting_survey_report)
        r.add("GET", "/v2/past_meetings/{meeting}/polls", self.past_polls)
        r.add("GET", "/v2/past_meetings/{meeting}/qa", self.past_qa)

    def _report_window(self, req: Request) -> tuple[date, date]:
        """`from`/`to` (yyyy-mm-dd, both required), at most a month apart ("The date range
        … should only be one month") and within the past six months.

        UNSURE: that Zoom refuses a longer span (code 300) rather than clamping it as the
        recordings listing does, and the wording of these refusals."""
        if not req.arg("from") or not req.arg("to"):
            raise zoom_error(400, 300, "The from and to fields are required.")
        start, end = parse_day(req.arg("from"), "from"), parse_day(req.arg("to"), "to")
        if end < start:
            raise zoom_error(400, 300, "The from date must be before the to date.")
        if clamp_to_one_month(start, end) != start:
            raise zoom_error(400, 300, "The date range must be within one month.")
        today = self.store.now().date()
        oldest = clamp_to_one_month(date.min, today)
        for _ in range(REPORT_MONTHS - 1):
            oldest = clamp_to_one_month(date.min, oldest)
        if start < oldest:
            raise zoom_error(400, 300, "Only meetings within the last six months can be reported.")
        return start, end

    # -- history meetings (discovery of unrecorded meetings) -------------------------------
    def _features(self, m: ZoomMeeting) -> dict[str, bool]:
        rooms = [m.archive] if m.archive else []
        chat = any(f.file_type == "CHAT" for f in m.files) or any(
            f.file_type in ("CHAT", "CHAT_MESSAGE") for room in rooms for f in room.files
        )
        features = {
            "in_meeting_chat": chat,
            "poll": bool(m.polls),
            "record_to_cloud": m.recorded,
            "meeting_summary": m.summary is not None,
            "breakout_room": bool(m.breakout_rooms),
            "file_sharing": any(room.physical_files for room in [*rooms, *m.breakout_rooms]),
            "waiting_room": any(
                status == "in_waiting_room" for p in m.participants for *_, status in sessions_of(p)
            ),
        }
        return {**features, **m.features}

    def _history_row(self, m: ZoomMeeting) -> dict[str, Any]:
        host = self._host(m)
        return {
            "meeting_uuid": m.uuid,
            "meeting_id": m.meeting_id,
            "type": m.type,
            "host_email": host.get("email", ""),
            "host_display_name": display_name(host),
            "start_time": iso(m.start_time),
            "end_time": iso(m.end_time),
            "topic": m.topic,
            "participants": unique_participants(m),
            "duration": m.duration,
            "feature_used": self._features(m),
        }

    def history_meetings(self, req: Request) -> Response:
        """GET /report/history_meetings (a report, Heavy): every meeting of the account in the
        window, recorded or not, with the features used (zoom-content-sources.md §5).

        UNSURE: the defaults (date_type start_time, meeting_type all, report_type all) and
        the filters' exact semantics; report_type poll|survey|qa keeps meetings that had one,
        meeting_feature keeps meetings that used that feature_used key."""
        self._auth(req, "report_history")
        start, end = self._report_window(req)
        date_type = req.arg("date_type") or "start_time"
        kind = req.arg("meeting_type") or "all"
        if date_type not in ("start_time", "end_time") or kind not in ("meeting", "webinar", "all"):
            raise zoom_error(400, 300, "Invalid field: date_type or meeting_type.")
        kinds = ("meeting", "webinar") if kind == "all" else (kind,)
        report_type = req.arg("report_type") or "all"
        feature = req.arg("meeting_feature") or ""
        begin = day_start(start) - (timedelta(days=1) if date_type == "end_time" else timedelta())
        found = self.store.meetings_between(begin, day_start(end), recorded=False, kinds=kinds)
        if date_type == "end_time" or report_type != "all" or feature:
            until = day_start(end) + timedelta(days=1)

            def keep(m: ZoomMeeting) -> bool:
                moment = m.end_time if date_type == "end_time" else m.start_time
                wanted = {"poll": bool(m.polls), "qa": bool(m.qa), "survey": bool(m.survey)}
                return (
                    day_start(start) <= moment < until
                    and wanted.get(report_type, True)
                    and (not feature or self._features(m).get(feature, False))
                )

            found = [m for m in found[0 : len(found)] if keep(m)]
        return self._paged(
            req,
            f"history|{start}|{end}|{date_type}|{kind}|{report_type}|{feature}",
            found,
            "history_meetings",
            {"from": start.isoformat(), "to": end.isoformat()},
            render=self._history_row,
        )

    # -- per-user meeting report ------------------------------------------------------------
    def user_meetings_report(self, req: Request) -> Response:
        """GET /report/users/{userId}/meetings (Heavy): `type` past (hosted), pastOne (UNSURE:
        read as hosted meetings with a single participant, the ones `past` leaves out) or
        pastJoined (hosted or joined). "Meetings and webinars are returned only if they have
        two or more unique participants" (except pastOne)."""
        self._auth(req, "report_user_meetings")
        user = self.store.find_user(req.params["user_id"])
        if user is None:
            raise zoom_error(
                404, 1001, f"User {req.params['user_id']} not exist or not belong to this account."
            )
        kind = req.arg("type") or "past"
        if kind not in REPORT_TYPES:
            raise zoom_error(400, 300, f"Invalid field: type: {kind}.")
        start, end = self._report_window(req)
        begin, finish = day_start(start), day_start(end)
        hosted = self.store.meetings_of(user["id"], begin, finish, recorded=False)
        if kind == "pastOne":
            found = [m for m in hosted if unique_participants(m) == 1]
        else:
            found = [m for m in hosted if unique_participants(m) >= 2]
        if kind == "pastJoined":
            joined = self.store.meetings_joined(user, begin, finish)
            found = sorted(
                [*found, *(m for m in joined if unique_participants(m) >= 2)],
                key=lambda m: m.start_time,
            )
        return self._paged(
            req,
            f"report-user|{user['id']}|{kind}|{start}|{end}",
            found,
            "meetings",
            {"from": start.isoformat(), "to": end.isoformat()},
            render=lambda m: self._user_report_row(m, user, joined=kind == "pastJoined"),
        )

    def _user_report_row(
        self, m: ZoomMeeting, user: dict[str, Any], *, joined: bool
    ) -> dict[str, Any]:
        host = self._host(m)
        in_account = sum(
            1
            for p in m.participants
            if admitted(p) and p.get("email") and self.store.find_user(p["email"]) is not None
        )
        row: dict[str, Any] = {
            "uuid": m.uuid,
            "id": m.meeting_id,
            "type": m.type,
            "topic": m.topic,
            "user_name": display_name(host),
            "user_email": host.get("email", ""),
            "start_time": iso(m.start_time),
            "end_time": iso(m.end_time),
            "duration": m.duration,
            "total_minutes": m.duration * m.admitted_count(),
            "participants_count": m.admitted_count(),
            "participants_count_my_account": in_account,
            "source": "Zoom",
            "custom_keys": [],
            "session_key": "",
            "has_recording": m.recorded,
            "has_chat": self._features(m)["in_meeting_chat"],
            "has_screen_share": bool(
                m.features.get(
                    "screen_sharing", any("shared_screen" in f.recording_type for f in m.files)
                )
            ),
            "meeting_encryption_status": 2,
        }
        if joined:
            # The attendee's own times, in the report's "12/22/2021 16:20" form. UNSURE which
            # types carry them; here pastJoined only.
            i = next(
                (
                    n
                    for n, p in enumerate(m.participants)
                    if p.get("user_id") == user["id"] or p.get("email") == user["email"]
                ),
                None,
            )
            spans = sessions_of(m.participants[i]) if i is not None else []
            first = min((s[0] for s in spans), default=0.0)
            last = max((s[1] for s in spans), default=float(m.duration))
            row.update(
                schedule_time=zoom_clock(m.start_time),
                join_waiting_room_time="",
                join_time=zoom_clock(m.start_time + timedelta(minutes=first)),
                leave_time=zoom_clock(m.start_time + timedelta(minutes=last)),
                host_organization=self.store.account_name,
                host_name=display_name(host),
            )
        return row

    # -- one meeting ------------------------------------------------------------------------
    def _reported(self, req: Request) -> ZoomMeeting:
        m = self._past(req, MISSING_REPORT)
        if not m.in_report:
            raise zoom_error(404, 3001, MISSING_REPORT.replace("{uuid}", req.params["meeting"]))
        return m

    def _detail(self, m: ZoomMeeting) -> dict[str, Any]:
        host = self._host(m)
        return {
            "uuid": m.uuid,
            "id": m.meeting_id,
            "type": m.type,
            "topic": m.topic,
            "user_name": display_name(host),
            "user_email": host.get("email", ""),
            "start_time": iso(m.start_time),
            "end_time": iso(m.end_time),
            "duration": m.duration,
            "total_minutes": m.duration * m.admitted_count(),
            "participants_count": m.admitted_count(),
            "dept": host.get("dept", ""),
            "custom_keys": [],
            "tracking_fields": [],
        }

    def meeting_report(self, req: Request) -> Response:
        """GET /report/meetings/{id|uuid} (Heavy): the meeting detail report."""
        self._auth(req, "report_meeting")
        return json_response(200, self._detail(self._reported(req)))

    def meeting_polls_report(self, req: Request) -> Response:
        self._auth(req, "report_polls")
        return json_response(200, polls_body(self._reported(req), report=True))

    def meeting_qa_report(self, req: Request) -> Response:
        self._auth(req, "report_qa")
        return json_response(200, qa_body(self._reported(req), report=True))

    def meeting_survey_report(self, req: Request) -> Response:
        self._auth(req, "report_survey")
        return json_response(200, survey_body(self._reported(req), webinar=False))

    def past_polls(self, req: Request) -> Response:
        """GET /past_meetings/{id|uuid}/polls (Medium)."""
        self._auth(req, "past_polls")
        return json_response(200, polls_body(self._past(req, MISSING_PAST_MEETING), report=False))

    def past_qa(self, req: Request) -> Response:
        """GET /past_meetings/{id|uuid}/qa (Medium)."""
        self._auth(req, "past_qa")
        return json_response(200, qa_body(self._past(req, MISSING_PAST_MEETING), report=False))
