"""Complete capture II through the local host: a recorded meeting with polls, Q&A (one question
anonymous), a survey and an AI Companion summary reaches the host's and the compliance mailbox
whole, each attendee with only their own answers; an edited summary is exactly one update item;
with the Heavy budget spent the meeting is still archived and the item says what it lacks."""

from __future__ import annotations

import base64
import hashlib
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from archiver import entrypoints
from archiver.host.runner import Host
from tests.e2e.support import items, run, seed, settings, uuid_of

pytestmark = pytest.mark.e2e
COMPLIANCE = "zoom-compliance@contoso.com"


def interactive(corpus: dict, tag: str) -> dict:
    """The seed document: host and two colleagues (active users of the corpus) and a guest."""
    host, colleague, other = corpus["users"][:3]
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1, hours=2)
    people = [
        {"name": "Hosta", "email": host, "user_id": "zu0000", "sessions": [[0, 45]]},
        {"name": "Colla", "email": colleague, "user_id": "zu0001", "sessions": [[0, 45]]},
        {"name": "Othera", "email": other, "user_id": "zu0002", "sessions": [[0, 45]]},
    ]
    uuid = base64.b64encode(hashlib.sha256(tag.encode()).digest()[:16]).decode()
    return {
        "uuid": uuid,
        "id": 86000000001,
        "host_id": "zu0000",
        "topic": "Interactive review",
        "start_time": start.isoformat(),
        "duration": 45,
        "participants": people,
        "files": [{"file_type": "MP4", "size": 200_007}],
        "polls": [
            {
                "id": "poll-1",
                "title": "Launch",
                "answers": [
                    {"name": "Colla", "question": "Ship it?", "answer": "COLLA-POLL", "minute": 20},
                    {
                        "name": "Othera",
                        "question": "Ship it?",
                        "answer": "OTHER-POLL",
                        "minute": 21,
                    },
                    {
                        "name": "Othera",
                        "question": "Ship it?",
                        "answer": "ANON-POLL",
                        "minute": 22,
                        "anonymous": True,
                    },
                ],
            }
        ],
        "qa": [
            {
                "name": "Colla",
                "question": "COLLA-QUESTION",
                "minute": 25,
                "answers": [{"name": "Hosta", "content": "PRIVATE-REPLY", "type": "private"}],
            },
            {"name": "Othera", "question": "ANON-QUESTION", "minute": 26, "anonymous": True},
        ],
        "survey": {
            "id": "survey-1",
            "name": "How was it?",
            "answers": [
                {"name": "Colla", "question": "Rate it", "answer": "COLLA-SURVEY"},
                {"name": "Othera", "question": "Rate it", "answer": "OTHER-SURVEY"},
            ],
        },
        "summary": {"title": "Review", "overview": "SUMMARY-ONE", "next_steps": ["ship"]},
    }


def seeded(simulators, tag: str) -> tuple[dict, dict]:
    corpus = seed(simulators, meetings=1, seed=61)
    doc = interactive(corpus, tag)
    simulators.control("POST", "/zoom/meetings", doc)
    simulators.control("POST", "/m365/mailboxes", {"address": COMPLIANCE})
    return corpus, doc


def item_of(simulators, mailbox: str, uuid: str) -> list[dict]:
    return [i for i in items(simulators, mailbox) if uuid_of(i) == uuid]


def names(item: dict) -> list[str]:
    return [a["name"] for a in item["attachments"]]


@pytest.fixture(scope="module")
def archived(azurite, simulators, tmp_path_factory):
    corpus, doc = seeded(simulators, "interactions-e2e")
    values = settings(azurite, simulators, COMPLIANCE_MAILBOX=COMPLIANCE)
    monkeypatch = pytest.MonkeyPatch()
    try:
        summary = run(values, monkeypatch, tmp_path_factory.mktemp("interactions"))
    finally:
        monkeypatch.undo()
    assert summary.ok
    return corpus, doc, values


def test_the_host_and_compliance_items_show_every_answer_and_attach_zoom_files(
    simulators, archived
) -> None:
    corpus, doc, _ = archived
    for mailbox in (corpus["users"][0], COMPLIANCE):
        [item] = item_of(simulators, mailbox, doc["uuid"])
        body = item["body"]["content"]
        for text in ("COLLA-POLL", "OTHER-POLL", "ANON-POLL", "COLLA-QUESTION", "ANON-QUESTION"):
            assert text in body, (mailbox, text)
        assert "OTHER-SURVEY" in body
        assert "SUMMARY-ONE" in body
        for kind in ("polls.json", "Q&A.json", "survey.json", "summary.json", "summary.md"):
            assert any(n.endswith(kind) for n in names(item)), (mailbox, kind)


def test_an_attendee_sees_their_own_answers_never_another_attendees(simulators, archived) -> None:
    corpus, doc, _ = archived
    colleague, other = corpus["users"][1:3]
    [mine] = item_of(simulators, colleague, doc["uuid"])
    body = mine["body"]["content"]
    for own in ("COLLA-POLL", "COLLA-QUESTION", "PRIVATE-REPLY", "COLLA-SURVEY"):
        assert own in body, own
    for theirs in ("OTHER-POLL", "ANON-POLL", "OTHER-SURVEY", "SUMMARY-ONE"):
        assert theirs not in body, theirs
    assert not [n for n in names(mine) if n.endswith(("polls.json", "survey.json", ".md"))]
    [theirs] = item_of(simulators, other, doc["uuid"])
    assert "COLLA-POLL" not in theirs["body"]["content"]
    assert "PRIVATE-REPLY" not in theirs["body"]["content"]


def test_an_edited_summary_is_exactly_one_update_item(
    azurite, simulators, archived, tmp_path
) -> None:
    corpus, doc, values = archived
    host_mailbox = corpus["users"][0]
    simulators.control(
        "PATCH",
        f"/zoom/meetings/{quote(doc['uuid'], safe='')}/summary",
        {"content": "## Decisions\n\n- SUMMARY-TWO\n"},
    )
    monkeypatch = pytest.MonkeyPatch()
    try:
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        entrypoints._deps = None
        host = Host("function_app", values, tmp_path / "host.json", port=0, host_id="summ")
        host.start()
        try:
            url = f"http://127.0.0.1:{host.http_port}/api/zoom/webhook"
            for _ in range(2):  # the same edit twice: one update
                answer = simulators.control(
                    "POST",
                    "/zoom/webhooks/send",
                    {"url": url, "event": "meeting.summary_updated", "meeting_uuid": doc["uuid"]},
                )
                assert answer["status"] == 200
            time.sleep(1)
        finally:
            host.stop(grace=5)
        run(values, monkeypatch, tmp_path)
    finally:
        monkeypatch.undo()
    for mailbox in (host_mailbox, COMPLIANCE):
        found = item_of(simulators, mailbox, doc["uuid"])
        assert len(found) == 2, mailbox
        assert sum("SUMMARY-TWO" in i["body"]["content"] for i in found) == 1
    assert len(item_of(simulators, corpus["users"][1], doc["uuid"])) == 1


def test_with_the_heavy_budget_spent_the_item_is_archived_and_says_what_it_lacks(
    azurite, simulators, tmp_path, monkeypatch
) -> None:
    corpus, doc = seeded(simulators, "interactions-heavy")
    values = settings(
        azurite,
        simulators,
        COMPLIANCE_MAILBOX=COMPLIANCE,
        ZOOM_DAILY_HEAVY_LIMIT="1",
        ZOOM_DAILY_HEAVY_RESERVE_PERCENT="0",
    )
    assert run(values, monkeypatch, tmp_path).ok
    [item] = item_of(simulators, corpus["users"][0], doc["uuid"])
    body = item["body"]["content"]
    assert "The survey was not fetched" in body
    assert "GET /past_meetings/{uuid}/qa" in body
    assert "COLLA-QUESTION" in body
    assert "OTHER-SURVEY" not in body
