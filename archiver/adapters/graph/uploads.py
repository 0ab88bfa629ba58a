"""Graph upload sessions: chunks under 4 MB, resumed after a failed chunk, paced by 429s."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import requests

from archiver.adapters.graph.transport import (
    MESSAGE_TOO_LARGE,
    Transport,
    error_code,
    json_body,
    map_error,
)
from archiver.adapters.retry import parse_retry_after, utcnow
from archiver.errors import ServiceUnavailableError, ThrottledError

# Microsoft documents upload chunks under 4 MB, in multiples of 320 KiB.
CHUNK = 12 * 320 * 1024
# How long one upload may wait out 429s before the delivery is retried later instead.
MAX_UPLOAD_THROTTLE_S = 300.0


class Uploads:
    """Upload sessions through one Graph transport (the PUTs go to the session's own URL)."""

    def __init__(
        self,
        http: Transport,
        *,
        timeout: float,
        max_attempts: int,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._http = http
        self._timeout = timeout
        self._attempts = max_attempts
        self._sleep = sleep
        self._now = now

    def upload(
        self,
        create_url: str,
        *,
        mailbox: str,
        name: str,
        content_type: str,
        size: int,
        read: Callable[[int, int], bytes],
        attached: Callable[[], bool],
    ) -> str:
        """Attach a 3-150 MB file through an upload session, resuming after failed chunks.

        `create_url` is the message's attachments/createUploadSession URL; `attached` says
        whether the item has the attachment already (asked before a session is started again).
        """
        url = self._new_session(create_url, mailbox, name, content_type, size)
        offset, failures, throttled = 0, 0, 0.0
        while True:
            length = min(CHUNK, size - offset)
            chunk = read(offset, length)
            try:
                # The upload URL carries its own token; Graph's Authorization header must not
                # be sent to it (it is another host). It counts against the mailbox's
                # concurrency like any other request.
                with self._http.gate(mailbox):
                    response = self._http.session.put(
                        url,
                        data=chunk,
                        timeout=self._timeout,
                        headers={
                            "Content-Type": "application/octet-stream",
                            "Content-Length": str(length),
                            "Content-Range": f"bytes {offset}-{offset + length - 1}/{size}",
                        },
                    )
                status = response.status_code
            except requests.RequestException:
                status = 0
            if status == 201:
                return name
            if status == 200:
                offset = _next_offset(response.json(), size)
                failures = 0
                continue
            if status == 429:
                # Throttled (the mailbox's upload-byte budget or concurrency): the chunk was not
                # taken. Wait as told and send it again; a wait longer than the budget allows
                # gives the mailbox back to the queue for a later attempt.
                wait = parse_retry_after(response.headers.get("Retry-After"), now=self._now())
                wait = 1.0 if wait is None else wait
                throttled += wait
                if throttled > MAX_UPLOAD_THROTTLE_S:
                    raise ThrottledError(
                        f"upload of {name} throttled for over {MAX_UPLOAD_THROTTLE_S:.0f} s",
                        retry_after=wait,
                        service="graph",
                        mailbox=mailbox,
                        status=429,
                    )
                self._sleep(wait)
                continue
            body = json_body(response) if status else {}
            code = error_code(body)
            if code in MESSAGE_TOO_LARGE:
                # Past the mailbox's maximum message size: no retry can help.
                raise map_error(status, code, body, "upload", mailbox)
            failures += 1
            if failures >= self._attempts:
                raise ServiceUnavailableError(
                    f"upload of {name} kept failing",
                    service="graph",
                    mailbox=mailbox,
                    status=status or None,
                )
            if status == 404:
                # The session is gone: it expired, or it completed and its answer was lost (a
                # completed session answers 404). Only if the item lacks the file is it sent
                # again, in a new session from the beginning.
                if attached():
                    return name
                url, offset = self._new_session(create_url, mailbox, name, content_type, size), 0
                continue
            if status in (400, 416) and failures > 1:
                raise map_error(status, code, body, "upload", mailbox)
            self._sleep(min(30.0, 0.5 * 2**failures))
            offset = self._resume_offset(url, size, offset)

    def _new_session(
        self, create_url: str, mailbox: str, name: str, content_type: str, size: int
    ) -> str:
        body = self._http.request(
            "POST",
            create_url,
            mailbox=mailbox,
            kind="upload-session",
            json={
                "AttachmentItem": {
                    "attachmentType": "file",
                    "name": name,
                    "size": size,
                    "contentType": content_type,
                }
            },
        )
        return str(body["uploadUrl"])

    def _resume_offset(self, url: str, size: int, fallback: int) -> int:
        try:
            response = self._http.session.get(url, timeout=self._timeout)
        except requests.RequestException:
            return fallback
        if response.status_code != 200:
            return fallback
        return _next_offset(response.json(), size)


def _next_offset(body: dict[str, Any], size: int) -> int:
    ranges = body.get("nextExpectedRanges") or []
    if not ranges:
        return size
    match = re.match(r"(\d+)", str(ranges[0]))
    return int(match[1]) if match else 0
