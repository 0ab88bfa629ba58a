"""Each mailbox's copy: the public chat for all, a direct message only for its two people, and a
raw chat file only where every line in it may go (elsewhere a filtered copy, named as such)."""

from __future__ import annotations

import hashlib

from archiver.core.contracts import ChatFile, StagedMeeting
from archiver.core.converter.transcripts import parse_chat
from archiver.core.model import Meeting
from archiver.core.planning import Attachment, ItemPlan
from archiver.core.privacy import Viewer, identities
from archiver.core.staged import StagedFile
from archiver.core.views import MailboxCopy, chat_audiences, mailbox_copy

RAW = b"00:00:01\tAnn:\thello all\n00:00:02\tAnn to Bob(Direct Message):\tDM-SECRET\n"
SHA = hashlib.sha256(RAW).hexdigest()


def staged(raw: bytes = RAW, unparsed: int = 0) -> StagedMeeting:
    meeting = Meeting.from_zoom(
        {"uuid": "u==", "id": 1, "start_time": "2026-11-20T15:00:00Z", "duration": 30},
        None,
        [
            {"name": "Ann", "user_email": "ann@contoso.com"},
            {"name": "Bob", "user_email": "bob@contoso.com"},
            {"name": "Cat", "user_email": "cat@contoso.com"},
        ],
        host_email="ann@contoso.com",
    )
    chat = StagedFile(
        "chat-1",
        "chat.txt",
        "text/plain",
        len(raw),
        SHA,
        "k/files/chat-1",
        "chat",
        "attach",
        container="staging",
    )
    lines, bad = parse_chat(raw)
    return StagedMeeting(
        key="k",
        revision=0,
        meeting=meeting,
        files=(chat,),
        items=(ItemPlan(0, 0, (Attachment("chat-1", 0, len(raw)),)),),
        chats=(ChatFile("chat-1", tuple(lines), bad + unparsed),),
    )


MAILBOXES = {f"{n}@contoso.com": f"id-{n}" for n in ("ann", "bob", "cat")}


def copy_for(name: str | None, doc: StagedMeeting | None = None, **privileges: bool) -> MailboxCopy:
    doc = doc or staged()
    heard = chat_audiences(doc, identities(doc.meeting, MAILBOXES))
    ids = frozenset({f"mailbox:id-{name}"}) if name else frozenset()
    return mailbox_copy(
        doc, heard, Viewer(ids, **privileges), staging_container="staging", withheld_note="kept"
    )


def test_a_direct_message_is_in_the_copies_of_its_two_people() -> None:
    for name in ("ann", "bob"):
        [message] = copy_for(name).messages
        uploads = message.attachments
        assert "DM-SECRET" in message.text
        assert "DM-SECRET" in message.html
        assert [u.sha256 for u in uploads] == [SHA]  # the original chat file


def test_a_third_person_gets_neither_the_message_nor_the_raw_file() -> None:
    copy = copy_for("cat")
    [message] = copy.messages
    uploads = message.attachments
    assert "DM-SECRET" not in message.text
    assert "DM-SECRET" not in message.html
    assert "1 direct message(s) between other participants are not shown" in message.text
    [filtered] = copy.generated
    assert b"DM-SECRET" not in filtered.data
    assert b"hello all" in filtered.data
    [upload] = uploads
    assert upload.blob_name == filtered.blob_name
    assert upload.sha256 != SHA
    assert "(filtered)" in upload.name
    assert f"SHA-256 {SHA}" in message.text  # the original is named, not attached


def test_the_compliance_mailbox_gets_the_complete_record() -> None:
    copy = copy_for(None, complete=True)
    [message] = copy.messages
    uploads = message.attachments
    assert "DM-SECRET" in message.text
    assert [u.sha256 for u in uploads] == [SHA]
    assert not copy.generated


def test_mailboxes_that_see_the_same_lines_share_one_copy() -> None:
    assert copy_for("ann").signature == copy_for("bob").signature
    assert copy_for("ann").signature != copy_for("cat").signature


def test_a_chat_with_nothing_a_mailbox_may_see_is_not_attached_there() -> None:
    doc = staged(b"00:00:02\tAnn to Bob(Direct Message):\tDM-SECRET\n")
    copy = copy_for("cat", doc)
    [message] = copy.messages
    uploads = message.attachments
    assert uploads == ()
    assert not copy.generated
    assert "not attached: none of its lines are this mailbox's to see" in message.text


def test_unreadable_lines_keep_the_raw_file_from_everyone_but_the_privileged() -> None:
    doc = staged(RAW + b"garbage that might be private\n")
    assert copy_for("ann", doc).generated  # filtered even for a party to every readable line
    assert not copy_for("ann", doc, unattributed=True).generated
    assert not copy_for(None, doc, complete=True).generated
