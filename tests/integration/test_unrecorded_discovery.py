"""Meetings nobody recorded, against the Zoom simulator and Azurite: the meeting history claims
them once (a meeting.ended included), a spent Heavy budget makes the listing wait for the next
run without failing it, a recording found later is an update item, and the give-up age archives
a meeting.ended with nothing recorded instead of ending it as no-content."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from archiver.bootstrap import Deps
from archiver.core import states
from archiver.core.contracts import UsersShard, WorkItem, document_blob
from archiver.core.keys import meeting_key
from archiver.operations.status import collect_status
from archiver.steps.claims import consider
from archiver.steps.discovery import run_discovery
from archiver.steps.staging import stage_meeting
from archiver.steps.unrecorded import HISTORY_CHECKPOINT, USER_REPORTS_EVERY, WAITING_FOR_BUDGET
from tests.fakes import ListQueues
from tests.integration.pipeline_support import settings_for
from tests.support.clients import zoom_client

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC).replace(microsecond=0)
UUID = "unrecOrded+Meeting/1=="
ANN = {"id": "zu1", "email": "ann@contoso.com", "first_name": "Ann"}
BOB = {"id": "zu2", "email": "bob@contoso.com", "first_name": "Bob"}


def meeting(**more) -> dict:
    return {
        "uuid": UUID,
        "id": 86000000001,
        "host_id": "zu1",
        "topic": "Quarterly review",
        "start_time": (NOW - timedelta(hours=3)).isoformat(),
        "duration": 30,
        "participants": [
            {"name": "Ann", "email": ANN["email"], "sessions": [[0, 30]]},
            {"name": "Bob", "email": BOB["email"], "sessions": [[1, 12], [14, 29]]},
        ],
        "files": [],
        **more,
    }


@pytest.fixture
def deps(azurite, simulators, monkeypatch) -> Deps:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", simulators.info["ca_bundle"])
    simulators.control("POST", "/reset")
    for user in (ANN, BOB):
        simulators.control("POST", "/zoom/users", user)
    simulators.control("POST", "/zoom/meetings", meeting())
    settings = settings_for(
        azurite.connection_string, **simulators.env(), ARCHIVE_UNRECORDED="true"
    )
    return Deps(settings, zoom=zoom_client(simulators), queues=ListQueues())


def sent(deps: Deps) -> list[WorkItem]:
    queue = deps.settings.meetings_queue
    return [WorkItem.from_json(b) for q, b in deps.queues.sent if q == queue]  # type: ignore[attr-defined]


def ended_webhook(deps: Deps) -> str:
    """What intake does with meeting.ended: the meeting waits for recordings."""
    return consider(
        deps, {"uuid": UUID, "recording_files": [{"status": "processing"}]}, source="webhook"
    )


def test_after_midnight_the_history_lists_yesterday_once_then_today_only(deps, monkeypatch) -> None:
    """Every page is a Heavy call: yesterday is listed by the day's first run (its checkpoint
    is yesterday), not for the hours after midnight recordings are (the reconciliation lists it
    again)."""
    listed: list[tuple[str, str]] = []
    history = deps.zoom.list_history_meetings

    def spy(*, start, end, **kw):  # type: ignore[no-untyped-def]
        listed.append((str(start), str(end)))
        return history(start=start, end=end, **kw)

    monkeypatch.setattr(deps.zoom, "list_history_meetings", spy)
    today = NOW.date()
    yesterday = today - timedelta(days=1)
    deps.ledger.set_mark(HISTORY_CHECKPOINT, datetime.combine(yesterday, datetime.min.time(), UTC))
    midnight = datetime.combine(today, datetime.min.time(), UTC)
    for minutes in (1, 16, 31):  # three runs in the first hour of the day
        deps.clock = lambda m=minutes: midnight + timedelta(minutes=m)  # type: ignore[misc]
        assert run_discovery(deps).errors == []
    assert listed == [(str(yesterday), str(today)), *[(str(today), str(today))] * 2]


def test_a_meeting_ended_with_nothing_recorded_is_claimed_once_the_history_says_so(deps) -> None:
    assert ended_webhook(deps) == "waiting"
    result = run_discovery(deps)
    assert result.errors == []
    assert [item.uuid for item in sent(deps)] == [UUID]
    assert deps.ledger.get_meeting(meeting_key(UUID))["state"] == states.QUEUED
    run_discovery(deps)  # listed again: nothing enqueued twice
    assert len(sent(deps)) == 1


def test_an_unrecorded_meeting_is_staged_from_its_details_and_a_later_recording_is_an_update(
    deps, simulators
) -> None:
    run_discovery(deps)
    [item] = sent(deps)
    assert stage_meeting(deps, item) == "staged"
    key = meeting_key(UUID)
    doc = deps.blobs.read_json(deps.settings.staging_container, document_blob(key))
    rows = doc["meeting"]["participants"]
    assert len(rows) == 3  # Ann once, Bob twice: every join and leave
    assert doc["meeting"]["sources"] == ["meeting details"]
    simulators.control("POST", "/zoom/meetings", meeting(files=[{"file_type": "MP4", "size": 999}]))
    listing = deps.zoom.get_recordings(UUID)
    assert consider(deps, listing, source="poll") == "update-enqueued"
    assert consider(deps, {**listing, "topic": "again"}, source="webhook") == "known"
    assert [i.revision for i in sent(deps)] == [0, 1]


def test_a_spent_heavy_budget_makes_the_history_wait_for_the_next_run_without_failing_it(
    deps, simulators
) -> None:
    simulators.control("PATCH", "/zoom/settings", {"daily_limit": {"heavy": 1}})
    simulators.control("POST", "/zoom/meetings", meeting(uuid="second+Meeting/2==", id=86000000002))
    try:
        deps.zoom.get_meeting_report(UUID)  # the day's only Heavy call
        result = run_discovery(deps)
    finally:
        simulators.control("PATCH", "/zoom/settings", {"daily_limit": None})
    assert result.errors == []
    assert result.counts[WAITING_FOR_BUDGET] == 1
    assert sent(deps) == []
    assert deps.ledger.get_mark(HISTORY_CHECKPOINT) is None  # the same days are listed again
    assert deps.ledger.last_run()["state"] == "ok"
    shown = collect_status(deps)["last_discovery"]
    assert shown["state"] == "ok"
    assert shown["counts"][WAITING_FOR_BUDGET] == 1  # what `status` says


@pytest.mark.parametrize(
    ("archive_unrecorded", "state"), [("true", states.QUEUED), ("false", states.NO_CONTENT)]
)
def test_at_the_give_up_age_a_meeting_ended_with_nothing_recorded_is_archived_or_no_content(
    azurite, simulators, deps, archive_unrecorded: str, state: str
) -> None:
    settings = settings_for(
        azurite.connection_string, **simulators.env(), ARCHIVE_UNRECORDED=archive_unrecorded
    )
    later = Deps(
        settings, zoom=deps.zoom, queues=ListQueues(), clock=lambda: NOW + timedelta(hours=73)
    )
    simulators.control(
        "PATCH",
        "/zoom/settings",
        {"scopes": ["user:read:admin", "recording:read:admin", "meeting:read:admin"]},
    )
    try:
        assert (
            consider(
                later,
                {"uuid": UUID, "recording_files": [{"status": "processing"}]},
                source="webhook",
            )
            == "waiting"
        )
        later.ledger.update_meeting(meeting_key(UUID), {"created_at": NOW.isoformat()})
        run_discovery(later)
    finally:
        simulators.control("POST", "/reset")
    assert later.ledger.get_meeting(meeting_key(UUID))["state"] == state


def test_without_the_webinar_licence_webinars_are_archived_from_recordings_and_asked_once(
    deps, simulators
) -> None:
    from archiver.operations.checks import webinar_mode

    simulators.control("PATCH", "/zoom/settings", {"webinar_licence": False})
    recorded = {"kind": "webinar", "files": [{"file_type": "MP4", "size": 999}]}
    for n in (1, 2):
        simulators.control(
            "POST",
            "/zoom/meetings",
            meeting(uuid=f"webinar+{n}/==", id=87000000000 + n, **recorded),
        )
    try:
        run_discovery(deps)
        items = [i for i in sent(deps) if i.uuid.startswith("webinar")]
        assert len(items) == 2
        assert deps.ledger.get_meeting(meeting_key(items[0].uuid))["kind"] == "webinar"
        assert stage_meeting(deps, items[0]) == "staged"
        assert "Webinar plan is missing" in str(deps.webinar_licence.refused)
        asked = dict(deps.zoom.calls)  # type: ignore[attr-defined]
        assert stage_meeting(deps, items[1]) == "staged"
        calls = deps.zoom.calls  # type: ignore[attr-defined]
        assert calls.get("GET report") == asked.get("GET report")  # not asked again
        assert calls.get("GET past_webinars") == asked.get("GET past_webinars")
        assert webinar_mode(deps).startswith("no Webinar licence")
        assert collect_status(deps)["webinar_licence"].startswith("missing")
        # Another instance learns it from the ledger and does not ask for each webinar.
        other = Deps(deps.settings, zoom=deps.zoom, queues=ListQueues())
        assert other.webinar_licence.refused is not None
    finally:
        simulators.control("PATCH", "/zoom/settings", {"webinar_licence": True})


def test_the_heavy_budget_running_out_mid_backfill_loses_nothing(deps, simulators) -> None:
    from archiver.steps.discovery import backfill

    days = (5, 40, 70)  # three report windows of 28 days: one Heavy call each
    for n, ago in enumerate(days):
        start = (NOW - timedelta(days=ago)).isoformat()
        doc = meeting(uuid=f"backfill+{n}/==", id=88000000000 + n, start_time=start)
        simulators.control("POST", "/zoom/meetings", doc)
    first, last = (NOW - timedelta(days=80)).date(), NOW.date()
    simulators.control("PATCH", "/zoom/settings", {"daily_limit": {"heavy": 1}})
    try:
        spent = backfill(deps, first, last)
    finally:
        simulators.control("PATCH", "/zoom/settings", {"daily_limit": None})
    assert spent[WAITING_FOR_BUDGET] == 1
    claimed = {i.uuid for i in sent(deps)}
    assert 0 < len(claimed) < 4  # the first window's meetings, not the rest
    # The next day (a new process: this one's limiter holds Heavy calls until 00:00 UTC).
    tomorrow = Deps(deps.settings, zoom=zoom_client(simulators), queues=deps.queues)
    again = backfill(tomorrow, first, last)
    assert again[WAITING_FOR_BUDGET] == 0
    uuids = [i.uuid for i in sent(deps)]
    assert sorted(uuids) == sorted({UUID, *(f"backfill+{n}/==" for n in range(3))})  # each once


def test_without_the_history_user_reports_go_out_every_four_hours_not_every_run(
    deps, simulators
) -> None:
    granted = simulators.control("PATCH", "/zoom/settings", {})["scopes"]
    history = {"report:read:list_history_meetings:admin", "report:read:admin"}
    kept = [s for s in granted if s not in history] + ["report:read:user:admin"]
    simulators.control("PATCH", "/zoom/settings", {"scopes": kept})

    def meeting_shards(queues: ListQueues) -> int:
        bodies = [b for q, b in queues.sent if q == deps.settings.discovery_queue]
        return sum(UsersShard.from_json(b).listing == "meetings" for b in bodies)

    try:
        first = run_discovery(deps)
        run_discovery(deps)  # the next run, 15 minutes later
        assert first.counts["history-refused"] == 1
        assert meeting_shards(deps.queues) == 1  # type: ignore[arg-type]
        later = Deps(
            deps.settings,
            zoom=deps.zoom,
            queues=deps.queues,
            clock=lambda: datetime.now(UTC) + USER_REPORTS_EVERY,
        )
        again = run_discovery(later)
        assert again.errors == []
        assert meeting_shards(deps.queues) == 2  # type: ignore[arg-type]
    finally:
        simulators.control("POST", "/reset")
