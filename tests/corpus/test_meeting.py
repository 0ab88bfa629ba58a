"""Zoom's meeting bodies (recordings, past meeting, participant rows) through Meeting.from_zoom.

A bad meeting-level value refuses the meeting naming the field; a bad value of one participant
or one file is recorded in Meeting.input_errors and everything else is kept. What is accepted
round-trips through its JSON form and renders to a sane item.
"""

from __future__ import annotations

import json

import pytest

from archiver.core.model import Meeting
from archiver.errors import InvalidInputError
from tests.corpus.support import Case, check_matches, check_rejection, params, rendered


def parse(case: Case) -> Meeting:
    doc = case.json()
    return Meeting.from_zoom(
        doc["recordings"],
        doc.get("past_meeting"),
        doc.get("participants", []),
        host_email=doc.get("host_email"),
    )


@pytest.mark.parametrize("case", params("meeting"))
def test_each_meeting_body_is_accepted_sanely_or_refused_naming_the_field(case: Case) -> None:
    try:
        meeting = parse(case)
    except InvalidInputError as error:
        check_rejection(case, error)
        return
    expect = case.expect
    assert case.accepted, f"accepted but must be refused: {expect['error']}"
    check_matches(expect["input_errors"], meeting.input_errors)
    assert len(meeting.participants) == expect["participants"]
    assert len(meeting.files) == expect["files"]
    if "recipients" in expect:
        assert list(meeting.recipient_addresses) == expect["recipients"]
    for name in ("topic", "meeting_id", "duration_min"):
        if name in expect:
            assert getattr(meeting, name) == expect[name]
    assert meeting.start_time <= meeting.end_time
    assert Meeting.from_dict(json.loads(json.dumps(meeting.to_dict()))) == meeting
    rendered(meeting)
