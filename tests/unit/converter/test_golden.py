"""Golden files: each case's input renders to exactly the expected .eml and Graph JSON.

The complete record is rendered (every chat line), as the compliance mailbox receives it; an
input naming a "viewer" (an address of its "mailboxes" map) is rendered as that participant's
mailbox receives it, through the same privacy rules as the importer. An input may name the
record's Zoom sources ("sources") and the archive time ("archived_at"); a case without them
shows how an item says they were not recorded. Run with UPDATE_GOLDEN=1 to rewrite the
expected files after a deliberate change (then review the diff like code).
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from archiver.core.contracts import StagedMeeting
from archiver.core.converter import (
    ArchiveMessage,
    AttachmentRef,
    ItemContent,
    build_message,
    to_eml,
    to_graph_json,
)
from archiver.core.converter.transcripts import parse_vtt
from archiver.core.model import Meeting
from archiver.core.planning import Attachment, ItemPlan
from archiver.core.privacy import Viewer, identities
from archiver.core.staged import FilePart, MissingFile, StagedFile
from archiver.core.views import chat_audiences, mailbox_copy
from archiver.steps.document import parse_chat_file, parse_member_logs, parse_texts

GOLDEN = Path(__file__).resolve().parents[2] / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "input.json").exists())


def load(case: str):
    doc = json.loads((GOLDEN / case / "input.json").read_text())
    meeting = Meeting.from_zoom(
        doc["recordings"],
        doc.get("past_meeting"),
        doc["participants"],
        participants_note=doc.get("participants_note", ""),
    )
    meeting = replace(meeting, sources=tuple(doc.get("sources", ())))
    staged = [
        StagedFile(**{**s, "parts": tuple(FilePart(**p) for p in s.get("parts", []))})
        for s in doc["staged"]
    ]
    texts = {k: base64.b64decode(v) for k, v in doc.get("texts_b64", {}).items()}
    texts.update({k: v.encode() for k, v in doc.get("texts", {}).items()})
    archived_at = datetime.fromisoformat(doc["archived_at"]) if "archived_at" in doc else None
    return (
        meeting,
        staged,
        _content(staged, texts, doc),
        doc.get("part"),
        doc.get("part_count"),
        archived_at,
    )


def _content(staged: list[StagedFile], texts: dict[str, bytes], doc: dict) -> ItemContent:
    chat, chat_bad, problems, turns, vtt_bad = [], 0, [], [], 0
    for f in staged:
        if f.file_id not in texts:
            continue
        if f.kind == "chat":
            found = parse_chat_file(f.file_id, texts[f.file_id])
            chat += found.lines
            chat_bad += found.unparsed
            problems += found.problems
        elif f.kind in ("transcript", "captions") and not turns:
            turns, vtt_bad = parse_vtt(texts[f.file_id])
    logs, _ = parse_member_logs(staged, {k: (v, False) for k, v in texts.items()})
    return ItemContent(
        chat=tuple(chat),
        chat_unparsed=chat_bad,
        transcript=tuple(turns),
        transcript_unparsed=vtt_bad,
        missing=tuple(MissingFile(**m) for m in doc.get("missing", [])),
        chat_problems=tuple(problems),
        rooms=tuple(room for log in logs for room in log.rooms),
        room_problems=tuple(p for log in logs for p in log.problems),
    )


def _as_received(case: str) -> ArchiveMessage:
    """The item as one participant's mailbox receives it (an input naming a "viewer")."""
    doc = json.loads((GOLDEN / case / "input.json").read_text())
    meeting, staged, _, _, _, archived_at = load(case)
    texts = {k: (v.encode(), False) for k, v in doc.get("texts", {}).items()}
    chats, transcript, notes = parse_texts(staged, texts, {})
    logs, _ = parse_member_logs(staged, texts)
    attached = tuple(Attachment(f.file_id, 0, f.size) for f in staged if f.disposition == "attach")
    record = StagedMeeting(
        "k", 0, meeting, tuple(staged), (ItemPlan(0, 0, attached),),
        chats=tuple(chats), transcript=transcript, notes=tuple(notes), member_logs=tuple(logs),
    )  # fmt: skip
    mailbox_of = doc["mailboxes"]
    heard = chat_audiences(record, identities(meeting, mailbox_of))
    viewer = Viewer(frozenset({f"mailbox:{mailbox_of[doc['viewer']]}"}))
    copy = mailbox_copy(
        record,
        heard,
        viewer,
        staging_container="staging",
        withheld_note="the complete record is in the compliance mailbox",
        archived_at=archived_at,
    )
    return copy.messages[0]


def content(ref: AttachmentRef) -> bytes:
    return f"<bytes of {ref.file_id} at {ref.offset}+{ref.size}>".encode()


@pytest.mark.parametrize("case", CASES)
def test_golden(case: str) -> None:
    meeting, staged, item, part, part_count, archived_at = load(case)
    message = build_message(
        meeting, staged, item, part=part, part_count=part_count, archived_at=archived_at
    )
    if "viewer" in json.loads((GOLDEN / case / "input.json").read_text()):
        message = _as_received(case)
    eml = to_eml(message, content)
    graph = json.dumps(to_graph_json(message, inline={}), indent=2, sort_keys=True) + "\n"
    folder = GOLDEN / case
    if os.environ.get("UPDATE_GOLDEN") == "1":
        (folder / "expected.eml").write_bytes(eml)
        (folder / "expected.graph.json").write_text(graph)
    assert eml == (folder / "expected.eml").read_bytes()
    assert graph == (folder / "expected.graph.json").read_text()
