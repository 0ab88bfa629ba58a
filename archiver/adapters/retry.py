"""Retry timing rules shared by the Zoom and Graph clients (pure: no I/O, no sleeping)."""

from __future__ import annotations

import os
import random
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import requests
import requests.adapters
import requests.auth


def utcnow() -> datetime:
    """The wall clock Retry-After dates are read against (the clients' default `now`)."""
    return datetime.now(UTC)


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After value given as seconds, an HTTP date or an ISO date."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    when: datetime | None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def backoff_delay(
    attempt: int, *, base: float = 0.5, cap: float = 30.0, rng: random.Random | None = None
) -> float:
    """Full-jitter exponential backoff for the given 1-based attempt."""
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    return (rng or random).uniform(0, ceiling)


class _NoAuth(requests.auth.AuthBase):
    """Leaves requests untouched; its presence stops requests reading ~/.netrc on every call."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        return request


PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy")


def uses_proxy(environ: Mapping[str, str]) -> bool:
    """True when the environment configures an outbound proxy (any case, as requests reads it)."""
    return any(environ.get(name) or environ.get(name.upper()) for name in PROXY_VARIABLES)


def pooled_session(
    pool_size: int = 32, *, environ: Mapping[str, str] = os.environ
) -> requests.Session:
    """A requests session whose connection pools fit the worker threads that share it."""
    session = requests.Session()
    # Profiling showed a filesystem lookup of ~/.netrc per request (trust_env); our clients set
    # their own Authorization headers, so netrc never applies.
    session.auth = _NoAuth()
    if not uses_proxy(environ):
        # Without a proxy the environment only contributes the CA bundle: read it once here
        # instead of on every request (profiled: the per-request proxy lookup walked os.environ
        # and parsed URLs, ~10% of the archiver's CPU). With a proxy, requests reads it all,
        # NO_PROXY included, as usual.
        session.trust_env = False
        bundle = environ.get("REQUESTS_CA_BUNDLE") or environ.get("CURL_CA_BUNDLE")
        if bundle:
            session.verify = bundle
    adapter = requests.adapters.HTTPAdapter(pool_connections=8, pool_maxsize=pool_size)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
