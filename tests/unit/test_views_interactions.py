"""Each mailbox's copy of a meeting with polls, Q&A, a survey and a summary (pure): the host's
and the compliance copies show and attach everything, an attendee's their own answers only."""

from __future__ import annotations

import json
from dataclasses import replace

from archiver.core.contracts import StagedMeeting
from archiver.core.converter.interaction_files import raw_json
from archiver.core.interaction_copies import WITHHELD, parsed
from archiver.core.model import Meeting
from archiver.core.planning import Attachment, ItemPlan
from archiver.core.privacy import Viewer, identities
from archiver.core.staged import InteractionBody, StagedFile
from archiver.core.views import MailboxCopy, chat_audiences, mailbox_copy
from tests.interaction_bodies import polls, report_qa, summary

UUID = "v1=="
BODIES = {"polls": polls(UUID), "qa": report_qa(UUID), "summary": summary(UUID)}
KINDS = {"polls": "polls", "qa": "qa", "summary": "ai_summary"}


def staged() -> StagedMeeting:
    meeting = Meeting.from_zoom(
        {"uuid": UUID, "id": 1, "start_time": "2026-11-20T15:00:00Z", "duration": 30},
        None,
        [
            {"name": "Ann", "user_email": "ann@contoso.com"},
            {"name": "Bob", "user_email": "bob@contoso.com"},
            {"name": "Carol", "user_email": "carol@contoso.com"},
        ],
        host_email="ann@contoso.com",
    )
    files = tuple(
        StagedFile(
            f"{kind}-1",
            f"{kind}.json",
            "application/json",
            len(raw_json(body)),
            "ab" * 32,
            f"k/files/{kind}-1",
            KINDS[kind],
            "attach",
            container="staging",
        )
        for kind, body in BODIES.items()
    )
    return StagedMeeting(
        key="k",
        revision=0,
        meeting=meeting,
        files=files,
        items=(ItemPlan(0, 0, tuple(Attachment(f.file_id, 0, f.size) for f in files)),),
        interactions=tuple(
            InteractionBody(
                f"{kind}-1",
                kind,
                raw_json(body).decode(),
                source="report" if kind == "qa" else "",
            )
            for kind, body in BODIES.items()
        ),
    )


MAILBOXES = {f"{n}@contoso.com": f"id-{n}" for n in ("ann", "bob", "carol")}


def copy_for(name: str | None, **privileges: bool) -> MailboxCopy:
    doc = staged()
    heard = chat_audiences(doc, identities(doc.meeting, MAILBOXES))
    ids = frozenset({f"mailbox:id-{name}"}) if name else frozenset()
    emails = frozenset({f"{name}@contoso.com"}) if name else frozenset()
    viewer = Viewer(ids, emails=emails, **privileges)
    return mailbox_copy(doc, heard, viewer, staging_container="staging", withheld_note="kept")


def html(copy: MailboxCopy) -> str:
    return copy.messages[0].html


def attached(copy: MailboxCopy) -> set[str]:
    return {a.file_id for a in copy.messages[0].attachments}


def test_the_host_copy_shows_and_attaches_every_kind() -> None:
    copy = copy_for("ann", host=True)
    for text in ("BOB-POLL-YES", "CAROL-POLL-NO", "ANON-POLL-MAYBE", "CAROL-OPEN-QUESTION"):
        assert text in html(copy)
    assert "SUMMARY-V1" in html(copy)
    assert attached(copy) == {"polls-1", "qa-1", "summary-1"}


def test_the_compliance_copy_equals_the_host_copy_in_what_it_shows() -> None:
    assert attached(copy_for(None, complete=True)) == {"polls-1", "qa-1", "summary-1"}


def test_an_attendee_copy_holds_their_answers_and_none_of_the_files_of_others() -> None:
    copy = copy_for("bob")
    assert "BOB-POLL-YES" in html(copy)
    for secret in ("CAROL-POLL-NO", "ANON-POLL-MAYBE", "CAROL-OPEN-QUESTION", "SUMMARY-V1"):
        assert secret not in html(copy)
        assert secret not in copy.messages[0].text
    assert attached(copy) == set()
    assert WITHHELD in copy.messages[0].text


def test_attendees_seeing_different_answers_get_different_copies() -> None:
    assert copy_for("bob").signature != copy_for("carol").signature
    assert copy_for("bob").signature == copy_for("bob").signature


def test_a_staged_meeting_with_interactions_round_trips_and_an_older_one_still_reads() -> None:
    doc = staged()
    assert StagedMeeting.from_json(json.dumps(doc.to_dict())) == doc
    older = doc.to_dict()
    del older["interactions"]
    assert StagedMeeting.from_dict(older) == replace(doc, interactions=())


def test_an_unreadable_answer_is_named_not_raised() -> None:
    found = parsed((InteractionBody("p", "polls", "{not json"),))
    assert found is not None
    assert found.polls is not None
    assert found.polls.input_errors
