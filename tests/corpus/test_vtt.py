"""Transcripts and captions through parse_vtt: it never raises and counts unreadable cues."""

from __future__ import annotations

import pytest

from archiver.core.converter.transcripts import parse_vtt
from tests.corpus.support import Case, params


@pytest.mark.parametrize("case", params("vtt"))
def test_each_vtt_file_parses_into_turns_and_a_count_of_the_unreadable(case: Case) -> None:
    turns, unparsed = parse_vtt(case.data)
    assert (len(turns), unparsed) == (case.expect["turns"], case.expect["unparsed"])
    if "speakers" in case.expect:
        assert [t.speaker for t in turns] == case.expect["speakers"]
