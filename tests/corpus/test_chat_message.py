"""Zoom's CHAT_MESSAGE JSON is opaque to this version: whatever it holds, nothing of it reaches
a participant's item, body or generated file; the compliance copy attaches it as Zoom made it."""

from __future__ import annotations

import hashlib

import pytest

from archiver.core.contracts import StagedMeeting
from archiver.core.model import Meeting
from archiver.core.planning import Attachment, ItemPlan
from archiver.core.privacy import Viewer, identities
from archiver.core.staged import StagedFile
from archiver.core.views import MailboxCopy, chat_audiences, mailbox_copy
from archiver.steps.document import parse_texts
from tests.corpus.support import Case, params

MAILBOXES = {"ann@contoso.com": "id-ann", "bob@contoso.com": "id-bob"}


def staged(data: bytes) -> StagedMeeting:
    recordings = {
        "uuid": "m1==",
        "id": 1,
        "start_time": "2026-11-20T15:00:00Z",
        "recording_files": [{"id": "cm1", "file_type": "CHAT_MESSAGE", "file_extension": "JSON"}],
    }
    people = [{"name": n, "user_email": f"{n.lower()}@contoso.com"} for n in ("Ann", "Bob")]
    meeting = Meeting.from_zoom(recordings, None, people, host_email="ann@contoso.com")
    file = StagedFile(
        "cm1", "chat.json", "application/json", len(data), hashlib.sha256(data).hexdigest(),
        "k/files/cm1", "chat", "attach", container="staging",
    )  # fmt: skip
    chats, transcript, notes = parse_texts(
        [file], {"cm1": (data, False)}, {f.file_id: f for f in meeting.files}
    )
    return StagedMeeting(
        "k", 0, meeting, (file,), (ItemPlan(0, 0, (Attachment("cm1", 0, len(data)),)),),
        chats=tuple(chats), transcript=transcript, notes=tuple(notes),
    )  # fmt: skip


def copy(doc: StagedMeeting, viewer: Viewer) -> MailboxCopy:
    heard = chat_audiences(doc, identities(doc.meeting, MAILBOXES))
    return mailbox_copy(doc, heard, viewer, staging_container="staging", withheld_note="kept")


@pytest.mark.parametrize("case", params("chat_message"))
def test_nothing_of_a_chat_message_file_reaches_a_participants_copy(case: Case) -> None:
    doc = staged(case.data)
    for viewer in (Viewer(frozenset({"mailbox:id-ann"})), Viewer(frozenset({"mailbox:id-bob"}))):
        mine = copy(doc, viewer)
        [message] = mine.messages
        secret = case.expect["secret"]
        assert secret not in message.text
        assert secret not in message.html
        assert message.attachments == ()
        assert not any(secret.encode() in g.data for g in mine.generated)


@pytest.mark.parametrize("case", params("chat_message"))
def test_the_compliance_copy_attaches_a_chat_message_file_as_zoom_made_it(case: Case) -> None:
    doc = staged(case.data)
    [message] = copy(doc, Viewer(frozenset(), complete=True)).messages
    assert [a.sha256 for a in message.attachments] == [hashlib.sha256(case.data).hexdigest()]
