"""Chat and transcript parsers, safe names and model parsing: tolerant, never silent."""

from __future__ import annotations

import pytest

from archiver.core.converter.names import TRUNCATED, clean_text, safe_file_name
from archiver.core.converter.transcripts import chat_text, parse_chat, parse_vtt
from archiver.core.model import Meeting
from archiver.errors import InvalidInputError


def test_chat_lines_keep_order_sender_and_private_recipient() -> None:
    lines, bad = parse_chat(b"00:00:01\tAnn:\thi\n00:00:05\tBob to Ann(Direct Message):\tpsst\n")
    assert [(c.sender, c.recipient, c.direct) for c in lines] == [
        ("Ann", "Everyone", False),
        ("Bob", "Ann", True),
    ]
    assert bad == 0


def test_the_locally_saved_chat_format_is_understood_too() -> None:
    [line], _ = parse_chat(b"10:01:02 From  Ann  to  Everyone: hello\n")
    assert (line.sender, line.recipient, line.text) == ("Ann", "Everyone", "hello")


def test_unreadable_chat_lines_are_counted_and_invalid_utf8_replaced() -> None:
    lines, bad = parse_chat(b"garbage\n00:00:01\tAnn:\tcaf\xe9\n")
    assert bad == 1
    assert lines[0].text == "caf\ufffd"


def test_vtt_cues_of_one_speaker_merge_into_a_turn() -> None:
    turns, bad = parse_vtt(
        b"WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nAnn: a\n\n"
        b"2\n00:00:02.000 --> 00:00:03.000\nAnn: b\n\n"
        b"3\n00:00:03.000 --> 00:00:04.000\n<v Bob>c</v>\n\nnoise\n"
    )
    assert [(t.speaker, t.text) for t in turns] == [("Ann", "a b"), ("Bob", "c")]
    assert bad == 1


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../../etc/passwd", "etc_passwd"),
        ("CON.txt", "_CON.txt"),
        ('a<b>:c"|?*.mp4', "a_b_c_.mp4"),
        ("x" * 300 + ".mp4", "x" * 116 + ".mp4"),
        ("", "file"),
    ],
)
def test_file_names_are_made_safe(raw: str, safe: str) -> None:
    assert safe_file_name(raw) == safe


def test_text_loses_control_characters_and_is_truncated_visibly() -> None:
    assert clean_text("a\r\nb\tc", limit=50) == "a b c"
    assert clean_text("y" * 100, limit=20).endswith(TRUNCATED)


def test_a_recording_without_a_start_time_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidInputError, match=r"recordings\.start_time"):
        Meeting.from_zoom({"uuid": "u", "id": 1, "recording_files": []}, None, [])


def test_a_meeting_round_trips_through_its_dict_form() -> None:
    recordings = {
        "uuid": "u==",
        "id": 81234567890,
        "start_time": "2026-11-20T15:00:00Z",
        "duration": 5,
        "recording_files": [{"id": "f", "file_type": "MP4", "file_size": 3, "status": "completed"}],
    }
    meeting = Meeting.from_zoom(recordings, None, [{"name": "A", "user_email": "A@X.COM"}])
    assert Meeting.from_dict(meeting.to_dict()) == meeting
    assert meeting.participants[0].email == "a@x.com"


def test_a_message_over_several_lines_stays_one_message() -> None:
    [line], bad = parse_chat(b"00:00:01\tAnn:\tfirst\n\tsecond\n\tthird\n")
    assert (line.text, bad) == ("first\nsecond\nthird", 0)


def test_the_local_format_marks_private_messages_direct() -> None:
    [line], _ = parse_chat(b"10:01:02 From Ann to Bob (Privately): psst\n")
    assert (line.sender, line.recipient, line.direct) == ("Ann", "Bob", True)


def test_a_filtered_chat_is_written_back_in_zoom_format() -> None:
    lines, _ = parse_chat(b"00:00:01\tAnn:\thi\n00:00:05\tBob to Ann(Direct Message):\ta\n\tb\n")
    again, bad = parse_chat(chat_text(lines))
    assert again == lines
    assert bad == 0


def test_a_huge_line_without_structure_is_one_unparsed_line() -> None:
    lines, bad = parse_chat(b"00:00:01 From " + b"x to " * 200_000 + b"\n")
    assert (lines, bad) == ([], 1)


def test_one_speaker_talking_for_many_cues_is_one_turn() -> None:
    cues = "".join(
        f"{i}\n00:00:{i % 60:02d}.000 --> 00:00:{i % 60:02d}.500\nAnn: w{i}\n\n"
        for i in range(3000)
    )
    [turn], bad = parse_vtt(("WEBVTT\n\n" + cues).encode())
    assert turn.text.split()[:2] == ["w0", "w1"]
    assert len(turn.text.split()) == 3000
    assert bad == 0
