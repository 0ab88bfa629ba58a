"""Zoom's SUB_GROUP_MEMBER_LOG through parse_member_log: it never raises; each bad room or
member is recorded and the rest kept; an unreadable file is one unparsed part, so its raw file
goes only where every room may be shown."""

from __future__ import annotations

import pytest

from archiver.core.converter.member_log import parse_member_log
from tests.corpus.support import MAX_MESSAGE, Case, check_matches, params


@pytest.mark.parametrize("case", params("member_log"))
def test_each_member_log_parses_into_rooms_and_a_record_of_what_was_wrong(case: Case) -> None:
    log = parse_member_log("log1", case.data)
    expect = case.expect
    rooms = [[r.kind, r.room_id, [s.email for s in r.stays]] for r in log.rooms]
    assert rooms == expect["rooms"]
    assert log.unparsed == expect["unparsed"]
    check_matches(expect["problems"], log.problems)
    assert all(len(p) <= MAX_MESSAGE for p in log.problems)
    if "times" in expect:
        [first, *_] = log.rooms
        assert [t.isoformat() if t else None for t in (first.created, first.deleted)] == (
            expect["times"]
        )
