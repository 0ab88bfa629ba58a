"""Zoom's Archiving API, parsed at the edge (pure): an archived meeting (or breakout room) object
into the Meeting model, and its files in the shape discovery reads listings in.

The object is the same in `GET /archive_files`, `GET /past_meetings/{uuid}/archive_files` and the
`recording.archive_files_completed` webhook (shared/reference/zoom-content-sources.md §1-2):
`archive_files[]` (recordings, chat, captions, transcripts, the private-group log, and
`individual` per-participant audio or video) and `physical_files[]` (files shared in the chat).
An external meeting (`meeting_type: external`) comes without id, host_id and topic: nothing is
invented for them. A breakout room (`is_breakout_room`, type 100) names its parent meeting's UUID
in `parent_meeting_id`. Each individual file is evidence that its participant was there from its
participant_join_time to its participant_leave_time: it becomes a participant session, so a
breakout room's item reaches the people who were in it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from archiver.core.addresses import email_address, is_meeting_uuid
from archiver.core.fields import (
    after,
    int_field,
    object_list,
    optional_text,
    optional_time,
    parse_time,
    shown,
    text,
)
from archiver.core.model import (
    IN_MEETING,
    Meeting,
    Participant,
    RecordingFile,
    file_identities,
    parse_file,
    parse_participants,
)
from archiver.errors import InvalidInputError

ARCHIVE = "archive"
SHARED_FILE = "SHARED_FILE"  # file_type given to a file shared in the chat (physical_files)
_HEX = frozenset("0123456789abcdef")


def listing_files(obj: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The archive's files as listing entries (`id`, `file_type`, `status`, …): archive files,
    then files shared in the chat; InvalidInputError naming the field when malformed."""
    files = list(object_list(obj, "archive_files", "archive listing"))
    for shared in object_list(obj, "physical_files", "archive listing"):
        files.append(
            {
                **shared,
                "id": text(shared, "file_id") or text(shared, "id"),
                "file_type": SHARED_FILE,
                "file_extension": text(shared, "file_name").rpartition(".")[2].upper()
                if "." in text(shared, "file_name")
                else "",
                "recording_type": "shared_in_chat",
                "status": "completed",
            }
        )
    return files


def meeting_from_archive(
    obj: Mapping[str, Any],
    *,
    participant_rows: Sequence[Mapping[str, Any]] = (),
    host_email: str | None = None,
    host_name: str = "",
    parent_topic: str = "",
    participants_note: str = "",
) -> Meeting:
    """The meeting (or breakout room) an archive object describes.

    `participant_rows` are the report's rows where Zoom has them (one per join and leave); the
    sessions individual files attest are added for people the rows do not list.
    """
    if not isinstance(obj, Mapping):
        raise InvalidInputError(f"archive: expected an object, got {shown(obj)}")
    uuid: str = obj.get("uuid")  # type: ignore[assignment]  # checked next
    if not is_meeting_uuid(uuid):
        raise InvalidInputError(f"archive.uuid: expected a meeting UUID, got {shown(uuid)}")
    errors: list[str] = []
    start = parse_time(obj.get("start_time"), "archive.start_time")
    duration = int_field(obj, "duration", "archive", default=0, low=0)
    seconds = int_field(obj, "duration_in_second", "archive", default=duration * 60, low=0)
    docs = listing_files(obj)
    files = [
        _archive_file(doc, file_id, note, errors)
        for doc, (file_id, note) in zip(docs, file_identities(uuid, docs), strict=True)
    ]
    errors += [f"{f.file_type} file: {f.id_note}" for f in files if f.id_note]
    external = optional_text(obj, "meeting_type", "archive").lower() == "external"
    breakout = obj.get("is_breakout_room") is True or text(obj, "type") == "100"
    parent = text(obj, "parent_meeting_id").strip() or None
    if parent is not None and not is_meeting_uuid(parent):
        errors.append(f"archive.parent_meeting_id: not a meeting UUID ({shown(parent)}); not used")
        parent = None
    if breakout and parent is None:
        errors.append("a breakout room without parent_meeting_id: its meeting is not known")
    listed = parse_participants(participant_rows, start, errors)
    host: str | None = None
    if host_email:
        try:
            host = email_address(host_email, "host email")
        except InvalidInputError as error:
            errors.append(str(error))
    people = [*listed, *_attested(files, errors, listed=listed)]
    return Meeting(
        uuid=uuid,
        meeting_id=int_field(obj, "id", "archive", default=0, low=0),
        topic=optional_text(obj, "topic", "archive"),
        host_id=optional_text(obj, "host_id", "archive"),
        host_email=host,
        host_name=host_name,
        start_time=start,
        end_time=after(start, f"archive.duration_in_second: {seconds} seconds", seconds=seconds),
        duration_min=duration,
        timezone=optional_text(obj, "timezone", "archive") or "UTC",
        participants=tuple(people),
        files=tuple(files),
        participants_note=participants_note,
        input_errors=tuple(errors),
        parent_uuid=parent if breakout else None,
        parent_topic=parent_topic if breakout else "",
        external=external,
    )


def _archive_file(
    doc: Mapping[str, Any], file_id: str, id_note: str | None, errors: list[str]
) -> RecordingFile:
    base = parse_file(doc, file_id, id_note, errors)
    where = f"{base.file_type or 'archive'} file {file_id}"
    individual = doc.get("individual") is True
    owner: str | None = None
    raw = text(doc, "participant_email").strip()
    if individual and raw:
        try:
            owner = email_address(raw, f"{where}.participant_email")
        except InvalidInputError as error:
            errors.append(f"{error}; the file goes where no owner is known")
    fingerprint = text(doc, "encryption_fingerprint").strip().lower() or None
    if fingerprint is not None and (len(fingerprint) != 64 or not set(fingerprint) <= _HEX):
        errors.append(
            f"{where}.encryption_fingerprint: not a SHA-256 in hex ({shown(fingerprint)}); "
            "the file is archived without checking it"
        )
        fingerprint = None
    name = text(doc, "file_name").strip() or None
    return replace(
        base,
        source=ARCHIVE,
        individual=individual,
        participant_email=owner,
        fingerprint=fingerprint,
        shared_in_chat=base.file_type == SHARED_FILE,
        file_name=name,
        recording_start=base.recording_start or _time(doc, "participant_join_time", where, errors),
        recording_end=base.recording_end or _time(doc, "participant_leave_time", where, errors),
    )


def _attested(
    files: Sequence[RecordingFile], errors: list[str], *, listed: Sequence[Participant]
) -> list[Participant]:
    """A session per individual file of someone the participant rows do not list."""
    known = {p.email for p in listed if p.email}
    out: list[Participant] = []
    for f in files:
        if not f.individual or f.participant_email is None or f.participant_email in known:
            continue
        if f.recording_start is None:
            errors.append(
                f"{f.file_type} file {f.file_id}: no participant_join_time; "
                f"{f.participant_email} is not listed as a participant"
            )
            continue
        leave = f.recording_end or f.recording_start
        out.append(
            Participant(
                name=f.participant_email,
                email=f.participant_email,
                user_id=None,
                join_time=f.recording_start,
                leave_time=leave,
                duration_s=max(0, int((leave - f.recording_start).total_seconds())),
                status=IN_MEETING,
            )
        )
        known.add(f.participant_email)
    return out


def _time(doc: Mapping[str, Any], name: str, where: str, errors: list[str]) -> datetime | None:
    value = doc.get(name)
    if value in (None, ""):
        return None
    try:
        return optional_time(value, f"{where}.{name}")
    except InvalidInputError as error:
        errors.append(f"{error}; not shown")
        return None


def content_kind(f: RecordingFile) -> str | None:
    """What a file is, for telling two sources' copies of the same content apart: the chat,
    the transcript, the captions, or a recording of one kind (None: never the same as another
    source's file, e.g. a file shared in the chat or a timeline)."""
    if f.shared_in_chat:
        return None
    if f.file_type in ("CHAT", "CHAT_MESSAGE"):
        return "chat"
    if f.file_type in ("TRANSCRIPT", "CC"):
        return f.file_type.lower()
    if f.file_type in ("MP4", "M4A") and f.recording_type:
        # (Cloud recordings list per-participant audio without a recording_type.)
        who = f"|{f.participant_email or '?'}" if f.individual else ""
        return f"{f.file_type}|{f.recording_type}{who}"
    return None
