"""Zoom's CHAT_MESSAGE JSON read into chat lines: every msg_type, base64 fields decoded (and
tolerated when they are not base64), msg_extended_type's fields, shared files, and filtered
copies written back as valid JSON."""

from __future__ import annotations

import base64
import json

from archiver.core.converter.chat_json import chat_json, is_json_chat, parse_chat_json
from tests.archive_chat import b64, chat, ext, message


def one(msg: dict) -> object:
    [line] = parse_chat_json(chat(msg)).lines
    return line


def test_a_public_message_is_decoded_from_base64() -> None:
    line = one(message(1, "hello all", "Ann", extended=ext()))
    assert (line.kind, line.sender, line.sender_email, line.text) == (
        "public", "Ann", "ann@contoso.com", "hello all",
    )  # fmt: skip
    assert not line.marked
    assert line.time == "00:01:00"


def test_a_direct_message_names_its_receiver_by_address() -> None:
    line = one(message(2, "just you", "Ann", "Bob", extended=ext(receiver="04")))
    assert (line.kind, line.recipient, line.recipient_email) == ("direct", "Bob", "bob@contoso.com")
    assert line.marked  # a reader that knows only names withholds it


def test_a_deleted_message_carries_the_original_text_when_the_original_is_there() -> None:
    original = message(1, "oops", msg_id="m-1")
    deleted = message(3, "", msg_id="m-2", original_msg_id="m-1", extended=ext(action="02"))
    lines = parse_chat_json(chat(original, deleted)).lines
    assert (lines[1].kind, lines[1].original) == ("deleted", "oops")


def test_a_deleted_message_without_its_original_says_so_by_having_none() -> None:
    line = one(message(3, "", original_msg_id="gone"))
    assert line.kind == "deleted"
    assert line.original is None


def test_an_edit_keeps_both_versions() -> None:
    first = message(1, "teh plan", msg_id="m-1")
    edit = message(6, "the plan", msg_id="m-2", original_msg_id="m-1", extended=ext(action="03"))
    lines = parse_chat_json(chat(first, edit)).lines
    assert [line.text for line in lines] == ["teh plan", "the plan"]
    assert (lines[1].kind, lines[1].original, lines[1].action) == ("edited", "teh plan", "03")


def test_a_reply_names_its_parent() -> None:
    line = one(message(7, "agreed", "Bob", parent_msg_id="m-1"))
    assert (line.kind, line.parent_id) == ("reply", "m-1")


def test_an_emoji_reaction_is_its_emoji() -> None:
    line = one(message(4, "\U0001f44d", "Bob", parent_msg_id="m-1"))
    assert (line.kind, line.text) == ("reaction", "\U0001f44d")


def test_non_verbal_feedback_is_named_whether_its_code_is_base64_or_not() -> None:
    coded = [message(5, code) for code in ("1", "2", "3")]
    plain = {**message(5, ""), "msg_content": "1"}
    lines = parse_chat_json(chat(*coded, plain)).lines
    assert [line.text for line in lines] == ["raise hand", "yes", "no", "raise hand"]
    assert all(line.kind == "feedback" for line in lines)


def test_the_extended_type_is_read_as_its_six_fields() -> None:
    line = one(message(1, "let me in", "Cat", extended="040401000600"))
    assert (line.sent_from, line.sent_to, line.action, line.receiver) == ("04", "04", "01", "06")


def test_an_extended_type_given_as_a_number_keeps_its_leading_zero() -> None:
    line = one(message(1, "hi", extended=10101000100))
    assert (line.sent_from, line.receiver) == ("01", "01")


def test_private_group_and_shared_files_are_read() -> None:
    files = [{"fileId": "f1", "fileName": "plan.pdf", "fileSize": 2048}, {"fileId": "f2"}]
    line = one(message(2, "see", private_group_id="pg-1", files=files, extended=ext(receiver="07")))
    assert line.group == "pg-1"
    assert [(f.file_id, f.name, f.size) for f in line.files] == [
        ("f1", "plan.pdf", 2048),
        ("f2", "f2", None),
    ]


def test_unpadded_base64_is_decoded_without_a_note() -> None:
    doc = {**message(1, ""), "msg_content": b64("hi!!").rstrip("=") + "", "s_name": "QW5u"}
    found = parse_chat_json(chat(doc))
    assert found.lines[0].sender == "Ann"
    assert not found.problems


def test_a_value_that_is_not_base64_is_kept_as_text_with_a_note_naming_the_field() -> None:
    found = parse_chat_json(chat({**message(1, "x"), "s_name": "Ann Lee", "s_email": "a@b.c"}))
    assert (found.lines[0].sender, found.lines[0].sender_email) == ("Ann Lee", "a@b.c")
    assert found.problems == (
        "messages[0].s_name: not base64 of text; kept as Zoom wrote it",
        "messages[0].s_email: not base64 of text; kept as Zoom wrote it",
    )


def test_a_bad_message_is_recorded_by_index_and_the_others_kept() -> None:
    found = parse_chat_json(chat(message(1, "a"), ["not", "a message"], message(1, "b")))
    assert [line.text for line in found.lines] == ["a", "b"]
    assert found.unparsed == 1
    assert found.problems == ("messages[1]: expected an object, got a list; left out",)


def test_problems_never_quote_the_text() -> None:
    doc = {**message(1, "x"), "msg_type": "SECRET-TYPE", "msg_content": "SECRET not base64"}
    assert "SECRET" not in " ".join(parse_chat_json(chat(doc)).problems)


def test_a_whole_file_in_base64_is_read_like_the_json() -> None:
    data = chat(message(1, "hello"), message(2, "psst", "Ann", "Bob"))
    assert parse_chat_json(base64.b64encode(data)) == parse_chat_json(data)
    assert is_json_chat(base64.b64encode(data))
    assert is_json_chat(data)
    assert not is_json_chat(b"00:00:01\tAnn:\thello\n")


def test_a_file_cut_short_keeps_the_messages_before_the_cut() -> None:
    data = chat(message(1, "one"), message(1, "two"), message(1, "three"))
    found = parse_chat_json(data[: data.index(b64("three").encode())])
    assert [line.text for line in found.lines] == ["one", "two"]
    assert found.unparsed == 1
    assert found.problems[0].startswith("messages[2]: not readable JSON")


def test_a_filtered_copy_is_valid_json_with_the_same_frame_and_only_its_messages() -> None:
    data = chat(message(1, "hello"), message(2, "psst", "Ann", "Bob"), uuid="u/1==")
    found = parse_chat_json(data)
    copy = chat_json(found.envelope, found.lines[:1])
    assert json.loads(copy) == {"uuid": "u/1==", "messages": [json.loads(data)["messages"][0]]}
    assert copy == chat_json(found.envelope, found.lines[:1])  # deterministic bytes


def test_numbers_json_cannot_hold_are_read_as_null_so_copies_stay_valid_json() -> None:
    found = parse_chat_json(b'{"uuid": "u", "messages": [{"msg_type": 1, "x": NaN, "y": 1e999}]}')
    assert json.loads(chat_json(found.envelope, found.lines))["messages"] == [
        {"msg_type": 1, "x": None, "y": None}
    ]


def test_rich_text_is_kept_in_the_file_but_never_interpreted() -> None:
    rich = [{"start_position": 0, "end_position": 4, "format_type": "<b>", "format_attr": "<i>"}]
    line = one(message(1, "bold", rich_text=rich))
    assert line.text == "bold"
    assert json.loads(line.raw)["rich_text"] == rich
