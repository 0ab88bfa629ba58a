"""The meeting model: Zoom JSON parsed once, at the edge, into frozen dataclasses.

Required fields raise InvalidInputError naming the field and the value; optional ones default.
A bad value that concerns one participant or one file (an invalid email, an unreadable time,
duration or size, an unusable file id, a row that is not an object) is recorded in input_errors
naming that participant or file, and a stated default is used instead of failing the meeting.
Datetimes are timezone-aware UTC.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, TypeVar

from archiver.core.addresses import derived_id, email_address, is_meeting_uuid, is_safe_id
from archiver.core.fields import (
    after,
    int_field,
    object_list,
    optional_text,
    optional_time,
    parse_time,
    shown,
    text,
    unicode_text,
)
from archiver.core.keys import meeting_key
from archiver.core.typed import from_json_dict
from archiver.errors import InvalidInputError

IN_MEETING = "in_meeting"
IN_WAITING_ROOM = "in_waiting_room"
COMPLETED = "completed"
FAILED = "failed"
_T = TypeVar("_T")


@dataclass(frozen=True)
class Participant:
    """One join/leave session of one participant (Zoom reports a row per session)."""

    name: str
    email: str | None
    user_id: str | None
    join_time: datetime
    leave_time: datetime
    duration_s: int
    status: str = IN_MEETING  # in_meeting | in_waiting_room
    email_error: str | None = None  # why the email Zoom gave was not used

    @property
    def admitted(self) -> bool:
        """False for a waiting-room session (the person was not in the meeting then)."""
        return self.status != IN_WAITING_ROOM


@dataclass(frozen=True)
class RecordingFile:
    """One file of a meeting's cloud recording."""

    file_id: str
    file_type: str
    file_extension: str
    recording_type: str
    listed_size: int | None  # file_size as Zoom lists it; CC and TIMELINE files have none
    status: str
    download_url: str
    recording_start: datetime | None = None
    recording_end: datetime | None = None
    id_note: str | None = None  # why the id is derived rather than Zoom's
    # The Archiving API's (core/archive.py); cloud-recording files leave them at their defaults.
    source: str = "recording"  # "recording" (cloud recordings) | "archive" (Archiving API)
    individual: bool = False  # one participant's own audio or video
    participant_email: str | None = None  # whose, for an individual file (None: not known)
    fingerprint: str | None = None  # SHA-256 hex Zoom states for the file's bytes
    shared_in_chat: bool = False  # a file someone shared in the meeting chat (physical_files)
    file_name: str | None = None  # the name Zoom gives (files shared in chat have one)

    @property
    def size(self) -> int:
        """The size to plan with (the listing's; 0 when Zoom lists none)."""
        return self.listed_size or 0


@dataclass(frozen=True)
class Meeting:
    """One meeting instance and everything Zoom says about it."""

    uuid: str
    meeting_id: int
    topic: str
    host_id: str
    host_email: str | None
    host_name: str
    start_time: datetime
    end_time: datetime
    duration_min: int
    timezone: str
    participants: tuple[Participant, ...] = ()
    files: tuple[RecordingFile, ...] = ()
    # Why the participant list is incomplete or absent ("" when Zoom gave it).
    participants_note: str = ""
    # Input errors that concern a person or a file, not the meeting (each names what was wrong).
    input_errors: tuple[str, ...] = ()
    # The content sources the record was assembled from, in order of preference (set by
    # sources/assemble.py; () for a record parsed on its own or stored before it was recorded).
    sources: tuple[str, ...] = ()
    # A breakout room (Archiving API): the UUID of the meeting it was opened from.
    parent_uuid: str | None = None
    # A meeting hosted outside the account (Archiving API: Zoom gives no id, host or topic).
    external: bool = False
    # The topic of the meeting a breakout room was opened from ("" when not known).
    parent_topic: str = ""
    # Files left out because an earlier source holds the same content (sources/assemble.py),
    # and what the record says about how it was assembled.
    superseded: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The meeting key (storage-safe hash of the UUID)."""
        return meeting_key(self.uuid)

    @property
    def completed_files(self) -> tuple[RecordingFile, ...]:
        """Files Zoom has finished processing."""
        return tuple(f for f in self.files if f.status == COMPLETED)

    @property
    def failed_files(self) -> tuple[RecordingFile, ...]:
        """Files Zoom says it failed to produce."""
        return tuple(f for f in self.files if f.status == FAILED)

    @property
    def processing_files(self) -> tuple[RecordingFile, ...]:
        """Files Zoom was still processing."""
        return tuple(f for f in self.files if f.status not in (COMPLETED, FAILED))

    @property
    def attendees(self) -> tuple[Participant, ...]:
        """Sessions of people who were admitted to the meeting."""
        return tuple(p for p in self.participants if p.admitted)

    @property
    def waited_only(self) -> tuple[Participant, ...]:
        """Waiting-room sessions of people never admitted (matched by email, else by name)."""
        admitted = {_person(p) for p in self.attendees}
        return tuple(p for p in self.participants if _person(p) not in admitted)

    @property
    def recipient_addresses(self) -> tuple[str, ...]:
        """Host first, then every admitted participant with a valid email, de-duplicated. A
        breakout room's host is not one unless seen in the room: the meeting's host is not
        always in every room."""
        host = "" if self.parent_uuid else self.host_email or ""
        found = [host, *(p.email or "" for p in self.attendees)]
        return tuple(a for a in dict.fromkeys(found) if a)

    @classmethod
    def from_zoom(
        cls,
        recordings: Mapping[str, Any],
        past_meeting: Mapping[str, Any] | None,
        participants: Sequence[Mapping[str, Any]],
        *,
        host_email: str | None = None,
        participants_note: str = "",
    ) -> Meeting:
        """Parse the recordings body, the past-meeting body and participant rows.

        `host_email` is the host's address when the caller looked it up (recording listings
        carry only host_id); otherwise the bodies' own fields are used.
        """
        if not isinstance(recordings, Mapping):
            raise InvalidInputError(f"recordings: expected an object, got {shown(recordings)}")
        uuid: str = recordings.get("uuid")  # type: ignore[assignment]  # checked next
        if not is_meeting_uuid(uuid):
            raise InvalidInputError(f"recordings.uuid: expected a meeting UUID, got {shown(uuid)}")
        errors: list[str] = []
        past: Mapping[str, Any] = {}
        if isinstance(past_meeting, Mapping):
            past = past_meeting
        elif past_meeting is not None:
            errors.append(
                f"past_meeting: expected an object, got {shown(past_meeting)}; "
                "the meeting's details are not used"
            )
        start = parse_time(
            past.get("start_time") or recordings.get("start_time"), "recordings.start_time"
        )
        duration = int_field(past or recordings, "duration", "recordings", default=0, low=0)
        end = optional_time(past.get("end_time"), "past_meeting.end_time") or after(
            start, f"recordings.duration: {duration} minutes", minutes=duration
        )
        docs = [
            *object_list(recordings, "recording_files", "recordings"),
            *object_list(recordings, "participant_audio_files", "recordings"),
        ]
        host = _host(recordings, past, host_email, errors)
        people = parse_participants(participants, start, errors)
        files: list[RecordingFile] = []
        file_errors: list[str] = []
        for doc, (file_id, note) in zip(docs, file_identities(uuid, docs), strict=True):
            files.append(parse_file(doc, file_id, note, file_errors))
        errors += [f"{f.file_type} file: {f.id_note}" for f in files if f.id_note]
        return cls(
            uuid=uuid,
            meeting_id=int_field(recordings, "id", "recordings", default=past.get("id", 0), low=0),
            topic=optional_text(recordings, "topic", "recordings")
            or optional_text(past, "topic", "past_meeting"),
            host_id=optional_text(recordings, "host_id", "recordings")
            or optional_text(past, "host_id", "past_meeting"),
            host_email=host,
            host_name=optional_text(past, "user_name", "past_meeting"),
            start_time=start,
            end_time=end,
            duration_min=duration,
            timezone=optional_text(recordings, "timezone", "recordings") or "UTC",
            participants=tuple(people),
            files=tuple(files),
            participants_note=participants_note,
            input_errors=(*errors, *file_errors),
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (datetimes as ISO strings)."""
        doc: dict[str, Any] = _jsonable(asdict(self))
        return doc

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> Meeting:
        """Inverse of to_dict; InvalidInputError naming the field of a damaged snapshot."""
        meeting = from_json_dict(cls, doc, "meeting snapshot")
        if not is_meeting_uuid(meeting.uuid):
            raise InvalidInputError(
                f"meeting snapshot.uuid: expected a meeting UUID, got {shown(meeting.uuid)}"
            )
        return meeting


def file_identities(uuid: str, docs: Sequence[Mapping[str, Any]]) -> list[tuple[str, str | None]]:
    """Each listed file's id, and a note when it had to be derived.

    Zoom lists CC and TIMELINE files without an id (its recordings spec), so their identity is
    derived from what is stable about them: the meeting UUID, type, extension and recording
    times. The same listing always yields the same ids, in discovery, webhooks and staging
    alike; identical id-less files are told apart by their order.
    """
    seen: dict[str, int] = {}
    out: list[tuple[str, str | None]] = []
    for doc in docs:
        raw = text(doc, "id").strip()
        note: str | None = None
        if raw and is_safe_id(raw):
            file_id = raw
        else:
            stable = [
                text(doc, name)
                for name in ("file_type", "file_extension", "recording_start", "recording_end")
            ]
            file_id = derived_id(uuid, *stable, raw)
            note = (
                f"Zoom lists no file id; derived id {file_id} used"
                if not raw
                else f"Zoom's file id {raw[:60]!r} has characters not allowed in names; "
                f"derived id {file_id} used"
            )
        seen[file_id] = seen.get(file_id, 0) + 1
        if seen[file_id] > 1:
            file_id = f"{file_id}-{seen[file_id]}"
        out.append((file_id, note))
    return out


def _host(
    recordings: Mapping[str, Any],
    past: Mapping[str, Any],
    looked_up: str | None,
    errors: list[str],
) -> str | None:
    """The host's address, or None with the reason in `errors`."""
    try:
        raw = (
            looked_up
            or optional_text(recordings, "host_email", "recordings")
            or optional_text(past, "user_email", "past_meeting")
        ).strip()
    except InvalidInputError as error:
        errors.append(f"host email: {error}")
        return None
    if not raw:
        return None
    try:
        return email_address(raw, "host email")
    except InvalidInputError as error:
        errors.append(str(error))
        return None


def parse_participants(rows: Any, start: datetime, errors: list[str]) -> list[Participant]:
    """The usable rows; each unusable row or value is named in `errors`, the rest kept."""
    if not isinstance(rows, list | tuple):
        errors.append(
            f"participants: expected a list of objects, got {shown(rows)}; no participant is listed"
        )
        return []
    people: list[Participant] = []
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            errors.append(f"participants[{index}]: expected an object, got {shown(row)}; left out")
            continue
        problems: list[str] = []
        person = _participant(row, start, index, problems)
        people.append(person)
        errors += [f"participant {shown(person.name)}: {problem}" for problem in problems]
    return people


def _kept(read: Callable[[], _T], fallback: _T, consequence: str, problems: list[str]) -> _T:
    """`read()`, or `fallback` with the error and its consequence added to `problems`."""
    try:
        return read()
    except InvalidInputError as error:
        problems.append(f"{error}; {consequence}")
        return fallback


def parse_file(
    doc: Mapping[str, Any], file_id: str, id_note: str | None, errors: list[str]
) -> RecordingFile:
    """One listed file; each unusable field is named in `errors` and a default kept."""
    problems: list[str] = []
    raw_type = doc.get("file_type")
    file_type = unicode_text(raw_type).upper() if isinstance(raw_type, str) else ""
    where = f"{file_type or 'recording'} file {file_id}"

    def field(name: str, consequence: str) -> str:
        return _kept(lambda: optional_text(doc, name, where), "", consequence, problems)

    field("file_type", "not shown")
    size = doc.get("file_size")
    listed = _kept(
        lambda: None if size is None else int_field(doc, "file_size", where, low=0),
        None,
        "the size Zoom lists is not used",
        problems,
    )
    status = _kept(
        lambda: optional_text(doc, "status", where, COMPLETED).lower() or COMPLETED,
        "unknown",
        "treated as still processing",
        problems,
    )
    recording_file = RecordingFile(
        file_id=file_id,
        file_type=file_type,
        file_extension=field("file_extension", "not shown").upper(),
        recording_type=field("recording_type", "not shown"),
        listed_size=listed,
        status=status,
        download_url=field("download_url", "the file cannot be downloaded"),
        recording_start=_kept(
            lambda: optional_time(doc.get("recording_start"), f"{where}.recording_start"),
            None,
            "not shown",
            problems,
        ),
        recording_end=_kept(
            lambda: optional_time(doc.get("recording_end"), f"{where}.recording_end"),
            None,
            "not shown",
            problems,
        ),
        id_note=id_note,
    )
    errors += problems
    return recording_file


def _participant(
    doc: Mapping[str, Any], start: datetime, index: int, problems: list[str]
) -> Participant:
    where = f"participants[{index}]"

    def name_field(name: str) -> str:
        return _kept(lambda: optional_text(doc, name, where), "", "not shown", problems)

    name = name_field("name") or name_field("user_name") or "(no name)"
    join = _kept(
        lambda: optional_time(doc.get("join_time"), f"{where}.join_time"),
        None,
        "the meeting's start is shown",
        problems,
    )
    join = join or start
    leave = _kept(
        lambda: optional_time(doc.get("leave_time"), f"{where}.leave_time"),
        None,
        "the join time is shown",
        problems,
    )
    email: str | None = None
    error: str | None = None
    try:
        raw = (
            optional_text(doc, "user_email", where) or optional_text(doc, "email", where)
        ).strip()
        email = email_address(raw, "email") if raw else None
    except InvalidInputError as invalid:
        error = f"{invalid}; not used as a recipient"
    duration = _kept(
        lambda: int_field(doc, "duration", where, default=0, low=0), 0, "0 is shown", problems
    )
    raw_status = _kept(
        lambda: optional_text(doc, "status", where, IN_MEETING), IN_MEETING, "", problems
    )
    status = raw_status.lower() or IN_MEETING
    if status not in (IN_MEETING, IN_WAITING_ROOM):
        problems.append(
            f"{where}.status: unknown value {shown(raw_status)}; {IN_MEETING} is assumed"
        )
        status = IN_MEETING
    if error:
        problems.append(error)
    return Participant(
        name=name,
        email=email,
        user_id=text(doc, "user_id") or text(doc, "id") or None,
        join_time=join,
        leave_time=leave or join,
        duration_s=duration,
        status=status,
        email_error=error,
    )


def _person(p: Participant) -> str:
    return p.email or f"name:{p.name.casefold()}"


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value
