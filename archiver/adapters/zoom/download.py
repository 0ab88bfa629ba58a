"""Streamed recording downloads: token only to allowed hosts, redirect followed without it.

A transfer is complete when HTTP says so: the body ends cleanly at the length the response
announced (Content-Length, or the total of Content-Range for a resumed request). The size Zoom
lists for a file is not used to judge it: real downloads differ from it (and CC and TIMELINE
files list none).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Sequence
from types import TracebackType
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from archiver.errors import (
    IncompleteDownloadError,
    InvalidInputError,
    ServiceUnavailableError,
    UntrustedHostError,
)

CHUNK = 1024 * 1024
MAX_REDIRECTS = 3
_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")


def host_allowed(url: str, hosts: Sequence[str]) -> None:
    """Raise UntrustedHostError unless the URL is https on an allowed host (or *.suffix)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    ok = parts.scheme == "https" and any(
        host == pattern or (pattern.startswith("*.") and host.endswith(pattern[1:]))
        for pattern in hosts
    )
    if not ok:
        raise UntrustedHostError(
            f"download URL host {host or '(none)'} is not one of ZOOM_DOWNLOAD_HOSTS; "
            "the Zoom token was not sent",
            service="zoom",
        )


class Download:
    """Context manager; iterating yields the body in chunks and checks type, range and size."""

    def __init__(
        self,
        session: requests.Session,
        url: str,
        *,
        token: Callable[..., str],
        start: int,
        timeout: float,
    ) -> None:
        self._session = session
        self._url = url
        self._token = token
        self._start = start
        self._timeout = timeout
        self._response: requests.Response | None = None
        self.received = 0
        # The file's full size as HTTP announced it; None when the answer gave no length.
        self.total: int | None = None

    def __enter__(self) -> Iterator[bytes]:
        self._response = self._open()
        return self._chunks(self._response)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._response is not None:
            self._response.close()

    def _open(self) -> requests.Response:
        try:
            return self._open_with(self._token())
        except _TokenRefusedError:  # not chained: the second answer says all there is
            # Expired (401, or Zoom's 200 + HTML sign-in page): once more with a fresh token.
            return self._open_with(self._token(force_refresh=True), refused_before=True)

    def _open_with(self, token: str, *, refused_before: bool = False) -> requests.Response:
        # identity: the bytes received are the file itself, and Content-Length counts them.
        headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}
        if self._start:
            headers["Range"] = f"bytes={self._start}-"
        url = self._url
        for _ in range(MAX_REDIRECTS + 1):
            try:
                response = self._session.get(
                    url, headers=headers, stream=True, timeout=self._timeout, allow_redirects=False
                )
            except requests.RequestException as error:
                raise ServiceUnavailableError(
                    f"download failed: {type(error).__name__}", service="zoom"
                ) from None
            if response.status_code not in (301, 302, 303, 307, 308):
                if "Authorization" in headers and not refused_before and _refused(response):
                    response.close()
                    raise _TokenRefusedError
                return self._check(response)
            response.close()
            url = urljoin(url, response.headers.get("Location", ""))
            if urlsplit(url).scheme != "https":
                raise UntrustedHostError("download redirected to a non-https URL", service="zoom")
            # The redirect target is pre-signed and on another host: the token stays with us.
            headers.pop("Authorization", None)
        raise ServiceUnavailableError("download redirected too many times", service="zoom")

    def _check(self, response: requests.Response) -> requests.Response:
        status = response.status_code
        kind = response.headers.get("Content-Type", "").lower()
        if "text/html" in kind:
            # Zoom answers 200 + an HTML sign-in page for a bad or expired token: never archive it.
            response.close()
            self._token(force_refresh=True)
            raise IncompleteDownloadError(
                "download answered text/html instead of the file", service="zoom", status=status
            )
        if status >= 500 or status == 429:
            response.close()
            raise ServiceUnavailableError("download failed", service="zoom", status=status)
        if status == 401:
            # A fresh token refused too: Zoom's side, for now (the queue tries again later).
            response.close()
            raise ServiceUnavailableError(
                "download refused a fresh access token (401)", service="zoom", status=status
            )
        if self._start and status != 206:
            response.close()
            raise IncompleteDownloadError(
                "download ignored the Range request", service="zoom", status=status
            )
        if status == 416:
            response.close()
            raise IncompleteDownloadError(
                "download refused the Range request (416): the file changed", service="zoom"
            )
        if status not in (200, 206):
            response.close()
            raise InvalidInputError(f"download answered {status}", service="zoom", status=status)
        self.total = self._announced(response)
        return response

    def _announced(self, response: requests.Response) -> int | None:
        """The file's total size as the answer states it (Content-Range, else Content-Length)."""
        if self._start:
            found = _RANGE.fullmatch(response.headers.get("Content-Range", "").strip())
            if found is None or int(found[1]) != self._start:
                response.close()
                raise IncompleteDownloadError("download answered the wrong range", service="zoom")
            return None if found[3] == "*" else int(found[3])
        length = response.headers.get("Content-Length", "")
        return int(length) if length.isdigit() else None

    def _chunks(self, response: requests.Response) -> Iterator[bytes]:
        expected = None if self.total is None else self.total - self._start
        try:
            for chunk in response.iter_content(CHUNK):
                self.received += len(chunk)
                if expected is not None and self.received > expected:
                    raise IncompleteDownloadError(
                        "download is longer than its Content-Length", service="zoom"
                    )
                yield chunk
        except requests.RequestException as error:
            raise ServiceUnavailableError(
                f"download interrupted: {type(error).__name__}", service="zoom"
            ) from None
        if expected is not None and self.received != expected:
            raise IncompleteDownloadError(
                f"download ended after {self.received} of {expected} bytes", service="zoom"
            )

    @property
    def size(self) -> int:
        """Bytes of the file up to what was received (the whole file once iteration ended)."""
        return self._start + self.received


class DownloadTokens:
    """Download tokens Zoom's webhooks carry (Bearer for their files' download_url, 24 h), kept
    in this process only: a token is a credential, so it never reaches a queue, table or blob.
    Used when present; a download with one that fails forgets it, so the retry uses the app's
    own access token.
    """

    def __init__(self, clock: Callable[[], float], lifetime_s: float = 23 * 3600) -> None:
        self._clock = clock
        self._lifetime = lifetime_s
        self._lock = threading.Lock()
        self._by_url: dict[str, tuple[str, float]] = {}

    def remember(self, urls: Sequence[str], token: str) -> None:
        expires = self._clock() + self._lifetime
        with self._lock:
            now = self._clock()
            self._by_url = {u: v for u, v in self._by_url.items() if v[1] > now}
            for url in urls:
                self._by_url[url] = (token, expires)

    def get(self, url: str) -> str | None:
        with self._lock:
            found = self._by_url.get(url)
        return found[0] if found and found[1] > self._clock() else None

    def forget(self, url: str) -> None:
        with self._lock:
            self._by_url.pop(url, None)


class TokenDownload(Download):
    """A download with a webhook's download token: forgotten if the download fails."""

    def __init__(self, tokens: DownloadTokens, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tokens = tokens

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is not None:
            self._tokens.forget(self._url)
        super().__exit__(exc_type, exc, tb)


class _TokenRefusedError(Exception):
    """Zoom's own host refused the download's access token (asked again with a fresh one)."""


def _refused(response: requests.Response) -> bool:
    html = "text/html" in response.headers.get("Content-Type", "").lower()
    return response.status_code == 401 or html
