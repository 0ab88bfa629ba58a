"""Zoom's CHAT_MESSAGE JSON through staging (parse_texts) and each mailbox's copy: it never
raises; each bad message is recorded by index and the rest kept; a message a mailbox may not
see (`secret`) reaches neither its item, nor its body, nor a file made for it, nor the raw file;
the compliance copy attaches the file as Zoom made it."""

from __future__ import annotations

import hashlib
import re

import pytest

from archiver.core.contracts import ChatFile, StagedMeeting
from archiver.core.privacy import Viewer, identities, visible
from archiver.core.views import MailboxCopy, chat_audiences, mailbox_copy
from tests.archive_chat import meeting, staged
from tests.corpus.support import MAX_MESSAGE, Case, check_matches, params

MAILBOXES = {"ann@contoso.com": "id-ann", "bob@contoso.com": "id-bob"}
VIEWERS = {name: Viewer(frozenset({f"mailbox:id-{name}"})) for name in ("ann", "bob")}


def document(data: bytes) -> StagedMeeting:
    return staged(data, meeting(["Ann", "Bob"]))


def copy(doc: StagedMeeting, viewer: Viewer) -> MailboxCopy:
    heard = chat_audiences(doc, identities(doc.meeting, MAILBOXES))
    return mailbox_copy(doc, heard, viewer, staging_container="staging", withheld_note="kept")


def chat_of(doc: StagedMeeting) -> ChatFile:
    [found] = doc.chats
    return found


@pytest.mark.parametrize("case", params("chat_message"))
def test_each_file_parses_into_lines_and_a_record_of_what_was_wrong(case: Case) -> None:
    found = chat_of(document(case.data))
    expect = case.expect
    assert found.format == expect["format"]
    assert (len(found.lines), found.unparsed) == (expect["lines"], expect["unparsed"])
    if "problems" in expect:
        check_matches(expect["problems"], found.problems)
    if "texts" in expect:
        assert [line.text for line in found.lines] == expect["texts"]
    if "kinds" in expect:
        assert [line.kind for line in found.lines] == expect["kinds"]
    for problem in found.problems:
        assert len(problem) <= MAX_MESSAGE
        assert "SECRET" not in problem


@pytest.mark.parametrize("case", params("chat_message"))
def test_a_secret_reaches_no_participants_copy(case: Case) -> None:
    doc = document(case.data)
    secret = case.expect.get("secret", "\x00no secret")
    for viewer in VIEWERS.values():
        mine = copy(doc, viewer)
        [message] = mine.messages
        assert secret not in message.text
        assert secret not in message.html
        assert not any(secret.encode() in g.data for g in mine.generated)
        if "secret" in case.expect:
            assert hashlib.sha256(case.data).hexdigest() not in {
                a.sha256 for a in message.attachments
            }
        for markup in case.expect.get("not_in_html", []):
            assert markup not in message.html


@pytest.mark.parametrize("case", params("chat_message"))
def test_each_participant_sees_exactly_the_lines_that_are_theirs(case: Case) -> None:
    doc = document(case.data)
    heard = chat_audiences(doc, identities(doc.meeting, MAILBOXES))["cm1"]
    for name, texts in case.expect.get("seen_by", {}).items():
        lines = chat_of(doc).lines
        assert [lines[i].text for i in visible(heard, VIEWERS[name])] == texts


@pytest.mark.parametrize("case", params("chat_message"))
def test_the_compliance_copy_attaches_the_file_as_zoom_made_it(case: Case) -> None:
    doc = document(case.data)
    [message] = copy(doc, Viewer(frozenset(), complete=True)).messages
    assert [a.sha256 for a in message.attachments] == [hashlib.sha256(case.data).hexdigest()]
    assert re.search(r"\(none\)|\[", message.text)  # the chat section rendered
