"""Each mailbox's copy of a meeting with Zoom's JSON chat: a filtered JSON copy where the raw
file holds lines the mailbox may not see, member logs shown room by room, and one participant's
own files only in that participant's copy."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

from archiver.core.contracts import StagedMeeting
from archiver.core.planning import Attachment, ItemPlan
from archiver.core.privacy import Viewer, identities
from archiver.core.staged import FilePart
from archiver.core.views import MailboxCopy, chat_audiences, mailbox_copy
from tests.archive_chat import MAILBOXES, chat, ext, member_log, message, staged, stored

RAW = chat(
    message(1, "hello all", extended=ext()),
    message(2, "DM-SECRET", "Ann", "Bob", extended=ext(receiver="04")),
    message(2, "GROUP-SECRET", "Cat", private_group_id="pg-1", extended=ext(receiver="07")),
)
LOG = member_log({"pg-1": ["Cat", "Dan"]})


def copy_for(name: str | None, doc: StagedMeeting | None = None, **privileges: bool) -> MailboxCopy:
    doc = doc or staged(RAW, log=LOG)
    heard = chat_audiences(doc, identities(doc.meeting, MAILBOXES))
    ids = frozenset({f"mailbox:id-{name}"}) if name else frozenset()
    return mailbox_copy(
        doc, heard, Viewer(ids, **privileges), staging_container="staging", withheld_note="kept"
    )


def test_a_mailbox_that_may_not_see_every_line_gets_a_filtered_json_copy() -> None:
    copy = copy_for("bob")
    [message_] = copy.messages
    [filtered] = copy.generated
    messages = json.loads(filtered.data)["messages"]
    assert [m["msg_content"] for m in messages] == [
        m["msg_content"] for m in json.loads(RAW)["messages"][:2]
    ]
    assert json.loads(filtered.data)["uuid"] == "m1=="
    assert filtered.content_type == "application/json"
    upload = next(a for a in message_.attachments if a.blob_name == filtered.blob_name)
    assert upload.name == "chat (filtered).json"
    assert upload.sha256 == hashlib.sha256(filtered.data).hexdigest()
    sha = hashlib.sha256(RAW).hexdigest()
    assert f"The chat file chat.json ({len(RAW)} bytes, SHA-256 {sha})" in message_.text


def test_no_copy_shows_a_line_its_mailbox_may_not_see() -> None:
    for name, hidden in (("bob", "GROUP-SECRET"), ("cat", "DM-SECRET"), ("dan", "DM-SECRET")):
        copy = copy_for(name)
        [message_] = copy.messages
        assert hidden not in message_.text + message_.html
        assert all(hidden.encode() not in g.data for g in copy.generated)


def test_mailboxes_that_see_the_same_lines_share_byte_identical_copies() -> None:
    cat, dan = copy_for("cat"), copy_for("dan")
    assert cat.signature == dan.signature
    assert cat.generated == dan.generated
    assert copy_for("ann").signature == copy_for("bob").signature != cat.signature


def test_the_compliance_mailbox_gets_every_line_and_the_original_files() -> None:
    copy = copy_for(None, complete=True)
    [message_] = copy.messages
    assert "DM-SECRET" in message_.text
    assert "GROUP-SECRET" in message_.text
    assert not copy.generated
    assert {a.name for a in message_.attachments} == {"chat.json", "members.json"}


def test_the_withheld_lines_are_counted_and_named_for_what_they_are() -> None:
    [message_] = copy_for("dan").messages
    assert (
        "1 message(s) that were not for this mailbox's owner (direct, private-group, "
        "waiting-room or backstage chat, or chat this version cannot place) are not shown in this "
        "copy (kept)"
    ) in message_.text


def test_a_member_log_is_shown_to_each_member_for_the_groups_they_were_in() -> None:
    doc = staged(RAW, log=member_log({"pg-1": ["Cat", "Dan"], "pg-2": ["Ann", "Bob"]}))
    [cats] = copy_for("cat", doc).messages
    assert "Private group pg-1" in cats.text
    assert "Private group pg-2" not in cats.text
    assert "1 private group(s) or backstage this mailbox's owner was not part of" in cats.text
    assert "members.json" not in {a.name for a in cats.attachments}
    [everything] = copy_for(None, doc, complete=True).messages
    assert "Private group pg-2" in everything.text


def test_a_participants_own_file_is_attached_only_in_their_copy() -> None:
    audio = stored("a1", b"audio", "audio", "bob.m4a", owner="bob@contoso.com")
    doc = staged(RAW, extra=(audio,))
    [bobs] = copy_for("bob", doc).messages
    [cats] = copy_for("cat", doc).messages
    [all_] = copy_for(None, doc, complete=True).messages
    assert "bob.m4a" in {a.name for a in bobs.attachments}
    assert "bob.m4a" in {a.name for a in all_.attachments}
    assert "bob.m4a" not in {a.name for a in cats.attachments}
    assert "bob.m4a" in cats.text
    assert "withheld: one participant's own file" in cats.text
    assert copy_for("cat", doc).signature != copy_for("bob", doc).signature


def test_a_participants_own_file_whose_owner_is_unknown_goes_where_unattributed_lines_go() -> None:
    audio = stored("a1", b"audio", "audio", "who.m4a", owner="")
    doc = staged(RAW, extra=(audio,))
    assert "who.m4a" not in {a.name for a in copy_for("bob", doc).messages[0].attachments}
    host = copy_for("ann", doc, unattributed=True).messages[0]
    assert "who.m4a" in {a.name for a in host.attachments}


def test_the_body_shows_the_json_chat_rather_than_a_txt_chat_of_the_same_meeting() -> None:
    txt = b"00:01:00\tAnn:\thello all from the txt\n"
    doc = staged(RAW, txt=txt)
    [message_] = copy_for("ann", doc).messages
    assert "hello all from the txt" not in message_.text
    assert "Ann to Everyone: hello all" in message_.text
    assert "chat.txt" in {a.name for a in message_.attachments}  # every line of it is Ann's


def test_a_file_shared_in_a_direct_message_is_attached_only_for_its_two_people() -> None:
    shared = [{"fileId": "phys-1", "fileName": "numbers.xlsx", "fileSize": 6}]
    raw = chat(message(2, "see attached", "Ann", "Bob", files=shared, extended=ext(receiver="04")))
    doc = staged(raw, extra=(stored("phys-1", b"SHEETS", "other", "numbers.xlsx"),))
    for name, attached in (("ann", True), ("bob", True), ("cat", False)):
        [item] = copy_for(name, doc).messages
        assert ("numbers.xlsx" in {a.name for a in item.attachments}) is attached
    [cats] = copy_for("cat", doc).messages
    assert "withheld: shared in chat messages this mailbox's owner was not part of" in cats.text


def test_the_parts_of_someone_elses_split_file_are_not_attached_to_the_part_items() -> None:
    parts = tuple(FilePart(i, 2, (i - 1) * 3, 3, "ab" * 32, f"bob.m4a.part{i}of2") for i in (1, 2))
    audio = replace(
        stored("a1", b"audio!", "audio", "bob.m4a", owner="bob@contoso.com"),
        disposition="split",
        parts=parts,
    )
    doc = replace(
        staged(RAW, extra=(audio,)),
        items=(
            ItemPlan(0, 2, (Attachment("cm1", 0, len(RAW)),)),
            ItemPlan(1, 2, (Attachment("a1", 0, 3),)),
            ItemPlan(2, 2, (Attachment("a1", 3, 3),)),
        ),
    )
    bobs = copy_for("bob", doc).messages
    cats = copy_for("cat", doc).messages
    assert [len(m.attachments) for m in bobs[1:]] == [1, 1]
    assert [len(m.attachments) for m in cats[1:]] == [0, 0]
