"""Zoom's webinar endpoints (zoom-content-sources.md §3, zoom-api.md §2.13, Rivet SDK types).

A webinar is a meeting instance seeded with `"kind": "webinar"` (type 5 unless given); its
recordings come through the same recordings endpoints as meetings. Every endpoint here needs the
Webinar add-on: without it (setting `webinar_licence: false`) Zoom answers 400 code 200 "Webinar
plan is missing…", after the scope check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sim.core.http import Request, Response, Router, json_response
from sim.zoom.base import ZoomApiBase, iso, zoom_error
from sim.zoom.interactions import polls_body, qa_body, survey_body
from sim.zoom.model import ZoomMeeting, admitted

MISSING_WEBINAR = "Webinar does not exist: {uuid}."


class ZoomWebinars(ZoomApiBase):
    """Mixin of ZoomSim: /users/{id}/webinars, /past_webinars/…, /report/webinars/…."""

    _detail: Callable[[ZoomMeeting], dict[str, Any]]  # the detail report, sim/zoom/reports.py

    def _webinar_routes(self, r: Router) -> None:
        r.add("GET", "/v2/users/{user_id}/webinars", self.list_webinars)
        for path, handler in (
            ("instances", self.past_webinar_instances),
            ("participants", self.past_webinar_participants),
            ("absentees", self.webinar_absentees),
            ("polls", self.past_webinar_polls),
            ("qa", self.past_webinar_qa),
        ):
            r.add("GET", f"/v2/past_webinars/{{webinar}}/{path}", handler)
        r.add("GET", "/v2/report/webinars/{webinar}", self.webinar_report)
        for path, handler in (
            ("participants", self.webinar_participants_report),
            ("polls", self.webinar_polls_report),
            ("qa", self.webinar_qa_report),
            ("survey", self.webinar_survey_report),
        ):
            r.add("GET", f"/v2/report/webinars/{{webinar}}/{path}", handler)

    def _webinar(self, req: Request, endpoint: str) -> ZoomMeeting:
        self._auth(req, endpoint)
        self._webinar_licence()
        return self._past(req, MISSING_WEBINAR, kind="webinar", param="webinar")

    def list_webinars(self, req: Request) -> Response:
        """GET /users/{userId}/webinars (Medium): the user's webinars, one per webinar ID."""
        self._auth(req, "webinars")
        self._webinar_licence()
        user = self._user_or_404(req)
        with self.store.lock:
            hosted = [
                m
                for m in self.store.meetings.values()
                if m.host_id == user["id"] and m.kind == "webinar"
            ]
        latest: dict[int, ZoomMeeting] = {}
        for m in sorted(hosted, key=lambda m: m.start_time):
            latest[m.meeting_id] = m
        return self._paged(
            req,
            f"webinars|{user['id']}",
            list(latest.values()),
            "webinars",
            {},
            render=lambda m: {
                "uuid": m.uuid,
                "id": m.meeting_id,
                "host_id": m.host_id,
                "topic": m.topic,
                "type": m.type,
                "start_time": iso(m.start_time),
                "duration": m.duration,
                "timezone": m.timezone,
                "agenda": "",
                "created_at": iso(m.start_time),
                "join_url": f"https://zoom.us/w/{m.meeting_id}",
                "is_simulive": False,
            },
        )

    def past_webinar_instances(self, req: Request) -> Response:
        """GET /past_webinars/{webinarId}/instances (Light): `{"webinars": [{uuid,
        start_time}]}`."""
        self._auth(req, "past_webinar_instances")
        self._webinar_licence()
        raw = req.params["webinar"]
        found = [
            m
            for m in (self.store.instances_of(int(raw)) if raw.isdigit() else [])
            if m.kind == "webinar"
        ]
        if not found:
            raise zoom_error(404, 3001, MISSING_WEBINAR.replace("{uuid}", raw))
        return json_response(
            200, {"webinars": [{"uuid": m.uuid, "start_time": iso(m.start_time)} for m in found]}
        )

    def past_webinar_participants(self, req: Request) -> Response:
        m = self._webinar(req, "past_webinar_participants")
        return self._paged(req, f"pwp|{m.uuid}", self._past_rows(m), "participants", {})

    def webinar_absentees(self, req: Request) -> Response:
        """GET /past_webinars/{webinarId}/absentees (Medium): registrants who did not attend."""
        m = self._webinar(req, "webinar_absentees")
        present = {p.get("email", "").lower() for p in m.participants if admitted(p)}
        absent = [r for r in m.registrants if r.get("email", "").lower() not in present]
        return self._paged(
            req,
            f"absentees|{m.uuid}",
            absent,
            "registrants",
            {},
            render=lambda r: self._registrant(m, r),
        )

    @staticmethod
    def _registrant(m: ZoomMeeting, r: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": r.get("id", r["email"].split("@")[0]),
            "email": r["email"],
            "first_name": r.get("first_name", ""),
            "last_name": r.get("last_name", ""),
            "status": r.get("status", "approved"),
            "create_time": iso(m.start_time),
            "join_url": f"https://zoom.us/w/{m.meeting_id}?tk={r['email'].split('@')[0]}",
            "custom_questions": [],
        }

    def past_webinar_polls(self, req: Request) -> Response:
        return json_response(
            200, polls_body(self._webinar(req, "past_webinar_polls"), report=False)
        )

    def past_webinar_qa(self, req: Request) -> Response:
        return json_response(200, qa_body(self._webinar(req, "past_webinar_qa"), report=False))

    def webinar_report(self, req: Request) -> Response:
        """GET /report/webinars/{webinarId} (Heavy): the detail report (there is no
        /past_webinars/{id} details endpoint)."""
        m = self._webinar(req, "report_webinar")
        return json_response(200, self._detail(m))

    def webinar_participants_report(self, req: Request) -> Response:
        m = self._webinar(req, "report_webinar_participants")
        rows = self._rows(m) if m.admitted_count() >= 2 else []
        return self._paged(req, f"rwp|{m.uuid}", rows, "participants", {})

    def webinar_polls_report(self, req: Request) -> Response:
        return json_response(
            200, polls_body(self._webinar(req, "report_webinar_polls"), report=True)
        )

    def webinar_qa_report(self, req: Request) -> Response:
        return json_response(200, qa_body(self._webinar(req, "report_webinar_qa"), report=True))

    def webinar_survey_report(self, req: Request) -> Response:
        m = self._webinar(req, "report_webinar_survey")
        return json_response(200, survey_body(m, webinar=True))
