"""Poll results bodies through parse_polls: it never raises; each unreadable row or value is an
input error naming it; what is kept renders safely; a participant's copy holds only their own
answers (tests/corpus/interactions.py)."""

from __future__ import annotations

import pytest

from archiver.core.interactions import parse_polls
from tests.corpus.interactions import check
from tests.corpus.support import Case, params


@pytest.mark.parametrize("case", params("polls"))
def test_each_poll_body_is_kept_as_far_as_it_can_be_read(case: Case) -> None:
    body = case.json()
    expect = case.expect
    found = parse_polls(
        body, source=expect.get("source", "report"), webinar=expect.get("webinar", False)
    )
    assert len(found.answers) == expect["answers"]
    check(case, "polls", found, body)
