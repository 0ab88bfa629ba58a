"""One meeting instance's complete record, from the parts each content source has for it.

Sources are asked in order of preference; the assembler is pure: it merges what they answered.
Metadata comes from the first part that has it; participants from the first part that lists
any; files from every part, each file once (the first source's copy wins); notes and input
errors from all. A source with nothing for the meeting answers None and is left out. The record
names the sources it was assembled from (Meeting.sources, shown in the item).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import Protocol

from archiver.core.model import Meeting, RecordingFile
from archiver.errors import NotFoundError

# Meeting fields that are metadata: taken from the first part where they are set.
_MERGED = ("uuid", "participants", "files", "participants_note", "input_errors", "sources")
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
    """Ask every source for the meeting and assemble their parts; NotFoundError if none has it."""
    parts = [Part(s.name, found) for s in sources if (found := s.fetch(uuid)) is not None]
    if not parts:
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
    for part in parts:
        for file in part.meeting.files:
            files.setdefault(file.file_id, file)
    notes = [p.meeting.participants_note for p in parts if p.meeting.participants_note]
    return replace(
        first,
        **metadata,
        participants=people.participants if people is not None else (),
        participants_note="" if people is not None else "; ".join(dict.fromkeys(notes)),
        files=tuple(files.values()),
        input_errors=tuple(dict.fromkeys(e for p in parts for e in p.meeting.input_errors)),
        # A part that was itself assembled names its own sources.
        sources=tuple(dict.fromkeys(s for p in parts for s in (p.meeting.sources or (p.source,)))),
    )
