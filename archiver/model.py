"""The meeting model: Zoom JSON parsed once, at the edge, into frozen dataclasses.

Required fields raise InvalidInputError naming the field; optional ones default. Datetimes are
timezone-aware UTC.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from archiver.errors import InvalidInputError
from archiver.keys import meeting_key


def parse_time(value: Any, where: str) -> datetime:
    """An ISO 8601 timestamp from Zoom ("2026-11-20T15:00:00Z") as aware UTC."""
    if not isinstance(value, str) or not value:
        raise InvalidInputError(f"{where}: expected an ISO datetime")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInputError(f"{where}: not an ISO datetime ({value[:40]!r})") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _optional_time(value: Any, where: str) -> datetime | None:
    return parse_time(value, where) if value else None


def _text(doc: Mapping[str, Any], name: str, default: str = "") -> str:
    value = doc.get(name)
    return default if value is None else str(value)


def _int(doc: Mapping[str, Any], name: str, where: str, default: int | None = None) -> int:
    value = doc.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidInputError(f"{where}.{name}: expected a number")
    try:
        return int(value)
    except ValueError:
        raise InvalidInputError(f"{where}.{name}: expected a number, got {value!r}") from None


@dataclass(frozen=True)
class Participant:
    """One join/leave session of one participant (Zoom reports a row per session)."""

    name: str
    email: str | None
    user_id: str | None
    join_time: datetime
    leave_time: datetime
    duration_s: int


@dataclass(frozen=True)
class RecordingFile:
    """One file of a meeting's cloud recording."""

    file_id: str
    file_type: str
    file_extension: str
    recording_type: str
    size: int
    status: str
    download_url: str
    recording_start: datetime | None = None
    recording_end: datetime | None = None


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

    @property
    def key(self) -> str:
        """The meeting key (storage-safe hash of the UUID)."""
        return meeting_key(self.uuid)

    @property
    def completed_files(self) -> tuple[RecordingFile, ...]:
        """Files Zoom has finished processing."""
        return tuple(f for f in self.files if f.status == "completed")

    @property
    def processing_files(self) -> tuple[RecordingFile, ...]:
        """Files Zoom was still processing."""
        return tuple(f for f in self.files if f.status != "completed")

    @classmethod
    def from_zoom(
        cls,
        recordings: Mapping[str, Any],
        past_meeting: Mapping[str, Any] | None,
        participants: Sequence[Mapping[str, Any]],
    ) -> Meeting:
        """Parse the recordings body, the past-meeting body and participant rows."""
        uuid = _text(recordings, "uuid")
        if not uuid:
            raise InvalidInputError("recordings.uuid: missing")
        past = past_meeting or {}
        start = parse_time(
            past.get("start_time") or recordings.get("start_time"), "recordings.start_time"
        )
        duration = _int(past or recordings, "duration", "recordings", default=0)
        end = _optional_time(past.get("end_time"), "past_meeting.end_time") or (
            start + timedelta(minutes=duration)
        )
        files = [
            *(
                _file(f, "recordings.recording_files[]")
                for f in recordings.get("recording_files") or []
            ),
            *(
                _file(f, "recordings.participant_audio_files[]")
                for f in recordings.get("participant_audio_files") or []
            ),
        ]
        host_email = _text(recordings, "host_email") or _text(past, "user_email") or None
        return cls(
            uuid=uuid,
            meeting_id=_int(recordings, "id", "recordings", default=past.get("id", 0)),
            topic=_text(recordings, "topic") or _text(past, "topic"),
            host_id=_text(recordings, "host_id") or _text(past, "host_id"),
            host_email=host_email.lower() if host_email else None,
            host_name=_text(past, "user_name"),
            start_time=start,
            end_time=end,
            duration_min=duration,
            timezone=_text(recordings, "timezone") or "UTC",
            participants=tuple(_participant(p, start) for p in participants),
            files=tuple(files),
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (datetimes as ISO strings)."""
        doc: dict[str, Any] = _jsonable(asdict(self))
        return doc

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> Meeting:
        """Inverse of to_dict."""
        try:
            return cls(
                **{
                    k: doc[k]
                    for k in (
                        "uuid",
                        "meeting_id",
                        "topic",
                        "host_id",
                        "host_email",
                        "host_name",
                        "duration_min",
                        "timezone",
                    )
                },
                start_time=parse_time(doc["start_time"], "meeting.start_time"),
                end_time=parse_time(doc["end_time"], "meeting.end_time"),
                participants=tuple(
                    Participant(
                        **{
                            **p,
                            "join_time": parse_time(p["join_time"], "join_time"),
                            "leave_time": parse_time(p["leave_time"], "leave_time"),
                        }
                    )
                    for p in doc["participants"]
                ),
                files=tuple(
                    RecordingFile(
                        **{
                            **f,
                            "recording_start": _optional_time(f["recording_start"], "f"),
                            "recording_end": _optional_time(f["recording_end"], "f"),
                        }
                    )
                    for f in doc["files"]
                ),
            )
        except (KeyError, TypeError) as error:
            raise InvalidInputError(f"meeting snapshot: malformed ({error})") from None


def _file(doc: Mapping[str, Any], where: str) -> RecordingFile:
    file_id = _text(doc, "id")
    if not file_id:
        raise InvalidInputError(f"{where}.id: missing")
    return RecordingFile(
        file_id=file_id,
        file_type=_text(doc, "file_type").upper(),
        file_extension=_text(doc, "file_extension").upper(),
        recording_type=_text(doc, "recording_type"),
        size=_int(doc, "file_size", where, default=0),
        status=_text(doc, "status", "completed").lower(),
        download_url=_text(doc, "download_url"),
        recording_start=_optional_time(doc.get("recording_start"), f"{where}.recording_start"),
        recording_end=_optional_time(doc.get("recording_end"), f"{where}.recording_end"),
    )


def _participant(doc: Mapping[str, Any], start: datetime) -> Participant:
    join = _optional_time(doc.get("join_time"), "participants[].join_time") or start
    leave = _optional_time(doc.get("leave_time"), "participants[].leave_time") or join
    email = (_text(doc, "user_email") or _text(doc, "email")).strip().lower() or None
    return Participant(
        name=_text(doc, "name") or _text(doc, "user_name") or "(no name)",
        email=email,
        user_id=_text(doc, "user_id") or _text(doc, "id") or None,
        join_time=join,
        leave_time=leave,
        duration_s=_int(doc, "duration", "participants[]", default=0),
    )


@dataclass(frozen=True)
class FilePart:
    """One part of a split file."""

    index: int
    count: int
    offset: int
    size: int
    sha256: str
    name: str


@dataclass(frozen=True)
class StagedFile:
    """A file as staged: where its bytes are and what happens to it in the mailbox."""

    file_id: str
    name: str
    content_type: str
    size: int
    sha256: str
    blob_name: str
    kind: str  # media | audio | chat | transcript | captions | timeline | summary | other
    disposition: str  # attach | link | split | skip
    location: str | None = None
    note: str | None = None
    parts: tuple[FilePart, ...] = field(default=())


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value
