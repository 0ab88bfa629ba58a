"""Survey report bodies through parse_survey: it never raises; each unreadable row or value is
an input error naming it; what is kept renders safely; a participant's copy holds only their
own answers (tests/corpus/interactions.py)."""

from __future__ import annotations

import pytest

from archiver.core.interactions import parse_survey
from tests.corpus.interactions import check
from tests.corpus.support import Case, params


@pytest.mark.parametrize("case", params("survey"))
def test_each_survey_body_is_kept_as_far_as_it_can_be_read(case: Case) -> None:
    body = case.json()
    found = parse_survey(body, webinar=case.expect.get("webinar", False))
    assert len(found.answers) == case.expect["answers"]
    check(case, "survey", found, body)
