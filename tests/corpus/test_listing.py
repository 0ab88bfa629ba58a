"""Recording listing entries through discovery's validation, called directly.

A malformed entry is refused naming the field (discovery then records it against its meeting
and goes on with the others); an accepted one gives its UUID and whether it waits for files.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from archiver.errors import InvalidInputError
from archiver.steps.claims import in_grace, is_processing, validate
from tests.corpus.support import Case, check_rejection, params

NOW = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
GRACE_MINUTES = 60


@pytest.mark.parametrize("case", params("listing"))
def test_each_listing_entry_is_claimable_or_refused_naming_the_field(case: Case) -> None:
    recording = case.json()
    try:
        uuid = validate(recording)
        waits = is_processing(recording)
        in_grace(recording, NOW, GRACE_MINUTES)
    except InvalidInputError as error:
        check_rejection(case, error)
        return
    assert case.accepted, f"accepted but must be refused: {case.expect['error']}"
    assert uuid == case.expect["uuid"]
    assert waits == case.expect["waits"]
