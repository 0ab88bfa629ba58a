"""Zoom's REST API, OAuth and download hosts, as documented (shared/reference/zoom-api.md)."""

from __future__ import annotations

import base64
import calendar
import contextlib
import hmac
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
from sim.zoom.store import (
    ENDPOINT_SCOPES,
    PAST_MEETING_DAYS,
    Refusal,
    Store,
    ZoomFile,
    ZoomMeeting,
    admitted,
    sessions_of,
)
from sim.zoom.webhooks import ZoomWebhooks

ISO = "%Y-%m-%dT%H:%M:%SZ"
CATEGORY = {
    "users": "medium",
    "user": "light",
    "recordings": "medium",
    "meeting_recordings": "light",
    "past_meeting": "light",
    "past_participants": "medium",
    "report": "heavy",
    "archive": "medium",
}


# 404 code 3001 texts, as Zoom's OpenAPI spec words them for each endpoint ({uuid}: the meeting as
# the path gave it). Real answers are also quoted as "Meeting does not exist: …": match the code.
MISSING_PAST_MEETING = "This meeting is not available or the meeting ID is invalid."
MISSING_PAST_PARTICIPANTS = "This meeting is not available or ID is not valid."
MISSING_REPORT = "Meeting {uuid} not found or has expired."


def zoom_error(status: int, code: int, message: str, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return HttpError(json_response(status, {"code": code, "message": message}, headers))


def clamp_to_one_month(start: date, end: date) -> date:
    """The `from` Zoom uses for a recordings window: at most one calendar month before `to`.

    Zoom clamps a longer span instead of refusing it and echoes the clamped `from`
    (shared/reference/real-world-shapes.md #5), keeping `to`. "The maximum range can be a
    month" (Zoom's spec); we read a month as a calendar month back from `to`, the same day of
    the previous month (the last day when that month is shorter), so a real accepted window
    such as from=2024-11-04&to=2024-12-04 stays whole, while 2024-11-01..2024-12-31 comes back
    as from=2024-11-30: the days before it are only listed if the client notices and asks again.
    """
    year, month = (end.year, end.month - 1) if end.month > 1 else (end.year - 1, 12)
    earliest = date(year, month, min(end.day, calendar.monthrange(year, month)[1]))
    return max(start, earliest)


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
        "group_ids": [],
        "role_name": "Member",
        "user_created_at": "2024-01-01T00:00:00Z",
    }


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
        r.add("GET", "/v2/users/{user_id}", self.get_user)
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
        refusal = self.store.rate(CATEGORY[endpoint])
        if refusal is not None:
            raise self._rate_limited(refusal)

    def _rate_limited(self, refusal: Refusal) -> HttpError:
        """Zoom's 429, in the shapes seen (shared/reference/zoom-api.md §3).

        Per-second: X-RateLimit-Type QPS and a Retry-After only sometimes (every other refusal
        here, in seconds). Daily: X-RateLimit-Type Daily-limit and Retry-After as an ISO 8601
        date-time, the next 00:00 UTC (Zoom's doc example: `Retry-After: 2020-05-31T00:00:00Z`).
        With rate_limit_headers "none", neither X-RateLimit-Type nor Retry-After is sent, as in a
        real daily-limit capture that had only category, limit and remaining.
        """
        headers = {
            "X-RateLimit-Category": refusal.category.title().replace(
                "Resource", "Resource-intensive"
            ),
            "X-RateLimit-Limit": str(refusal.limit),
            "X-RateLimit-Remaining": "0",
        }
        full = self.store.rate_limit_headers != "none"
        if full:
            headers["X-RateLimit-Type"] = refusal.kind
        if refusal.kind == "QPS":
            if full and refusal.retry_after:
                headers["Retry-After"] = "1"
            message = (
                "You have reached the maximum per-second rate limit for this API. Try again later."
            )
        else:
            if full:
                now = datetime.fromtimestamp(self.store.clock(), UTC)
                midnight = datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=1)
                headers["Retry-After"] = midnight.strftime(ISO)
            message = (
                "You have reached the maximum daily rate limit for this API. Refer to "
                "the response header for details on when you can make another request."
            )
        return zoom_error(429, 429, message, headers)

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

    def get_user(self, req: Request) -> Response:
        """GET /users/{userId} (Light): userId is the user's id or email (Zoom's Get a user)."""
        self._auth(req, "user")
        user = self.store.find_user(req.params["user_id"])
        if user is None:
            raise zoom_error(404, 1001, f"User does not exist: {req.params['user_id']}.")
        return json_response(200, _user_body(user, self.store.account_id))

    def list_recordings(self, req: Request) -> Response:
        self._auth(req, "recordings")
        user_id = req.params["user_id"]
        user = self.store.find_user(user_id)
        if user is None:
            raise zoom_error(404, 1001, "User does not exist: " + user_id)
        today = datetime.now(UTC).date()
        try:
            end = date.fromisoformat(req.arg("to") or (req.arg("from") or today.isoformat()))
            start = date.fromisoformat(req.arg("from") or today.isoformat())
        except ValueError:
            raise zoom_error(400, 300, "Invalid date format, expected yyyy-MM-dd.") from None
        if end < start:
            raise zoom_error(400, 300, "The from date must be before the to date.")
        start = clamp_to_one_month(start, end)
        begin = datetime(start.year, start.month, start.day, tzinfo=UTC)
        finish = datetime(end.year, end.month, end.day, tzinfo=UTC)
        meetings = [
            self._recording_body(m) for m in self.store.meetings_of(user["id"], begin, finish)
        ]
        return self._paged(
            req,
            f"rec|{user['id']}|{start}|{end}",
            meetings,
            "meetings",
            {"from": start.isoformat(), "to": end.isoformat()},
        )

    def _meeting(
        self,
        req: Request,
        *,
        latest_by_id: bool = False,
        missing: tuple[int, str] = (3301, "There is no recording for this meeting."),
    ) -> ZoomMeeting:
        """The instance a path names; 404 with `missing` (code, message) when there is none.

        A UUID that starts with `/` or contains `//` must be double-encoded: decoded once, it
        names no meeting. `{uuid}` in the message is replaced by the value as received.
        """
        once = req.params["meeting"]
        uuid = unquote(once) if "%" in once else once
        code, message = missing[0], missing[1].replace("{uuid}", once)
        if once == uuid and (uuid.startswith("/") or "//" in uuid):
            raise zoom_error(404, code, message)
        with self.store.lock:
            meeting = self.store.meetings.get(uuid)
            if meeting is None and latest_by_id and uuid.isdigit():
                same = [m for m in self.store.meetings.values() if m.meeting_id == int(uuid)]
                meeting = max(same, key=lambda m: m.start_time) if same else None
        if meeting is None:
            raise zoom_error(404, code, message)
        return meeting

    def _past(self, req: Request, missing: str) -> ZoomMeeting:
        """A meeting for the past-meeting and report endpoints: 404 code 3001 when unknown or
        mis-encoded (3301 is the recordings' "no recording"), 400 code 12702 past a year."""
        m = self._meeting(req, missing=(3001, missing))
        if datetime.now(UTC) - m.start_time > timedelta(days=PAST_MEETING_DAYS):
            raise zoom_error(400, 12702, "Can not access a meeting a year ago.")
        return m

    def meeting_recordings(self, req: Request) -> Response:
        self._auth(req, "meeting_recordings")
        return json_response(200, self._recording_body(self._meeting(req, latest_by_id=True)))

    def past_meeting(self, req: Request) -> Response:
        self._auth(req, "past_meeting")
        m = self._past(req, MISSING_PAST_MEETING)
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
                "participants_count": sum(1 for p in m.participants if admitted(p)),
                "dept": "",
                "source": "Zoom",
            },
        )

    def _rows(self, m: ZoomMeeting) -> list[dict[str, Any]]:
        """One row per join/leave segment, with `status` in_meeting or in_waiting_room (a person
        who only waited has waiting-room rows only)."""
        rows = []
        for i, person in enumerate(m.participants):
            for j, (join, leave, status) in enumerate(sessions_of(person)):
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
                        "failover": False,
                        "status": status,
                        "customer_key": "",
                        "registrant_id": "",
                    }
                )
        return rows

    def past_participants(self, req: Request) -> Response:
        self._auth(req, "past_participants")
        m = self._past(req, MISSING_PAST_PARTICIPANTS)
        keep = ("id", "user_id", "name", "user_email", "join_time", "leave_time", "duration")
        people = [
            {
                **{k: r[k] for k in keep},
                "failover": False,
                "status": r["status"],
                "internal_user": bool(r["participant_user_id"]),
            }
            for r in self._rows(m)
        ]
        if sum(1 for p in m.participants if admitted(p)) < 2:
            people = []  # "the API doesn't return results if there's only one participant"
        return self._paged(req, f"pp|{m.uuid}", people, "participants", {})

    def report_participants(self, req: Request) -> Response:
        self._auth(req, "report")
        m = self._past(req, MISSING_REPORT)
        if not m.in_report:
            # Seeded as absent from Zoom's reports: answered as Zoom answers an unknown meeting.
            raise zoom_error(404, 3001, MISSING_REPORT.replace("{uuid}", req.params["meeting"]))
        rows = self._rows(m)
        if sum(1 for p in m.participants if admitted(p)) < 2:
            # The report covers "a past meeting with two or more participants, including the
            # host"; Zoom documents no error for the others, so they have no rows here.
            rows = []
        return self._paged(req, f"rp|{m.uuid}", rows, "participants", {})

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

    def _file_entry(self, m: ZoomMeeting, f: ZoomFile) -> dict[str, Any]:
        """A recording_files[] entry as Zoom lists it."""
        assert self.api is not None
        body: dict[str, Any] = {
            "id": f.file_id,
            "meeting_id": m.uuid,
            "recording_start": m.start_time.strftime(ISO),
            "recording_end": (m.start_time + timedelta(minutes=m.duration)).strftime(ISO),
            "file_type": f.file_type if f.status == "completed" else "",
            "file_extension": f.file_extension,
            "file_size": f.size_listed,
            "play_url": f"{self.api.base_url}/rec/play/{f.file_id}",
            "download_url": f.download_url or f"{self.api.base_url}/rec/download/{f.file_id}",
            "status": f.status,
            "recording_type": f.recording_type,
        }
        if not f.listed:
            # Zoom's spec: "A recording file object with file type of either CC or TIMELINE
            # does not have the following properties: id, status, file_size, recording_type,
            # and play_url." The download URL still works.
            for name in ("id", "status", "file_size", "recording_type", "play_url"):
                del body[name]
        return body

    def _recording_body(self, m: ZoomMeeting, *, webhook: bool = False) -> dict[str, Any]:
        """A meeting with its files: the recordings answers, and a webhook's payload.object.

        Listings carry no `host_email` (absent from Zoom's response types and from real
        captures): only `host_id`. Webhook payloads (RecordingCompletedEvent) carry it.
        """
        files = [self._file_entry(m, f) for f in m.files if not f.participant_audio]
        audio = [self._file_entry(m, f) for f in m.files if f.participant_audio]
        body: dict[str, Any] = {
            "uuid": m.uuid,
            "id": m.meeting_id,
            "account_id": self.store.account_id,
            "host_id": m.host_id,
            "topic": m.topic,
            "type": 2,
            "start_time": m.start_time.strftime(ISO),
            "timezone": m.timezone,
            "duration": m.duration,
            "total_size": sum(f.size_listed for f in m.files),
            "recording_count": len(files) + len(audio),
            "share_url": f"https://zoom.us/rec/share/{m.meeting_id}",
            "recording_files": files,
        }
        if webhook:
            body["host_email"] = self.store.users.get(m.host_id, {}).get("email", "")
        if audio:
            body["participant_audio_files"] = audio
        return body

    # -- webhooks ---------------------------------------------------------------------------
