"""Retry timing: Retry-After as seconds, HTTP or ISO dates; jittered backoff; rate buckets."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from archiver.adapters.retry import backoff_delay, parse_retry_after, pooled_session
from archiver.adapters.zoom.ratelimit import RateLimiter
from archiver.errors import BudgetExhaustedError

NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("7", 7.0),
        ("0.5", 0.5),
        ("2026-11-25T12:00:30Z", 30.0),
        ("Wed, 25 Nov 2026 12:01:00 GMT", 60.0),
        ("2026-11-25T11:00:00Z", 0.0),
    ],
)
def test_retry_after_is_read_as_seconds_or_a_date(value: str, seconds: float) -> None:
    assert parse_retry_after(value, now=NOW) == seconds


@pytest.mark.parametrize("value", [None, "", "soon"])
def test_a_missing_or_unreadable_retry_after_means_back_off_yourself(value) -> None:
    assert parse_retry_after(value, now=NOW) is None


def test_backoff_grows_exponentially_with_full_jitter_and_a_cap() -> None:
    rng = random.Random(1)  # noqa: S311 - deterministic jitter for the test
    samples = [backoff_delay(attempt, base=1, cap=8, rng=rng) for attempt in range(1, 7)]
    ceilings = [1, 2, 4, 8, 8, 8]
    assert all(0 <= s <= c for s, c in zip(samples, ceilings, strict=True))


def test_the_rate_limiter_spaces_calls_of_one_category_to_the_plan_limit() -> None:
    clock = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)

    limiter = RateLimiter("pro", clock=lambda: clock[0], sleep=sleep, headroom=1.0)
    for _ in range(3):
        limiter.acquire("heavy")  # Pro: 10 per second
    assert waits == pytest.approx([0.1, 0.2])
    limiter.acquire("light")  # another category has its own bucket
    assert len(waits) == 2


def test_after_a_daily_limit_429_the_limiter_refuses_the_category_until_midnight() -> None:
    clock = [0.0]
    limiter = RateLimiter("pro", clock=lambda: clock[0], sleep=lambda s: None, now=lambda: NOW)
    limiter.refused("resource", daily=True, retry_after=None)
    with pytest.raises(BudgetExhaustedError) as refused:
        limiter.acquire("heavy")  # Heavy and Resource-intensive share the daily cap
    assert refused.value.retry_after == 12 * 3600.0  # NOW is noon UTC
    assert limiter.remaining_today("heavy") == 0
    limiter.acquire("light")
    clock[0] = 12 * 3600.0
    limiter.acquire("heavy")


def test_a_per_second_429_holds_the_next_call_of_the_category_back() -> None:
    waits: list[float] = []
    limiter = RateLimiter("pro", clock=lambda: 0.0, sleep=waits.append, headroom=1.0)
    limiter.refused("light", daily=False, retry_after=2.0)
    limiter.acquire("light")
    assert waits == [2.0]


def test_without_a_proxy_the_ca_bundle_is_read_once_and_the_environment_not_per_request() -> None:
    session = pooled_session(environ={"REQUESTS_CA_BUNDLE": "/etc/sim-ca.pem"})
    assert session.trust_env is False
    assert session.verify == "/etc/sim-ca.pem"


@pytest.mark.parametrize("name", ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "http_proxy"])
def test_with_a_proxy_requests_reads_the_environment_as_usual(name: str) -> None:
    session = pooled_session(environ={name: "http://proxy.contoso.com:3128"})
    assert session.trust_env is True
    assert session.verify is True
