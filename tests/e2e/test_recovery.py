"""Recovering from what goes wrong for good: a file that cannot be fetched, a malformed answer."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.support import cli, items, run, settings, uuid_of

pytestmark = pytest.mark.e2e
START = (datetime.now(UTC) - timedelta(hours=3)).replace(microsecond=0)


def seed(sims, uuid: str) -> dict:
    sims.control("POST", "/reset")
    sims.control("POST", "/zoom/users", {"id": "u1", "email": "ann@contoso.com"})
    sims.control("POST", "/m365/mailboxes", {"address": "ann@contoso.com"})
    return sims.control(
        "POST",
        "/zoom/meetings",
        {
            "uuid": uuid,
            "id": 81000000201,
            "host_id": "u1",
            "topic": "Recovery",
            "start_time": START.isoformat(),
            "participants": [{"name": "Ann", "email": "ann@contoso.com"}],
            "files": [{"file_type": "MP4", "size": 20_000}, {"file_type": "M4A", "size": 9_000}],
        },
    )


def test_replay_delivers_a_file_that_failed_for_good_as_an_update_item(
    azurite, simulators, monkeypatch, tmp_path
) -> None:
    meeting = seed(simulators, "recover==")
    mp4, m4a = meeting["files"]
    rule = {"server": "zoom", "path": f"/rec/download/{m4a['id']}", "action": "status"}
    simulators.control("POST", "/faults", {**rule, "status": 404, "count": 1000})
    values = settings(azurite, simulators)
    assert run(values, monkeypatch, tmp_path).ok
    [first] = items(simulators, "ann@contoso.com")
    assert [a["sha256"] for a in first["attachments"]] == [mp4["sha256"]]
    status = json.loads(cli(values, "status").stdout)
    assert [p["uuid"] for p in status["problems"]] == ["recover=="]
    simulators.control("DELETE", "/faults")
    assert cli(values, "replay").returncode == 0
    assert run(values, monkeypatch, tmp_path).ok
    archived = items(simulators, "ann@contoso.com")
    [update] = [i for i in archived if i["subject"].endswith("update 1")]
    assert uuid_of(update) == "recover=="
    assert [a["sha256"] for a in update["attachments"]] == [m4a["sha256"]]
    assert len(archived) == 2
    problems = json.loads(cli(values, "status").stdout)["problems"]
    assert problems == [], json.dumps(problems)
    assert run(values, monkeypatch, tmp_path).ok  # and nothing more after that
    assert len(items(simulators, "ann@contoso.com")) == 2


def test_a_malformed_recording_is_recorded_and_the_rest_still_archived(
    azurite, simulators, monkeypatch, tmp_path
) -> None:
    seed(simulators, "good==")
    good = {
        "uuid": "good==",
        "id": 81000000201,
        "host_id": "u1",
        "topic": "Recovery",
        "start_time": START.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "recording_files": [{"id": "x", "file_type": "MP4", "status": "completed"}],
    }
    listing = {"next_page_token": "", "page_size": 300, "total_records": 2}
    bad = {"uuid": "bad==", "recording_files": "oops"}
    simulators.control(
        "POST",
        "/faults",
        {
            "server": "zoom",
            "path": "/v2/accounts/me/recordings",
            "action": "status",
            "status": 200,
            "body": {**listing, "meetings": [bad, good]},
        },
    )
    values = settings(azurite, simulators)
    assert run(values, monkeypatch, tmp_path).ok
    assert [uuid_of(i) for i in items(simulators, "ann@contoso.com")] == ["good=="]
    status = json.loads(cli(values, "status").stdout)
    [problem] = status["problems"]
    assert problem["uuid"] == "bad=="
    assert "recording listing.recording_files" in problem["reason"]
    assert "'oops'" in problem["reason"]
    run_row = status["last_discovery"]
    assert run_row["state"] == "failed"
    assert run_row["finished_at"] >= run_row["started_at"]
    assert any("'oops'" in e for e in run_row["errors"])
