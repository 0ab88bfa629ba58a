"""Which mailboxes get a meeting: pure resolution rules over injected lookups.

Order per address: the override table (external address -> mailbox address), then
INTERNAL_DOMAINS (only those domains are candidates; empty means every domain), then the
directory (Graph lookup by UPN, mail and proxyAddresses). Every address ends at a directory
object, so a person who joined with two of their addresses is one mailbox, and every Graph path
and delivery row uses the object's id, which no change of primary address can alter. A meeting
that resolves to nobody goes to the fallback mailbox.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Mailbox:
    """A mailbox as the directory knows it."""

    id: str  # directory object id: the Graph path segment and the delivery row key
    address: str  # its primary SMTP address (else UPN), for people to read


Lookup = Callable[[str], Mailbox | None]


@dataclass(frozen=True)
class Unmapped:
    """An address that maps to no mailbox, and why."""

    address: str
    reason: str


@dataclass(frozen=True)
class Resolution:
    """The mailboxes a meeting goes to, and what could not be mapped."""

    mailboxes: tuple[Mailbox, ...]
    unmapped: tuple[Unmapped, ...]
    used_fallback: bool
    # Address -> the id of the mailbox it resolved to (who is who in the chat).
    mailbox_of: Mapping[str, str] = field(default_factory=dict)


def domain_of(address: str) -> str:
    """The lowercase domain of an email address ("" when there is none)."""
    return address.rpartition("@")[2].lower() if "@" in address else ""


def resolve_mailboxes(
    addresses: Iterable[str],
    *,
    overrides: Mapping[str, str],
    internal_domains: tuple[str, ...],
    lookup: Lookup,
    fallback: Mailbox | None,
) -> Resolution:
    """Map participant and host addresses to mailboxes, one per directory object."""
    mailboxes: dict[str, Mailbox] = {}
    mailbox_of: dict[str, str] = {}
    unmapped: list[Unmapped] = []
    for raw in dict.fromkeys(a.strip().lower() for a in addresses if a and a.strip()):
        found = _resolve_one(raw, overrides, internal_domains, lookup)
        if isinstance(found, Unmapped):
            unmapped.append(found)
        else:
            mailboxes.setdefault(found.id, found)
            mailbox_of[raw] = found.id
    if not mailboxes and fallback is not None:
        return Resolution((fallback,), tuple(unmapped), True, mailbox_of)
    return Resolution(tuple(mailboxes.values()), tuple(unmapped), False, mailbox_of)


def _resolve_one(
    address: str, overrides: Mapping[str, str], internal_domains: tuple[str, ...], lookup: Lookup
) -> Mailbox | Unmapped:
    if "@" not in address:
        return Unmapped(address, "not an email address")
    if address in overrides:
        target = lookup(overrides[address])
        if target is None:
            return Unmapped(address, f"its mapping's mailbox {overrides[address]} was not found")
        return target
    if internal_domains and domain_of(address) not in internal_domains:
        return Unmapped(address, "external domain")
    found = lookup(address)
    if found is None:
        return Unmapped(address, "no mailbox in the directory")
    return found
