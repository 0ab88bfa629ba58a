"""Staged meetings with the Archiving API's chat: JSON chat lines, member logs and owners of
participants' own files round-trip, and documents written before they existed still load."""

from __future__ import annotations

import json
from dataclasses import fields

from archiver.core.contracts import StagedMeeting
from archiver.core.converter.transcripts import ChatLine
from tests.archive_chat import chat, ext, member_log, message, staged, stored

LINE_FIELDS = [f.name for f in fields(ChatLine)][5:]  # after time, sender, recipient, text, marked


def archive_doc() -> StagedMeeting:
    data = chat(
        message(1, "hi", extended=ext(), files=[{"fileId": "f", "fileName": "a.pdf"}]),
        message(6, "v2", msg_id="e", original_msg_id="{hi}", extended=ext(action="03")),
        "not a message",  # type: ignore[arg-type]
    )
    own = stored("a1", b"audio", "audio", "bob.m4a", owner="bob@contoso.com")
    return staged(data, log=member_log({"pg-1": ["Ann"]}, backstage=["Bob"]), extra=(own,))


def test_a_staged_meeting_with_json_chat_member_logs_and_owners_round_trips() -> None:
    doc = archive_doc()
    assert doc.chats[0].format == "json"
    assert doc.chats[0].lines[1].original == "hi"
    assert StagedMeeting.from_json(json.dumps(doc.to_dict())) == doc


def test_a_document_written_before_the_archive_fields_existed_still_loads() -> None:
    doc = json.loads(json.dumps(archive_doc().to_dict()))
    del doc["member_logs"]
    for file in doc["files"]:
        del file["owner"]
    for found in doc["chats"]:
        for name in ("format", "envelope", "problems"):
            del found[name]
        for line in found["lines"]:
            for name in LINE_FIELDS:
                del line[name]
    loaded = StagedMeeting.from_json(json.dumps(doc))
    assert loaded.member_logs == ()
    assert loaded.chats[0].format == "txt"
    assert loaded.chats[0].lines[0].kind == ""
    assert all(f.owner is None for f in loaded.files)
