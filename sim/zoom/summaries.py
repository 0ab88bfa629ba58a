"""Zoom AI Companion meeting summaries (zoom-content-sources.md §4; Rivet SDK types
MeetingsGetMeetingSummaryResponse, MeetingSummaryCompletedEvent, MeetingSummaryUpdatedEvent; a
Zoom SDK changelog: "Deprecated and replaced legacy meeting summary fields with a unified
'summary_content' field")."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sim.core.http import Request, Response, Router, json_response
from sim.zoom.base import ZoomApiBase, iso, zoom_error
from sim.zoom.model import ZoomMeeting

LEGACY = ("summary_overview", "summary_details", "next_steps", "edited_summary")
# UNSURE: Zoom's answer for a meeting that has no summary is not in the reference; 404 code
# 3001 like an unknown meeting, with its own message.
NO_SUMMARY = "Meeting summary does not exist."


class ZoomSummaries(ZoomApiBase):
    """Mixin of ZoomSim: GET /meetings/{uuid}/meeting_summary, GET /meetings/meeting_summaries."""

    def _summary_routes(self, r: Router) -> None:
        r.add("GET", "/v2/meetings/meeting_summaries", self.list_summaries)
        r.add("GET", "/v2/meetings/{meeting}/meeting_summary", self.meeting_summary)

    def _summary_body(self, m: ZoomMeeting, *, header_only: bool = False) -> dict[str, Any]:
        s = m.summary
        assert s is not None
        host = self._host(m)
        body: dict[str, Any] = {
            "meeting_host_id": m.host_id,
            "meeting_host_email": host.get("email", ""),
            "meeting_uuid": m.uuid,
            "meeting_id": m.meeting_id,
            "meeting_topic": m.topic,
            "meeting_start_time": iso(m.start_time),
            "meeting_end_time": iso(m.end_time),
            "summary_start_time": iso(m.start_time),
            "summary_end_time": iso(m.end_time),
            "summary_created_time": iso(s["created"]),
            "summary_last_modified_time": iso(s["modified"]),
        }
        if header_only:
            return body
        body.update(
            summary_title=s["title"],
            summary_content=s["content"],  # Markdown: the current field
            summary_doc_url=s["doc_url"],
            summary_overview=s["overview"],
            summary_details=[dict(d) for d in s["details"]],
            next_steps=list(s["next_steps"]),
        )
        if s["edited"] is not None:
            body["edited_summary"] = dict(s["edited"])
        if self.store.summary_fields == "current":
            for name in LEGACY:
                body.pop(name, None)
        elif self.store.summary_fields == "legacy":
            body.pop("summary_content")
        return body

    def meeting_summary(self, req: Request) -> Response:
        """GET /meetings/{meetingId}/meeting_summary: the instance's summary (pass the UUID,
        double-encoded as usual; a numeric ID names the latest instance)."""
        self._auth(req, "meeting_summary")
        m = self._meeting(req, latest_by_id=True, missing=(3001, "Meeting does not exist: {uuid}."))
        if m.summary is None:
            raise zoom_error(404, 3001, NO_SUMMARY)
        return json_response(200, self._summary_body(m))

    def list_summaries(self, req: Request) -> Response:
        """GET /meetings/meeting_summaries: the account's summaries created in [from, to]
        (header fields only). UNSURE: one public client claims Zoom ignores from/to; here they
        filter by creation time, default the last 30 days."""
        self._auth(req, "meeting_summaries")
        now = self.store.now()

        def moment(name: str, default: datetime) -> datetime:
            raw = req.arg(name)
            if not raw:
                return default
            try:
                found = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            except ValueError:
                raise zoom_error(400, 300, f"Invalid field: {name}.") from None
            return found if found.tzinfo else found.replace(tzinfo=now.tzinfo)

        start = moment("from", now - timedelta(days=30))
        end = moment("to", now)
        with self.store.lock:
            found = sorted(
                (
                    m
                    for m in self.store.meetings.values()
                    if m.summary is not None and start <= m.summary["created"] <= end
                ),
                key=lambda m: m.summary["created"] if m.summary else now,
            )
        return self._paged(
            req,
            f"summaries|{iso(start)}|{iso(end)}",
            found,
            "summaries",
            {"from": iso(start), "to": iso(end)},
            render=lambda m: self._summary_body(m, header_only=True),
        )
