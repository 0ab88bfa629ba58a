"""Who may see which chat line (pure): public lines for all, a direct message for its two people.

Zoom's TXT chat names people by display name ("Ann to Bob(Direct Message)"), so a line's parties
are found by matching names against the meeting's participants, each identified by the mailbox
their address resolved to (so one person with two addresses is one identity), else by address,
else by name for guests. A name that matches no one, or more than one identity, makes the line
unattributable: it goes only to the compliance mailbox, or to the host's mailbox when no
compliance mailbox is set, and never to a guess.

Zoom's JSON chat (CHAT_MESSAGE) names people by address, so its parties are exact; a name is
matched, as above, only where Zoom left the address empty (hidden or outside people). A line's
audience is the narrowest of what each of its marks allows:
- direct (msg_type 2 without a group, receiver 04, a receiver's address, or a receiver's name
  without a broadcast code): its sender and receiver; either unknown: unattributed;
- private group (private_group_id, receiver 07): the group's members in the member log, and the
  sender; a group the log does not list: unattributed;
- waiting room (receiver 05, or either location 04): the people who were in the waiting room
  (report rows, and senders from it), the host, the sender and receiver; 06 (from the waiting
  room to the hosts): its sender and the host;
- backstage (either location 05): the backstage's members in the member log and the host;
- webinar receiver 02 (hosts and panelists): the host, the panelists known from the backstage
  log, the sender and receiver. Zoom's files do not list the other panelists, so they do not
  receive these lines (the compliance mailbox does); attendees never do. Receiver 03 (attendees,
  panelists copied) reached everyone in the webinar and is public, like 01;
- sent from a breakout room (location 03) in a meeting that is not itself that breakout room:
  unattributed (the room's members are not known here; its own archive carries the chat);
- anything unknown (a msg_type or code this version does not know): unattributed.
A deleted, edited, reacted-to or replied-to message's audience narrows every line that refers
to it, so an original's text never reaches further than the original did; a file shared with a
message (`files[]`) is for whoever saw a message it was shared with. Membership counts for
the whole meeting (Zoom's times in the member log are not relied on to cut it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from archiver.core.converter.chat_codes import ACTIONS, LOCATIONS, RECEIVERS
from archiver.core.converter.chat_json import is_direct, is_grouped
from archiver.core.converter.member_log import BACKSTAGE, MemberLog, Room
from archiver.core.converter.transcripts import ChatLine
from archiver.core.model import Meeting

# A line's audience: None for everyone, the identities of its parties, or UNATTRIBUTED.
Audience = frozenset[str] | None
UNATTRIBUTED: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Viewer:
    """Whose copy is being made: the identities its mailbox stands for, and its privileges."""

    identities: frozenset[str]
    complete: bool = False  # the compliance mailbox: every line
    unattributed: bool = False  # receives lines no single person can be found for
    host: bool = False  # the host's mailbox (sees every poll, Q&A and survey answer)
    # The meeting's addresses that resolved to this mailbox (whose answers are its owner's).
    emails: frozenset[str] = frozenset()


class Identities(dict[str, set[str]]):
    """Identity -> display names, with the address -> mailbox map they were made with (which
    the JSON chat's addresses are resolved through)."""

    def __init__(self, mailbox_of: Mapping[str, str]) -> None:
        super().__init__()
        self.mailbox_of = mailbox_of


@dataclass(frozen=True)
class Circles:
    """Who, beyond a line's own parties, could see lines not sent to everyone."""

    mailbox_of: Mapping[str, str]
    by_name: Mapping[str, frozenset[str]]  # display name -> identities (for empty addresses)
    host: frozenset[str] = frozenset()
    waiting: frozenset[str] = frozenset()
    backstage: frozenset[str] = frozenset()
    groups: Mapping[str, frozenset[str]] = field(default_factory=dict)
    breakout: bool = False  # the meeting is itself a breakout room


def normal_name(name: str) -> str:
    """Display names compared without case and surrounding or repeated spaces."""
    return " ".join(name.split()).casefold()


def identities(meeting: Meeting, mailbox_of: Mapping[str, str]) -> Identities:
    """Identity -> the display names it is known by in this meeting.

    `mailbox_of` maps an address to the mailbox (directory object id) it resolved to.
    """
    names = Identities(mailbox_of)
    for person in meeting.participants:
        names.setdefault(identity_of(person.email, person.name, mailbox_of), set()).add(
            normal_name(person.name)
        )
    if meeting.host_email and meeting.host_name:
        host = identity_of(meeting.host_email, meeting.host_name, mailbox_of)
        names.setdefault(host, set()).add(normal_name(meeting.host_name))
    return names


def identity_of(email: str | None, name: str, mailbox_of: Mapping[str, str]) -> str:
    """A person's identity: their mailbox, else their address, else (guests) their name."""
    if email:
        mailbox = mailbox_of.get(email)
        return f"mailbox:{mailbox}" if mailbox else f"email:{email}"
    return f"guest:{normal_name(name)}"


def _by_name(known: Mapping[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for identity, names in known.items():
        for name in names:
            found.setdefault(name, set()).add(identity)
    return {name: frozenset(ids) for name, ids in found.items()}


def audiences(lines: Sequence[ChatLine], known: Mapping[str, Iterable[str]]) -> list[Audience]:
    """Each line's audience, given identity -> display names."""
    by_name = _by_name(known)
    out: list[Audience] = []
    for line in lines:
        if not line.direct:
            out.append(None)
            continue
        parties = [by_name.get(normal_name(n), frozenset()) for n in (line.sender, line.recipient)]
        if all(len(found) == 1 for found in parties):
            out.append(frozenset(next(iter(found)) for found in parties))
        else:
            out.append(UNATTRIBUTED)
    return out


def circles(
    meeting: Meeting,
    known: Mapping[str, Iterable[str]],
    mailbox_of: Mapping[str, str],
    logs: Sequence[MemberLog] = (),
    lines: Sequence[ChatLine] = (),
) -> Circles:
    """The meeting's circles: host, waiting room (report rows and senders from it), backstage
    and private groups (member logs)."""
    by_name = _by_name(known)
    host = frozenset({_address(meeting.host_email, mailbox_of)} if meeting.host_email else ())
    waiting = {
        identity_of(_lower(p.email), p.name, mailbox_of)
        for p in meeting.participants
        if not p.admitted
    }
    for line in lines:
        if line.sent_from == "04":
            waiting.update(_party(line.sender_email, line.sender, mailbox_of, by_name))
    backstage: set[str] = set()
    groups: dict[str, set[str]] = {}
    for log in logs:
        for room in log.rooms:
            if room.kind == BACKSTAGE:
                members = backstage
            else:
                members = groups.setdefault(room.room_id, set())
            members.update(_address(s.email, mailbox_of) for s in room.stays if s.email)
    return Circles(
        mailbox_of,
        by_name,
        host,
        frozenset(waiting),
        frozenset(backstage),
        {group: frozenset(ids) for group, ids in groups.items()},
        breakout=meeting.parent_uuid is not None,
    )


def json_audiences(lines: Sequence[ChatLine], seen: Circles) -> list[Audience]:
    """Each JSON chat line's audience (the rules of this module's docstring)."""
    own = [_own(line, seen) for line in lines]
    at: dict[str, int] = {}
    for i, line in enumerate(lines):
        at.setdefault(line.message_id, i)
    out: list[Audience] = []
    for i, line in enumerate(lines):
        audience = own[i]
        for ref in (line.original_id, line.parent_id):
            j = at.get(ref) if ref else None
            if j is not None and j != i:
                # An earlier line's audience is final (narrowed by what it refers to in turn);
                # a later one's is its own: one pass, and no loop on cycles.
                audience = meet(audience, out[j] if j < i else own[j])
        out.append(audience)
    return out


def room_audiences(log: MemberLog, seen: Circles) -> list[Audience]:
    """Who may see each room of a member log: its members (and, for the backstage, the host)."""
    return [_room_audience(room, seen) for room in log.rooms]


def shared_audiences(lines: Sequence[ChatLine], heard: Sequence[Audience]) -> dict[str, Audience]:
    """Who may see each file shared in the chat (by Zoom's file id): whoever saw a message it
    was shared with."""
    shared: dict[str, Audience] = {}
    for line, audience in zip(lines, heard, strict=True):
        for file in line.files:
            if file.file_id:
                shared[file.file_id] = join(shared.get(file.file_id, UNATTRIBUTED), audience)
    return shared


def owner_audience(owner: str, seen: Circles) -> Audience:
    """Who may see one participant's own file: that participant (unknown: unattributed)."""
    return frozenset({_address(owner, seen.mailbox_of)}) if owner.strip() else UNATTRIBUTED


def meet(a: Audience, b: Audience) -> Audience:
    """The audience both allow (None is everyone; UNATTRIBUTED is no one in particular)."""
    if a is None:
        return b
    if b is None:
        return a
    return a & b


def join(a: Audience, b: Audience) -> Audience:
    """The audience either allows (a file shared in two messages is for both audiences)."""
    return None if a is None or b is None else a | b


def visible(audience: Sequence[Audience], viewer: Viewer) -> list[int]:
    """Indexes of the lines this viewer may see, in order."""
    return [i for i, seen_by in enumerate(audience) if may_see(seen_by, viewer)]


def may_see(seen_by: Audience, viewer: Viewer) -> bool:
    """Whether one line's audience includes this viewer."""
    if seen_by is None or viewer.complete:
        return True
    if seen_by == UNATTRIBUTED:
        return viewer.unattributed
    return bool(seen_by & viewer.identities)


def _lower(email: str | None) -> str | None:
    return email.strip().lower() if email else email


def _address(email: str | None, mailbox_of: Mapping[str, str]) -> str:
    return identity_of(_lower(email), "", mailbox_of)


def _party(
    email: str, name: str, mailbox_of: Mapping[str, str], by_name: Mapping[str, frozenset[str]]
) -> frozenset[str]:
    """One party's identity: by address; by a name only one identity has when Zoom left the
    address empty; else none."""
    if email.strip():
        return frozenset({_address(email, mailbox_of)})
    found = by_name.get(normal_name(name), frozenset()) if name.strip() else frozenset()
    return found if len(found) == 1 else frozenset()


def _room_audience(room: Room, seen: Circles) -> Audience:
    members = {_address(s.email, seen.mailbox_of) for s in room.stays if s.email}
    return frozenset(members | seen.host) if room.kind == BACKSTAGE else frozenset(members)


def _own(line: ChatLine, seen: Circles) -> Audience:
    """A line's audience by its own marks (before what it refers to narrows it)."""
    codes = ((line.sent_from, LOCATIONS), (line.sent_to, LOCATIONS), (line.action, ACTIONS))
    if line.kind == "unknown" or any(code and code not in known for code, known in codes):
        return UNATTRIBUTED
    if line.receiver and line.receiver not in RECEIVERS:
        return UNATTRIBUTED
    sender = _party(line.sender_email, line.sender, seen.mailbox_of, seen.by_name)
    receiver = _party(line.recipient_email, line.recipient, seen.mailbox_of, seen.by_name)
    parties = sender | receiver
    audience: Audience = None
    if is_direct(line):
        if not sender or not receiver:
            return UNATTRIBUTED
        audience = parties
    if is_grouped(line):
        members = seen.groups.get(line.group) if line.group else None
        if members is None:
            return UNATTRIBUTED
        audience = meet(audience, members | parties)
    places = {line.sent_from, line.sent_to}
    if line.receiver == "05" or "04" in places:
        audience = meet(audience, seen.waiting | seen.host | parties)
    if line.receiver == "06":
        audience = meet(audience, seen.host | parties)
    if line.receiver == "02":
        audience = meet(audience, seen.host | seen.backstage | parties)
    if "05" in places:
        audience = meet(audience, seen.backstage | seen.host | parties)
    if line.sent_from == "03" and not seen.breakout:
        return UNATTRIBUTED
    return audience
