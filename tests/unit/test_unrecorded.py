"""Meetings nobody recorded: what the meeting history and the meeting reports say becomes the
listing entry every other listing gives claims.consider."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from archiver.adapters.zoom.reports import report_windows
from archiver.core.contracts import UsersShard
from archiver.errors import InvalidInputError
from archiver.steps.unrecorded import history_entry, recorded, report_entry

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
ROW = {
    "meeting_uuid": "abc==",
    "meeting_id": 81234567890,
    "host_email": "ann@contoso.com",
    "topic": "Stand-up",
    "start_time": "2026-11-21T09:00:00Z",
    "end_time": "2026-11-21T09:30:00Z",
    "feature_used": {"record_to_cloud": False, "poll": True},
}


def test_an_unrecorded_history_row_is_an_entry_with_no_files_to_wait_for() -> None:
    entry = history_entry(ROW, NOW)
    assert entry == {
        "uuid": "abc==",
        "id": 81234567890,
        "type": None,
        "topic": "Stand-up",
        "host_email": "ann@contoso.com",
        "start_time": "2026-11-21T09:00:00Z",
        "recording_files": [],
    }


@pytest.mark.parametrize("feature", ["record_to_cloud", "archiving"])
def test_a_meeting_recorded_to_the_cloud_or_archived_waits_for_its_files(feature: str) -> None:
    entry = history_entry({**ROW, "feature_used": {feature: True}}, NOW)
    assert entry is not None
    assert entry["recording_files"] == [{"status": "processing"}]


def test_a_meeting_not_ended_yet_is_not_listed() -> None:
    assert history_entry({**ROW, "end_time": "2026-11-21T12:30:00Z"}, NOW) is None


def test_features_that_are_not_an_object_say_nothing_was_recorded() -> None:
    assert not recorded(["record_to_cloud"])
    assert not recorded({"record_to_cloud": "yes"})


def test_a_history_row_without_a_uuid_keeps_it_missing_for_consider_to_name() -> None:
    entry = history_entry({"topic": "x"}, NOW)
    assert entry is not None
    assert entry["uuid"] is None


def test_a_meeting_report_row_uses_its_own_field_names() -> None:
    row = {"uuid": "u1==", "id": 5, "user_email": "bob@contoso.com", "has_recording": True,
           "start_time": "2026-11-21T08:00:00Z", "end_time": "2026-11-21T08:20:00Z"}  # fmt: skip
    entry = report_entry(row, NOW)
    assert entry is not None
    assert (entry["uuid"], entry["host_email"]) == ("u1==", "bob@contoso.com")
    assert entry["recording_files"] == [{"status": "processing"}]


def test_report_windows_cover_every_day_once_in_spans_zoom_accepts() -> None:
    windows = list(report_windows(date(2026, 1, 1), date(2026, 3, 15)))
    assert windows[0] == (date(2026, 1, 1), date(2026, 1, 28))
    assert all((end - start).days < 28 for start, end in windows)
    days = sum((end - start).days + 1 for start, end in windows)
    assert days == (date(2026, 3, 15) - date(2026, 1, 1)).days + 1


def test_a_users_shard_names_which_listing_it_is_for() -> None:
    shard = UsersShard(("u1",), listing="meetings")
    assert UsersShard.from_json(shard.to_json()) == shard
    assert UsersShard.from_json(b'{"users": ["u1"]}').listing == "recordings"


def test_a_users_shard_with_an_unknown_listing_is_refused_by_name() -> None:
    with pytest.raises(InvalidInputError, match=r"users shard\.listing"):
        UsersShard.from_json(b'{"users": ["u1"], "listing": "webinars!"}')


def test_a_webinar_in_the_history_is_told_apart_by_its_type() -> None:
    from archiver.steps.claims import is_webinar

    webinar = history_entry({**ROW, "type": 5}, NOW)
    assert webinar is not None
    assert is_webinar(webinar)
    assert not is_webinar(history_entry({**ROW, "type": 2}, NOW) or {})
