"""The item a reviewer reads: times in both zones, every session, exact sizes, where it came from,
and markup Outlook's Word engine renders, in both the HTML and the plain-text body."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from html import unescape
from typing import Any

import pytest

from archiver.core.converter import ItemContent, build_message, to_graph_json
from archiver.core.converter.provenance import PRODUCT, VERSION
from archiver.core.converter.values import duration
from archiver.core.model import Meeting
from archiver.core.staged import FilePart, StagedFile

ARCHIVED = datetime(2026, 11, 21, 9, 0, 5, tzinfo=UTC)


def meeting(
    people: list[dict[str, Any]] | None = None,
    *,
    timezone: str | None = "Europe/Paris",
    start: str = "2026-11-20T15:00:00Z",
    duration: int = 60,
) -> Meeting:
    recordings: dict[str, Any] = {
        "uuid": "u==",
        "id": 1,
        "topic": "Quarterly review",
        "start_time": start,
        "duration": duration,
    }
    if timezone is not None:
        recordings["timezone"] = timezone
    return Meeting.from_zoom(recordings, None, people or [], host_email="ann@contoso.com")


def session(name: str, email: str, join: str, leave: str, **extra: Any) -> dict[str, Any]:
    seconds = int((datetime.fromisoformat(leave) - datetime.fromisoformat(join)).total_seconds())
    return {
        "name": name,
        "user_email": email,
        "join_time": join,
        "leave_time": leave,
        "duration": seconds,
        **extra,
    }


def texts(found: Meeting, staged: list[StagedFile] | None = None, **kw: Any) -> tuple[str, str]:
    """(plain text, the HTML as a reader sees it: tags dropped, entities decoded)."""
    message = build_message(found, staged or [], ItemContent(), **kw)
    return message.text, unescape(re.sub(r"<[^>]+>", " ", message.html))


def both(found: Meeting, **kw: Any) -> list[str]:
    return list(texts(found, **kw))


def staged_file(size: int, listed: int | None = None, **extra: Any) -> StagedFile:
    return StagedFile(
        "f1", "rec.mp4", "video/mp4", size, "ab" * 32, "k/f1", "media", "attach",
        container="staging", listed_size=listed, **extra,
    )  # fmt: skip


ANN = "ann@contoso.com"
BOB = "bob@contoso.com"


# Times ------------------------------------------------------------------------------------------


def test_the_start_is_shown_in_utc_and_in_the_meetings_own_zone_named() -> None:
    for body in both(meeting()):
        assert "2026-11-20 15:00:00 UTC (16:00:00 Europe/Paris)" in body


def test_a_local_date_is_shown_when_it_is_not_the_utc_date() -> None:
    late = meeting(start="2026-11-20T23:30:00Z")
    for body in both(late):
        assert "2026-11-20 23:30:00 UTC (2026-11-21 00:30:00 Europe/Paris)" in body


def test_a_zone_zoom_gave_that_is_unknown_is_not_guessed_and_the_item_says_so() -> None:
    for body in both(meeting(timezone="Not/AZone")):
        assert "Start: " in body or "Start " in body
        assert "2026-11-20 15:00:00 UTC" in body
        assert "2026-11-20 15:00:00 UTC (" not in body
        assert 'Zoom gave "Not/AZone", which is not a known time zone' in body
        assert "times are shown in UTC only" in body


def test_a_meeting_without_a_zone_is_shown_in_utc_only_and_says_so() -> None:
    for body in both(meeting(timezone=None)):
        assert "UTC (times are shown in UTC only)" in body
        assert "15:00:00 UTC (" not in body


def test_spaces_around_a_zone_name_are_not_part_of_it() -> None:
    for body in both(meeting(timezone=" Europe/Paris\n")):
        assert "2026-11-20 15:00:00 UTC (16:00:00 Europe/Paris)" in body


def test_a_zone_name_that_cannot_be_shown_is_said_to_be_unreadable() -> None:
    text, _ = texts(meeting(timezone="\x07\x1b"))
    assert 'Zoom gave "(unreadable)", which is not a known time zone' in text


@pytest.mark.parametrize("name", ["localtime", "posix/Europe/Paris", "right/Europe/Paris"])
def test_a_zone_name_that_is_no_place_is_not_used(name: str) -> None:
    text, _ = texts(meeting(timezone=name))
    assert "times are shown in UTC only" in text
    assert "15:00:00 UTC (" not in text


def test_the_time_zone_line_names_the_zone_and_its_utc_offset() -> None:
    text, _ = texts(meeting())
    assert "Time zone:    Europe/Paris (UTC+01:00); times are shown in UTC and in Europe/Paris" in (
        text
    )


def test_a_join_and_a_leave_are_shown_in_utc_and_in_the_meetings_zone() -> None:
    people = [session("Bob", BOB, "2026-11-20T15:01:00Z", "2026-11-20T15:10:30Z")]
    for body in both(meeting(people)):
        assert "15:01:00 UTC (16:01:00 Europe/Paris)" in body
        assert "15:10:30 UTC (16:10:30 Europe/Paris)" in body


def test_a_session_on_another_utc_day_than_the_start_shows_its_date() -> None:
    people = [session("Bob", BOB, "2026-11-20T23:50:00Z", "2026-11-21T00:20:00Z")]
    text, _ = texts(meeting(people, start="2026-11-20T23:45:00Z"))
    assert "joined 23:50:00 UTC (2026-11-21 00:50:00 Europe/Paris)" in text
    assert "left 2026-11-21 00:20:00 UTC (01:20:00 Europe/Paris)" in text
    assert "Times on 2026-11-20 unless a date is shown" in text


def test_a_local_time_at_another_offset_than_the_start_names_its_offset() -> None:
    # Europe/Paris leaves summer time at 01:00 UTC on 2026-10-25: 02:30 happens twice.
    people = [session("Bob", BOB, "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z")]
    text, _ = texts(meeting(people, start="2026-10-25T00:00:00Z", duration=120))
    assert "joined 00:30:00 UTC (02:30:00 Europe/Paris)" in text
    assert "left 01:30:00 UTC (02:30:00 Europe/Paris, UTC+01:00)" in text


def test_the_time_zone_line_names_a_change_of_offset_during_the_meeting() -> None:
    text, _ = texts(meeting(start="2026-10-25T00:00:00Z", duration=120))
    assert "Europe/Paris (UTC+02:00 at the start, UTC+01:00 at the end)" in text


# Sessions ---------------------------------------------------------------------------------------


REJOINS = [
    session("Bob", BOB, "2026-11-20T15:00:00Z", "2026-11-20T15:02:00Z", status="in_waiting_room"),
    session("Bob", BOB, "2026-11-20T15:02:00Z", "2026-11-20T15:10:00Z"),
    session("Bob", BOB, "2026-11-20T15:20:00Z", "2026-11-20T15:30:00Z"),
    session("Bob", BOB, "2026-11-20T15:40:00Z", "2026-11-20T15:45:30Z"),
    session("Bob", BOB, "2026-11-20T15:50:00Z", "2026-11-20T16:00:00Z"),
]


def test_each_rejoin_is_its_own_session_listed_under_the_person_once() -> None:
    text, _ = texts(meeting(REJOINS))
    assert text.count("- Bob <bob@contoso.com>") == 1
    for n, (joined, left) in enumerate(
        [("15:02", "15:10"), ("15:20", "15:30"), ("15:40", "15:45"), ("15:50", "16:00")], start=2
    ):
        assert f"    {n}. in meeting: joined {joined}:00 UTC" in text
        assert f"left {left}:" in text


def test_a_waiting_room_session_is_told_apart_from_the_admitted_ones() -> None:
    text, html = texts(meeting(REJOINS))
    assert "    1. waiting room: joined 15:00:00 UTC (16:00:00 Europe/Paris), left 15:02:00" in text
    assert "1. waiting room" in html
    assert "2. in meeting" in html


def test_each_person_has_totals_for_the_meeting_and_the_waiting_room() -> None:
    for body in both(meeting(REJOINS)):
        assert (
            "in the meeting 33 min 30 s over 4 sessions; in the waiting room 2 min over 1 session"
        ) in body


def test_each_session_has_its_duration() -> None:
    text, _ = texts(meeting(REJOINS))
    assert "left 15:45:30 UTC (16:45:30 Europe/Paris), 5 min 30 s" in text


def test_a_person_who_only_waited_is_listed_as_waited_not_admitted_with_their_sessions() -> None:
    people = [
        session("Ann", ANN, "2026-11-20T15:00:00Z", "2026-11-20T16:00:00Z"),
        session("Walt", "walt@contoso.com", "2026-11-20T15:01:00Z", "2026-11-20T15:05:00Z",
                status="in_waiting_room"),
    ]  # fmt: skip
    text, html = texts(meeting(people))
    participants, waited = text.split("Waited, not admitted", 1)
    assert "walt@contoso.com" not in participants
    assert "- Walt <walt@contoso.com>: in the waiting room 4 min over 1 session" in waited
    assert "1. waiting room: joined 15:01:00 UTC" in waited
    assert "Waited, not admitted (1 person, 1 session)" in html


def test_a_guest_without_email_is_listed_with_every_session_grouped_by_name() -> None:
    people = [
        session("Dial-in", "", "2026-11-20T15:00:00Z", "2026-11-20T15:10:00Z"),
        session("Dial-in", "", "2026-11-20T15:20:00Z", "2026-11-20T15:30:00Z"),
    ]
    text, html = texts(meeting(people))
    assert "- Dial-in <guest, no email>: in the meeting 20 min over 2 sessions" in text
    assert "Dial-in  <guest, no email>" in html
    assert "in the meeting 20 min over 2 sessions" in html


def test_a_session_under_another_display_name_names_it() -> None:
    people = [
        session("Bob", BOB, "2026-11-20T15:00:00Z", "2026-11-20T15:10:00Z"),
        session("Bob (phone)", BOB, "2026-11-20T15:20:00Z", "2026-11-20T15:30:00Z"),
    ]
    text, _ = texts(meeting(people))
    assert '    2. in meeting as "Bob (phone)": joined 15:20:00' in text


def test_a_duration_is_shown_to_the_second_in_hours_minutes_and_seconds() -> None:
    assert [duration(s) for s in (0, 45, 60, 1620, 3723, 7200, -5)] == [
        "0 s", "45 s", "1 min", "27 min", "1 h 2 min 3 s", "2 h", "0 s",
    ]  # fmt: skip


def test_a_duration_zoom_reports_unlike_the_times_is_shown_beside_them() -> None:
    odd = {**session("Bob", BOB, "2026-11-20T15:00:00Z", "2026-11-20T15:10:00Z"), "duration": 590}
    text, _ = texts(meeting([odd]))
    assert "10 min (Zoom reports 9 min 50 s)" in text


def test_a_person_whose_email_was_refused_is_not_called_a_guest() -> None:
    bad = session("Mallory", "a@b.com>, evil@x.com", "2026-11-20T15:00:00Z", "2026-11-20T15:10:00Z")
    text, _ = texts(meeting([bad]))
    assert "- Mallory <email not usable, see Notes>" in text
    assert "guest, no email" not in text


def test_the_participants_heading_counts_people_and_sessions() -> None:
    for body in both(meeting(REJOINS)):
        assert "Participants (1 person, 5 sessions)" in body


def test_a_meeting_without_participants_says_none_are_listed() -> None:
    for body in both(meeting([])):
        assert "(none listed)" in body


# Sizes ------------------------------------------------------------------------------------------


def test_a_size_is_shown_readably_with_its_exact_bytes() -> None:
    text, html = texts(meeting(), [staged_file(1_234_567)])
    assert "rec.mp4: 1.2 MB (1,234,567 bytes), SHA-256" in text
    assert "1.2 MB (1,234,567 bytes)" in html


def test_a_size_under_a_kilobyte_is_shown_in_bytes_only() -> None:
    text, _ = texts(meeting(), [staged_file(1023)])
    assert "rec.mp4: 1,023 bytes, SHA-256" in text


def test_sizes_are_in_binary_units_as_outlook_and_the_attachment_limit_count_them() -> None:
    text, _ = texts(meeting(), [staged_file(150 * 1024 * 1024)])
    assert "150.0 MB (157,286,400 bytes)" in text


def test_a_size_that_rounds_to_1024_of_a_unit_is_shown_in_the_next_unit() -> None:
    text, _ = texts(meeting(), [staged_file(1024 * 1024 - 1)])
    assert "1.0 MB (1,048,575 bytes)" in text


def test_a_file_whose_listed_size_differs_names_what_zoom_listed() -> None:
    for body in both(meeting(), staged=[staged_file(200_000, listed=199_488)]):
        assert "195.3 KB (200,000 bytes; Zoom listed 199,488 bytes)" in body


def test_the_parts_of_a_split_file_have_readable_sizes() -> None:
    parts = (FilePart(1, 2, 0, 3_000_000, "cd" * 32, "rec.mp4.001"),)
    split = replace(staged_file(3_000_000), disposition="split", parts=parts, note="too big")
    text, _ = texts(meeting(), [split])
    assert "rec.mp4.001: 2.9 MB (3,000,000 bytes), SHA-256 " + "cd" * 32 in text


# Provenance -------------------------------------------------------------------------------------


def test_the_body_says_when_by_what_and_from_which_zoom_sources_the_item_was_made() -> None:
    found = replace(meeting(), sources=("cloud recordings",))
    for body in both(found, archived_at=ARCHIVED):
        assert (
            f"2026-11-21 09:00:05 UTC (10:00:05 Europe/Paris) by {PRODUCT} {VERSION}, "
            "from the Zoom sources: cloud recordings"
        ) in body


def test_the_item_carries_its_provenance_in_an_x_zoom_archiver_header() -> None:
    found = replace(meeting(), sources=("cloud recordings", "summaries"))
    message = build_message(found, [], ItemContent(), archived_at=ARCHIVED)
    assert dict(message.headers)["X-Zoom-Archiver"] == (
        f"{PRODUCT}/{VERSION}; archived-at=2026-11-21T09:00:05Z; "
        "sources=cloud recordings, summaries"
    )


def test_without_an_archive_time_or_sources_the_item_says_they_were_not_recorded() -> None:
    message = build_message(meeting(), [], ItemContent())
    assert "(the archive time was not recorded)" in message.text
    assert "from the Zoom sources: not recorded" in message.text
    assert (
        "archived-at=not recorded; sources=not recorded" in dict(message.headers)["X-Zoom-Archiver"]
    )


def test_a_naive_archive_time_is_taken_as_utc() -> None:
    naive = build_message(meeting(), [], ItemContent(), archived_at=ARCHIVED.replace(tzinfo=None))
    aware = build_message(meeting(), [], ItemContent(), archived_at=ARCHIVED)
    assert naive == aware


def test_a_part_of_an_update_has_the_five_headers_graph_accepts_all_sent() -> None:
    message = build_message(meeting(), [], ItemContent(), part=1, part_count=2, revision=1)
    names = [n for n, _ in message.headers]
    assert names == [
        "X-Zoom-Meeting-Id",
        "X-Zoom-Meeting-UUID",
        "X-Zoom-Archiver",
        "X-Zoom-Archive-Part",
        "X-Zoom-Archive-Update",
    ]
    sent = to_graph_json(message, inline={})["internetMessageHeaders"]
    assert [h["name"] for h in sent] == names


def test_a_source_name_cannot_break_the_header_onto_a_new_line() -> None:
    found = replace(meeting(), sources=("a\r\nBcc: x@y.z",))
    value = dict(build_message(found, [], ItemContent()).headers)["X-Zoom-Archiver"]
    assert "\r" not in value
    assert "\n" not in value


# Markup -----------------------------------------------------------------------------------------


def test_the_html_relies_on_no_style_block_external_resource_image_or_css_layout() -> None:
    html = build_message(meeting(REJOINS), [staged_file(10)], ItemContent()).html
    for banned in ("<style", "<link", "<img", "<script", "src=", "href=", "url(", "@import"):
        assert banned not in html.lower()
    for layout in ("display:", "grid", "flex", "float:", "position:"):
        assert layout not in html


def test_every_element_with_text_states_its_font() -> None:
    html = build_message(meeting(REJOINS), [staged_file(10)], ItemContent()).html
    for tag in re.findall(r"<(?:h2|h3|p|th|td|li)\b[^>]*>", html):
        assert re.search(r"font:(bold |italic )?\d+pt Segoe UI,Arial,sans-serif", tag), tag


def test_the_tables_have_a_shaded_header_row() -> None:
    html = build_message(meeting(REJOINS), [staged_file(10)], ItemContent()).html
    headers = re.findall(r"<th [^>]*>(\w+)</th>", html)
    assert {"Session", "Joined", "Left", "Duration", "File", "Size", "Status"} <= set(headers)
    assert all("background-color:" in t for t in re.findall(r"<th [^>]*>", html))


def test_each_section_has_a_small_heading_in_both_bodies() -> None:
    text, _ = texts(meeting(REJOINS))
    html = build_message(meeting(REJOINS), [], ItemContent()).html
    for title in ("Participants", "Chat", "Transcript", "Files"):
        assert re.search(rf"<h3 [^>]*>{title}\b", html)
        assert re.search(rf"^{title}.*\n-+$", text, re.MULTILINE)


def test_zoom_text_in_a_session_name_is_escaped_in_the_html() -> None:
    people = [
        session("Bob", BOB, "2026-11-20T15:00:00Z", "2026-11-20T15:10:00Z"),
        session("<b>Bob</b>", BOB, "2026-11-20T15:20:00Z", "2026-11-20T15:30:00Z"),
    ]
    html = build_message(meeting(people), [], ItemContent()).html
    assert "&lt;b&gt;Bob&lt;/b&gt;" in html
    assert "<b>Bob</b>" in html  # the person's own name, in the converter's bold
    assert html.count("<b>Bob</b>") == 1


@pytest.mark.parametrize("case", ["normal", "imperfect", "nasty", "rejoins-dst", "split-part"])
def test_the_plain_text_holds_everything_the_html_shows(case: str) -> None:
    from tests.unit.converter.test_golden import load

    found, staged, content, part, part_count, archived_at = load(case)
    message = build_message(
        found, staged, content, part=part, part_count=part_count, archived_at=archived_at
    )
    headers = {"Session", "Joined", "Left", "Duration", "File", "Size", "Status"}
    shown = re.sub(r"<th [^>]*>[^<]*</th>", "", message.html)
    pieces = {unescape(p).strip() for p in re.split(r"<[^>]+>", shown)} - headers - {""}
    missing = [p for p in pieces if p.strip("\xa0") and p not in message.text]
    assert missing == []
