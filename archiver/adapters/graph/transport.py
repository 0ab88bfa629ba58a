"""Graph HTTP plumbing: bearer token, per-mailbox concurrency, Retry-After, error mapping."""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import requests

from archiver.adapters.graph.auth import TokenProvider
from archiver.adapters.retry import backoff_delay, parse_retry_after, pooled_session, utcnow
from archiver.errors import (
    ArchiverError,
    AuthenticationError,
    InvalidInputError,
    MailboxUnavailableError,
    NotFoundError,
    ServiceUnavailableError,
    ThrottledError,
)

MAILBOX_GONE = {
    "ErrorInvalidUser",
    "MailboxNotEnabledForRESTAPI",
    "MailboxNotFound",
    "ErrorMailboxNotFound",
    "ErrorQuotaExceeded",
    "QuotaExceededException",
    "ErrorAccountDisabled",
    "ErrorNonExistentMailbox",
}
MAILBOX_FULL = {"ErrorQuotaExceeded", "QuotaExceededException"}
# The item would exceed the mailbox's maximum message size (MaxReceiveSize; 36 MB by default in
# Exchange Online, at most 150 MB). Refused part-way through an upload session, or on creation.
MESSAGE_TOO_LARGE = {"ErrorMessageSizeExceeded"}


class Transport:
    """Sends Graph requests; at most `mailbox_concurrency` in flight per mailbox."""

    def __init__(
        self,
        *,
        token: TokenProvider,
        timeout: float,
        max_attempts: int,
        mailbox_concurrency: int,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
    ) -> None:
        self._token = token
        self._timeout = timeout
        self._attempts = max_attempts
        self._limit = mailbox_concurrency
        self.session = session or pooled_session()
        self._sleep, self._now = sleep, now
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not security
        self._gates: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()
        self.calls: dict[str, int] = {}

    def _gate(self, mailbox: str | None) -> threading.BoundedSemaphore | None:
        if mailbox is None:
            return None
        with self._lock:
            return self._gates.setdefault(mailbox.lower(), threading.BoundedSemaphore(self._limit))

    @contextlib.contextmanager
    def gate(self, mailbox: str | None) -> Iterator[None]:
        """Hold one of the mailbox's concurrency slots (Exchange allows 4 requests at once)."""
        gate = self._gate(mailbox)
        if gate is None:
            yield
            return
        with gate:
            yield

    def request(
        self,
        method: str,
        url: str,
        *,
        mailbox: str | None,
        kind: str,
        json: Any = None,
        data: bytes | None = None,
        params: dict[str, str] | None = None,
        idempotent: bool = True,
    ) -> dict[str, Any]:
        """One Graph call with retries; returns the JSON body ({} when empty).

        The body is `json` (encoded here) or `data` (JSON already encoded, sent as is).

        A non-idempotent call (creating an item or an attachment) is never repeated after a
        lost answer: the service may have done it. The caller looks before it tries again.
        """
        refreshed = False
        for attempt in range(1, self._attempts + 1):
            with self._lock:
                self.calls[kind] = self.calls.get(kind, 0) + 1
            headers = {"Authorization": f"Bearer {self._token.token(force_refresh=refreshed)}"}
            if data is not None:
                headers["Content-Type"] = "application/json"
            try:
                with self.gate(mailbox):
                    response = self.session.request(
                        method,
                        url,
                        json=json,
                        data=data,
                        params=params,
                        headers=headers,
                        timeout=self._timeout,
                    )
            except requests.RequestException as error:
                if attempt == self._attempts or not idempotent:
                    raise ServiceUnavailableError(
                        f"Graph unreachable: {type(error).__name__}",
                        service="graph",
                        mailbox=mailbox,
                    ) from None
                self._sleep(backoff_delay(attempt, rng=self._rng))
                continue
            body = json_body(response)
            if response.status_code < 300:
                return body
            code = error_code(body)
            if response.status_code == 401 and not refreshed:
                refreshed = True
                continue
            if code in MAILBOX_GONE:  # whatever the status (a full mailbox answers 507)
                raise map_error(response.status_code, code, body, kind, mailbox)
            if response.status_code == 429 or response.status_code >= 500:
                wait = self._retry_wait(
                    response,
                    code=code,
                    kind=kind,
                    mailbox=mailbox,
                    attempt=attempt,
                    idempotent=idempotent,
                )
                self._sleep(wait)
                continue
            raise map_error(response.status_code, code, body, kind, mailbox)
        raise ServiceUnavailableError(
            f"Graph kept failing on {kind}", service="graph", mailbox=mailbox
        )

    def _retry_wait(
        self,
        response: requests.Response,
        *,
        code: str,
        kind: str,
        mailbox: str | None,
        attempt: int,
        idempotent: bool,
    ) -> float:
        """Seconds to wait before retrying a 429 or 5xx; raises when it must not be retried.

        A 5xx on a non-idempotent call may have been carried out: never repeated blindly.
        """
        status = response.status_code
        last = attempt == self._attempts
        wait = parse_retry_after(response.headers.get("Retry-After"), now=self._now())
        if status == 429 and last:
            raise ThrottledError(
                f"Graph throttled {kind}",
                service="graph",
                status=429,
                code=code,
                mailbox=mailbox,
                retry_after=wait,
            )
        if status != 429 and (last or not idempotent):
            raise ServiceUnavailableError(
                f"Graph {status} on {kind}",
                service="graph",
                status=status,
                code=code,
                mailbox=mailbox,
            )
        return wait if wait is not None else backoff_delay(attempt, rng=self._rng)


def json_body(response: requests.Response) -> dict[str, Any]:
    """A response's JSON object, or {} when it has none (errors may come as HTML or empty)."""
    if not response.content:
        return {}
    try:
        value = response.json()
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def error_code(body: dict[str, Any]) -> str:
    """The `error.code` of a Graph / Outlook error body, or "" when it has none."""
    error = body.get("error")
    return str(error.get("code") or "") if isinstance(error, dict) else ""


USER_LOOKUPS = ("user", "user-filter")  # request kinds that read the directory, not a mailbox


def map_error(
    status: int, code: str, body: dict[str, Any], kind: str, mailbox: str | None
) -> ArchiverError:
    """A Graph error response as the archiver's error tree."""
    detail = body.get("error", {}).get("message", "") if isinstance(body.get("error"), dict) else ""
    message = f"Graph {status} {code or ''} on {kind}: {str(detail)[:200]}".replace("  ", " ")
    kw: dict[str, Any] = {
        "service": "graph",
        "status": status,
        "code": code or None,
        "mailbox": mailbox,
    }
    if code in MAILBOX_FULL:
        return MailboxUnavailableError(
            message,
            hint="the mailbox is full: raise its quota or enable its archive, then run "
            "`python -m archiver replay`",
            **kw,
        )
    if code in MESSAGE_TOO_LARGE:
        return MailboxUnavailableError(
            message,
            hint="the item is larger than this mailbox's maximum message size: raise its "
            "MaxReceiveSize to 150 MB (Set-Mailbox -MaxReceiveSize 150MB) and run `python -m "
            "archiver replay`, or lower MAX_ITEM_MB to the mailboxes' limit for later meetings",
            **kw,
        )
    if code in MAILBOX_GONE or (status == 404 and kind == "user"):
        return MailboxUnavailableError(message, **kw)
    if status == 401:
        return AuthenticationError(message, **kw)
    if status == 403 and kind in USER_LOOKUPS:
        return AuthenticationError(
            message,
            hint="mailbox lookups need Microsoft Graph User.Read.All (Application) with admin "
            "consent in Entra: it reads directory profiles, not mail",
            **kw,
        )
    if status == 403:
        return AuthenticationError(
            message,
            hint="add the mailbox to the app's Exchange RBAC for Applications management scope "
            "and confirm with Test-ServicePrincipalAuthorization (docs/admin-guide.md, section 2)",
            **kw,
        )
    if status == 404:
        return NotFoundError(message, **kw)
    return InvalidInputError(message, **kw)
