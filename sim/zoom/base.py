"""What every simulated Zoom endpoint shares: auth and scopes, rate limits, paging, lookups."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import unquote

from sim.core.http import Counters, HttpError, Request, Response, SimServer, json_response
from sim.zoom.endpoints import CATEGORY, CATEGORY_NAMES, ENDPOINT_SCOPES
from sim.zoom.model import ZoomFile, ZoomMeeting, participant_id, sessions_of
from sim.zoom.store import PAST_MEETING_DAYS, Refusal, Store

ISO = "%Y-%m-%dT%H:%M:%SZ"
# Where GET /counters reports authorised calls per rate-limit category (and refusals).
CATEGORY_COUNTERS = "zoom-categories"
# 404 code 3001 texts, as Zoom's OpenAPI spec words them for each endpoint ({uuid}: the meeting as
# the path gave it). Real answers are also quoted as "Meeting does not exist: …": match the code.
MISSING_PAST_MEETING = "This meeting is not available or the meeting ID is invalid."
MISSING_PAST_PARTICIPANTS = "This meeting is not available or ID is not valid."
MISSING_REPORT = "Meeting {uuid} not found or has expired."
MISSING_RECORDING = (3301, "There is no recording for this meeting.")
# Zoom's answer on every webinar endpoint when the account has no Webinar add-on: HTTP 400, code
# 200 (the spec's webinar error lists; observed "Zoom HTTP 400, error code 200: Webinar plan is
# missing" in a public connector's certification log). Code 200 is also Zoom's "No permission."
# code, which is why it reads like a missing scope.
WEBINAR_PLAN_MISSING = (
    "Webinar plan is missing. You must subscribe to the webinar plan and enable webinars for "
    "this user in order to perform this action."
)


def zoom_error(status: int, code: int, message: str, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return HttpError(json_response(status, {"code": code, "message": message}, headers))


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(ISO)


def parse_day(value: str | None, name: str) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        raise zoom_error(400, 300, f"Invalid field: {name} must be yyyy-MM-dd.") from None


def day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


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


def display_name(user: dict[str, Any]) -> str:
    return f"{user.get('first_name', '')} {user.get('last_name', '')}".strip()


class ZoomApiBase:
    """Mixin base of ZoomSim: the plumbing the endpoint modules share."""

    store: Store
    counters: Counters
    api: SimServer | None
    files: SimServer | None

    # -- auth and limits --------------------------------------------------------------------
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
        category = CATEGORY[endpoint]
        self.counters.add(CATEGORY_COUNTERS, CATEGORY_NAMES[category])
        refusal = self.store.rate(category)
        if refusal is not None:
            self.counters.add(CATEGORY_COUNTERS, CATEGORY_NAMES[category] + " refused")
            raise self._rate_limited(refusal)

    def _webinar_licence(self) -> None:
        if not self.store.webinar_licence:
            raise zoom_error(400, 200, WEBINAR_PLAN_MISSING)

    def _rate_limited(self, refusal: Refusal) -> HttpError:
        """Zoom's 429, in the shapes seen (shared/reference/zoom-api.md §3).

        Per-second: X-RateLimit-Type QPS and a Retry-After only sometimes (every other refusal
        here, in seconds). Daily: X-RateLimit-Type Daily-limit and Retry-After as an ISO 8601
        date-time, the next 00:00 UTC (Zoom's doc example: `Retry-After: 2020-05-31T00:00:00Z`).
        With rate_limit_headers "none", neither X-RateLimit-Type nor Retry-After is sent, as in a
        real daily-limit capture that had only category, limit and remaining.
        """
        headers = {
            "X-RateLimit-Category": CATEGORY_NAMES[refusal.category],
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
                now = self.store.now()
                midnight = datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=1)
                headers["Retry-After"] = midnight.strftime(ISO)
            message = (
                "You have reached the maximum daily rate limit for this API. Refer to "
                "the response header for details on when you can make another request."
            )
        return zoom_error(429, 429, message, headers)

    # -- paging -----------------------------------------------------------------------------
    def _page_size(self, req: Request) -> int:
        raw = req.arg("page_size", "30") or "30"
        if not raw.isdigit() or not 1 <= int(raw) <= 300:
            raise zoom_error(400, 300, "Invalid field: page_size must be at most 300.")
        return int(raw)

    def _paged(
        self,
        req: Request,
        key: str,
        items: Sequence[Any],
        field: str,
        extra: dict[str, Any],
        *,
        render: Callable[[Any], dict[str, Any]] | None = None,
    ) -> Response:
        """One page of `items` (any sliceable sequence), rendered page by page.

        `next_page_token` is opaque, tied to the query `key` and expires after 15 minutes
        (code 300 otherwise), as Zoom's spec says of every paged list.
        """
        size = self._page_size(req)
        offset = 0
        token = req.arg("next_page_token")
        if token:
            found = self.store.take_page(token, key)
            if found is None:
                raise zoom_error(400, 300, "The next page token is invalid or expired.")
            offset = found
        total = len(items)
        page = list(items[offset : offset + size])
        nxt = self.store.page_token(key, offset + size) if offset + size < total else ""
        return json_response(
            200,
            {
                **extra,
                "page_size": size,
                "total_records": total,
                "next_page_token": nxt,
                field: [render(x) for x in page] if render else page,
            },
        )

    # -- lookups ----------------------------------------------------------------------------
    def _user_or_404(self, req: Request) -> dict[str, Any]:
        user = self.store.find_user(req.params["user_id"])
        if user is None:
            raise zoom_error(404, 1001, f"User does not exist: {req.params['user_id']}.")
        return user

    def _meeting(
        self,
        req: Request,
        *,
        latest_by_id: bool = False,
        missing: tuple[int, str] = MISSING_RECORDING,
        param: str = "meeting",
    ) -> ZoomMeeting:
        """The instance a path names; 404 with `missing` (code, message) when there is none.

        A UUID that starts with `/` or contains `//` must be double-encoded: decoded once, it
        names no meeting. `{uuid}` in the message is replaced by the value as received.
        """
        once = req.params[param]
        uuid = unquote(once) if "%" in once else once
        code, message = missing[0], missing[1].replace("{uuid}", once)
        if once == uuid and (uuid.startswith("/") or "//" in uuid):
            raise zoom_error(404, code, message)
        meeting = self.store.meeting(uuid)
        if meeting is None and latest_by_id and uuid.isdigit():
            meeting = self.store.latest_by_id(int(uuid))
        if meeting is None:
            raise zoom_error(404, code, message)
        return meeting

    def _past(
        self, req: Request, missing: str, *, kind: str = "meeting", param: str = "meeting"
    ) -> ZoomMeeting:
        """A meeting (or webinar) for the past-meeting and report endpoints: an ID names the
        latest instance; 404 code 3001 when unknown, mis-encoded or of the other kind (webinars
        have their own endpoints), 400 code 12702 past a year."""
        m = self._meeting(req, latest_by_id=True, missing=(3001, missing), param=param)
        if m.kind != kind:
            raise zoom_error(404, 3001, missing.replace("{uuid}", req.params[param]))
        if self.store.now() - m.start_time > timedelta(days=PAST_MEETING_DAYS):
            raise zoom_error(400, 12702, "Can not access a meeting a year ago.")
        return m

    # -- shared bodies ----------------------------------------------------------------------
    def _base_url(self) -> str:
        assert self.api is not None
        return self.api.base_url

    def _host(self, m: ZoomMeeting) -> dict[str, Any]:
        return self.store.user_by_id(m.host_id)

    def _rows(self, m: ZoomMeeting) -> list[dict[str, Any]]:
        """Report participant rows: one per join/leave segment, with `status` in_meeting or
        in_waiting_room (a person who only waited has waiting-room rows only); time spent in
        a breakout room is a row of its own with the room's `bo_mtg_id` (Zoom's report fields;
        UNSURE how Zoom splits the main-room row around it: here it is left whole)."""
        rows = []
        for i, person in enumerate(m.participants):
            for j, (join, leave, status) in enumerate(sessions_of(person)):
                rows.append(self._row(m, i, j, person, span=(join, leave), status=status))
        for room in m.breakout_rooms:
            start = (room.started - m.start_time).total_seconds() / 60
            for name in room.members:
                i = m.index_of(name)
                if i is None:
                    continue
                span = (start, start + room.duration)
                row = self._row(m, i, 9, m.participants[i], span=span, status="in_meeting")
                rows.append({**row, "bo_mtg_id": room.room_id})
        return rows

    @staticmethod
    def _row(
        m: ZoomMeeting,
        i: int,
        j: int,
        person: dict[str, Any],
        *,
        span: tuple[float, float],
        status: str,
    ) -> dict[str, Any]:
        join, leave = span
        return {
            "id": person.get("user_id", f"p{i}"),
            "user_id": participant_id(i, j),
            "participant_user_id": person.get("user_id", ""),
            "name": person["name"],
            "user_email": person.get("email", "") or "",
            "join_time": iso(m.start_time + timedelta(minutes=join)),
            "leave_time": iso(m.start_time + timedelta(minutes=leave)),
            "duration": int((leave - join) * 60),
            "failover": False,
            "status": status,
            "customer_key": "",
            "registrant_id": "",
        }

    def _past_rows(self, m: ZoomMeeting) -> list[dict[str, Any]]:
        """Rows of GET /past_meetings|past_webinars/{id}/participants (2026 Rivet types)."""
        keep = ("id", "user_id", "name", "user_email", "join_time", "leave_time", "duration")
        people = [
            {
                **{k: r[k] for k in keep},
                "registrant_id": "",
                "failover": False,
                "status": r["status"],
                "internal_user": bool(r["participant_user_id"]),
            }
            for r in self._rows(m)
            if "bo_mtg_id" not in r
        ]
        if m.admitted_count() < 2:
            people = []  # "the API doesn't return results if there's only one participant"
        return people

    def _file_entry(self, m: ZoomMeeting, f: ZoomFile) -> dict[str, Any]:
        """A recording_files[] entry as Zoom lists it."""
        base = self._base_url()
        body: dict[str, Any] = {
            "id": f.file_id,
            "meeting_id": m.uuid,
            "recording_start": iso(m.start_time),
            "recording_end": iso(m.end_time),
            "file_type": f.file_type if f.status == "completed" else "",
            "file_extension": f.file_extension,
            "file_size": f.size_listed,
            "play_url": f"{base}/rec/play/{f.file_id}",
            "download_url": f.download_url or f"{base}/rec/download/{f.file_id}",
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

    def _recording_body(
        self, m: ZoomMeeting, *, webhook: bool = False, host_email: bool = False
    ) -> dict[str, Any]:
        """A meeting with its files: the recordings answers, and a webhook's payload.object.

        Listings carry no `host_email` (absent from Zoom's response types and from real
        captures): only `host_id`. Webhook payloads (RecordingCompletedEvent) and the account
        listing (zoom-content-sources.md §5) carry it.
        """
        files = [self._file_entry(m, f) for f in m.files if not f.participant_audio]
        audio = [self._file_entry(m, f) for f in m.files if f.participant_audio]
        body: dict[str, Any] = {
            "uuid": m.uuid,
            "id": m.meeting_id,
            "account_id": self.store.account_id,
            "host_id": m.host_id,
            "topic": m.topic,
            "type": m.type,
            "start_time": iso(m.start_time),
            "timezone": m.timezone,
            "duration": m.duration,
            "total_size": sum(f.size_listed for f in m.files),
            "recording_count": len(files) + len(audio),
            "share_url": f"https://zoom.us/rec/share/{m.meeting_id}",
            "recording_files": files,
        }
        if webhook or host_email:
            body["host_email"] = self._host(m).get("email", "")
        if audio:
            body["participant_audio_files"] = audio
        return body
