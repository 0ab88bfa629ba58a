"""`python -m sim seed --content-sources`: the corpus also holds content beyond recordings
(sim/seed_content.py; sim/README.md)."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from types import SimpleNamespace

import pytest

from sim.seed_content import build_content
from tests.sim.support import day_ago, download, enc, iso_ago, zoom_get, zoom_token
from tests.support.simulators import ROOT

pytestmark = pytest.mark.integration
SMALL = ("--users", "8", "--meetings", "12", "--recording-mb", "0.05")


def run_seed(sims, *extra: str) -> dict:
    sims.control("POST", "/reset")
    result = subprocess.run(
        [sys.executable, "-m", "sim", "seed", "--control", sims.control_url, *SMALL, *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def content(simulators) -> dict:
    return run_seed(simulators, "--content-sources")["content_sources"]


def test_without_the_flag_the_corpus_has_no_content_sources(simulators) -> None:
    """Off by default: the summary line and the account's settings are as before."""
    summary = run_seed(simulators)
    assert "content_sources" not in summary
    answer = zoom_get(
        simulators,
        "/archive_files",
        zoom_token(simulators),
        **{"from": iso_ago(3), "to": iso_ago(0)},
    )
    assert answer.json()["code"] == 2001  # archiving stays disabled


def test_the_content_sources_are_deterministic() -> None:
    """Same --seed, same documents (start times follow the clock)."""
    args = SimpleNamespace(seed=7, recording_mb=0.05, external_domain="fabrikam.com")
    users = [
        {"id": f"zu{i}", "email": f"u{i}@contoso.com", "first_name": f"U{i}", "status": "active"}
        for i in range(4)
    ]

    def shape(docs: list[dict]) -> list[dict]:
        return [{**d, "start_time": None} for d in docs]

    assert shape(build_content(args, users)) == shape(build_content(args, users))


def test_the_summary_describes_the_content_sources(content) -> None:
    """sim/README.md: content_sources {archiving_enabled, unrecorded, webinar, summarized,
    archived}, each with uuid, id, topic, kind, host_email, recorded."""
    assert set(content) == {"archiving_enabled", "unrecorded", "webinar", "summarized", "archived"}
    for role in ("unrecorded", "webinar", "summarized", "archived"):
        assert {"uuid", "id", "topic", "kind", "host_email", "recorded"} <= set(content[role])
    assert content["webinar"]["kind"] == "webinar"
    assert [
        content[r]["recorded"] for r in ("unrecorded", "webinar", "summarized", "archived")
    ] == [
        False,
        True,
        True,
        False,
    ]


def test_the_unrecorded_meeting_is_only_in_the_reports(content, simulators) -> None:
    """No recording (3301), but listed by history_meetings with its participants."""
    tok = zoom_token(simulators)
    uuid = content["unrecorded"]["uuid"]
    assert zoom_get(simulators, f"/meetings/{enc(uuid)}/recordings", tok).json()["code"] == 3301
    rows = zoom_get(
        simulators, "/report/history_meetings", tok, **{"from": day_ago(10), "to": day_ago(0)}
    ).json()["history_meetings"]
    [row] = [r for r in rows if r["meeting_uuid"] == uuid]
    assert row["participants"] == 4


def test_the_webinar_has_a_poll_qa_a_survey_and_an_absentee(content, simulators) -> None:
    """The seeded webinar answers the webinar endpoints."""
    tok = zoom_token(simulators)
    uuid = enc(content["webinar"]["uuid"])
    qa = zoom_get(simulators, f"/past_webinars/{uuid}/qa", tok).json()["questions"]
    assert [q["question_details"][0]["question"] for q in qa] == content["webinar"]["questions"]
    polls = zoom_get(simulators, f"/report/webinars/{uuid}/polls", tok).json()["questions"]
    assert "Anonymous Attendee" in {q["name"] for q in polls}
    absent = zoom_get(simulators, f"/past_webinars/{uuid}/absentees", tok).json()["registrants"]
    assert [r["email"] for r in absent] == content["webinar"]["absentees"]
    assert zoom_get(simulators, f"/report/webinars/{uuid}/survey", tok).json()["survey_answers"]


def test_the_summarized_meeting_has_its_summary(content, simulators) -> None:
    tok = zoom_token(simulators)
    uuid = enc(content["summarized"]["uuid"])
    body = zoom_get(simulators, f"/meetings/{uuid}/meeting_summary", tok).json()
    assert body["summary_title"] == content["summarized"]["summary_title"]
    assert body["next_steps"] == content["summarized"]["next_steps"]


def test_the_archived_meeting_holds_a_direct_message_between_two_attendees(
    content, simulators
) -> None:
    """The Archiving API holds direct messages between any two people (zoom-content-sources.md
    §1), and its breakout room is archived on its own."""
    tok = zoom_token(simulators)
    listing = zoom_get(
        simulators, "/archive_files", tok, **{"from": iso_ago(3), "to": iso_ago(0)}
    ).json()["meetings"]
    uuids = {m["uuid"] for m in listing}
    archived = content["archived"]
    assert {archived["uuid"], *archived["breakout_rooms"]} <= uuids
    meeting = next(m for m in listing if m["uuid"] == archived["uuid"])
    chat = next(f for f in meeting["archive_files"] if f["file_type"] == "CHAT_MESSAGE")
    messages = json.loads(download(simulators, chat["download_url"], tok).content)["messages"]
    secret = next(m for m in messages if b"DM-ARCHIVE-SECRET" in base64.b64decode(m["msg_content"]))
    assert secret["msg_type"] == 2
    host = content["archived"]["host_email"]
    assert base64.b64decode(secret["s_email"]).decode() != host
    assert base64.b64decode(secret["r_email"]).decode() != host
    kinds = {m["kind"] for m in archived["messages"]}
    assert {
        "public",
        "direct",
        "group",
        "deleted",
        "edited",
        "reply",
        "reaction",
        "feedback",
    } <= kinds
