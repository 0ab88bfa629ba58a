"""Every meeting, recorded or not, through the local host: a meeting nobody recorded reaches each
internal participant and the compliance mailbox with every join and leave, a meeting with one
participant too; one recorded later gets exactly one update item; and where Zoom refuses the
account's meeting history, each user's meeting report finds the same meetings."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.support import items, run, seed, settings, uuid_of

pytestmark = pytest.mark.e2e
COMPLIANCE = "zoom-compliance@contoso.com"
START = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=2)
HISTORY_SCOPES = {"report:read:list_history_meetings:admin", "report:read:admin"}


def uuid(tag: str) -> str:
    return base64.b64encode(hashlib.sha256(tag.encode()).digest()[:16]).decode()


def at(minutes: int) -> str:
    return f"{START + timedelta(minutes=minutes):%H:%M:%S} UTC"


def person(user: dict[str, Any], *sessions: list[int]) -> dict[str, Any]:
    return {"name": user["first_name"], "email": user["email"], "user_id": user["id"],
            "sessions": [list(s) for s in sessions]}  # fmt: skip


def meeting(tag: str, host: dict[str, Any], people: list[dict[str, Any]], **more: Any) -> dict:
    return {
        "uuid": uuid(tag),
        "id": 85000000000 + int(hashlib.sha256(tag.encode()).hexdigest()[:6], 16),
        "host_id": host["id"],
        "topic": tag,
        "start_time": START.isoformat(),
        "duration": 40,
        "participants": people,
        "files": [],
        **more,
    }


def zoom_users() -> list[dict[str, Any]]:
    """The seed's users (zu0000 … with emails like ann0@contoso.com), the first four active."""
    return [
        {"id": f"zu{i:04d}", "email": email, "first_name": email.split("@")[0].title()}
        for i, email in enumerate(CORPUS["users"])
    ]


CORPUS: dict[str, Any] = {}


def seed_meetings(simulators, tag: str) -> dict[str, Any]:
    CORPUS.update(seed(simulators, meetings=1, seed=61))
    ann, bob, cy, dee = zoom_users()[:4]
    simulators.control("POST", "/m365/mailboxes", {"address": COMPLIANCE})
    guest = {"name": "Guest", "email": "guest@fabrikam.example", "sessions": [[3, 20]]}
    docs = {
        "board": meeting(
            f"{tag} board call",
            ann,
            [person(ann, [0, 40]), person(bob, [2, 10], [15, 40]), person(cy, [5, 30]), guest],
        ),
        "solo": meeting(f"{tag} solo planning", dee, [person(dee, [0, 20])]),
        "webinar": meeting(
            f"{tag} webinar",
            ann,
            [
                {**person(ann, [0, 40]), "role": "host"},
                {**person(bob, [0, 40]), "role": "panelist"},
                person(cy, [3, 35]),
                {"name": "Viewer", "email": "viewer@fabrikam.example", "sessions": [[2, 30]]},
            ],
            kind="webinar",
            registrants=[
                {"email": cy["email"], "first_name": "Cy", "last_name": "Attends"},
                {"email": dee["email"], "first_name": "Dee", "last_name": "Absent"},
            ],
            polls=[
                {
                    "id": "poll-w",
                    "title": "Roadmap",
                    "answers": [
                        {
                            "name": cy["first_name"],
                            "question": "Ship in Q3?",
                            "answer": "CY-YES",
                            "minute": 10,
                        },
                        {
                            "name": "Viewer",
                            "question": "Ship in Q3?",
                            "answer": "VIEWER-NO",
                            "minute": 11,
                        },
                    ],
                }
            ],
            qa=[
                {
                    "name": "Viewer",
                    "question": "Is there a recording?",
                    "minute": 20,
                    "answers": [{"name": bob["first_name"], "content": "Yes, tomorrow"}],
                }
            ],
        ),
        "later": meeting(
            f"{tag} recorded later", ann, [person(ann, [0, 40]), person(bob, [1, 39])]
        ),
    }
    for doc in docs.values():
        simulators.control("POST", "/zoom/meetings", doc)
    return {**docs, "people": {"ann": ann, "bob": bob, "cy": cy, "dee": dee}}


def of(simulators, mailbox: str, doc: dict) -> list[dict]:
    return [i for i in items(simulators, mailbox) if uuid_of(i) == doc["uuid"]]


@pytest.fixture(scope="module")
def archived(azurite, simulators, tmp_path_factory):
    seeded = seed_meetings(simulators, "Unrecorded")
    values = settings(azurite, simulators, COMPLIANCE_MAILBOX=COMPLIANCE)
    monkeypatch = pytest.MonkeyPatch()
    try:
        first = run(values, monkeypatch, tmp_path_factory.mktemp("first"))
        later = {**seeded["later"], "files": [{"file_type": "MP4", "size": 200_007}]}
        simulators.control("POST", "/zoom/meetings", later)  # recorded after all
        second = run(values, monkeypatch, tmp_path_factory.mktemp("second"))
    finally:
        monkeypatch.undo()
    assert first.ok
    assert second.ok
    return seeded


def test_an_unrecorded_meeting_reaches_each_internal_participant_with_every_join_and_leave(
    simulators, archived
) -> None:
    board, who = archived["board"], archived["people"]
    for mailbox in (who["ann"]["email"], who["bob"]["email"], who["cy"]["email"], COMPLIANCE):
        [item] = of(simulators, mailbox, board)
        body = item["body"]["content"]
        assert board["topic"] in item["subject"]
        for minute in (0, 2, 10, 15, 40, 5, 30, 3, 20):
            assert at(minute) in body, (mailbox, minute)
        assert "Zoom holds no cloud recording or archive of this meeting" in body
        assert item["attachments"] == []
    assert of(simulators, who["dee"]["email"], board) == []  # not there, not a recipient


def test_a_meeting_with_one_participant_is_archived(simulators, archived) -> None:
    solo, dee = archived["solo"], archived["people"]["dee"]
    for mailbox in (dee["email"], COMPLIANCE):
        [item] = of(simulators, mailbox, solo)
        assert "one person attended" in item["body"]["content"]


def test_a_meeting_recorded_later_gets_exactly_one_update_item(simulators, archived) -> None:
    later, ann = archived["later"], archived["people"]["ann"]
    for mailbox in (ann["email"], COMPLIANCE):
        first, update = sorted(of(simulators, mailbox, later), key=lambda i: len(i["attachments"]))
        assert first["attachments"] == []
        assert [a["name"].rsplit(".", 1)[-1] for a in update["attachments"]] == ["mp4"]


def test_a_webinar_reaches_its_host_panelists_and_attendees_and_names_its_absentees(
    simulators, archived
) -> None:
    webinar, who = archived["webinar"], archived["people"]
    for mailbox in (who["ann"]["email"], who["bob"]["email"], who["cy"]["email"], COMPLIANCE):
        [item] = of(simulators, mailbox, webinar)
        body = item["body"]["content"]
        assert at(35) in body, mailbox  # the attendee's leave
        assert "Registered, did not attend (1): Dee Absent" in body
    assert of(simulators, who["dee"]["email"], webinar) == []  # registered, absent: listed only


def test_a_webinars_polls_and_qa_reach_its_host_and_each_attendee_sees_their_own_answer(
    simulators, archived
) -> None:
    webinar, who = archived["webinar"], archived["people"]
    for mailbox in (who["ann"]["email"], COMPLIANCE):
        body = of(simulators, mailbox, webinar)[0]["body"]["content"]
        assert "CY-YES" in body, mailbox
        assert "VIEWER-NO" in body, mailbox
        assert "Is there a recording?" in body, mailbox
    attendee = of(simulators, who["cy"]["email"], webinar)[0]["body"]["content"]
    assert "CY-YES" in attendee
    assert "VIEWER-NO" not in attendee  # another attendee's answer


@pytest.fixture(scope="module")
def refused(azurite, simulators, tmp_path_factory, archived):
    seeded = seed_meetings(simulators, "Refused")
    answer = simulators.control("PATCH", "/zoom/settings", {})
    scopes = [s for s in answer["scopes"] if s not in HISTORY_SCOPES]
    scopes += ["report:read:user:admin", "report:read:list_meeting_participants:admin"]
    simulators.control("PATCH", "/zoom/settings", {"scopes": scopes})
    values = settings(azurite, simulators, COMPLIANCE_MAILBOX=COMPLIANCE)
    monkeypatch = pytest.MonkeyPatch()
    try:
        summary = run(values, monkeypatch, tmp_path_factory.mktemp("refused"))
    finally:
        monkeypatch.undo()
        simulators.control("PATCH", "/zoom/settings", {"scopes": answer["scopes"]})
    assert summary.ok
    return seeded


def test_without_the_history_scope_each_users_meeting_report_finds_them(
    simulators, refused
) -> None:
    who = refused["people"]
    [board] = of(simulators, who["cy"]["email"], refused["board"])
    assert at(30) in board["body"]["content"]
    assert len(of(simulators, who["dee"]["email"], refused["solo"])) == 1  # pastOne
    assert len(of(simulators, COMPLIANCE, refused["later"])) == 1
