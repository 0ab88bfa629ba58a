"""Q&A bodies through parse_qa: it never raises; each unreadable row or value is an input error
naming it; what is kept renders safely; a participant's copy holds only the questions and
answers they saw (tests/corpus/interactions.py)."""

from __future__ import annotations

import pytest

from archiver.core.interactions import parse_qa
from tests.corpus.interactions import check
from tests.corpus.support import Case, params


@pytest.mark.parametrize("case", params("qa"))
def test_each_q_and_a_body_is_kept_as_far_as_it_can_be_read(case: Case) -> None:
    body = case.json()
    expect = case.expect
    found = parse_qa(
        body, source=expect.get("source", "report"), webinar=expect.get("webinar", False)
    )
    assert len(found.questions) == expect["questions"]
    if "answers" in expect:
        assert found.answer_count == expect["answers"]
    check(case, "qa", found, body)
