"""Staging reads the Archiving API's text files by their content: a chat file holding JSON (or
base64 of JSON) is Zoom's JSON chat whatever its type says, the member log is parsed once, and
one participant's own file carries its owner."""

from __future__ import annotations

import base64
from dataclasses import replace

from archiver.core.model import RecordingFile
from archiver.core.planning import FilePlan
from archiver.steps.document import (
    content_type_of,
    kind_of,
    parse_chat_file,
    parse_member_logs,
    parse_texts,
    staged_file,
)
from tests.archive_chat import chat, meeting, member_log, message, stored

JSON_CHAT = chat(message(1, "hello"), message(2, "psst", "Ann", "Bob"))
TXT_CHAT = b"00:00:01\tAnn:\thello\n"


def recording_file(file_type: str, extension: str = "JSON", **more: object) -> RecordingFile:
    return RecordingFile(
        "f1", file_type, extension, "", 10, "completed", "https://zoom.us/x", **more
    )  # type: ignore[arg-type]


def test_a_chat_file_is_read_as_json_or_text_by_what_it_holds() -> None:
    assert parse_chat_file("c", JSON_CHAT).format == "json"
    assert parse_chat_file("c", base64.b64encode(JSON_CHAT)).format == "json"
    assert parse_chat_file("c", TXT_CHAT).format == "txt"
    assert [line.text for line in parse_chat_file("c", JSON_CHAT).lines] == ["hello", "psst"]


def test_a_chat_file_of_type_chat_that_holds_json_is_parsed_as_json() -> None:
    files = [stored("c1", JSON_CHAT, kind_of(recording_file("CHAT")), "chat.json")]
    [found], _, _ = parse_texts(files, {"c1": (JSON_CHAT, False)}, {})
    assert (found.format, len(found.lines)) == ("json", 2)


def test_a_json_chat_cut_at_the_text_limit_keeps_its_first_messages_and_counts_the_cut() -> None:
    cut = JSON_CHAT[: JSON_CHAT.index(b"cHNzdA==")]
    found = parse_chat_file("c", cut, cut=True)
    assert [line.text for line in found.lines] == ["hello"]
    assert found.unparsed == 2  # the broken message, and the part never read


def test_the_member_log_is_its_own_kind_of_json_file() -> None:
    log = recording_file("SUB_GROUP_MEMBER_LOG")
    assert (kind_of(log), content_type_of(log)) == ("member_log", "application/json")


def test_member_logs_are_parsed_once_at_staging() -> None:
    data = member_log({"pg-1": ["Ann", "Bob"]})
    files = [stored("log1", data, "member_log", "members.json")]
    [log], notes = parse_member_logs(files, {"log1": (data, False)})
    assert [(r.room_id, [s.email for s in r.stays]) for r in log.rooms] == [
        ("pg-1", ["ann@contoso.com", "bob@contoso.com"])
    ]
    assert notes == []
    [cut], notes = parse_member_logs(files, {"log1": (data[:20], True)})
    assert (cut.rooms, cut.unparsed) == ((), 1)
    assert notes == ["members.json is larger than 16 MB: it is not read"]


def test_one_participants_own_file_carries_its_owner() -> None:
    def owner(file: RecordingFile) -> str | None:
        plan = FilePlan(file.file_id, "attach")
        made = staged_file(
            meeting(), file, plan, size=1, sha256="", blob_name="b", part_sha256=lambda p: ""
        )
        return made.owner

    audio = recording_file("M4A", "M4A")
    assert owner(audio) is None
    assert owner(replace(audio, individual=True, participant_email=" Bob@Contoso.com")) == (
        "bob@contoso.com"
    )
    assert owner(replace(audio, individual=True, participant_email=None)) == ""
