"""Discovery whose cost follows meetings, not users: the account-level listing first; per-user
listing, fanned out in shards on DISCOVERY_QUEUE, only where Zoom refuses it; a daily
reconciliation for what a frequent listing cannot see."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from archiver.core.contracts import UsersShard
from archiver.core.keys import meeting_key
from archiver.steps.discovery import SHARD_USERS, discover_users, run_reconcile
from tests.fakes import zoom_meeting
from tests.integration.pipeline_support import NOW, Pipeline, settings_for

pytestmark = pytest.mark.integration
TODAY = datetime(2026, 11, 21, 9, 0)  # NOW is 2026-11-21 12:00 UTC


@pytest.fixture
def pipeline(azurite) -> Pipeline:
    return Pipeline(settings_for(azurite.connection_string))


def many_users(pipeline: Pipeline, n: int) -> None:
    """n users, the first of them the host of the fake meetings (host-1)."""
    pipeline.zoom.users = [
        {"id": "host-1", "email": "ann@contoso.com", "status": "active"},
        *(
            {"id": f"u{i}", "email": f"user{i}@contoso.com", "status": "active"}
            for i in range(n - 1)
        ),
    ]


def test_the_account_listing_finds_meetings_without_listing_users(pipeline) -> None:
    many_users(pipeline, 120)
    pipeline.zoom.add(zoom_meeting("acc1==", start=TODAY))
    result = pipeline.discover()
    assert result.counts["enqueued"] == 1
    assert pipeline.zoom.calls["list_account_recordings"] == 1
    assert "list_users" not in pipeline.zoom.calls
    assert "list_recordings" not in pipeline.zoom.calls


def test_without_the_account_scope_users_are_listed_in_shards_by_queue_workers(pipeline) -> None:
    many_users(pipeline, 2 * SHARD_USERS + 1)
    pipeline.zoom.account_listing = False
    pipeline.zoom.add(zoom_meeting("per1==", start=TODAY))
    result = pipeline.discover()
    assert result.errors == []
    assert result.counts["account-listing-refused"] == 1
    assert result.counts["user-shards-enqueued"] == 3
    # The timer listed no recordings itself: it only enqueued the shards.
    assert "list_recordings" not in pipeline.zoom.calls
    shards = [
        UsersShard.from_json(body)
        for queue, body in pipeline.queues.sent
        if queue == pipeline.settings.discovery_queue
    ]
    assert [len(s.users) for s in shards] == [SHARD_USERS, SHARD_USERS, 1]
    pipeline.stage_all()  # the queue workers list each user, then stage what they enqueued
    pipeline.import_all()
    assert pipeline.zoom.calls["list_recordings"] == 2 * SHARD_USERS + 1
    assert len(pipeline.items("ann@contoso.com")) == 1
    # Each user's checkpoint moved once its work items were enqueued.
    assert pipeline.deps.ledger.get_checkpoint("host-1") == NOW.date()
    # The refusal is remembered: the next run does not ask for the account listing again.
    pipeline.discover()
    assert pipeline.zoom.calls["list_account_recordings"] == 1


def test_a_user_that_fails_fails_its_shard_after_the_others_are_listed(
    pipeline, monkeypatch
) -> None:
    from archiver.errors import ServiceUnavailableError

    many_users(pipeline, 3)
    listed: list[str] = []
    real = pipeline.zoom.list_recordings

    def flaky(user_id: str, **window):
        if user_id == "u1":
            raise ServiceUnavailableError("Zoom answered 503", service="zoom", status=503)
        listed.append(user_id)
        return real(user_id, **window)

    monkeypatch.setattr(pipeline.zoom, "list_recordings", flaky)
    with pytest.raises(ServiceUnavailableError, match="1 user"):
        discover_users(pipeline.deps, UsersShard(("u0", "u1", "u2")))
    assert listed == ["u0", "u2"]
    assert pipeline.deps.ledger.get_checkpoint("u1") is None
    assert pipeline.deps.ledger.get_checkpoint("u2") == NOW.date()


def test_after_the_first_run_only_today_is_listed_then_yesterday_by_the_reconciliation(
    pipeline,
) -> None:
    uuid = pipeline.zoom.add(zoom_meeting("old1=="))  # a meeting of yesterday
    pipeline.run()
    files = pipeline.zoom.meetings[uuid]["recordings"]["recording_files"]
    files.append({**files[0], "id": "late-cc", "file_type": "CC", "file_extension": "VTT"})
    pipeline.now += timedelta(minutes=15)
    assert pipeline.discover().counts.get("update-enqueued", 0) == 0  # only today is listed
    result = run_reconcile(pipeline.deps)
    assert result.counts["update-enqueued"] == 1
    pipeline.stage_all()
    pipeline.import_all()
    assert len(pipeline.items("ann@contoso.com")) == 2
    assert pipeline.deps.ledger.last_run("reconcile")["state"] == "ok"


def test_soon_after_midnight_yesterday_is_still_listed(pipeline) -> None:
    pipeline.now = NOW.replace(hour=0, minute=5) + timedelta(days=1)  # 2026-11-22 00:05
    pipeline.discover()  # the first run: lists the lookback
    late = pipeline.zoom.add(zoom_meeting("mid1==", start=datetime(2026, 11, 21, 23, 30)))
    pipeline.now += timedelta(minutes=15)
    assert pipeline.discover().counts["enqueued"] == 1
    assert pipeline.deps.ledger.find_meeting(meeting_key(late)) is not None


def test_a_listing_already_acted_on_costs_no_storage_call_the_next_time(
    pipeline, monkeypatch
) -> None:
    uuid = pipeline.zoom.add(zoom_meeting("seen1==", start=TODAY))
    pipeline.run()

    def no_claims(*_: object, **__: object) -> bool:
        raise AssertionError("the ledger was asked about a listing already acted on")

    monkeypatch.setattr(pipeline.deps.ledger, "claim_meeting", no_claims)
    assert pipeline.discover().counts["known"] == 1
    monkeypatch.undo()
    # A changed listing (a new file) is looked at again.
    files = pipeline.zoom.meetings[uuid]["recordings"]["recording_files"]
    files.append({**files[0], "id": "new-cc", "file_type": "CC", "file_extension": "VTT"})
    assert pipeline.discover().counts["update-enqueued"] == 1
