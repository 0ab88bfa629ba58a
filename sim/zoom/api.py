"""Zoom's REST API, OAuth and download hosts, as documented (shared/reference/zoom-api.md).

This module holds the server, OAuth, users, cloud recordings and past meetings; the Archiving
API, reports, webinars and AI summaries live in their own modules (mixins of ZoomSim).
"""

from __future__ import annotations

import base64
import contextlib
import hmac
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from sim.core.http import (
    Counters,
    FaultInjector,
    Request,
    Response,
    Router,
    SimServer,
    json_response,
)
from sim.core.tls import LocalCA
from sim.zoom.archiving import ZoomArchiving
from sim.zoom.base import (
    ISO,
    MISSING_PAST_MEETING,
    MISSING_PAST_PARTICIPANTS,
    MISSING_REPORT,
    clamp_to_one_month,
    day_start,
    display_name,
    iso,
    zoom_error,
)
from sim.zoom.files import ZoomDownloads
from sim.zoom.reports import ZoomReports
from sim.zoom.store import Store, ZoomMeeting
from sim.zoom.summaries import ZoomSummaries
from sim.zoom.webhooks import ZoomWebhooks
from sim.zoom.webinars import ZoomWebinars

__all__ = ["ISO", "ZoomSim", "clamp_to_one_month", "zoom_error"]


def _user_body(user: dict[str, Any], account_id: str) -> dict[str, Any]:
    """A user as Zoom's Get a user answers (the fields the simulator knows)."""
    first, last = user.get("first_name", ""), user.get("last_name", "")
    return {
        "id": user["id"],
        "email": user["email"],
        "first_name": first,
        "last_name": last,
        "display_name": f"{first} {last}".strip(),
        "type": user.get("type", 2),
        "status": user.get("status", "active"),
        "timezone": user.get("timezone", "UTC"),
        "dept": user.get("dept", ""),
        "role_id": user.get("role_id", "2"),
        "account_id": account_id,
        "pmi": user.get("pmi", 0),
        "verified": 1,
        "language": "en-US",
        "created_at": "2024-01-01T00:00:00Z",
        "last_login_time": "2026-01-01T00:00:00Z",
        "group_ids": list(user.get("group_ids", [])),
        "role_name": "Member",
        "user_created_at": "2024-01-01T00:00:00Z",
    }


class ZoomSim(ZoomArchiving, ZoomReports, ZoomWebinars, ZoomSummaries, ZoomDownloads, ZoomWebhooks):
    """The simulated Zoom account: API + OAuth server and a separate signed file host."""

    def __init__(
        self, ca: LocalCA, faults: FaultInjector, counters: Counters, data_dir: Path
    ) -> None:
        self.ca, self.faults, self.counters = ca, faults, counters
        self.store = Store()
        self.api: SimServer | None = None
        self.files: SimServer | None = None

    # -- lifecycle --------------------------------------------------------------------------
    def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        context = self.ca.server_context(["127.0.0.1", "localhost"])
        self.api = SimServer(
            "zoom",
            self._api_router(),
            host=host,
            port=port,
            ssl_context=context,
            faults=self.faults,
            counters=self.counters,
        )
        self.files = SimServer(
            "zoom-files",
            self._files_router(),
            host=host,
            public_host="localhost",
            ssl_context=context,
            faults=self.faults,
            counters=self.counters,
        )
        self.api.start()
        self.files.start()

    def stop(self) -> None:
        for server in (self.api, self.files):
            if server:
                server.stop()

    def urls(self) -> dict[str, str]:
        assert self.api is not None
        return {
            "zoom_api_url": f"{self.api.base_url}/v2",
            "zoom_oauth_url": f"{self.api.base_url}/oauth/token",
            "zoom_account_id": self.store.account_id,
            "zoom_client_id": self.store.client_id,
            "zoom_client_secret": self.store.client_secret,
            "zoom_webhook_secret": self.store.webhook_secret,
        }

    def reset(self) -> None:
        self.store.reset()

    # -- API --------------------------------------------------------------------------------
    def _api_router(self) -> Router:
        r = Router()
        r.not_found = lambda req: json_response(404, {"code": 404, "message": "Not found"})
        r.add("POST", "/oauth/token", self.oauth)
        r.add("GET", "/v2/users", self.list_users)
        r.add("GET", "/v2/users/{user_id}", self.get_user)
        r.add("GET", "/v2/users/{user_id}/recordings", self.list_recordings)
        r.add("GET", "/v2/accounts/{account_id}/recordings", self.account_recordings)
        r.add("GET", "/v2/meetings/{meeting}/recordings", self.meeting_recordings)
        r.add("GET", "/v2/past_meetings/{meeting}", self.past_meeting)
        r.add("GET", "/v2/past_meetings/{meeting}/instances", self.past_instances)
        r.add("GET", "/v2/past_meetings/{meeting}/participants", self.past_participants)
        r.add("GET", "/v2/report/meetings/{meeting}/participants", self.report_participants)
        self._archiving_routes(r)
        self._report_routes(r)
        self._webinar_routes(r)
        self._summary_routes(r)
        r.add("GET", "/rec/download/{file_id}", self.download)
        return r

    def oauth(self, req: Request) -> Response:
        store = self.store
        body = dict(
            pair.split("=", 1) for pair in req.read_body().decode().split("&") if "=" in pair
        )
        grant = req.arg("grant_type") or unquote(body.get("grant_type", ""))
        account = req.arg("account_id") or unquote(body.get("account_id", ""))
        auth = req.headers.get("Authorization", "")
        client = secret = ""
        if auth.lower().startswith("basic "):
            with contextlib.suppress(ValueError, UnicodeDecodeError):
                client, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
        if grant != "account_credentials":
            return json_response(
                400, {"reason": "Unsupported grant type", "error": "unsupported_grant_type"}
            )
        if client != store.client_id or not hmac.compare_digest(secret, store.client_secret):
            return json_response(
                400, {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}
            )
        if account != store.account_id:
            return json_response(400, {"reason": "Bad Request", "error": "invalid_request"})
        token, scopes = store.issue_token()
        return json_response(
            200,
            {
                "access_token": token,
                "token_type": "bearer",
                "expires_in": store.token_lifetime_s - 1,
                "scope": " ".join(sorted(scopes)),
                "api_url": "https://api.zoom.us",
            },
        )

    # -- users ------------------------------------------------------------------------------
    def list_users(self, req: Request) -> Response:
        self._auth(req, "users")
        status = req.arg("status", "active") or "active"
        users = self.store.users_with(status)
        return self._paged(req, f"users|{status}", users, "users", {})

    def get_user(self, req: Request) -> Response:
        """GET /users/{userId} (Light): userId is the user's id or email (Zoom's Get a user)."""
        self._auth(req, "user")
        return json_response(200, _user_body(self._user_or_404(req), self.store.account_id))

    # -- cloud recordings -------------------------------------------------------------------
    def _recordings_window(self, req: Request) -> tuple[date, date]:
        """`from`/`to` (yyyy-mm-dd UTC); no dates → today; a span over a month is clamped."""
        today = self.store.now().date()
        try:
            end = date.fromisoformat(req.arg("to") or (req.arg("from") or today.isoformat()))
            start = date.fromisoformat(req.arg("from") or today.isoformat())
        except ValueError:
            raise zoom_error(400, 300, "Invalid date format, expected yyyy-MM-dd.") from None
        if end < start:
            raise zoom_error(400, 300, "The from date must be before the to date.")
        return clamp_to_one_month(start, end), end

    def list_recordings(self, req: Request) -> Response:
        self._auth(req, "recordings")
        user_id = req.params["user_id"]
        user = self.store.find_user(user_id)
        if user is None:
            raise zoom_error(404, 1001, "User does not exist: " + user_id)
        start, end = self._recordings_window(req)
        meetings = self.store.meetings_of(user["id"], day_start(start), day_start(end))
        return self._paged(
            req,
            f"rec|{user['id']}|{start}|{end}",
            meetings,
            "meetings",
            {"from": start.isoformat(), "to": end.isoformat()},
            render=self._recording_body,
        )

    def account_recordings(self, req: Request) -> Response:
        """GET /accounts/me/recordings (Medium): the per-user listing's envelope for the whole
        account, each meeting with its `host_email` (zoom-content-sources.md §5; zoom-api.md
        §2.10). Without cloud_recording:read:list_account_recordings:admin (or the classic
        account:read:admin) Zoom answers 400 code 4711 naming it (observed 2026). Windows are
        clamped to a month like the per-user listing (UNSURE: the reference says "≤ 1 month"
        without saying whether a longer one is refused or clamped). Any other account ID is a
        Master-account call this single account cannot make."""
        account = req.params["account_id"]
        if account not in ("me", self.store.account_id):
            raise zoom_error(400, 2001, f"Account does not exist: {account}.")
        self._auth(req, "account_recordings")
        start, end = self._recordings_window(req)
        meetings = self.store.meetings_between(
            day_start(start), day_start(end), recorded=True, kinds=("meeting", "webinar")
        )
        return self._paged(
            req,
            f"acct-rec|{start}|{end}",
            meetings,
            "meetings",
            {"from": start.isoformat(), "to": end.isoformat()},
            render=lambda m: self._recording_body(m, host_email=True),
        )

    def meeting_recordings(self, req: Request) -> Response:
        """GET /meetings/{id|uuid}/recordings (Light): a numeric ID names the latest instance;
        a meeting or webinar Zoom did not record answers 404 code 3301."""
        self._auth(req, "meeting_recordings")
        m = self._meeting(req, latest_by_id=True)
        if not m.recorded:
            raise zoom_error(404, 3301, "There is no recording for this meeting.")
        return json_response(200, self._recording_body(m))

    # -- past meetings ----------------------------------------------------------------------
    def past_meeting(self, req: Request) -> Response:
        self._auth(req, "past_meeting")
        m = self._past(req, MISSING_PAST_MEETING)
        host = self._host(m)
        return json_response(
            200,
            {
                "uuid": m.uuid,
                "id": m.meeting_id,
                "host_id": m.host_id,
                "type": m.type,
                "topic": m.topic,
                "user_name": display_name(host),
                "user_email": host.get("email", ""),
                "start_time": iso(m.start_time),
                "end_time": iso(m.end_time),
                "duration": m.duration,
                "total_minutes": m.duration,
                "participants_count": m.admitted_count(),
                "dept": "",
                "source": "Zoom",
                # zoom-content-sources.md §4: past meeting details say whether an AI Companion
                # summary exists.
                "has_meeting_summary": m.summary is not None,
            },
        )

    def past_instances(self, req: Request) -> Response:
        """GET /past_meetings/{meetingId}/instances (Medium): the ended instances of a numeric
        meeting ID, `{"meetings": [{"uuid", "start_time"}]}` ("The meeting ID must be from
        within the last 30 days"; unknown → 404 code 3001)."""
        self._auth(req, "past_instances")
        raw = req.params["meeting"]
        found: list[ZoomMeeting] = []
        if raw.isdigit():
            now = self.store.now()
            found = [
                m
                for m in self.store.instances_of(int(raw))
                if m.kind == "meeting" and (now - m.start_time).days <= 30
            ]
        if not found:
            raise zoom_error(404, 3001, MISSING_PAST_MEETING)
        return json_response(
            200, {"meetings": [{"uuid": m.uuid, "start_time": iso(m.start_time)} for m in found]}
        )

    def past_participants(self, req: Request) -> Response:
        self._auth(req, "past_participants")
        m = self._past(req, MISSING_PAST_PARTICIPANTS)
        return self._paged(req, f"pp|{m.uuid}", self._past_rows(m), "participants", {})

    def report_participants(self, req: Request) -> Response:
        self._auth(req, "report")
        m = self._past(req, MISSING_REPORT)
        if not m.in_report:
            # Seeded as absent from Zoom's reports: answered as Zoom answers an unknown meeting.
            raise zoom_error(404, 3001, MISSING_REPORT.replace("{uuid}", req.params["meeting"]))
        rows = self._rows(m)
        if m.admitted_count() < 2:
            # The report covers "a past meeting with two or more participants, including the
            # host"; Zoom documents no error for the others, so they have no rows here.
            rows = []
        return self._paged(req, f"rp|{m.uuid}", rows, "participants", {})
