"""JSON documents passed between functions: queue work items, the staged meeting and its manifest.

Parsing is strict: a malformed document raises InvalidInputError naming the field, so a bad queue
message poisons with a clear reason instead of doing something half-right.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from archiver.core.addresses import is_addr_spec, is_meeting_uuid, is_safe_id
from archiver.core.converter.member_log import MemberLog
from archiver.core.converter.transcripts import ChatLine, Turn
from archiver.core.fields import INT64_MAX, shown
from archiver.core.model import Meeting
from archiver.core.planning import ItemPlan
from archiver.core.staged import InteractionBody, MissingFile, StagedFile
from archiver.core.typed import from_json_dict
from archiver.errors import InvalidInputError

SHARD_LISTINGS = ("recordings", "meetings")
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
        raise InvalidInputError(f"{what}: not valid JSON ({str(error)[:200]})") from None
    except RecursionError:
        raise InvalidInputError(f"{what}: not valid JSON (nested too deeply)") from None
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
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= INT64_MAX:
        raise InvalidInputError(
            f"{what}.{name}: expected an integer from 0 to {INT64_MAX}, got {shown(value)}"
        )
    return value


def _uuid(doc: dict[str, Any], what: str) -> str:
    value = doc.get("uuid")
    if not is_meeting_uuid(value):
        raise InvalidInputError(f"{what}.uuid: expected a meeting UUID, got {shown(value)}")
    return str(value)


def _key(value: str, what: str) -> str:
    """A meeting's key (keys.revision_key): blob names start with it, so it must be one name."""
    if not is_safe_id(value):
        raise InvalidInputError(f"{what}.key: expected a meeting key, got {shown(value)}")
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
            uuid=_uuid(doc, "work item"),
            source=_text(doc, "source", "work item", optional=True) or "poll",
            note=_text(doc, "note", "work item", optional=True),
            revision=_int(doc, "revision", "work item") if "revision" in doc else 0,
        )


@dataclass(frozen=True)
class UsersShard:
    """Users whose recordings a DISCOVERY_QUEUE worker lists (per-user discovery)."""

    users: tuple[str, ...]
    since: str | None = None  # a reconcile's first day (yyyy-mm-dd); None: each checkpoint
    listing: str = "recordings"  # recordings | meetings (the meeting report: unrecorded ones)

    @property
    def since_day(self) -> date | None:
        return date.fromisoformat(self.since) if self.since else None

    def to_json(self) -> bytes:
        """The queue message body."""
        body = {"users": list(self.users), "since": self.since, "listing": self.listing}
        return json.dumps(body).encode()

    @classmethod
    def from_json(cls, data: bytes | str) -> UsersShard:
        """Parse a queue message body; InvalidInputError naming the field when malformed."""
        doc = _load(data, "users shard")
        users = doc.get("users")
        if (
            not isinstance(users, list)
            or not users
            or not all(isinstance(u, str) and 0 < len(u) <= 200 for u in users)
        ):
            raise InvalidInputError(
                f"users shard.users: expected a list of user ids, got {shown(users)}"
            )
        since = doc.get("since")
        if since is not None:
            try:
                date.fromisoformat(str(since))
            except ValueError:
                raise InvalidInputError(
                    f"users shard.since: expected yyyy-mm-dd, got {shown(since)}"
                ) from None
        listing = doc.get("listing", "recordings")
        if listing not in SHARD_LISTINGS:
            raise InvalidInputError(
                f"users shard.listing: expected one of {', '.join(SHARD_LISTINGS)}, "
                f"got {shown(listing)}"
            )
        return cls(tuple(users), str(since) if since is not None else None, listing)


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
        file_id = _text(doc, "file_id", "file work item")
        if not is_safe_id(file_id):
            raise InvalidInputError(f"file work item.file_id: not a file id ({shown(file_id)})")
        return cls(
            uuid=_uuid(doc, "file work item"),
            file_id=file_id,
            revision=_int(doc, "revision", "file work item") if "revision" in doc else 0,
        )


@dataclass(frozen=True)
class ChatFile:
    """A chat file's parsed lines (parsed once, at staging)."""

    file_id: str
    lines: tuple[ChatLine, ...]
    unparsed: int = 0
    format: str = "txt"  # "txt" (Zoom's chat text) | "json" (CHAT_MESSAGE): of filtered copies
    envelope: str = ""  # JSON chat: the file's top-level object without its messages
    problems: tuple[str, ...] = ()  # JSON chat: what was wrong, by message index


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
    member_logs: tuple[MemberLog, ...] = ()  # SUB_GROUP_MEMBER_LOG files, parsed
    # Polls, Q&A, survey and summary as Zoom answered (absent from documents staged before).
    interactions: tuple[InteractionBody, ...] = ()

    @property
    def total_bytes(self) -> int:
        """Bytes of all attachments across the items."""
        return sum(a.size for item in self.items for a in item.attachments)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form written as the document blob."""
        doc = asdict(self)
        doc["meeting"] = self.meeting.to_dict()
        doc["member_logs"] = _iso_times(doc["member_logs"])
        return doc

    @classmethod
    def from_json(cls, data: bytes | str) -> StagedMeeting:
        """Parse a document blob."""
        return cls.from_dict(_load(data, "staged meeting"))

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> StagedMeeting:
        """Inverse of to_dict; InvalidInputError naming the field of a damaged document."""
        if not isinstance(doc, dict) or doc.get("version") != DOCUMENT_VERSION:
            raise InvalidInputError(f"staged meeting.version: expected {DOCUMENT_VERSION}")
        staged = from_json_dict(cls, doc, "staged meeting")
        _key(staged.key, "staged meeting")
        _int(doc, "revision", "staged meeting")
        if not is_meeting_uuid(staged.meeting.uuid):
            raise InvalidInputError(
                f"staged meeting.meeting.uuid: expected a meeting UUID, "
                f"got {shown(staged.meeting.uuid)}"
            )
        return staged


def _iso_times(value: Any) -> Any:
    """`value` with its datetimes as ISO text (what from_json_dict reads them back from)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _iso_times(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_iso_times(v) for v in value]
    return value


def _within(key: str, name: object) -> bool:
    """True for the name of a blob of this meeting (what deleting the meeting may touch)."""
    return (
        isinstance(name, str)
        and name.startswith(f"{key}/")
        and ".." not in name
        and name.isprintable()
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
        key = _key(_text(doc, "key", "manifest"), "manifest")
        blobs = doc.get("blobs", [])
        if not isinstance(blobs, list) or not all(_within(key, b) for b in blobs):
            raise InvalidInputError(
                f"manifest.blobs: expected names of this meeting's blobs ({key}/…), "
                f"got {shown(blobs)}"
            )
        addresses = doc.get("addresses", [])
        if not isinstance(addresses, list) or not all(
            isinstance(a, str) and is_addr_spec(a) for a in addresses
        ):
            raise InvalidInputError(
                f"manifest.addresses: expected a list of email addresses, got {shown(addresses)}"
            )
        document = _text(doc, "document", "manifest")
        if document != document_blob(key):
            raise InvalidInputError(
                f"manifest.document: expected {document_blob(key)}, got {shown(document)}"
            )
        return cls(
            key=key,
            uuid=_uuid(doc, "manifest"),
            meeting_id=_int(doc, "meeting_id", "manifest"),
            topic=_text(doc, "topic", "manifest", optional=True),
            start_time=_text(doc, "start_time", "manifest"),
            revision=_int(doc, "revision", "manifest"),
            addresses=tuple(addresses),
            document=document,
            blobs=tuple(blobs),
            total_bytes=_int(doc, "total_bytes", "manifest"),
        )
