"""The bounded memory of listing entries already acted on."""

from __future__ import annotations

from archiver.core.seen import SeenListings


def test_a_signature_is_remembered_once_added() -> None:
    seen = SeenListings()
    assert not seen.has("a")
    seen.add("a")
    assert seen.has("a")


def test_the_least_recently_seen_are_forgotten_past_the_capacity() -> None:
    seen = SeenListings(capacity=2)
    seen.add("a")
    seen.add("b")
    assert seen.has("a")  # "a" is now the most recent
    seen.add("c")
    assert seen.has("a")
    assert seen.has("c")
    assert not seen.has("b")
