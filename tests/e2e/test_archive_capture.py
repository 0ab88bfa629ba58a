"""Complete capture I through the local host: a meeting only Zoom's Archiving API holds, with
every kind of chat line, each participant's own audio, a file shared in the chat and a breakout
room, reaches each mailbox as what its owner saw, and the compliance mailbox as all of it."""

from __future__ import annotations

import pytest

from tests.e2e.support import items, run, seed, settings, uuid_of

pytestmark = pytest.mark.e2e
COMPLIANCE = "zoom-compliance@contoso.com"
SECRET = "DM-ARCHIVE-SECRET"


def attachment_bytes(sims, mailbox: str, item: dict) -> dict[str, bytes]:
    return {
        a["name"]: sims.control_bytes(
            "GET",
            f"/m365/mailboxes/{mailbox}/items/{item['id']}/attachments/{a['id']}/content",
        )
        for a in item["attachments"]
    }


def seen_by(sims, mailbox: str, uuid: str) -> tuple[str, dict[str, bytes]]:
    """The body and attachment bytes of the mailbox's item of this meeting."""
    [item] = [i for i in items(sims, mailbox) if uuid_of(i) == uuid]
    return item["body"]["content"], attachment_bytes(sims, mailbox, item)


@pytest.fixture(scope="module")
def archived(azurite, simulators, tmp_path_factory):
    corpus = seed(simulators, meetings=2, seed=41, content_sources=True)
    simulators.control("POST", "/m365/mailboxes", {"address": COMPLIANCE})
    simulators.control("PATCH", f"/m365/mailboxes/{COMPLIANCE}", {"max_message_bytes": 150 << 20})
    values = settings(azurite, simulators, COMPLIANCE_MAILBOX=COMPLIANCE)
    monkeypatch = pytest.MonkeyPatch()
    try:
        summary = run(values, monkeypatch, tmp_path_factory.mktemp("archive"))
    finally:
        monkeypatch.undo()
    assert summary.ok
    return corpus["content_sources"]["archived"]


def people(meeting: dict) -> tuple[str, str, str]:
    host = meeting["host_email"]
    colleague, other = [e for e in meeting["participant_emails"] if e != host][:2]
    return host, colleague, other


def test_a_direct_message_between_two_attendees_reaches_only_them(simulators, archived) -> None:
    host, colleague, other = people(archived)
    for mailbox in (colleague, other, COMPLIANCE):
        body, files = seen_by(simulators, mailbox, archived["uuid"])
        assert SECRET in body, mailbox
    body, files = seen_by(simulators, host, archived["uuid"])
    assert SECRET not in body
    assert all(SECRET.encode() not in data for data in files.values())
    assert "Welcome, agenda in the doc" in body  # the public chat is everyone's


def test_the_private_group_reaches_its_members_only(simulators, archived) -> None:
    host, colleague, other = people(archived)
    for mailbox in (colleague, other, COMPLIANCE):
        assert "private group note" in seen_by(simulators, mailbox, archived["uuid"])[0]
    body, files = seen_by(simulators, host, archived["uuid"])
    assert "private group note" not in body
    assert all(b"private group note" not in data for data in files.values())


def test_each_participants_own_audio_is_in_their_mailbox_only(simulators, archived) -> None:
    host, colleague, other = people(archived)
    # The seed gives the i-th participant the individual M4A of 65536 + i bytes.
    sizes = {65536 + i: e for i, e in enumerate(archived["participant_emails"])}
    own = {sizes[f["size"]]: f["sha256"] for f in archived["archive_files"] if f.get("individual")}
    assert set(own) >= {host, colleague, other}
    for mailbox in (host, colleague, other):
        [item] = [i for i in items(simulators, mailbox) if uuid_of(i) == archived["uuid"]]
        shas = {a["sha256"] for a in item["attachments"]}
        assert own[mailbox] in shas
        assert not shas & {sha for who, sha in own.items() if who != mailbox}
    [full] = [i for i in items(simulators, COMPLIANCE) if uuid_of(i) == archived["uuid"]]
    assert set(own.values()) <= {a["sha256"] for a in full["attachments"]}


def test_a_file_shared_in_the_public_chat_is_attached_for_everyone(simulators, archived) -> None:
    [shared] = archived["physical_files"]
    for mailbox in people(archived):
        [item] = [i for i in items(simulators, mailbox) if uuid_of(i) == archived["uuid"]]
        assert any(a["name"].endswith(" deck.pdf") for a in item["attachments"]), mailbox
        assert shared["sha256"] in {a["sha256"] for a in item["attachments"]}


def test_the_breakout_room_is_an_item_for_who_its_record_shows_linked_to_its_meeting(
    simulators, archived
) -> None:
    """Zoom names no member list that can be matched to a room: the room's item goes to who
    its own record shows was there (here the colleague, who wrote in its chat), never to the
    meeting's host by default, and always to the compliance mailbox."""
    host, colleague, _silent = people(archived)
    [room] = archived["breakout_rooms"]
    for mailbox in (colleague, COMPLIANCE):
        [item] = [i for i in items(simulators, mailbox) if uuid_of(i) == room]
        assert "breakout room" in item["subject"]
        assert archived["topic"] in item["subject"]
        assert "breakout idea" in item["body"]["content"]
    assert room not in [uuid_of(i) for i in items(simulators, host)]


def test_every_archive_file_arrived_whole(simulators, archived) -> None:
    [item] = [i for i in items(simulators, COMPLIANCE) if uuid_of(i) == archived["uuid"]]
    shas = {a["sha256"] for a in item["attachments"]}
    recordings = [f for f in archived["archive_files"] if f["file_type"] in ("MP4", "M4A")]
    assert {f["sha256"] for f in recordings} <= shas
    assert "not archived" not in item["body"]["content"]
