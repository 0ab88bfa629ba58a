"""Which mailboxes get a meeting: pure resolution rules over injected lookups.

Order per address: the override table (external address -> mailbox), then INTERNAL_DOMAINS (only
those domains are candidates; empty means every domain), then the directory (Graph lookup by mail
and proxyAddresses). A meeting that resolves to nobody goes to the fallback mailbox.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

Lookup = Callable[[str], str | None]


@dataclass(frozen=True)
class Unmapped:
    """An address that maps to no mailbox, and why."""

    address: str
    reason: str


@dataclass(frozen=True)
class Resolution:
    """The mailboxes a meeting goes to, and what could not be mapped."""

    mailboxes: tuple[str, ...]
    unmapped: tuple[Unmapped, ...]
    used_fallback: bool


def domain_of(address: str) -> str:
    """The lowercase domain of an email address ("" when there is none)."""
    return address.rpartition("@")[2].lower() if "@" in address else ""


def resolve_mailboxes(
    addresses: Iterable[str],
    *,
    overrides: Mapping[str, str],
    internal_domains: tuple[str, ...],
    lookup: Lookup,
    fallback: str | None,
) -> Resolution:
    """Map participant and host addresses to mailboxes, de-duplicated case-insensitively."""
    mailboxes: dict[str, None] = {}
    unmapped: list[Unmapped] = []
    for raw in dict.fromkeys(a.strip().lower() for a in addresses if a and a.strip()):
        mailbox = _resolve_one(raw, overrides, internal_domains, lookup)
        if isinstance(mailbox, Unmapped):
            unmapped.append(mailbox)
        else:
            mailboxes[mailbox.lower()] = None
    if not mailboxes and fallback:
        return Resolution((fallback.lower(),), tuple(unmapped), used_fallback=True)
    return Resolution(tuple(mailboxes), tuple(unmapped), used_fallback=False)


def _resolve_one(
    address: str, overrides: Mapping[str, str], internal_domains: tuple[str, ...], lookup: Lookup
) -> str | Unmapped:
    if "@" not in address:
        return Unmapped(address, "not an email address")
    if address in overrides:
        return overrides[address]
    if internal_domains and domain_of(address) not in internal_domains:
        return Unmapped(address, "external domain")
    found = lookup(address)
    if found is None:
        return Unmapped(address, "no mailbox in the directory")
    return found
