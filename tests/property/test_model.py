"""Meeting.from_zoom raises nothing but InvalidInputError, whatever JSON value any field holds;
what it accepts round-trips and renders."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from archiver.core.model import Meeting
from archiver.errors import InvalidInputError
from tests.corpus.support import rendered
from tests.property.strategies import json_values

START = "2026-11-20T15:00:00Z"
RECORDINGS = ["uuid", "id", "topic", "host_id", "host_email", "start_time", "duration",
              "timezone", "recording_files", "participant_audio_files"]  # fmt: skip
PAST = ["start_time", "end_time", "duration", "id", "topic", "user_name", "user_email"]
PERSON = ["name", "user_name", "user_email", "email", "user_id", "id", "join_time",
          "leave_time", "duration", "status"]  # fmt: skip
FILE = ["id", "file_type", "file_extension", "recording_type", "file_size", "status",
        "download_url", "recording_start", "recording_end"]  # fmt: skip


def parsed(recordings: Any, past: Any, people: Any) -> None:
    try:
        meeting = Meeting.from_zoom(recordings, past, people)
    except InvalidInputError:
        return
    assert Meeting.from_dict(json.loads(json.dumps(meeting.to_dict()))) == meeting
    rendered(meeting)


@given(
    where=st.sampled_from(["recordings", "past", "person", "file"]),
    fields=st.dictionaries(st.sampled_from(RECORDINGS + PAST + PERSON + FILE), json_values),
)
def test_any_value_in_any_field_is_accepted_or_an_input_error(
    where: str, fields: dict[str, Any]
) -> None:
    recordings: dict[str, Any] = {"uuid": "m1==", "start_time": START}
    past: dict[str, Any] = {}
    person: dict[str, Any] = {"name": "Ann", "user_email": "ann@contoso.com"}
    file: dict[str, Any] = {"id": "f1", "file_type": "MP4"}
    {"recordings": recordings, "past": past, "person": person, "file": file}[where].update(fields)
    recordings.setdefault("recording_files", [file])
    parsed(recordings, past, [person])


@given(recordings=json_values, past=json_values, people=json_values)
def test_any_json_as_any_body_is_accepted_or_an_input_error(
    recordings: Any, past: Any, people: Any
) -> None:
    parsed(recordings, past, people)
