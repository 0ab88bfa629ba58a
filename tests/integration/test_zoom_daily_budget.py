"""The daily cap Zoom's Heavy and Resource-intensive calls share, counted per UTC day in Azurite:
reached across instances, announced by Zoom, kept across restarts and shown by `status`."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from azure.data.tables import TableServiceClient

from archiver.adapters.ledger import Tables
from archiver.adapters.zoom.budget import SharedBudget
from archiver.adapters.zoom.slots import Grid, Terms
from archiver.errors import BudgetExhaustedError
from archiver.operations.status import collect_status
from tests.integration.pipeline_support import Pipeline, settings_for
from tests.support.clients import zoom_client
from tests.support.simclock import SimClock

pytestmark = pytest.mark.integration

GRIDS = {"light": Grid(10, 1.0), "heavy": Grid(4, 1.0), "resource": Grid(2, 60.0)}
TERMS = Terms(lease=4.0, grace=1.0, turn=4.0)
NOON = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
MIDNIGHT = (NOON + timedelta(hours=12)).timestamp()


def tables_on(connection_string: str, prefix: str | None = None) -> Tables:
    service = TableServiceClient.from_connection_string(connection_string)
    return Tables(service, prefix or f"d{uuid.uuid4().hex[:10]}")


def budget(tables: Tables, clock: SimClock, **kw) -> SharedBudget:
    kw.setdefault("daily_limit", 40)  # less the 10% reserve: 36 calls a day
    return SharedBudget(
        tables, plan="business", grids=GRIDS, terms=TERMS, clock=clock.time, sleep=clock.sleep, **kw
    )


def calls_until_spent(*instances: SharedBudget, category: str = "heavy") -> int:
    """Heavy calls the instances make, in turn, until each is refused; the last refusal kept."""
    made, spent = 0, set()
    while len(spent) < len(instances):
        for instance in instances:
            if instance.instance in spent:
                continue
            try:
                instance.acquire(category)
                made += 1
            except BudgetExhaustedError:
                spent.add(instance.instance)
    return made


def test_the_daily_budget_is_reached_across_instances_and_raises_until_midnight(azurite) -> None:
    clock = SimClock(NOON.timestamp(), parties=1)
    tables = tables_on(azurite.connection_string)
    first, second = budget(tables, clock), budget(tables, clock)
    assert first.remaining_today("heavy") == 36
    assert calls_until_spent(first, second) == 36  # 40 a day less the reserve, never more
    with pytest.raises(BudgetExhaustedError) as refused:
        second.acquire("resource")  # Resource-intensive calls share the same cap
    assert refused.value.category == "heavy"
    assert refused.value.retry_after == pytest.approx(MIDNIGHT - clock.time())
    assert "36 of 36 granted (40 a day less 4 kept in reserve)" in str(refused.value)
    assert first.remaining_today("heavy") == second.remaining_today("heavy") == 0
    assert first.remaining_today("light") is None  # no daily cap on a paid plan
    first.acquire("light")  # other categories go on


def test_a_new_utc_day_brings_a_fresh_budget(azurite) -> None:
    clock = SimClock(MIDNIGHT - 30, parties=1)
    instance = budget(tables_on(azurite.connection_string), clock, daily_limit=5)
    assert calls_until_spent(instance) == 4
    clock.sleep(MIDNIGHT - clock.time())
    instance.acquire("heavy")
    assert instance.remaining_today("heavy") == 3


def test_permits_an_instance_died_holding_are_never_used_twice(azurite) -> None:
    clock = SimClock(NOON.timestamp(), parties=1)
    tables = tables_on(azurite.connection_string)
    dead = budget(tables, clock)
    dead.acquire("heavy")  # takes a batch of 4 (a budget of 36 in batches of 1/8), uses 1
    survivor = budget(tables, clock)
    assert survivor.remaining_today("heavy") == 32
    assert calls_until_spent(survivor) == 32  # the 3 left unused are lost for the day


def test_a_daily_limit_answer_from_zoom_stops_every_instance(azurite, simulators, monkeypatch):
    simulators.control("POST", "/reset")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", simulators.info["ca_bundle"])
    simulators.control("POST", "/zoom/users", {"id": "u1", "email": "ann@contoso.com"})
    start = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    people = [{"name": "Ann", "email": "ann@contoso.com"}, {"name": "Bob"}]
    simulators.control(
        "POST",
        "/zoom/meetings",
        {
            "uuid": "q==",
            "id": 81000000200,
            "host_id": "u1",
            "start_time": start,
            "participants": people,
        },
    )
    simulators.control("PATCH", "/zoom/settings", {"daily_limit": {"heavy": 1}})
    tables = tables_on(azurite.connection_string)
    first = zoom_client(simulators, limiter=SharedBudget(tables, plan="business"))
    assert first.get_report_survey("q==")["survey_answers"] == []
    with pytest.raises(BudgetExhaustedError, match="daily limit") as refused:
        first.get_report_survey("q==")  # Zoom: 429, X-RateLimit-Type Daily-limit
    assert 0 < refused.value.retry_after <= 86_400
    heavy_calls = simulators.control("GET", "/counters")["zoom-categories"]["Heavy"]
    other = zoom_client(simulators, limiter=SharedBudget(tables, plan="business"))
    with pytest.raises(BudgetExhaustedError):
        other.get_report_survey("q==")  # refused here, without asking Zoom
    assert simulators.control("GET", "/counters")["zoom-categories"]["Heavy"] == heavy_calls
    assert other.remaining_today("heavy") == 0
    assert other.get_past_meeting("q==")["uuid"] == "q=="  # Light calls go on
    # The participant list falls back to the Medium past-meeting list (no Heavy call).
    assert len(other.list_participants("q==")) == 2
    assert simulators.control("GET", "/counters")["zoom-categories"]["Heavy"] == heavy_calls


def test_a_restarted_instance_finds_the_days_count_in_the_table(azurite) -> None:
    clock, prefix = SimClock(NOON.timestamp(), parties=1), f"r{uuid.uuid4().hex[:10]}"
    before = budget(tables_on(azurite.connection_string, prefix), clock)
    for _ in range(10):
        before.acquire("heavy")
    after = budget(tables_on(azurite.connection_string, prefix), clock)  # a new process
    granted = after.report()["heavy_today"]["granted"]
    assert granted >= 10  # nothing of it lived only in the process that made the calls
    assert after.remaining_today("heavy") == 36 - granted


def test_status_shows_todays_heavy_calls_and_each_categorys_recent_rate(azurite) -> None:
    pipeline = Pipeline(settings_for(azurite.connection_string, ZOOM_DAILY_HEAVY_LIMIT="1000"))
    for _ in range(3):
        pipeline.deps.zoom_budget.acquire("heavy")
    shown = collect_status(pipeline.deps)["zoom_budget"]
    assert shown["heavy_today"]["limit"] == 1000
    assert shown["heavy_today"]["budget"] == 900
    assert shown["heavy_today"]["granted"] >= 3
    heavy = shown["categories"]["heavy"]
    assert (heavy["zoom_limit"], heavy["allowed"], heavy["instances"]) == (40, 36, 1)
    assert heavy["held"] >= 1
    assert set(shown["categories"]) == {"light", "medium", "heavy", "resource"}
