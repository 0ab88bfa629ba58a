"""Mapping: overrides, then internal domains, then the directory; the fallback catches the rest."""

from __future__ import annotations

from archiver.mapping import resolve_mailboxes

DIRECTORY = {"ann@contoso.com": "ann@contoso.com", "bob.alias@contoso.com": "bob@contoso.com"}


def resolve(addresses, *, overrides=None, domains=("contoso.com",), fallback=None):
    return resolve_mailboxes(
        addresses,
        overrides=overrides or {},
        internal_domains=domains,
        lookup=DIRECTORY.get,
        fallback=fallback,
    )


def test_internal_addresses_resolve_through_the_directory() -> None:
    result = resolve(["ann@contoso.com", "bob.alias@contoso.com"])
    assert result.mailboxes == ("ann@contoso.com", "bob@contoso.com")
    assert not result.used_fallback


def test_addresses_are_deduplicated_case_insensitively() -> None:
    result = resolve(["Ann@Contoso.com", "ann@contoso.com ", "ANN@CONTOSO.COM"])
    assert result.mailboxes == ("ann@contoso.com",)


def test_external_domains_are_not_looked_up() -> None:
    looked_up: list[str] = []
    result = resolve_mailboxes(
        ["partner@fabrikam.com"],
        overrides={},
        internal_domains=("contoso.com",),
        lookup=looked_up.append,
        fallback=None,
    )
    assert looked_up == []
    assert result.unmapped[0].reason == "external domain"


def test_an_override_maps_an_external_address_to_one_of_our_mailboxes() -> None:
    result = resolve(
        ["partner@fabrikam.com"], overrides={"partner@fabrikam.com": "ann@contoso.com"}
    )
    assert result.mailboxes == ("ann@contoso.com",)


def test_empty_internal_domains_means_every_domain_is_a_candidate() -> None:
    result = resolve(["ann@contoso.com", "x@elsewhere.org"], domains=())
    assert result.mailboxes == ("ann@contoso.com",)
    assert result.unmapped[0].reason == "no mailbox in the directory"


def test_a_meeting_nobody_maps_goes_to_the_fallback_mailbox() -> None:
    result = resolve(["partner@fabrikam.com"], fallback="zoom-archive@contoso.com")
    assert result.mailboxes == ("zoom-archive@contoso.com",)
    assert result.used_fallback


def test_without_a_fallback_an_unmappable_meeting_has_no_mailbox() -> None:
    result = resolve(["partner@fabrikam.com", ""])
    assert result.mailboxes == ()
    assert [u.address for u in result.unmapped] == ["partner@fabrikam.com"]


def test_guests_without_email_map_to_nobody_and_are_not_reported() -> None:
    assert resolve(["", "  "]).unmapped == ()
