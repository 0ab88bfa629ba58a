"""The JSON chat as the item shows it: from where to whom, what kind of message, replies under
the message they answer, the original of an edit or deletion, files shared with a message; the
member log as a section of rooms and their members."""

from __future__ import annotations

from datetime import UTC, datetime

from archiver.core.converter import ItemContent, build_message
from archiver.core.converter.chat_json import parse_chat_json
from archiver.core.converter.chat_view import chat_lines
from archiver.core.converter.member_log import PRIVATE_GROUP, Room, Stay
from tests.archive_chat import chat, ext, meeting, message


def shown(*messages: dict) -> list[str]:
    return [line.plain for line in chat_lines(parse_chat_json(chat(*messages)).lines)]


def test_a_line_says_from_where_to_whom() -> None:
    assert shown(
        message(1, "hi", extended=ext()),
        message(2, "psst", "Ann", "Bob", extended=ext(receiver="04")),
        message(1, "wait", extended=ext("01", "04", receiver="05")),
        message(1, "let me in", "Cat", extended=ext("04", "01", receiver="06")),
        message(1, "q", "Dan", extended=ext("02", receiver="02")),
        message(2, "team", "Bob", private_group_id="pg-1", extended=ext(receiver="07")),
        message(1, "check", "Bob", extended=ext("05", receiver="01")),
    ) == [
        "[00:01:00] Ann to Everyone: hi",
        "[00:01:00] Ann to Bob (direct message): psst",
        "[00:01:00] Ann to the waiting room: wait",
        "[00:01:00] Cat (waiting room) to all hosts: let me in",
        "[00:01:00] Dan to hosts and panelists: q",
        "[00:01:00] Bob to private group pg-1: team",
        "[00:01:00] Bob (backstage) to Everyone: check",
    ]


def test_replies_and_reactions_follow_the_message_they_answer_indented() -> None:
    assert shown(
        message(1, "first", msg_id="a", at="00:01:00"),
        message(1, "second", msg_id="b", at="00:02:00"),
        message(7, "re first", "Bob", msg_id="c", parent_msg_id="a", at="00:03:00"),
        message(4, "\U0001f44d", "Cat", msg_id="d", parent_msg_id="c", at="00:04:00"),
    ) == [
        "[00:01:00] Ann to Everyone: first",
        "    \u21b3 [00:03:00] Bob to Everyone (reply): re first",
        "        \u21b3 [00:04:00] Cat to Everyone (reaction): \U0001f44d",
        "[00:02:00] Ann to Everyone: second",
    ]


def test_a_reply_to_a_message_not_shown_says_so() -> None:
    [line] = shown(message(7, "re ?", parent_msg_id="elsewhere"))
    assert line.endswith("\n    answers a message that is not shown in this copy")


def test_an_edit_shows_both_versions_and_a_deletion_its_original() -> None:
    assert shown(
        message(1, "teh", msg_id="a"),
        message(6, "the", msg_id="b", original_msg_id="a", extended=ext(action="03")),
        message(3, "", msg_id="c", original_msg_id="a", extended=ext(action="02")),
        message(3, "", msg_id="d", original_msg_id="gone"),
    )[1:] == [
        "[00:01:00] Ann to Everyone (edited): the\n    before the edit: teh",
        "[00:01:00] Ann to Everyone (deleted): teh",
        "[00:01:00] Ann to Everyone (deleted): (the deleted message is not in the chat file)",
    ]


def test_a_deletion_that_names_no_receiver_is_addressed_as_its_original_was() -> None:
    assert (
        shown(
            message(2, "oops", "Ann", "Bob", msg_id="a", extended=ext(receiver="04")),
            message(3, "", "Ann", msg_id="b", original_msg_id="a", extended=ext(action="02")),
        )[1]
        == "[00:01:00] Ann to Bob (direct message, deleted): oops"
    )


def test_feedback_and_shared_files_are_named() -> None:
    files = [{"fileId": "f1", "fileName": "plan.pdf", "fileSize": 2048}]
    assert shown(message(5, "2", "Bob"), message(1, "see", files=files)) == [
        "[00:01:00] Bob to Everyone (non-verbal feedback): yes",
        "[00:01:00] Ann to Everyone: see\n    shared file: plan.pdf, 2.0 KB (2,048 bytes)",
    ]


def test_markup_in_a_message_is_escaped_and_its_kind_muted() -> None:
    content = ItemContent(chat=parse_chat_json(chat(message(7, "<b>hi</b>", "Bob"))).lines)
    html = build_message(meeting(), [], content).html
    assert "[00:01:00] <b>Bob to Everyone</b> <span" in html
    assert "(reply)</span>: &lt;b&gt;hi&lt;/b&gt;" in html


def test_the_member_log_is_a_section_of_rooms_and_their_members() -> None:
    at = datetime(2026, 11, 20, 15, 3, tzinfo=UTC)
    room = Room(PRIVATE_GROUP, "pg-1", at, None, (Stay("cat@contoso.com", at, None),))
    text = build_message(meeting(), [], ItemContent(rooms=(room,))).text
    assert "Private groups and backstage\n----------------------------\n" in text
    assert "- Private group pg-1: opened 15:03:00 UTC, closed unknown\n" in text
    assert "    cat@contoso.com: joined 15:03:00 UTC, left unknown\n" in text


def test_a_txt_chat_renders_as_it_always_has() -> None:
    from archiver.core.converter.transcripts import parse_chat

    lines, _ = parse_chat(b"00:00:01\tAnn:\thi\n00:00:02\tAnn to Bob(Direct Message):\tyo\n")
    assert [line.plain for line in chat_lines(lines)] == [
        "[00:00:01] Ann: hi",
        "[00:00:02] Ann to Bob (direct message): yo",
    ]
