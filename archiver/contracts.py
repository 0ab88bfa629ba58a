"""JSON documents passed between functions: queue work items and the staging manifest.

Parsing is strict: a malformed document raises InvalidInputError naming the field, so a bad queue
message poisons with a clear reason instead of doing something half-right.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from archiver.errors import InvalidInputError

MANIFEST_VERSION = 1
# Manifests live under their own prefix of the staging container, so the blob trigger (an Event
# Grid subject filter in Azure, a container scan locally) only ever looks at manifests.
MANIFESTS_PREFIX = "manifests/"


def manifest_blob(key: str) -> str:
    """The staging blob name of a meeting's manifest."""
    return f"{MANIFESTS_PREFIX}{key}.json"


def snapshot_blob(key: str) -> str:
    """The staging blob a fanned-out meeting's files are finished from."""
    return f"{key}/meeting.json"


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
class ManifestAttachment:
    """An attachment of one item: a byte range of a staged blob."""

    file_id: str
    name: str
    content_type: str
    size: int
    sha256: str
    container: str
    blob_name: str
    offset: int = 0


@dataclass(frozen=True)
class ManifestItem:
    """One mailbox item: its key, the rendered message JSON blob and its attachments."""

    item_key: str
    message_blob: str
    attachments: tuple[ManifestAttachment, ...]


@dataclass(frozen=True)
class Manifest:
    """The commit marker of a staged meeting: everything import needs, nothing it must fetch."""

    key: str
    uuid: str
    meeting_id: int
    topic: str
    start_time: str
    addresses: tuple[str, ...]  # host first, then participants with an email
    items: tuple[ManifestItem, ...]
    notes: tuple[str, ...] = ()  # files linked, split, skipped, still processing
    version: int = MANIFEST_VERSION

    def staged_blobs(self, staging_container: str) -> list[str]:
        """Every staging blob of this meeting: item documents, staged files, snapshot, manifest.

        What the importer deletes once every mailbox has its item (missing names are fine).
        """
        names = {item.message_blob for item in self.items}
        names.update(
            a.blob_name
            for item in self.items
            for a in item.attachments
            if a.container == staging_container
        )
        return [*sorted(names), snapshot_blob(self.key), manifest_blob(self.key)]

    @property
    def total_bytes(self) -> int:
        """Bytes of all attachments across the items."""
        return sum(a.size for item in self.items for a in item.attachments)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form written as the manifest blob."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: bytes | str) -> Manifest:
        """Parse a manifest blob."""
        doc = _load(data, "manifest")
        if doc.get("version") != MANIFEST_VERSION:
            raise InvalidInputError(f"manifest.version: expected {MANIFEST_VERSION}")
        try:
            items = tuple(
                ManifestItem(
                    item_key=_text(item, "item_key", "manifest.items[]"),
                    message_blob=_text(item, "message_blob", "manifest.items[]"),
                    attachments=tuple(ManifestAttachment(**a) for a in item["attachments"]),
                )
                for item in doc["items"]
            )
        except (KeyError, TypeError) as error:
            raise InvalidInputError(f"manifest.items: malformed ({error})") from None
        return cls(
            key=_text(doc, "key", "manifest"),
            uuid=_text(doc, "uuid", "manifest"),
            meeting_id=_int(doc, "meeting_id", "manifest"),
            topic=_text(doc, "topic", "manifest", optional=True),
            start_time=_text(doc, "start_time", "manifest"),
            addresses=tuple(str(a) for a in doc.get("addresses", [])),
            items=items,
            notes=tuple(str(n) for n in doc.get("notes", [])),
        )
