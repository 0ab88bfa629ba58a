"""Exported items are named by their start (UTC) and topic, safely, saying what kind they are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from archiver.core.converter.names import EML_ROOM, MAX_NAME, eml_file_name

START = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def test_an_exported_item_is_named_by_its_start_in_utc_and_its_topic() -> None:
    assert eml_file_name(START, "Quarterly review") == "2026-11-20 1500 Quarterly review.eml"


def test_the_start_in_the_name_is_utc_whatever_zone_it_is_given_in() -> None:
    paris = START.astimezone(timezone(timedelta(hours=1)))
    assert eml_file_name(paris, "Q") == "2026-11-20 1500 Q.eml"


def test_a_part_an_update_and_a_participants_copy_say_so_in_the_name() -> None:
    assert eml_file_name(START, "Q", part=2, part_count=3) == "2026-11-20 1500 Q - part 2 of 3.eml"
    assert eml_file_name(START, "Q", revision=1) == "2026-11-20 1500 Q - update 1.eml"
    assert (
        eml_file_name(START, "Q", viewer="bob@contoso.com")
        == "2026-11-20 1500 Q (for bob@contoso.com).eml"
    )


def test_a_meeting_without_a_topic_is_named_as_such() -> None:
    assert eml_file_name(START, "") == "2026-11-20 1500 (no topic).eml"


def test_characters_unsafe_in_a_file_name_are_replaced_and_the_extension_kept() -> None:
    name = eml_file_name(START, 'a/b\\c:d*e?f"g<h>i|j\r\nk..l.')
    assert name.endswith(".eml")
    assert not set('/\\:*?"<>|\r\n') & set(name)
    assert ".." not in name


def test_a_long_topic_is_shortened_keeping_the_suffix_and_room_for_a_number() -> None:
    name = eml_file_name(START, "x" * 500, part=12, part_count=12, viewer="b" * 300 + "@x.com")
    assert name.endswith(" - part 12 of 12 (for " + "b" * 60 + ").eml")
    assert len(name) + EML_ROOM <= MAX_NAME
