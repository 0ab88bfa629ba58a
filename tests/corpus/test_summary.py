"""AI Companion summary objects through parse_summary: it never raises; each unreadable value is
an input error naming it; hostile Markdown renders to safe markup; only the host's and the
compliance copies hold the summary (tests/corpus/interactions.py)."""

from __future__ import annotations

import pytest

from archiver.core.interactions import parse_summary
from tests.corpus.interactions import check
from tests.corpus.support import Case, params


@pytest.mark.parametrize("case", params("summary"))
def test_each_summary_is_kept_as_far_as_it_can_be_read(case: Case) -> None:
    body = case.json()
    found = parse_summary(body)
    assert found.deprecated == case.expect["deprecated"]
    if "doc_url" in case.expect:
        assert found.doc_url == case.expect["doc_url"]
    check(case, "summary", found, body)
