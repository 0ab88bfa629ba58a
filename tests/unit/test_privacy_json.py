"""Who may see each line of Zoom's JSON chat, by exact address: a direct message its two people,
a private group its members, the waiting room its people and the host, the backstage its members
and the host; lines nobody can be sure of go only where unattributed lines go."""

from __future__ import annotations

from archiver.core.contracts import StagedMeeting
from archiver.core.privacy import Viewer, identities, visible
from archiver.core.views import chat_audiences
from tests.archive_chat import MAILBOXES, chat, ext, meeting, member_log, message, staged

EVERYONE = ("ann", "bob", "cat", "dan")


def seen(doc: StagedMeeting, name: str | None, **privileges: bool) -> list[str]:
    heard = chat_audiences(doc, identities(doc.meeting, MAILBOXES))
    ids = frozenset({f"mailbox:id-{name}"}) if name else frozenset()
    [found] = doc.chats
    return [found.lines[i].text for i in visible(heard["cm1"], Viewer(ids, **privileges))]


def who_sees(doc: StagedMeeting, text: str) -> set[str]:
    return {name for name in EVERYONE if text in seen(doc, name)}


def test_public_lines_and_attendees_cc_panelists_lines_reach_everyone() -> None:
    doc = staged(
        chat(message(1, "hi", extended=ext()), message(1, "q", extended=ext("02", receiver="03")))
    )
    assert who_sees(doc, "hi") == who_sees(doc, "q") == set(EVERYONE)


def test_a_direct_message_reaches_its_sender_and_receiver_by_address() -> None:
    doc = staged(chat(message(2, "psst", "Ann", "Bob", extended=ext(receiver="04"))))
    assert who_sees(doc, "psst") == {"ann", "bob"}


def test_an_address_decides_even_when_names_are_shared() -> None:
    # Cat renamed herself "Bob": the address, not the name, says who received the message.
    doc = staged(chat({**message(2, "for cat", "Ann", "Cat"), "r_name": "Qm9i"}))
    assert who_sees(doc, "for cat") == {"ann", "cat"}


def test_a_blank_address_falls_back_to_a_name_only_one_person_has() -> None:
    blank = {**message(2, "to bob", "Ann", "Bob"), "r_email": ""}
    doc = staged(chat(blank))
    assert who_sees(doc, "to bob") == {"ann", "bob"}


def test_a_direct_message_to_someone_nobody_can_be_sure_of_is_unattributed() -> None:
    doc = staged(chat(message(2, "to zed", "Ann", "Zed")))
    assert who_sees(doc, "to zed") == set()
    assert "to zed" in seen(doc, "ann", unattributed=True)
    assert "to zed" in seen(doc, None, complete=True)


def test_a_private_group_line_reaches_the_groups_members_only() -> None:
    line = message(2, "group talk", "Ann", private_group_id="pg-1", extended=ext(receiver="07"))
    doc = staged(chat(line), log=member_log({"pg-1": ["Ann", "Cat"]}))
    assert who_sees(doc, "group talk") == {"ann", "cat"}


def test_a_private_group_the_member_log_does_not_list_is_unattributed() -> None:
    line = message(2, "group talk", "Ann", private_group_id="pg-9", extended=ext(receiver="07"))
    for log in (member_log({"pg-1": ["Ann", "Cat"]}), None):
        doc = staged(chat(line), log=log)
        assert who_sees(doc, "group talk") == set()
        assert "group talk" in seen(doc, "ann", unattributed=True)


def test_a_waiting_room_broadcast_reaches_the_people_who_waited_and_the_host() -> None:
    line = message(1, "please wait", "Ann", extended=ext("01", "04", receiver="05"))
    doc = staged(chat(line), meeting(["Ann", "Bob"], waiting=("Cat",)))
    assert who_sees(doc, "please wait") == {"ann", "cat"}


def test_a_message_from_the_waiting_room_to_the_hosts_reaches_its_sender_and_the_host() -> None:
    line = message(1, "let me in", "Dan", extended=ext("04", "01", receiver="06"))
    doc = staged(chat(line), meeting(["Ann", "Bob"], waiting=("Cat", "Dan")))
    assert who_sees(doc, "let me in") == {"ann", "dan"}


def test_a_backstage_line_reaches_the_backstage_and_the_host() -> None:
    line = message(1, "mic check", "Bob", extended=ext("05", receiver="01"))
    doc = staged(chat(line), log=member_log({}, backstage=["Bob", "Cat"]))
    assert who_sees(doc, "mic check") == {"ann", "bob", "cat"}


def test_hosts_and_panelists_lines_reach_the_host_known_panelists_and_the_sender() -> None:
    line = message(1, "question", "Dan", extended=ext("02", receiver="02"))
    doc = staged(chat(line), log=member_log({}, backstage=["Cat"]))
    assert who_sees(doc, "question") == {"ann", "cat", "dan"}  # never Bob, an attendee


def test_a_breakout_room_line_is_public_in_its_own_room_and_unattributed_elsewhere() -> None:
    line = message(1, "room idea", "Bob", extended=ext("03", receiver="01"))
    assert who_sees(staged(chat(line), meeting(parent_uuid="parent==")), "room idea") == set(
        EVERYONE
    )
    assert who_sees(staged(chat(line)), "room idea") == set()


def test_unknown_types_and_codes_are_unattributed() -> None:
    doc = staged(
        chat(
            message(9, "new type"),
            message(1, "new receiver", extended=ext(receiver="08")),
            message(1, "unreadable", extended="01-01"),
        )
    )
    assert all(who_sees(doc, text) == set() for text in ("new type", "new receiver", "unreadable"))


def test_a_deleted_or_edited_direct_message_keeps_its_audience() -> None:
    dm = message(2, "secret", "Ann", "Bob", msg_id="m-1", extended=ext(receiver="04"))
    # The deletion and the edit themselves say nothing of the receiver: the original decides.
    gone = message(3, "", "Ann", msg_id="m-2", original_msg_id="m-1", extended=ext(action="02"))
    edit = message(6, "secret v2", "Ann", msg_id="m-3", original_msg_id="m-1")
    doc = staged(chat(dm, gone, edit))
    assert [who_sees(doc, t) for t in ("secret", "", "secret v2")] == [{"ann", "bob"}] * 3


def test_a_reply_or_reaction_to_a_direct_message_stays_with_its_two_people() -> None:
    dm = message(2, "secret", "Ann", "Bob", msg_id="m-1")
    reply = message(7, "re: secret", "Bob", msg_id="m-2", parent_msg_id="m-1")
    react = message(4, "\u2764", "Bob", msg_id="m-3", parent_msg_id="m-2")
    doc = staged(chat(dm, reply, react))
    assert [who_sees(doc, t) for t in ("secret", "re: secret", "\u2764")] == [{"ann", "bob"}] * 3


def test_messages_that_refer_to_each_other_in_a_loop_are_still_decided() -> None:
    a = message(7, "a", msg_id="m-1", parent_msg_id="m-2")
    b = message(7, "b", "Bob", "Cat", msg_id="m-2", parent_msg_id="m-1")
    doc = staged(chat(a, b))
    assert who_sees(doc, "a") == who_sees(doc, "b") == {"bob", "cat"}
