"""The privacy rule for Zoom's JSON chat, over generated meetings with addresses: no mailbox's
copy (body, filtered files, raw files, files shared in the chat) ever holds a direct line it is
not a party to, a private-group line of a group it was not in, or another participant's own
file; mailboxes with one signature get one copy."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from archiver.core.contracts import StagedMeeting
from archiver.core.model import Meeting
from archiver.core.privacy import Viewer, identities, identity_of
from archiver.core.views import MailboxCopy, chat_audiences, mailbox_copy
from tests.archive_chat import b64, chat, staged, stored

PEOPLE = [
    ("Ann", "ann@contoso.com"),
    ("Bob", "bob@contoso.com"),
    ("Cat", "cat@contoso.com"),
    ("Dan", ""),  # a guest: no address
    ("Eve", "eve@fabrikam.com"),  # no mailbox
]
# Every receiver, every location, and codes this version does not know.
CODES = [
    *(f"0101010{r}00" for r in "1234567"),
    "010401000500",
    "040101000600",
    "050501000100",
    "020201000200",
    "030301000100",
    "010101000800",
    "not digits",
]
REFERENCES = ["original_msg_id", "parent_msg_id"]
person = st.integers(0, len(PEOPLE) - 1)
messages = st.lists(
    st.fixed_dictionaries(
        {
            "msg_type": st.sampled_from([1, 2, 2, 3, 4, 5, 6, 7, 9]),
            "sender": person,
            "receiver": st.none() | person,
            "blank": st.sampled_from([(), ("s_email",), ("r_email",), ("s_email", "r_email")]),
            "ext": st.none() | st.sampled_from(CODES),
            "group": st.sampled_from(["", "pg-1", "pg-2"]),  # pg-2: in no member log
            "shares": st.booleans(),  # shares a file of its own
            "ref": st.none() | st.tuples(st.sampled_from(REFERENCES), st.integers(0, 7)),
        }
    ),
    max_size=8,
)
meetings = st.fixed_dictionaries(
    {
        "people": st.lists(st.tuples(person, st.booleans()), min_size=1, max_size=5),
        "host": person,
        "groups": st.lists(person, max_size=3),
        "backstage": st.none() | st.lists(person, max_size=2),
        "own": st.lists(st.none() | person, max_size=2),
        "breakout": st.booleans(),
    }
)
mailboxes = st.sampled_from(
    [
        {},
        {"ann@contoso.com": "A", "bob@contoso.com": "B", "cat@contoso.com": "C"},
        {"ann@contoso.com": "A", "cat@contoso.com": "A"},  # one person, two addresses
    ]
)


def secret(i: int) -> str:
    return f"MSG-{i}-SECRET"


def zoom_message(i: int, spec: dict[str, Any]) -> dict[str, Any]:
    s_name, s_email = PEOPLE[spec["sender"]]
    doc: dict[str, Any] = {
        "msg_type": spec["msg_type"], "e_time": "00:00:01", "msg_id": b64(f"m{i}"),
        "s_name": b64(s_name), "s_email": b64(s_email), "msg_content": b64(secret(i)),
    }  # fmt: skip
    if spec["receiver"] is not None:
        r_name, r_email = PEOPLE[spec["receiver"]]
        doc.update(r_name=b64(r_name), r_email=b64(r_email))
    for blank in spec["blank"]:
        doc[blank] = ""
    if spec["ext"] is not None:
        doc["msg_extended_type"] = spec["ext"]
    if spec["group"]:
        doc["private_group_id"] = spec["group"]
    if spec["ref"] is not None:
        doc[spec["ref"][0]] = b64(f"m{spec['ref'][1]}")
    if spec["shares"]:
        doc["files"] = [{"fileId": f"shared{i}", "fileName": f"shared{i}.pdf", "fileSize": 1}]
    return doc


def build(spec: dict[str, Any], chat_spec: list[dict[str, Any]]) -> StagedMeeting:
    rows = [
        {"name": PEOPLE[p][0], "user_email": PEOPLE[p][1],
         "status": "in_waiting_room" if waited else "in_meeting"}
        for p, waited in spec["people"]
    ]  # fmt: skip
    found = Meeting.from_zoom(
        {"uuid": "m1==", "id": 1, "start_time": "2026-11-20T15:00:00Z"},
        None,
        rows,
        host_email=PEOPLE[spec["host"]][1] or None,
    )
    if spec["breakout"]:
        found = replace(found, parent_uuid="parent==")
    log = member_log(spec["groups"], spec["backstage"])
    own = tuple(
        stored(f"own{k}", f"OWN-{k}".encode(), "audio", f"own{k}.m4a",
               owner=PEOPLE[p][1] if p is not None else "")
        for k, p in enumerate(spec["own"])
    )  # fmt: skip
    shared = tuple(
        stored(f"shared{i}", b"SHARED", "other", f"shared{i}.pdf")
        for i, m in enumerate(chat_spec)
        if m["shares"]
    )
    data = chat(*(zoom_message(i, m) for i, m in enumerate(chat_spec)))
    return staged(data, found, log=log, extra=own + shared)


def member_log(group: list[int], backstage: list[int] | None) -> bytes:
    """A member log listing pg-1 (and a backstage) with these people's addresses."""

    def room(room_id: str, members: list[int]) -> dict[str, Any]:
        return {"id": room_id, "actions": [{"email": PEOPLE[p][1]} for p in members]}

    doc: dict[str, Any] = {"private_group": [room("pg-1", group)]}
    if backstage is not None:
        doc["backstage_room"] = room("backstage", backstage)
    return json.dumps(doc).encode()


def party(found: Meeting, index: int, blank: bool, mailbox_of: dict[str, str]) -> str | None:
    """Who a message's party is, by the rule stated plainly: the address; without one, the one
    person of the meeting with that name; else nobody."""
    name, email = PEOPLE[index]
    if email and not blank:
        return identity_of(email, "", mailbox_of)
    matches = {
        identity_of(p.email, p.name, mailbox_of) for p in found.participants if p.name == name
    }
    if found.host_email and found.host_email == email:
        matches.add(identity_of(email, name, mailbox_of))
    return next(iter(matches)) if len(matches) == 1 else None


def allowed(
    doc: StagedMeeting, spec: dict[str, Any], mailbox_of: dict[str, str]
) -> set[str] | None:
    """Who may see a message that is direct or to a private group (None: not restricted here)."""
    code = spec["ext"] or ""
    receiver = code[8:10] if len(code) == 12 else ""
    grouped = bool(spec["group"]) or receiver == "07"
    direct = receiver == "04" or (spec["msg_type"] == 2 and not grouped)
    if not (direct or grouped):
        return None
    s = party(doc.meeting, spec["sender"], "s_email" in spec["blank"], mailbox_of)
    r = None
    if spec["receiver"] is not None:
        r = party(doc.meeting, spec["receiver"], "r_email" in spec["blank"], mailbox_of)
    who: set[str] = set()
    if grouped and spec["group"] == "pg-1":
        [log] = doc.member_logs
        [room] = [room for room in log.rooms if room.room_id == "pg-1"]
        who = {identity_of(st.email, "", mailbox_of) for st in room.stays if st.email}
        who |= {x for x in (s, r) if x}
    if direct:
        pair = {s, r} if s and r else set()
        who = pair & who if grouped else pair
    return {x for x in who if x}


def copies(doc: StagedMeeting, mailbox_of: dict[str, str]) -> dict[str, MailboxCopy]:
    heard = chat_audiences(doc, identities(doc.meeting, mailbox_of))
    viewers = set(identities(doc.meeting, mailbox_of)) | {
        f"mailbox:{m}" for m in mailbox_of.values()
    }
    return {
        v: mailbox_copy(
            doc, heard, Viewer(frozenset({v})), staging_container="s", withheld_note="n"
        )
        for v in viewers
    }


def holds(copy: MailboxCopy, text: str) -> bool:
    [message] = copy.messages
    coded = b64(text).encode()
    return (
        text in message.text
        or text in message.html
        or any(text.encode() in g.data or coded in g.data for g in copy.generated)
    )


@given(spec=meetings, chat_spec=messages, mailbox_of=mailboxes)
def test_no_copy_holds_a_direct_or_group_line_its_mailbox_is_not_party_to(
    spec: dict[str, Any], chat_spec: list[dict[str, Any]], mailbox_of: dict[str, str]
) -> None:
    doc = build(spec, chat_spec)
    raw = hashlib.sha256(chat(*(zoom_message(i, m) for i, m in enumerate(chat_spec)))).hexdigest()
    for viewer, copy in copies(doc, mailbox_of).items():
        [message] = copy.messages
        for i, m in enumerate(chat_spec):
            who = allowed(doc, m, mailbox_of)
            if who is not None and viewer not in who:
                assert not holds(copy, secret(i)), (viewer, i)
                assert raw not in {a.sha256 for a in message.attachments}
                assert f"shared{i}" not in {a.file_id for a in message.attachments}


@given(spec=meetings, chat_spec=messages, mailbox_of=mailboxes)
def test_a_participants_own_file_is_attached_only_in_their_copy(
    spec: dict[str, Any], chat_spec: list[dict[str, Any]], mailbox_of: dict[str, str]
) -> None:
    doc = build(spec, chat_spec)
    owners = {f.file_id: f.owner for f in doc.files if f.owner is not None}
    for viewer, copy in copies(doc, mailbox_of).items():
        [message] = copy.messages
        for file_id in {a.file_id for a in message.attachments} & set(owners):
            assert owners[file_id]
            assert identity_of(owners[file_id], "", mailbox_of) == viewer


@given(spec=meetings, chat_spec=messages, mailbox_of=mailboxes)
def test_mailboxes_with_one_signature_get_one_copy(
    spec: dict[str, Any], chat_spec: list[dict[str, Any]], mailbox_of: dict[str, str]
) -> None:
    made: dict[str, MailboxCopy] = {}
    for copy in copies(build(spec, chat_spec), mailbox_of).values():
        first = made.setdefault(copy.signature, copy)
        assert (first.messages, first.generated) == (copy.messages, copy.generated)


@given(spec=meetings, chat_spec=messages)
def test_the_compliance_copy_holds_every_message_and_the_file_as_zoom_made_it(
    spec: dict[str, Any], chat_spec: list[dict[str, Any]]
) -> None:
    doc = build(spec, chat_spec)
    heard = chat_audiences(doc, identities(doc.meeting, {}))
    copy = mailbox_copy(
        doc, heard, Viewer(frozenset(), complete=True), staging_container="s", withheld_note="n"
    )
    [message] = copy.messages
    assert not copy.generated
    assert {f.sha256 for f in doc.files} <= {a.sha256 for a in message.attachments}
    for i, m in enumerate(chat_spec):
        # A deletion shows its original's text; feedback shows what its code means.
        if m["msg_type"] not in (3, 5):
            assert secret(i) in message.text
