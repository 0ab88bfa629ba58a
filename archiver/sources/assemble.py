"""One meeting instance's complete record, from the parts each content source has for it.

Sources are asked in order of preference; the assembler is pure: it merges what they answered.
Metadata comes from the first part that has it; participants from the first part that lists
any; files from every part, each file once (the first source's copy wins); notes and input
errors from all. A file of a later part that holds content an earlier part already has (the
chat, the transcript, the captions, a recording of the same kind: core/archive.py content_kind)
is left out, named in the record's notes and `superseded` (so it is never taken for new later).
A source with nothing for the meeting answers None and is left out; a `fallback` source (the
meeting details of a meeting nobody recorded) is asked only when no earlier one has the meeting.
The record names the sources it was assembled from (Meeting.sources, shown in the item).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import Protocol

from archiver.core.archive import content_kind
from archiver.core.model import Meeting, RecordingFile
from archiver.errors import NotFoundError

# Meeting fields that are metadata: taken from the first part where they are set.
_MERGED = (
    "uuid",
    "participants",
    "files",
    "participants_note",
    "input_errors",
    "sources",
    "superseded",
    "notes",
)
_METADATA = tuple(f.name for f in fields(Meeting) if f.name not in _MERGED)


class Source(Protocol):
    """A Zoom content source: its part of one meeting instance, or None when it has nothing."""

    name: str

    def fetch(self, uuid: str) -> Meeting | None: ...


@dataclass(frozen=True)
class Part:
    """What one source answered for a meeting instance."""

    source: str
    meeting: Meeting


def fetch_meeting(sources: Sequence[Source], uuid: str) -> Meeting:
    """Ask every source for the meeting and assemble their parts; NotFoundError if none has it.

    A source that answers 404 for a meeting another source has (the cloud-recording API does
    not know a meeting hosted outside the account that the archive holds) is left out.
    """
    parts: list[Part] = []
    unknown: list[NotFoundError] = []
    for source in sources:
        if parts and getattr(source, "fallback", False):
            continue  # the meeting has recorded content: its details come with it
        try:
            found = source.fetch(uuid)
        except NotFoundError as error:
            unknown.append(error)
            continue
        if found is not None:
            parts.append(Part(source.name, found))
    if not parts:
        if unknown:
            raise unknown[0]
        names = ", ".join(s.name for s in sources)
        raise NotFoundError(f"no content source ({names}) has meeting {uuid}", service="zoom")
    return assemble(parts)


def assemble(parts: Sequence[Part]) -> Meeting:
    """The merged record of one meeting instance (parts in order of preference)."""
    first = parts[0].meeting
    uuids = {p.meeting.uuid for p in parts}
    if len(uuids) > 1:
        raise ValueError(f"parts of different meetings: {sorted(uuids)}")
    metadata = {
        name: next(
            (getattr(p.meeting, name) for p in parts if getattr(p.meeting, name)),
            getattr(first, name),
        )
        for name in _METADATA
    }
    people = next((p.meeting for p in parts if p.meeting.participants), None)
    files: dict[str, RecordingFile] = {}
    held: dict[str, str] = {}  # content kind -> the source whose copy is kept
    superseded: list[str] = []
    merged_notes: list[str] = []
    for part in parts:
        kinds: dict[str, str] = {}
        for file in part.meeting.files:
            kind = content_kind(file)
            if kind is not None and held.get(kind, part.source) != part.source:
                superseded.append(file.file_id)
                merged_notes.append(
                    f"{file.file_type} {file.recording_type} from {part.source} is not attached: "
                    f"the same content from {held[kind]} is"
                )
                continue
            files.setdefault(file.file_id, file)
            if kind is not None:
                kinds[kind] = part.source
        held = {**kinds, **held}
    notes = [p.meeting.participants_note for p in parts if p.meeting.participants_note]
    return replace(
        first,
        **metadata,
        participants=people.participants if people is not None else (),
        participants_note="" if people is not None else "; ".join(dict.fromkeys(notes)),
        files=tuple(files.values()),
        input_errors=tuple(dict.fromkeys(e for p in parts for e in p.meeting.input_errors)),
        superseded=tuple(
            dict.fromkeys([*(s for p in parts for s in p.meeting.superseded), *superseded])
        ),
        notes=tuple(dict.fromkeys([*(n for p in parts for n in p.meeting.notes), *merged_notes])),
        # A part that was itself assembled names its own sources.
        sources=tuple(dict.fromkeys(s for p in parts for s in (p.meeting.sources or (p.source,)))),
    )
