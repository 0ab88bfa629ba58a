"""A summary version as a listing of its meeting (what claims.consider takes for an update)."""

from __future__ import annotations

from archiver.steps.claims import listed_files, listing_signature
from archiver.steps.summaries import summary_listing
from tests.interaction_bodies import summary


def test_a_summary_lists_its_json_and_markdown_files_completed() -> None:
    listing = summary_listing(summary("w1=="))
    files = listed_files(listing)
    assert [f["file_type"] for f in files] == ["AI_SUMMARY", "AI_SUMMARY_MD"]
    assert {f["status"] for f in files} == {"completed"}
    assert listing["uuid"] == "w1=="


def test_an_edit_changes_the_listing_and_the_same_version_does_not() -> None:
    first = summary_listing(summary("w1=="))
    same = summary_listing(summary("w1==", text="other text, same version"))
    edited = summary_listing(summary("w1==", modified="2026-11-23T08:00:00Z"))
    assert listing_signature("w1==", first, False) == listing_signature("w1==", same, False)
    assert listing_signature("w1==", first, False) != listing_signature("w1==", edited, False)
