"""Addresses and ids from Zoom are checked before they reach a header, a path or a recipient."""

from __future__ import annotations

import pytest

from archiver.core.addresses import derived_id, email_address, is_addr_spec, is_safe_id
from archiver.errors import InvalidInputError


@pytest.mark.parametrize(
    "address",
    [
        "ann@contoso.com",
        "o'brien+zoom@mail.contoso.co.uk",
        "x_y-z.w@a-b.example",
        "a@xn--bcher-kva.ch",
    ],
)
def test_dot_atom_addresses_are_accepted(address: str) -> None:
    assert is_addr_spec(address)


@pytest.mark.parametrize(
    "address",
    [
        "a@b.com>, evil@x.com",  # a second recipient smuggled in
        "a@b.com\r\nBcc: evil@x.com",  # a header smuggled in
        '"quoted local"@contoso.com',
        "Ann <ann@contoso.com>",
        "a@[192.0.2.1]",
        "a..b@contoso.com",
        ".a@contoso.com",
        "a@contoso",
        "a@-contoso.com",
        "a@b@contoso.com",
        "",
        "x" * 65 + "@contoso.com",
    ],
)
def test_anything_but_a_plain_address_is_refused(address: str) -> None:
    assert not is_addr_spec(address)


def test_an_invalid_address_is_an_input_error_naming_where_and_the_value() -> None:
    with pytest.raises(InvalidInputError, match=r"host email: not a valid email address \('a@b"):
        email_address("a@b.com>, evil@x.com", "host email")


def test_addresses_are_lowercased_and_trimmed() -> None:
    assert email_address("  Ann@Contoso.COM ", "email") == "ann@contoso.com"


@pytest.mark.parametrize("value", ["1ec4ad5a-fba9-4866-b71b-099b38a3e702", "abc_DEF.1"])
def test_zoom_style_ids_are_safe(value: str) -> None:
    assert is_safe_id(value)


@pytest.mark.parametrize("value", ["../x", "a/b", "a\\b", ".hidden", "a b", "a\nb", "", "é"])
def test_ids_that_could_climb_or_break_a_path_are_not_safe(value: str) -> None:
    assert not is_safe_id(value)


def test_a_derived_id_is_stable_safe_and_depends_on_every_part() -> None:
    one = derived_id("uuid==", "CC", "VTT", "2026-11-20T15:00:00Z")
    assert one == derived_id("uuid==", "CC", "VTT", "2026-11-20T15:00:00Z")
    assert one != derived_id("uuid==", "CC", "VTT", "2026-11-20T15:00:01Z")
    assert is_safe_id(one)
