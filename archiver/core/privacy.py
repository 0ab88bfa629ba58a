"""Who may see which chat line (pure): public lines for all, a direct message for its two people.

Zoom's TXT chat names people by display name ("Ann to Bob(Direct Message)"), so a line's parties
are found by matching names against the meeting's participants, each identified by the mailbox
their address resolved to (so one person with two addresses is one identity), else by address,
else by name for guests. A name that matches no one, or more than one identity, makes the line
unattributable: it goes only to the compliance mailbox, or to the host's mailbox when no
compliance mailbox is set, and never to a guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

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


def normal_name(name: str) -> str:
    """Display names compared without case and surrounding or repeated spaces."""
    return " ".join(name.split()).casefold()


def identities(meeting: Meeting, mailbox_of: Mapping[str, str]) -> dict[str, set[str]]:
    """Identity -> the display names it is known by in this meeting.

    `mailbox_of` maps an address to the mailbox (directory object id) it resolved to.
    """
    names: dict[str, set[str]] = {}
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


def audiences(lines: Sequence[ChatLine], known: Mapping[str, Iterable[str]]) -> list[Audience]:
    """Each line's audience, given identity -> display names."""
    by_name: dict[str, set[str]] = {}
    for identity, names in known.items():
        for name in names:
            by_name.setdefault(name, set()).add(identity)
    out: list[Audience] = []
    for line in lines:
        if not line.direct:
            out.append(None)
            continue
        parties = [by_name.get(normal_name(n), set()) for n in (line.sender, line.recipient)]
        if all(len(found) == 1 for found in parties):
            out.append(frozenset(next(iter(found)) for found in parties))
        else:
            out.append(UNATTRIBUTED)
    return out


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
