"""JSON documents passed between functions: queue work items, the staged meeting and its manifest.

Parsing is strict: a malformed document raises InvalidInputError naming the field, so a bad queue
message poisons with a clear reason instead of doing something half-right.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from archiver.core.converter.transcripts import ChatLine, Turn
from archiver.core.model import Meeting
from archiver.core.planning import Attachment, ItemPlan, Part
from archiver.core.staged import FilePart, MissingFile, StagedFile
from archiver.errors import InvalidInputError

MANIFEST_VERSION = 2
DOCUMENT_VERSION = 1
# Manifests live under their own prefix of the staging container, so the blob trigger (an Event
# Grid subject filter in Azure, a container scan locally) only ever looks at manifests.
MANIFESTS_PREFIX = "manifests/"


def manifest_blob(key: str) -> str:
    """The staging blob name of a meeting's manifest."""
    return f"{MANIFESTS_PREFIX}{key}.json"


def snapshot_blob(key: str) -> str:
    """The staging blob a fanned-out meeting's files are finished from."""
    return f"{key}/meeting.json"


def document_blob(key: str) -> str:
    """The staging blob holding a staged meeting (what every mailbox's item is rendered from)."""
    return f"{key}/staged.json"


def _load(data: bytes | str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidInputError(f"{what}: not valid JSON ({error})") from None
    if not isinstance(value, dict):
        raise InvalidInputError(f"{what}: expected a JSON object")
    return value


def _text(doc: dict[str, Any], name: str, what: str, *, optional: bool = False) -> str:
    value = doc.get(name)
    if value is None and optional:
        return ""
    if not isinstance(value, str) or (not value and not optional):
        raise InvalidInputError(f"{what}.{name}: expected a non-empty string")
    return value


def _int(doc: dict[str, Any], name: str, what: str) -> int:
    value = doc.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidInputError(f"{what}.{name}: expected a non-negative integer")
    return value


@dataclass(frozen=True)
class WorkItem:
    """One meeting instance to stage (MEETINGS_QUEUE)."""

    uuid: str
    source: str = "poll"  # poll | webhook | sweep | backfill | replay
    note: str = ""  # e.g. "gave up waiting for processing files"
    revision: int = 0  # n > 0: an update item carrying files that completed after item 0

    def to_json(self) -> bytes:
        """The queue message body."""
        return json.dumps(asdict(self), sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes | str) -> WorkItem:
        """Parse a queue message body."""
        doc = _load(data, "work item")
        return cls(
            uuid=_text(doc, "uuid", "work item"),
            source=_text(doc, "source", "work item", optional=True) or "poll",
            note=_text(doc, "note", "work item", optional=True),
            revision=_int(doc, "revision", "work item") if "revision" in doc else 0,
        )


@dataclass(frozen=True)
class FileWorkItem:
    """One large file of a meeting to stage on its own (FILES_QUEUE)."""

    uuid: str
    file_id: str
    revision: int = 0

    def to_json(self) -> bytes:
        """The queue message body."""
        return json.dumps(asdict(self), sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes | str) -> FileWorkItem:
        """Parse a queue message body."""
        doc = _load(data, "file work item")
        return cls(
            uuid=_text(doc, "uuid", "file work item"),
            file_id=_text(doc, "file_id", "file work item"),
            revision=_int(doc, "revision", "file work item") if "revision" in doc else 0,
        )


@dataclass(frozen=True)
class ChatFile:
    """A chat file's parsed lines (parsed once, at staging)."""

    file_id: str
    lines: tuple[ChatLine, ...]
    unparsed: int = 0


@dataclass(frozen=True)
class TranscriptText:
    """The transcript (or, without one, the captions) shown in the body, parsed once."""

    file_id: str
    turns: tuple[Turn, ...]
    unparsed: int = 0


@dataclass(frozen=True)
class StagedMeeting:
    """Everything a mailbox's item is rendered from: the meeting, its stored files and texts.

    Written by staging; the importer renders each mailbox's copy from it (what a mailbox may
    see depends on whose it is, known only once addresses are resolved to mailboxes).
    """

    key: str
    revision: int
    meeting: Meeting
    files: tuple[StagedFile, ...]
    items: tuple[ItemPlan, ...]
    missing: tuple[MissingFile, ...] = ()
    chats: tuple[ChatFile, ...] = ()
    transcript: TranscriptText | None = None
    notes: tuple[str, ...] = ()
    version: int = DOCUMENT_VERSION

    @property
    def total_bytes(self) -> int:
        """Bytes of all attachments across the items."""
        return sum(a.size for item in self.items for a in item.attachments)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form written as the document blob."""
        doc = asdict(self)
        doc["meeting"] = self.meeting.to_dict()
        return doc

    @classmethod
    def from_json(cls, data: bytes | str) -> StagedMeeting:
        """Parse a document blob."""
        return cls.from_dict(_load(data, "staged meeting"))

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> StagedMeeting:
        """Inverse of to_dict."""
        if not isinstance(doc, dict) or doc.get("version") != DOCUMENT_VERSION:
            raise InvalidInputError(f"staged meeting.version: expected {DOCUMENT_VERSION}")
        try:
            transcript = doc.get("transcript")
            return cls(
                key=_text(doc, "key", "staged meeting"),
                revision=_int(doc, "revision", "staged meeting"),
                meeting=Meeting.from_dict(doc["meeting"]),
                files=tuple(
                    StagedFile(**{**f, "parts": tuple(FilePart(**p) for p in f["parts"])})
                    for f in doc["files"]
                ),
                items=tuple(item_plan(i) for i in doc["items"]),
                missing=tuple(MissingFile(**m) for m in doc.get("missing", [])),
                chats=tuple(
                    ChatFile(
                        c["file_id"], tuple(ChatLine(**line) for line in c["lines"]), c["unparsed"]
                    )
                    for c in doc.get("chats", [])
                ),
                transcript=None
                if transcript is None
                else TranscriptText(
                    transcript["file_id"],
                    tuple(Turn(**t) for t in transcript["turns"]),
                    transcript["unparsed"],
                ),
                notes=tuple(str(n) for n in doc.get("notes", [])),
            )
        except (KeyError, TypeError) as error:
            raise InvalidInputError(f"staged meeting: malformed ({error})") from None


def item_plan(doc: dict[str, Any]) -> ItemPlan:
    """An ItemPlan from its JSON form."""
    return ItemPlan(
        doc["number"],
        doc["count"],
        tuple(
            Attachment(
                a["file_id"], a["offset"], a["size"], Part(**a["part"]) if a.get("part") else None
            )
            for a in doc["attachments"]
        ),
    )


@dataclass(frozen=True)
class Manifest:
    """The commit marker of a staged meeting: where its document is and what it stored."""

    key: str
    uuid: str
    meeting_id: int
    topic: str
    start_time: str
    revision: int
    addresses: tuple[str, ...]  # who may receive it: host first, then admitted participants
    document: str  # blob name of the StagedMeeting
    blobs: tuple[str, ...] = field(default=())  # the meeting's staged files in staging
    total_bytes: int = 0
    version: int = MANIFEST_VERSION

    def staged_blobs(self) -> list[str]:
        """Every staging blob of this meeting: files, document, snapshot, manifest.

        What the importer deletes once every mailbox has its item (missing names are fine).
        """
        names = {*self.blobs, self.document}
        return [*sorted(names), snapshot_blob(self.key), manifest_blob(self.key)]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form written as the manifest blob."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: bytes | str) -> Manifest:
        """Parse a manifest blob."""
        doc = _load(data, "manifest")
        if doc.get("version") != MANIFEST_VERSION:
            raise InvalidInputError(f"manifest.version: expected {MANIFEST_VERSION}")
        blobs = doc.get("blobs", [])
        if not isinstance(blobs, list) or not all(isinstance(b, str) for b in blobs):
            raise InvalidInputError("manifest.blobs: expected a list of blob names")
        return cls(
            key=_text(doc, "key", "manifest"),
            uuid=_text(doc, "uuid", "manifest"),
            meeting_id=_int(doc, "meeting_id", "manifest"),
            topic=_text(doc, "topic", "manifest", optional=True),
            start_time=_text(doc, "start_time", "manifest"),
            revision=_int(doc, "revision", "manifest"),
            addresses=tuple(str(a) for a in doc.get("addresses", [])),
            document=_text(doc, "document", "manifest"),
            blobs=tuple(blobs),
            total_bytes=_int(doc, "total_bytes", "manifest"),
        )
