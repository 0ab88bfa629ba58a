"""A meeting's files as staging stored them, and the files that could not be archived."""

from __future__ import annotations

from dataclasses import dataclass, field


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
    size: int  # bytes stored (what Zoom served)
    sha256: str
    blob_name: str
    # media | audio | chat | transcript | captions | timeline | summary | member_log | other
    kind: str
    disposition: str  # attach | link | split | skip
    location: str | None = None
    note: str | None = None
    parts: tuple[FilePart, ...] = field(default=())
    container: str = ""  # where the bytes are ("" for a file not stored)
    listed_size: int | None = None  # what Zoom listed, when it differs from what it served
    # One participant's own file (Archiving API `individual`): whose (their address, "" when
    # Zoom does not say); None for a file of the whole meeting.
    owner: str | None = None


@dataclass(frozen=True)
class MissingFile:
    """A completed Zoom file that is not in the archive, and why (named in the item and status)."""

    file_id: str
    description: str  # e.g. "CC closed_caption"
    reason: str


@dataclass(frozen=True)
class InteractionBody:
    """Zoom's answer for one kind of interaction, as staged (parsed per copy when rendered)."""

    file_id: str
    kind: str  # polls | qa | survey | summary
    body: str  # the staged file's JSON text
    source: str = ""  # Q&A: past | report (which endpoint answered)
