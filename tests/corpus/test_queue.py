"""Queue messages through WorkItem.from_json and FileWorkItem.from_json: refused naming the
field (the message poisons with that reason), or accepted and round-tripping."""

from __future__ import annotations

import pytest

from archiver.core.contracts import FileWorkItem, WorkItem
from archiver.errors import InvalidInputError
from tests.corpus.support import Case, check_rejection, params

PARSERS = {"WorkItem": WorkItem, "FileWorkItem": FileWorkItem}


@pytest.mark.parametrize("case", params("queue"))
def test_each_queue_message_is_a_work_item_or_refused_naming_the_field(case: Case) -> None:
    parser = PARSERS[case.expect["parser"]]
    try:
        item = parser.from_json(case.data)
    except InvalidInputError as error:
        check_rejection(case, error)
        return
    assert case.accepted, f"accepted but must be refused: {case.expect['error']}"
    for name, value in case.expect.get("fields", {}).items():
        assert getattr(item, name) == value
    assert parser.from_json(item.to_json()) == item
