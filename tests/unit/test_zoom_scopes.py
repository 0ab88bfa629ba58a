"""Which Zoom scopes the archiver needs, and what `check` says about a token's scopes."""

from __future__ import annotations

import pytest

from archiver.adapters.zoom.scopes import NEEDS, missing
from archiver.errors import AuthenticationError
from archiver.operations.checks import zoom_scopes

GRANULAR = frozenset(n.granular for n in NEEDS)
CLASSIC = frozenset(n.classic for n in NEEDS)


def test_granular_or_classic_scopes_each_satisfy_every_need() -> None:
    assert missing(GRANULAR) == []
    assert missing(CLASSIC) == []
    assert "every required scope granted" in zoom_scopes(GRANULAR)


def test_a_missing_required_scope_fails_naming_both_forms_and_the_call() -> None:
    with pytest.raises(AuthenticationError) as error:
        zoom_scopes(GRANULAR - {"cloud_recording:read:list_recording_files:admin"})
    assert str(error.value) == (
        "the Zoom app lacks 1 scope(s): cloud_recording:read:list_recording_files:admin "
        "(or classic recording:read:admin) for GET /meetings/{uuid}/recordings (service=zoom) "
        "- add them under the app's Scopes in the Zoom Marketplace and activate it again "
        "(docs/admin-guide.md, section 1)"
    )


def test_without_the_report_scope_check_passes_and_says_what_is_lost() -> None:
    answer = zoom_scopes(GRANULAR - {"report:read:list_meeting_participants:admin"})
    assert answer.endswith(
        "without report:read:list_meeting_participants:admin, participants lose their "
        "per-session join and leave times"
    )


def test_a_token_whose_scopes_zoom_did_not_list_is_not_failed() -> None:
    assert "did not list" in zoom_scopes(frozenset())
