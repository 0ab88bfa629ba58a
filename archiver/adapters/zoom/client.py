"""The Zoom REST client: Server-to-Server OAuth, paging, month windows, retries, error mapping."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from archiver.adapters.retry import backoff_delay, parse_retry_after, pooled_session, utcnow
from archiver.adapters.zoom.answers import daily_limit, error_for, json_body
from archiver.adapters.zoom.download import Download, DownloadTokens, TokenDownload, host_allowed
from archiver.adapters.zoom.ratelimit import (
    Limiter,
    RateLimiter,
    exhausted_by_zoom,
    seconds_to_midnight,
)
from archiver.adapters.zoom.reports import ReportCalls
from archiver.core.archive import listing_files
from archiver.errors import (
    AuthenticationError,
    BudgetExhaustedError,
    InvalidInputError,
    NotFoundError,
    ServiceUnavailableError,
    ThrottledError,
)

MAX_PAGE = 300
ARCHIVE_WINDOW_DAYS = 7  # GET /archive_files: from and to at most seven days apart
# Zoom lists recordings over at most one month; windows overlap by a day so nothing near the
# edges is missed, and results are de-duplicated by UUID.
WINDOW_DAYS = 30
REFRESH_BEFORE = 300  # seconds before expiry at which a token is renewed
TOO_OLD = "12702"  # Zoom: "Can not access a meeting a year ago" (past meetings and reports)
TOKEN_REJECTED = 124  # Zoom: invalid or expired access token
# A rejected token is replaced at most this many times per request: another instance of the
# same app may have been issued a newer one (which can invalidate ours), so a second rejection
# is possible; waiting a jittered moment first keeps instances from replacing each other's
# tokens in lockstep.
MAX_TOKEN_REFRESHES = 3
QPS_WINDOW = 1.0  # seconds: Zoom's per-second rate-limit window


def encode_uuid(uuid: str) -> str:
    """A meeting UUID for a URL path; double-encoded when it starts with "/" or contains "//"."""
    once = quote(uuid, safe="")
    return quote(once, safe="") if uuid.startswith("/") or "//" in uuid else once


class ZoomClient(ReportCalls):
    """Calls Zoom's API with an account-level token; never sends it to a foreign host."""

    def __init__(
        self,
        *,
        api_url: str,
        oauth_url: str,
        account_id: str,
        client_id: str,
        client_secret: str,
        download_hosts: Sequence[str],
        plan: str = "business",
        limiter: Limiter | None = None,
        timeout: float = 60,
        max_attempts: int = 5,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
    ) -> None:
        self._api = api_url.rstrip("/")
        self._oauth = oauth_url
        self._account = account_id
        self._auth = (client_id, client_secret)
        api_host = urlsplit(self._api).hostname or ""
        self._hosts = (api_host, *download_hosts)
        self._timeout = timeout
        self._attempts = max_attempts
        self._session = session or pooled_session()
        self._clock, self._sleep, self._now = clock, sleep, now
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not security
        # The function app passes the budget its instances share (bootstrap); alone, the
        # process limits itself.
        self._limiter: Limiter = limiter or RateLimiter(plan, clock=clock, sleep=sleep, now=now)
        self._download_tokens = DownloadTokens(clock)
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires = 0.0
        # The scopes Zoom says the last token carries (empty until a token is fetched).
        self.granted_scopes: frozenset[str] = frozenset()
        self.calls: dict[str, int] = {}

    # -- auth -------------------------------------------------------------------------------
    def token(self, *, force_refresh: bool = False) -> str:
        """A valid access token, fetched or renewed when needed."""
        with self._lock:
            if force_refresh or not self._token or self._clock() > self._expires - REFRESH_BEFORE:
                self._token, lifetime = self._fetch_token()
                self._expires = self._clock() + lifetime
            return self._token

    def _fetch_token(self) -> tuple[str, float]:
        self._count("POST /oauth/token")
        try:
            response = self._session.post(
                self._oauth,
                params={"grant_type": "account_credentials", "account_id": self._account},
                auth=self._auth,
                timeout=self._timeout,
            )
        except requests.RequestException as error:
            raise ServiceUnavailableError(
                f"Zoom OAuth unreachable at {self._oauth} ({type(error).__name__})",
                service="zoom",
                hint="check the network path to Zoom, a proxy (HTTPS_PROXY) and ZOOM_OAUTH_URL",
            ) from None
        if response.status_code >= 500:
            raise ServiceUnavailableError(
                "Zoom OAuth failed", service="zoom", status=response.status_code
            )
        body = json_body(response)
        if response.status_code != 200 or "access_token" not in body:
            reason = body.get("reason") or body.get("error") or body.get("message") or "refused"
            code = str(body.get("error") or "") or None
            raise AuthenticationError(
                f"Zoom refused the Server-to-Server OAuth credentials: {reason}",
                service="zoom",
                status=response.status_code,
                code=code,
                hint="ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET must be the App Credentials of the "
                "Server-to-Server OAuth app"
                if code == "invalid_client"
                else "ZOOM_ACCOUNT_ID must be the Account ID of the app's App Credentials page, "
                "and the app must be activated (docs/admin-guide.md, section 1)",
            )
        self.granted_scopes = frozenset(str(body.get("scope") or "").split())
        return str(body["access_token"]), float(body.get("expires_in", 3600))

    # -- API calls --------------------------------------------------------------------------
    def list_users(self, *, status: str = "active") -> Iterator[dict[str, Any]]:
        """Every user with the status (active, inactive, pending)."""
        yield from self._pages("/users", "users", "medium", {"status": status})

    def list_recordings(self, user_id: str, *, start: date, end: date) -> Iterator[dict[str, Any]]:
        """A user's cloud recordings (one entry per meeting instance) between two UTC days.

        Zoom clamps a window longer than it allows instead of refusing it, and says so only by
        echoing the `from` it used: a window whose echoed start is later than asked is listed
        again for the days it skipped, so no day is lost at a month boundary.
        """
        yield from self._recordings(f"/users/{quote(user_id, safe='')}/recordings", start, end)

    def list_account_recordings(self, *, start: date, end: date) -> Iterator[dict[str, Any]]:
        """Every user's cloud recordings between two UTC days in one listing (each meeting with
        its host_email): discovery's cost follows meetings, not users. Zoom answers 400 code 4711
        naming the scope when the app may not list the account's recordings."""
        yield from self._recordings("/accounts/me/recordings", start, end)

    def _recordings(self, path: str, start: date, end: date) -> Iterator[dict[str, Any]]:
        seen: set[str] = set()
        windows = list(_windows(start, end))
        while windows:
            window_start, window_end = windows.pop(0)
            params = {"from": window_start.isoformat(), "to": window_end.isoformat()}
            echo: dict[str, Any] = {}
            for meeting in self._pages(path, "meetings", "medium", params, echo=echo):
                if meeting.get("uuid") not in seen:
                    seen.add(str(meeting.get("uuid")))
                    yield meeting
            used = _echoed_day(echo.get("from"))
            if used is not None and window_start < used <= window_end:
                # The day `used` itself was listed; overlap it anyway, as between windows.
                windows.insert(0, (window_start, used))

    def get_user(self, user_id: str) -> dict[str, Any]:
        """One Zoom user (id or email): the host's address, which recordings do not carry."""
        return self._get(f"/users/{quote(user_id, safe='')}", "light")

    def get_recordings(self, meeting_uuid: str) -> dict[str, Any]:
        """One meeting instance's recording files."""
        return self._get(f"/meetings/{encode_uuid(meeting_uuid)}/recordings", "light")

    def get_past_meeting(self, meeting_uuid: str) -> dict[str, Any]:
        """A past meeting instance's details."""
        return self._get(f"/past_meetings/{encode_uuid(meeting_uuid)}", "light")

    def list_participants(self, meeting_uuid: str) -> list[dict[str, Any]]:
        """Participants, one row per join/leave (report API, else the past-meetings API)."""
        uuid = encode_uuid(meeting_uuid)
        try:
            return list(
                self._pages(f"/report/meetings/{uuid}/participants", "participants", "heavy", {})
            )
        except (NotFoundError, InvalidInputError, AuthenticationError, BudgetExhaustedError):
            # The report API needs a Pro+ plan and the report scope, and the day's Heavy budget:
            # fall back to the basic list (Medium).
            return list(
                self._pages(f"/past_meetings/{uuid}/participants", "participants", "medium", {})
            )

    def list_archive_files(self, *, start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
        """Archived meetings and breakout rooms whose archive completed between two instants
        (the Archiving API; Zoom allows at most 7 days per query), each listed once.

        Listed by `archive_complete_time`, so an archive that completes late is found in the
        window it completed in. Zoom resets a `to` in the future to now and binds its page
        tokens to the `to` it echoed: later pages ask with that one.
        """
        seen: set[str] = set()
        window = start
        while window < end:
            until = min(end, window + timedelta(days=ARCHIVE_WINDOW_DAYS))
            params = {
                "from": window.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "to": until.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "query_date_type": "archive_complete_time",
            }
            pages = self._pages("/archive_files", "meetings", "medium", params, rebind=("to",))
            for meeting in pages:
                if meeting.get("uuid") not in seen:
                    seen.add(str(meeting.get("uuid")))
                    yield meeting
            window = until

    def get_archive_files(self, meeting_uuid: str) -> dict[str, Any]:
        """One meeting instance's (or breakout room's) archive; NotFoundError code 3001 when
        Zoom keeps none (never archived, deleted, or past the account's retention)."""
        return self._get(f"/past_meetings/{encode_uuid(meeting_uuid)}/archive_files", "light")

    def list_past_polls(self, meeting_uuid: str, *, webinar: bool = False) -> dict[str, Any]:
        """A past meeting (or webinar) instance's poll results (Medium; no report fields)."""
        return self._get(f"/{_past(webinar)}/{encode_uuid(meeting_uuid)}/polls", "medium")

    def get_past_qa(self, meeting_uuid: str, *, webinar: bool = False) -> dict[str, Any]:
        """A past meeting (or webinar) instance's Q&A (Medium: the answers joined in one text)."""
        return self._get(f"/{_past(webinar)}/{encode_uuid(meeting_uuid)}/qa", "medium")

    def get_report_qa(self, meeting_uuid: str, *, webinar: bool = False) -> dict[str, Any]:
        """The Q&A report (Heavy: question ids, times, status, each answer with its type)."""
        return self._get(f"/{_report(webinar)}/{encode_uuid(meeting_uuid)}/qa", "heavy")

    def get_report_survey(self, meeting_uuid: str, *, webinar: bool = False) -> dict[str, Any]:
        """The survey report of a meeting (or webinar) instance (Heavy)."""
        return self._get(f"/{_report(webinar)}/{encode_uuid(meeting_uuid)}/survey", "heavy")

    def get_meeting_summary(self, meeting_uuid: str) -> dict[str, Any]:
        """The AI Companion summary of a meeting instance; NotFoundError when it has none."""
        return self._get(f"/meetings/{encode_uuid(meeting_uuid)}/meeting_summary", "light")

    def list_meeting_summaries(self, *, start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
        """The account's AI Companion summaries created between two instants (header fields)."""
        params = {
            "from": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "to": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        return self._pages("/meetings/meeting_summaries", "summaries", "medium", params)

    def remember_download_token(self, listing: dict[str, Any], token: str) -> None:
        """A webhook's download_token, for the download_urls of the files it lists (in this
        process only: see DownloadTokens)."""
        urls = [str(f.get("download_url")) for f in listing_files(listing) if f.get("download_url")]
        if token and urls:
            self._download_tokens.remember(urls, token)

    def open_download(self, url: str, *, start: int = 0) -> Download:
        """Stream a recording file; refused before any request if the host is not Zoom's."""
        host_allowed(url, self._hosts)
        self._count("GET download")
        given = self._download_tokens.get(url)
        if given is not None:
            return TokenDownload(
                self._download_tokens,
                self._session,
                url,
                token=lambda **_: given,
                start=start,
                timeout=self._timeout,
            )
        return Download(self._session, url, token=self.token, start=start, timeout=self._timeout)

    def remaining_today(self, category: str) -> int | None:
        """Calls of a rate-limit category (e.g. "heavy") left today; None when uncapped."""
        return self._limiter.remaining_today(category)

    # -- plumbing ---------------------------------------------------------------------------
    def _pages(
        self,
        path: str,
        field: str,
        category: str,
        params: dict[str, str],
        *,
        echo: dict[str, Any] | None = None,
        rebind: tuple[str, ...] = (),
    ) -> Iterator[dict[str, Any]]:
        """Every entry of a paged listing. `rebind`: parameters whose value Zoom echoes in the
        first page and expects unchanged with its page tokens."""
        token = ""
        params = dict(params)
        while True:
            query = {**params, "page_size": str(MAX_PAGE)}
            if token:
                query["next_page_token"] = token
            body = self._get(path, category, query)
            if echo is not None and not token:
                echo.update({k: v for k, v in body.items() if k in ("from", "to")})
            if not token:
                params.update({k: str(body[k]) for k in rebind if body.get(k)})
            page = body.get(field)
            if page is not None and not isinstance(page, list):
                raise InvalidInputError(
                    f"Zoom {path}: {field} is not a list ({type(page).__name__})", service="zoom"
                )
            yield from page or []
            token = str(body.get("next_page_token") or "")
            if not token:
                return

    def _get(
        self, path: str, category: str, params: dict[str, str] | None = None
    ) -> dict[str, Any]:
        refreshes = 0
        attempt = 0
        while attempt < self._attempts:
            attempt += 1
            self._limiter.acquire(category)
            self._count(f"GET {path.split('/', 2)[1]}")
            used = self.token()
            try:
                response = self._session.get(
                    f"{self._api}{path}",
                    params=params,
                    timeout=self._timeout,
                    headers={"Authorization": f"Bearer {used}"},
                )
            except requests.RequestException as error:
                if attempt == self._attempts:
                    raise ServiceUnavailableError(
                        f"Zoom unreachable at {self._api} ({type(error).__name__})",
                        service="zoom",
                        hint="check the network path to Zoom, a proxy (HTTPS_PROXY) and "
                        "ZOOM_API_URL",
                    ) from None
                self._sleep(backoff_delay(attempt, rng=self._rng))
                continue
            body = json_body(response)
            code = body.get("code")
            if response.status_code == 200:
                return body
            if response.status_code == 401 and code == TOKEN_REJECTED:
                if refreshes >= MAX_TOKEN_REFRESHES:
                    raise AuthenticationError(
                        f"Zoom kept refusing fresh access tokens on {path} (code 124)",
                        service="zoom",
                        status=401,
                        code=str(code),
                    )
                if refreshes:
                    self._sleep(backoff_delay(refreshes, base=1.0, rng=self._rng))
                refreshes += 1
                attempt -= 1  # a replaced token is not a failed attempt
                self._replace_token(used)
                continue
            if response.status_code == 429 or response.status_code >= 500:
                self._sleep(self._retry_wait(response, body, path, category, attempt))
                continue
            raise error_for(response.status_code, code, body, path)
        raise ServiceUnavailableError(f"Zoom kept failing on {path}", service="zoom")

    def _retry_wait(
        self,
        response: requests.Response,
        body: dict[str, Any],
        path: str,
        category: str,
        attempt: int,
    ) -> float:
        """Seconds to wait before trying a 429 or 5xx again; raises when there is no point."""
        wait = parse_retry_after(response.headers.get("Retry-After"), now=self._now())
        if daily_limit(response, body):
            # The day's budget is spent: waiting here until 00:00 UTC would hold the function
            # for hours, so the caller is told when to come back, and the limiter stops every
            # caller (every instance, when shared) until then.
            self._limiter.refused(category, daily=True, retry_after=wait)
            raise exhausted_by_zoom(
                category,
                wait if wait is not None else seconds_to_midnight(self._now()),
                where=f" on {path}",
                status=response.status_code,
            )
        if response.status_code == 429:
            self._limiter.refused(category, daily=False, retry_after=wait)
        if attempt == self._attempts:
            raise ThrottledError(
                f"Zoom {response.status_code} on {path}",
                service="zoom",
                status=response.status_code,
                retry_after=wait,
            )
        if wait is None:
            wait = backoff_delay(attempt, rng=self._rng)
            if response.status_code == 429:
                # Zoom's limits are per second and some 429s say nothing more: a jittered
                # wait under a second could land in the same window again.
                wait += QPS_WINDOW
        return wait

    def _replace_token(self, rejected: str) -> None:
        """Fetch a new token unless another thread already replaced the rejected one."""
        with self._lock:
            if self._token == rejected:
                self._token, lifetime = self._fetch_token()
                self._expires = self._clock() + lifetime

    def _count(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1


def _windows(start: date, end: date) -> Iterator[tuple[date, date]]:
    """[start, end] in windows of at most WINDOW_DAYS, each overlapping the last by a day."""
    window_start = start
    while True:
        window_end = min(end, window_start + timedelta(days=WINDOW_DAYS))
        yield window_start, window_end
        if window_end >= end:
            return
        window_start = window_end - timedelta(days=1)


def _echoed_day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _past(webinar: bool) -> str:
    return "past_webinars" if webinar else "past_meetings"


def _report(webinar: bool) -> str:
    return "report/webinars" if webinar else "report/meetings"
