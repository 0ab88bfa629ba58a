"""The privacy rule for any chat and any participants: a viewer never sees a direct line whose
parties do not include them, in the body or in a filtered chat file, and the compliance viewer
sees every line."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from archiver.core.contracts import ChatFile, StagedMeeting
from archiver.core.converter.transcripts import ChatLine
from archiver.core.model import Meeting
from archiver.core.planning import Attachment, ItemPlan
from archiver.core.privacy import Viewer, audiences, identities, normal_name, visible
from archiver.core.staged import StagedFile
from archiver.core.views import mailbox_copy

# Few names and addresses, so that shared names, shared mailboxes and renames are common.
NAMES = st.sampled_from(["Ann", "ann ", "Bob", "Cat", "Everyone", "", "Dana Lee", "DANA  lee"])
ADDRESSES = st.sampled_from(["", "ann@contoso.com", "bob@contoso.com", "cat@contoso.com"])
people = st.lists(st.tuples(NAMES, ADDRESSES), min_size=1, max_size=5)
lines = st.lists(
    st.builds(ChatLine, st.just("00:00:01"), NAMES, NAMES, st.just(""), st.booleans()),
    max_size=6,
)
# An address's mailbox: Ann's two addresses may be one mailbox.
mailboxes = st.sampled_from(
    [
        {},
        {"ann@contoso.com": "A", "bob@contoso.com": "B"},
        {"ann@contoso.com": "A", "cat@contoso.com": "A"},
    ]
)


def meeting(persons: list[tuple[str, str]]) -> Meeting:
    return Meeting.from_zoom(
        {"uuid": "m1==", "id": 1, "start_time": "2026-11-20T15:00:00Z"},
        None,
        [{"name": name, "user_email": email} for name, email in persons],
    )


def parties(line: ChatLine, known: dict[str, set[str]]) -> set[str]:
    names = {normal_name(line.sender), normal_name(line.recipient)}
    return {identity for identity, known_as in known.items() if known_as & names}


@given(persons=people, chat=lines, mailbox_of=mailboxes)
def test_a_viewer_sees_only_public_lines_and_direct_lines_they_are_a_party_to(
    persons: list[tuple[str, str]], chat: list[ChatLine], mailbox_of: dict[str, str]
) -> None:
    known = identities(meeting(persons), mailbox_of)
    heard = audiences(chat, known)
    assert visible(heard, Viewer(frozenset(), complete=True)) == list(range(len(chat)))
    for identity in known:
        for index in visible(heard, Viewer(frozenset({identity}))):
            line = chat[index]
            assert not line.direct or identity in parties(line, known)


@given(persons=people, chat=lines, mailbox_of=mailboxes)
def test_no_copy_holds_a_direct_line_of_others_in_its_body_or_files(
    persons: list[tuple[str, str]], chat: list[ChatLine], mailbox_of: dict[str, str]
) -> None:
    found = meeting(persons)
    marked = [
        ChatLine(c.time, c.sender, c.recipient, f"LINE-{i}-SECRET", c.marked)
        for i, c in enumerate(chat)
    ]
    raw = "".join(f"{c.text}\n" for c in marked).encode()
    file = StagedFile(
        "c1", "chat.txt", "text/plain", len(raw), hashlib.sha256(raw).hexdigest(),
        "k/files/c1", "chat", "attach", container="staging",
    )  # fmt: skip
    doc = StagedMeeting(
        "k", 0, found, (file,), (ItemPlan(0, 0, (Attachment("c1", 0, len(raw)),)),),
        chats=(ChatFile("c1", tuple(marked), 0),),
    )  # fmt: skip
    known = identities(found, mailbox_of)
    heard = {"c1": audiences(marked, known)}
    for identity in known:
        copy = mailbox_copy(
            doc, heard, Viewer(frozenset({identity})), staging_container="s", withheld_note="n"
        )
        [message] = copy.messages
        seen = message.text + message.html + "".join(g.data.decode() for g in copy.generated)
        whole_file = [a for a in message.attachments if a.sha256 == file.sha256]
        for line in marked:
            if line.direct and identity not in parties(line, known):
                assert line.text not in seen
                assert not whole_file
