"""Who may see a chat line: everyone for public lines, a direct message's two people, and the
compliance mailbox (or, without one, the host) for lines no single person can be found for."""

from __future__ import annotations

from archiver.core.converter.transcripts import ChatLine
from archiver.core.model import Meeting
from archiver.core.privacy import Viewer, audiences, identities, visible

PUBLIC = ChatLine("00:00:01", "Ann", "Everyone", "hello all")
ANN_TO_BOB = ChatLine("00:00:02", "Ann", "Bob", "just you")
TO_NOBODY = ChatLine("00:00:03", "Ann", "Zed", "who is Zed?")
LINES = [PUBLIC, ANN_TO_BOB, TO_NOBODY]
KNOWN = {"mailbox:ann": {"ann"}, "mailbox:bob": {"bob"}, "mailbox:cat": {"cat"}}


def seen_by(viewer: Viewer, known=KNOWN, lines=LINES) -> list[str]:
    return [lines[i].text for i in visible(audiences(lines, known), viewer)]


def test_a_direct_message_reaches_its_sender_and_receiver_only() -> None:
    assert seen_by(Viewer(frozenset({"mailbox:ann"}))) == ["hello all", "just you"]
    assert seen_by(Viewer(frozenset({"mailbox:bob"}))) == ["hello all", "just you"]
    assert seen_by(Viewer(frozenset({"mailbox:cat"}))) == ["hello all"]


def test_the_compliance_mailbox_sees_every_line() -> None:
    assert seen_by(Viewer(frozenset(), complete=True)) == [line.text for line in LINES]


def test_a_line_to_a_name_nobody_has_goes_only_where_unattributed_lines_go() -> None:
    host = Viewer(frozenset({"mailbox:ann"}), unattributed=True)
    assert "who is Zed?" in seen_by(host)
    assert "who is Zed?" not in seen_by(Viewer(frozenset({"mailbox:ann"})))


def test_a_name_two_people_share_makes_the_line_unattributable() -> None:
    known = {**KNOWN, "email:bob@fabrikam.com": {"bob"}}
    assert seen_by(Viewer(frozenset({"mailbox:bob"})), known) == ["hello all"]
    assert seen_by(Viewer(frozenset({"mailbox:ann"})), known) == ["hello all"]


def test_names_match_without_case_or_extra_spaces() -> None:
    line = ChatLine("00:00:04", "  ANN ", "bob", "still private")
    assert seen_by(Viewer(frozenset({"mailbox:bob"})), lines=[line]) == ["still private"]


def meeting(*people: tuple[str, str]) -> Meeting:
    return Meeting.from_zoom(
        {"uuid": "u", "id": 1, "start_time": "2026-11-20T15:00:00Z"},
        None,
        [{"name": name, "user_email": email} for name, email in people],
    )


def test_one_person_with_two_addresses_is_one_identity() -> None:
    both = meeting(("Bob", "bob@contoso.com"), ("Bob", "bob.alias@contoso.com"))
    known = identities(both, {"bob@contoso.com": "B", "bob.alias@contoso.com": "B"})
    assert known == {"mailbox:B": {"bob"}}


def test_people_without_a_mailbox_are_known_by_address_and_guests_by_name() -> None:
    mixed = meeting(("Pat", "pat@fabrikam.com"), ("Dial-in", ""))
    assert identities(mixed, {}) == {
        "email:pat@fabrikam.com": {"pat"},
        "guest:dial-in": {"dial-in"},
    }
