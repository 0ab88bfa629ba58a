"""Names and emails: email_address accepts a plain address or refuses it naming it; as a
participant, the meeting still parses, a refusal is that participant's input error, and the
rendered item's recipients are exactly the valid addresses."""

from __future__ import annotations

import pytest

from archiver.core.addresses import email_address
from archiver.core.model import Meeting
from archiver.errors import InvalidInputError
from tests.corpus.support import Case, check_rejection, params, rendered

HOST = {"name": "Ann", "user_email": "ann@contoso.com"}


@pytest.mark.parametrize("case", params("address"))
def test_each_address_is_accepted_plain_or_refused_naming_it(case: Case) -> None:
    try:
        address = email_address(case.json()["email"], "email")
    except InvalidInputError as error:
        check_rejection(case, error)
        return
    assert case.accepted, f"accepted but must be refused: {case.expect['error']}"
    assert address == case.expect["address"]


@pytest.mark.parametrize("case", params("address"))
def test_each_participant_renders_with_exactly_the_valid_recipients(case: Case) -> None:
    doc = case.json()
    person = {"name": doc["name"], "user_email": doc["email"]}
    meeting = Meeting.from_zoom(
        {"uuid": "m1==", "id": 1, "start_time": "2026-11-20T15:00:00Z"},
        None,
        [HOST, person],
        host_email="ann@contoso.com",
    )
    valid = [case.expect["address"]] if case.accepted else []
    assert list(meeting.recipient_addresses) == ["ann@contoso.com", *valid]
    assert len(meeting.input_errors) == (0 if case.accepted else 1)
    parsed = rendered(meeting)
    assert [a.addr_spec for a in parsed["To"].addresses] == ["ann@contoso.com", *valid]
