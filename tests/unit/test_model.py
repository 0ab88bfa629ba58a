"""The meeting model: Zoom's real shapes parse, and a bad value stays with its person or file."""

from __future__ import annotations

from typing import Any

import pytest

from archiver.core.model import Meeting, file_identities
from archiver.errors import InvalidInputError

START = "2026-11-20T15:00:00Z"


def recordings(*files: dict[str, Any]) -> dict[str, Any]:
    return {
        "uuid": "u==",
        "id": 1,
        "start_time": START,
        "duration": 30,
        "recording_files": list(files),
    }


CC = {"file_type": "CC", "file_extension": "VTT", "recording_start": START, "download_url": "u1"}


def test_a_cc_file_without_an_id_gets_a_stable_derived_identity() -> None:
    first = Meeting.from_zoom(recordings(CC), None, []).files[0]
    again = Meeting.from_zoom(recordings(dict(CC)), None, []).files[0]
    assert first.file_id == again.file_id
    assert first.file_id.startswith("d-")
    assert first.listed_size is None
    assert first.status == "completed"


def test_two_identical_files_without_ids_are_told_apart() -> None:
    ids = [fid for fid, _ in file_identities("u==", [CC, dict(CC)])]
    assert len(set(ids)) == 2


def test_a_file_id_unfit_for_a_path_is_replaced_and_the_item_says_so() -> None:
    meeting = Meeting.from_zoom(recordings({"id": "../../x", "file_type": "MP4"}), None, [])
    assert meeting.files[0].file_id.startswith("d-")
    assert "'../../x' has characters not allowed" in meeting.input_errors[0]


def test_a_person_only_in_the_waiting_room_is_listed_but_not_a_recipient() -> None:
    people = [
        {"name": "Ann", "user_email": "ann@contoso.com", "status": "in_meeting"},
        {"name": "Walt", "user_email": "walt@contoso.com", "status": "in_waiting_room"},
        {"name": "Bob", "user_email": "bob@contoso.com", "status": "in_waiting_room"},
        {"name": "Bob", "user_email": "bob@contoso.com", "status": "in_meeting"},
    ]
    meeting = Meeting.from_zoom(recordings(), None, people, host_email="ann@contoso.com")
    assert meeting.recipient_addresses == ("ann@contoso.com", "bob@contoso.com")
    assert [p.name for p in meeting.waited_only] == ["Walt"]


def test_an_invalid_participant_email_is_that_participants_error_not_the_meetings() -> None:
    people = [{"name": "Mallory", "user_email": "a@b.com>, evil@x.com"}]
    meeting = Meeting.from_zoom(recordings(), None, people)
    assert meeting.participants[0].email is None
    assert meeting.recipient_addresses == ()
    assert meeting.input_errors == (
        "participant 'Mallory': email: not a valid email address ('a@b.com>, evil@x.com'); "
        "not used as a recipient",
    )


def test_null_recording_files_mean_none() -> None:
    doc = recordings() | {"recording_files": None}
    assert Meeting.from_zoom(doc, None, []).files == ()


def test_recording_files_of_the_wrong_type_are_refused_naming_field_and_value() -> None:
    with pytest.raises(InvalidInputError, match=r"recordings\.recording_files: .*got 'oops'"):
        Meeting.from_zoom(recordings() | {"recording_files": "oops"}, None, [])


def test_a_bad_file_size_is_that_files_error_naming_the_file_and_the_value() -> None:
    doc = recordings({"id": "f1", "file_type": "MP4", "file_size": "big"})
    meeting = Meeting.from_zoom(doc, None, [])
    assert meeting.files[0].listed_size is None
    assert meeting.input_errors == (
        "MP4 file f1.file_size: expected a number, got 'big'; the size Zoom lists is not used",
    )


def test_the_host_address_looked_up_by_the_caller_is_used_and_validated() -> None:
    meeting = Meeting.from_zoom(recordings(), None, [], host_email="Host@Contoso.com")
    assert meeting.host_email == "host@contoso.com"
    bad = Meeting.from_zoom(recordings(), None, [], host_email="not an address")
    assert bad.host_email is None
    assert "host email: not a valid email address" in bad.input_errors[0]


def test_a_meeting_round_trips_through_its_dict_form_with_everything_new() -> None:
    people = [{"name": "W", "user_email": "w@x.com", "status": "in_waiting_room"}]
    meeting = Meeting.from_zoom(recordings(CC), None, people, participants_note="n")
    assert Meeting.from_dict(meeting.to_dict()) == meeting
