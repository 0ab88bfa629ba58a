"""Zoom's REST API, OAuth and download hosts, as documented (shared/reference/zoom-api.md)."""

from __future__ import annotations

import base64
import contextlib
import hmac
import math
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from sim.core.http import (
    Counters,
    FaultInjector,
    HttpError,
    Request,
    Response,
    Router,
    SimServer,
    json_response,
)
from sim.core.tls import LocalCA
from sim.zoom.files import ZoomDownloads
from sim.zoom.store import ENDPOINT_SCOPES, Store, ZoomFile, ZoomMeeting
from sim.zoom.webhooks import ZoomWebhooks

ISO = "%Y-%m-%dT%H:%M:%SZ"
CATEGORY = {
    "users": "medium",
    "recordings": "medium",
    "meeting_recordings": "light",
    "past_meeting": "light",
    "past_participants": "medium",
    "report": "heavy",
    "archive": "medium",
}


def zoom_error(status: int, code: int, message: str, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return HttpError(json_response(status, {"code": code, "message": message}, headers))


class ZoomSim(ZoomDownloads, ZoomWebhooks):
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
        r.add("GET", "/v2/users/{user_id}/recordings", self.list_recordings)
        r.add("GET", "/v2/meetings/{meeting}/recordings", self.meeting_recordings)
        r.add("GET", "/v2/past_meetings/{meeting}", self.past_meeting)
        r.add("GET", "/v2/past_meetings/{meeting}/participants", self.past_participants)
        r.add("GET", "/v2/report/meetings/{meeting}/participants", self.report_participants)
        r.add("GET", "/v2/archive_files", self.archive_files)
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

    def _auth(self, req: Request, endpoint: str) -> None:
        token = req.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        scopes = self.store.token_scopes(token) if token else None
        if scopes is None:
            raise zoom_error(401, 124, "Invalid access token.")
        needed = ENDPOINT_SCOPES[endpoint]
        if not scopes.intersection(needed):
            granular = needed[0].removesuffix(":admin")
            raise zoom_error(
                400,
                4711,
                f"Invalid access token, does not contain scopes:[{granular}, {needed[0]}].",
            )
        allowed, kind, limit = self.store.rate(CATEGORY[endpoint])
        if not allowed:
            headers = {
                "X-RateLimit-Category": CATEGORY[endpoint].title(),
                "X-RateLimit-Type": kind,
                "X-RateLimit-Limit": str(limit),
                "X-RateLimit-Remaining": "0",
            }
            if kind == "QPS":
                retry = datetime.fromtimestamp(math.floor(time.time()) + 1, UTC)
                headers["Retry-After"] = retry.strftime(ISO)
                message = (
                    "You have reached the maximum per-second rate limit for this API. "
                    "Try again later."
                )
            else:
                message = (
                    "You have reached the maximum daily rate limit for this API. Refer to "
                    "the response header for details on when you can make another request."
                )
            raise zoom_error(429, 429, message, headers)

    def _page_size(self, req: Request) -> int:
        raw = req.arg("page_size", "30") or "30"
        if not raw.isdigit() or not 1 <= int(raw) <= 300:
            raise zoom_error(400, 300, "Invalid field: page_size must be at most 300.")
        return int(raw)

    def _paged(
        self, req: Request, key: str, items: list[Any], field: str, extra: dict[str, Any]
    ) -> Response:
        size = self._page_size(req)
        offset = 0
        token = req.arg("next_page_token")
        if token:
            found = self.store.take_page(token, key)
            if found is None:
                raise zoom_error(400, 300, "The next page token is invalid or expired.")
            offset = found
        page = items[offset : offset + size]
        nxt = self.store.page_token(key, offset + size) if offset + size < len(items) else ""
        return json_response(
            200,
            {
                **extra,
                "page_size": size,
                "total_records": len(items),
                "next_page_token": nxt,
                field: page,
            },
        )

    def list_users(self, req: Request) -> Response:
        self._auth(req, "users")
        status = req.arg("status", "active")
        with self.store.lock:
            users = [u for u in self.store.users.values() if u.get("status", "active") == status]
        return self._paged(req, f"users|{status}", users, "users", {})

    def list_recordings(self, req: Request) -> Response:
        self._auth(req, "recordings")
        user_id = req.params["user_id"]
        with self.store.lock:
            user = self.store.users.get(user_id) or next(
                (u for u in self.store.users.values() if u["email"] == user_id.lower()), None
            )
        if user is None:
            raise zoom_error(404, 1001, "User does not exist: " + user_id)
        today = datetime.now(UTC).date()
        try:
            start = date.fromisoformat(req.arg("from") or today.isoformat())
            end = date.fromisoformat(req.arg("to") or (req.arg("from") or today.isoformat()))
        except ValueError:
            raise zoom_error(400, 300, "Invalid date format, expected yyyy-MM-dd.") from None
        if end < start or (end - start).days > 31:
            raise zoom_error(400, 300, "The maximum date range can be one month.")
        begin = datetime(start.year, start.month, start.day, tzinfo=UTC)
        finish = datetime(end.year, end.month, end.day, tzinfo=UTC)
        meetings = [
            self._recording_body(m, listed=True)
            for m in self.store.meetings_of(user["id"], begin, finish)
        ]
        return self._paged(
            req,
            f"rec|{user['id']}|{start}|{end}",
            meetings,
            "meetings",
            {"from": start.isoformat(), "to": end.isoformat()},
        )

    def _meeting(self, req: Request, *, latest_by_id: bool = False) -> ZoomMeeting:
        once = req.params["meeting"]
        uuid = unquote(once) if "%" in once else once
        if once == uuid and (uuid.startswith("/") or "//" in uuid):
            raise zoom_error(404, 3301, "There is no recording for this meeting.")
        with self.store.lock:
            meeting = self.store.meetings.get(uuid)
            if meeting is None and latest_by_id and uuid.isdigit():
                same = [m for m in self.store.meetings.values() if m.meeting_id == int(uuid)]
                meeting = max(same, key=lambda m: m.start_time) if same else None
        if meeting is None:
            raise zoom_error(404, 3301, "There is no recording for this meeting.")
        return meeting

    def meeting_recordings(self, req: Request) -> Response:
        self._auth(req, "meeting_recordings")
        return json_response(200, self._recording_body(self._meeting(req, latest_by_id=True)))

    def past_meeting(self, req: Request) -> Response:
        self._auth(req, "past_meeting")
        m = self._meeting(req)
        host = self.store.users.get(m.host_id, {})
        return json_response(
            200,
            {
                "uuid": m.uuid,
                "id": m.meeting_id,
                "host_id": m.host_id,
                "type": 2,
                "topic": m.topic,
                "user_name": f"{host.get('first_name', '')} {host.get('last_name', '')}".strip(),
                "user_email": host.get("email", ""),
                "start_time": m.start_time.strftime(ISO),
                "end_time": (m.start_time + timedelta(minutes=m.duration)).strftime(ISO),
                "duration": m.duration,
                "total_minutes": m.duration,
                "participants_count": len(m.participants),
                "dept": "",
                "source": "Zoom",
            },
        )

    def _rows(self, m: ZoomMeeting) -> list[dict[str, Any]]:
        rows = []
        for i, person in enumerate(m.participants):
            for j, (join, leave) in enumerate(person["sessions"]):
                rows.append(
                    {
                        "id": person.get("user_id", f"p{i}"),
                        "user_id": f"{16778240 + i * 10 + j}",
                        "participant_user_id": person.get("user_id", ""),
                        "name": person["name"],
                        "user_email": person.get("email", "") or "",
                        "join_time": (m.start_time + timedelta(minutes=join)).strftime(ISO),
                        "leave_time": (m.start_time + timedelta(minutes=leave)).strftime(ISO),
                        "duration": int((leave - join) * 60),
                        "status": "in_meeting",
                    }
                )
        return rows

    def past_participants(self, req: Request) -> Response:
        self._auth(req, "past_participants")
        m = self._meeting(req)
        people = [
            {"id": r["id"], "name": r["name"], "user_email": r["user_email"]} for r in self._rows(m)
        ]
        return self._paged(req, f"pp|{m.uuid}", people, "participants", {})

    def report_participants(self, req: Request) -> Response:
        self._auth(req, "report")
        m = self._meeting(req)
        if not m.in_report or len(m.participants) < 2:
            # Reports only cover meetings with at least two participants.
            raise zoom_error(404, 3001, "Meeting does not exist: " + m.uuid)
        return self._paged(req, f"rp|{m.uuid}", self._rows(m), "participants", {})

    def archive_files(self, req: Request) -> Response:
        self._auth(req, "archive")
        if not self.store.archiving_enabled:
            raise zoom_error(400, 1020, "Archiving is not enabled for this account.")
        try:
            start = datetime.fromisoformat((req.arg("from") or "").replace("Z", "+00:00"))
            end = datetime.fromisoformat((req.arg("to") or "").replace("Z", "+00:00"))
        except ValueError:
            raise zoom_error(400, 300, "from and to must be yyyy-MM-dd'T'HH:mm:ssZ.") from None
        if end < start or end - start > timedelta(days=7):
            raise zoom_error(400, 300, "The date range can be at most 7 days.")
        return self._paged(
            req,
            f"archive|{start}|{end}",
            [],
            "meetings",
            {"from": req.arg("from"), "to": req.arg("to")},
        )

    def _recording_body(self, m: ZoomMeeting, *, listed: bool = False) -> dict[str, Any]:
        assert self.api is not None

        def entry(f: ZoomFile) -> dict[str, Any]:
            body: dict[str, Any] = {
                "id": f.file_id,
                "meeting_id": m.uuid,
                "recording_start": m.start_time.strftime(ISO),
                "recording_end": (m.start_time + timedelta(minutes=m.duration)).strftime(ISO),
                "file_type": f.file_type if f.status == "completed" else "",
                "file_extension": f.file_extension,
                "file_size": f.size,
                "play_url": f"{self.api.base_url}/rec/play/{f.file_id}",  # type: ignore[union-attr]
                "download_url": f"{self.api.base_url}/rec/download/{f.file_id}",  # type: ignore[union-attr]
                "status": f.status,
                "recording_type": f.recording_type,
            }
            return body

        files = [entry(f) for f in m.files if not f.participant_audio]
        audio = [entry(f) for f in m.files if f.participant_audio]
        body = {
            "uuid": m.uuid,
            "id": m.meeting_id,
            "account_id": self.store.account_id,
            "host_id": m.host_id,
            "host_email": self.store.users.get(m.host_id, {}).get("email", ""),
            "topic": m.topic,
            "type": 2,
            "start_time": m.start_time.strftime(ISO),
            "timezone": m.timezone,
            "duration": m.duration,
            "total_size": sum(f.size for f in m.files),
            "recording_count": len(files),
            "share_url": f"https://zoom.us/rec/share/{m.meeting_id}",
            "recording_files": files,
        }
        if audio:
            body["participant_audio_files"] = audio
        return body

    # -- webhooks ---------------------------------------------------------------------------
