"""Mapping: overrides, then internal domains, then the directory; the fallback catches the rest."""

from __future__ import annotations

from archiver.core.mapping import Mailbox, resolve_mailboxes

ANN = Mailbox("id-ann", "ann@contoso.com")
BOB = Mailbox("id-bob", "bob@contoso.com")
DIRECTORY = {
    "ann@contoso.com": ANN,
    "bob@contoso.com": BOB,
    "bob.alias@contoso.com": BOB,  # a proxy address of the same mailbox
}
ARCHIVE = Mailbox("id-archive", "zoom-archive@contoso.com")


def resolve(addresses, *, overrides=None, domains=("contoso.com",), fallback=None):
    return resolve_mailboxes(
        addresses,
        overrides=overrides or {},
        internal_domains=domains,
        lookup=DIRECTORY.get,
        fallback=fallback,
    )


def test_internal_addresses_resolve_to_directory_objects() -> None:
    result = resolve(["ann@contoso.com", "bob@contoso.com"])
    assert result.mailboxes == (ANN, BOB)
    assert not result.used_fallback


def test_one_person_who_joined_with_two_addresses_is_one_mailbox() -> None:
    result = resolve(["bob@contoso.com", "bob.alias@contoso.com"])
    assert result.mailboxes == (BOB,)
    assert result.mailbox_of == {"bob@contoso.com": "id-bob", "bob.alias@contoso.com": "id-bob"}


def test_addresses_are_deduplicated_case_insensitively() -> None:
    result = resolve(["Ann@Contoso.com", "ann@contoso.com ", "ANN@CONTOSO.COM"])
    assert result.mailboxes == (ANN,)


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
    assert result.mailboxes == (ANN,)
    assert result.mailbox_of == {"partner@fabrikam.com": "id-ann"}


def test_an_override_to_an_address_that_is_no_mailbox_is_reported() -> None:
    result = resolve(
        ["partner@fabrikam.com"], overrides={"partner@fabrikam.com": "gone@contoso.com"}
    )
    assert result.mailboxes == ()
    assert "gone@contoso.com was not found" in result.unmapped[0].reason


def test_empty_internal_domains_means_every_domain_is_a_candidate() -> None:
    result = resolve(["ann@contoso.com", "x@elsewhere.org"], domains=())
    assert result.mailboxes == (ANN,)
    assert result.unmapped[0].reason == "no mailbox in the directory"


def test_a_meeting_nobody_maps_goes_to_the_fallback_mailbox() -> None:
    result = resolve(["partner@fabrikam.com"], fallback=ARCHIVE)
    assert result.mailboxes == (ARCHIVE,)
    assert result.used_fallback


def test_without_a_fallback_an_unmappable_meeting_has_no_mailbox() -> None:
    result = resolve(["partner@fabrikam.com", ""])
    assert result.mailboxes == ()
    assert [u.address for u in result.unmapped] == ["partner@fabrikam.com"]


def test_guests_without_email_map_to_nobody_and_are_not_reported() -> None:
    assert resolve(["", "  "]).unmapped == ()
