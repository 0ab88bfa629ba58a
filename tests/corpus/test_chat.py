"""Chat TXT files through parse_chat: it never raises, counts what it cannot read, and reads a
line that might be a direct message as direct (a wrong guess withholds; it never discloses)."""

from __future__ import annotations

import pytest

from archiver.core.converter.transcripts import chat_text, parse_chat
from tests.corpus.support import Case, params


@pytest.mark.parametrize("case", params("chat"))
def test_each_chat_file_parses_into_lines_and_a_count_of_the_unreadable(case: Case) -> None:
    lines, unparsed = parse_chat(case.data)
    expect = case.expect
    assert (len(lines), unparsed) == (expect["lines"], expect["unparsed"])
    assert sum(line.direct for line in lines) == expect["direct"]
    if "parties" in expect:
        assert [[c.sender, c.recipient, c.direct] for c in lines] == expect["parties"]
    if "texts" in expect:
        assert [c.text for c in lines] == expect["texts"]


@pytest.mark.parametrize("case", params("chat"))
def test_each_chat_written_back_as_a_filtered_copy_reads_the_same(case: Case) -> None:
    lines, _ = parse_chat(case.data)
    again, unparsed = parse_chat(chat_text(lines))
    assert [(c.sender, c.recipient, c.direct, c.text) for c in again] == [
        (c.sender, c.recipient, c.direct, c.text) for c in lines
    ]
    assert unparsed == 0
