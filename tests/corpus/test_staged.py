"""Staged-meeting documents through StagedMeeting.from_json: refused naming the field's path,
or accepted and round-tripping."""

from __future__ import annotations

import json

import pytest

from archiver.core.contracts import StagedMeeting
from archiver.errors import InvalidInputError
from tests.corpus.support import Case, check_rejection, params


@pytest.mark.parametrize("case", params("staged"))
def test_each_staged_meeting_is_accepted_and_round_trips_or_is_refused_naming_the_field(
    case: Case,
) -> None:
    try:
        staged = StagedMeeting.from_json(case.data)
    except InvalidInputError as error:
        check_rejection(case, error)
        return
    assert case.accepted, f"accepted but must be refused: {case.expect['error']}"
    assert StagedMeeting.from_json(json.dumps(staged.to_dict())) == staged
