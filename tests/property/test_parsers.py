"""The chat and transcript parsers never raise, for any bytes at all."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from archiver.core.converter.chat_json import chat_json, parse_chat_json
from archiver.core.converter.member_log import parse_member_log
from archiver.core.converter.transcripts import parse_chat, parse_vtt
from tests.property.strategies import json_values, text

# Pieces of Zoom's formats, so that random input also reaches the deeper branches.
CHAT_PIECES = ["00:00:01", "\t", ":", " From ", " to ", "Everyone", "(Direct Message)",
               " (Privately)", "\n", "\r\n", " ", "Ann", "\x00", "\ufeff"]  # fmt: skip
VTT_PIECES = ["WEBVTT", "\n\n", "\n", "00:00:01.000", " --> ", "00:01.500", "<v ", "<v.a ",
              ">", "</v>", ": ", "NOTE", "Ann", "\r\n", "\x00"]  # fmt: skip


def built(pieces: list[str]) -> st.SearchStrategy[bytes]:
    parts = st.one_of(st.sampled_from(pieces), st.text(max_size=5))
    return st.lists(parts, max_size=30).map(lambda p: "".join(p).encode("utf-8", "surrogatepass"))


@given(st.one_of(st.binary(), built(CHAT_PIECES)))
def test_parse_chat_never_raises_and_counts_every_line(data: bytes) -> None:
    lines, unparsed = parse_chat(data)
    assert unparsed >= 0
    assert all(line.time and isinstance(line.text, str) for line in lines)


@given(st.one_of(st.binary(), built(VTT_PIECES)))
def test_parse_vtt_never_raises(data: bytes) -> None:
    turns, unparsed = parse_vtt(data)
    assert unparsed >= 0
    assert all(isinstance(turn.speaker, str) for turn in turns)


JSON_PIECES = ['{"messages": [', "{", "}", "[", "]", ",", ":", '"msg_type": ', "2", '"s_email": ',
               '"YW5u"', '"msg_extended_type": "010101000400"', '"parent_msg_id": "eA=="', "null",
               "NaN", "1e999", '"\\ud800"', "\ufeff", "eyJtZXNzYWdlcyI6W10="]  # fmt: skip


@given(st.one_of(st.binary(), built(JSON_PIECES)))
def test_parse_chat_json_never_raises_and_its_copies_are_json(data: bytes) -> None:
    found = parse_chat_json(data)
    assert found.unparsed >= 0
    json.loads(chat_json(found.envelope, found.lines))


@given(st.lists(json_values, max_size=5), st.dictionaries(text, json_values, max_size=4))
def test_every_message_is_a_line_or_counted_and_every_line_is_in_its_copy(
    messages: list[object], frame: dict[str, object]
) -> None:
    found = parse_chat_json(json.dumps({**frame, "messages": messages}).encode())
    assert len(found.lines) + found.unparsed == len(messages)
    copy = json.loads(chat_json(found.envelope, found.lines))
    assert len(copy["messages"]) == sum(isinstance(m, dict) for m in messages)


@given(
    st.one_of(st.binary(), built(JSON_PIECES), json_values.map(lambda v: json.dumps(v).encode()))
)
def test_parse_member_log_never_raises(data: bytes) -> None:
    log = parse_member_log("f", data)
    assert log.unparsed >= 0
    assert all(isinstance(s.email, str) for room in log.rooms for s in room.stays)
