"""In-memory fakes of the Zoom and Graph ports, with the failure switches the specs need.

They model the documented behaviour the pipeline relies on (Graph: items findable by their
extended property, attachments listed by name and size; Zoom: sizes and bytes agree), nothing more.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from archiver.core.keys import MEETING_KEY_PROPERTY_ID
from archiver.core.mapping import Mailbox
from archiver.errors import (
    AuthenticationError,
    IncompleteDownloadError,
    InvalidInputError,
    MailboxUnavailableError,
    NotFoundError,
    ServiceUnavailableError,
)

START = datetime(2026, 11, 20, 15, 0, 0)


def file_id(uuid: str, index: int) -> str:
    """The fake id of a meeting's index-th file (URL-safe, unlike UUIDs)."""
    return f"{hashlib.sha256(uuid.encode()).hexdigest()[:8]}-{index}"


def content(file_id: str, size: int) -> bytes:
    """Deterministic bytes for a fake recording file."""
    seed = hashlib.sha256(file_id.encode()).digest()
    return (seed * (size // len(seed) + 1))[:size]


def zoom_meeting(
    uuid: str,
    *,
    meeting_id: int = 81234567890,
    host: str = "ann@contoso.com",
    guests: tuple[tuple[str, str], ...] = (("Bob", "bob@contoso.com"),),
    files: tuple[tuple[str, str, int], ...] = (("MP4", "shared_screen_with_speaker_view", 2048),),
    status: str = "completed",
    start: datetime = START,
) -> dict[str, Any]:
    """A recordings / past-meeting / participants bundle shaped like Zoom's API responses."""
    end = start + timedelta(minutes=30)
    iso = "%Y-%m-%dT%H:%M:%SZ"
    recording_files = [
        {
            "id": file_id(uuid, i),
            "meeting_id": uuid,
            "recording_start": start.strftime(iso),
            "recording_end": end.strftime(iso),
            "file_type": file_type,
            "file_extension": {
                "CHAT": "TXT",
                "TRANSCRIPT": "VTT",
                "CC": "VTT",
                "TIMELINE": "JSON",
            }.get(file_type, file_type),
            "file_size": size,
            "download_url": f"https://zoom.us/rec/download/{file_id(uuid, i)}",
            "status": status,
            "recording_type": rtype,
        }
        for i, (file_type, rtype, size) in enumerate(files)
    ]
    people = [("Ann", host), *guests]
    return {
        "recordings": {
            "uuid": uuid,
            "id": meeting_id,
            "host_id": "host-1",
            "host_email": host,
            "topic": f"Review {uuid[:4]}",
            "start_time": start.strftime(iso),
            "duration": 30,
            "timezone": "Europe/London",
            "total_size": 0,
            "recording_count": len(files),
            "recording_files": recording_files,
        },
        "past": {
            "uuid": uuid,
            "id": meeting_id,
            "host_id": "host-1",
            "user_email": host,
            "user_name": "Ann",
            "topic": f"Review {uuid[:4]}",
            "start_time": start.strftime(iso),
            "end_time": end.strftime(iso),
            "duration": 30,
            "participants_count": len(people),
        },
        "participants": [
            {
                "id": f"p{i}",
                "user_id": f"u{i}",
                "name": name,
                "user_email": email,
                "join_time": start.strftime(iso),
                "leave_time": end.strftime(iso),
                "duration": 1800,
            }
            for i, (name, email) in enumerate(people)
        ],
    }


def archived_meeting(
    uuid: str,
    *,
    meeting_id: int = 81234567890,
    topic: str | None = None,
    files: tuple[tuple[str, str, int], ...] = (
        ("MP4", "shared_screen_with_speaker_view", 4096),
        ("CHAT_MESSAGE", "chat_message", 512),
    ),
    individual: tuple[tuple[str, int], ...] = (),
    shared: tuple[tuple[str, int], ...] = (),
    status: str = "completed",
    start: datetime = START,
    external: bool = False,
    parent: str | None = None,
    fingerprints: bool = True,
) -> dict[str, Any]:
    """An Archiving API meeting object (listing, per-meeting answer and webhook shape):
    `individual` are (participant email, size) M4A files, `shared` (file name, size) files
    shared in the chat; fingerprints are the SHA-256 of what the fake serves."""
    end = start + timedelta(minutes=30)
    iso = "%Y-%m-%dT%H:%M:%SZ"

    def entry(i: int, file_type: str, rtype: str, size: int, **more: Any) -> dict[str, Any]:
        fid = f"a{file_id(uuid, i)}"
        doc: dict[str, Any] = {
            "id": fid,
            "file_type": file_type,
            "file_extension": {"CHAT_MESSAGE": "JSON", "CHAT": "TXT", "CC": "VTT"}.get(
                file_type, file_type
            ),
            "file_size": size,
            "download_url": f"https://zoom.us/rec/archive/download/{fid}",
            "status": status,
            "recording_type": rtype,
            "individual": False,
            "participant_join_time": start.strftime(iso),
            "participant_leave_time": end.strftime(iso),
            **more,
        }
        if fingerprints:
            doc["encryption_fingerprint"] = hashlib.sha256(content(fid, size)).hexdigest()
        return doc

    archive_files = [entry(i, t, r, s) for i, (t, r, s) in enumerate(files)]
    archive_files += [
        entry(100 + i, "M4A", "audio_only", size, individual=True, participant_email=email)
        for i, (email, size) in enumerate(individual)
    ]
    body: dict[str, Any] = {
        "uuid": uuid,
        "id": meeting_id,
        "host_id": "host-1",
        "topic": topic if topic is not None else f"Review {uuid[:4]}",
        "type": 100 if parent else 2,
        "start_time": start.strftime(iso),
        "timezone": "Europe/London",
        "duration": 30,
        "duration_in_second": 1800,
        "total_size": sum(f["file_size"] for f in archive_files),
        "recording_count": len(archive_files),
        "meeting_type": "external" if external else "internal",
        "account_name": "Contoso",
        "complete_time": (end + timedelta(minutes=10)).strftime(iso)
        if status == "completed"
        else "",
        "is_breakout_room": parent is not None,
        "status": status,
        "archive_files": archive_files,
    }
    if parent is not None:
        body["parent_meeting_id"] = parent
    if shared:
        body["physical_files"] = [
            {
                "file_id": f"s{file_id(uuid, i)}",
                "file_name": name,
                "file_size": size,
                "download_url": "https://zoom.us/rec/archive/attached/download/"
                f"s{file_id(uuid, i)}",
            }
            for i, (name, size) in enumerate(shared)
        ]
    if external:
        for name in ("id", "host_id", "topic"):
            body.pop(name)
    return body


class _Download:
    def __init__(self, data: bytes, fail_after: int | None) -> None:
        self._data = data
        self._fail_after = fail_after

    def __enter__(self) -> Iterator[bytes]:
        return self._chunks()

    def __exit__(self, *exc_info: object) -> None:
        return None

    def _chunks(self) -> Iterator[bytes]:
        for offset in range(0, len(self._data), 1 << 20):
            chunk = self._data[offset : offset + (1 << 20)]
            if self._fail_after is not None and offset + len(chunk) > self._fail_after:
                yield chunk[: self._fail_after - offset]
                raise ServiceUnavailableError("connection reset mid-body", service="zoom")
            yield chunk


@dataclass
class FakeZoom:
    """Meetings by UUID; users own the meetings they host."""

    meetings: dict[str, dict[str, Any]] = field(default_factory=dict)
    users: list[dict[str, Any]] = field(
        default_factory=lambda: [{"id": "host-1", "email": "ann@contoso.com", "status": "active"}]
    )
    download_failures: dict[str, int] = field(default_factory=dict)  # file id -> fail after N
    html_downloads: set[str] = field(default_factory=set)
    # file id -> bytes actually served, when they differ from the listed file_size
    served_sizes: dict[str, int] = field(default_factory=dict)
    ranges: list[tuple[str, int]] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)
    # False: the account-level recordings listing is refused (400 code 4711, scope missing).
    account_listing: bool = True
    # Archiving API: archived meeting objects by UUID; False answers as an account without it.
    archives: dict[str, dict[str, Any]] = field(default_factory=dict)
    archiving: bool = True
    download_tokens: list[str] = field(default_factory=list)

    def add(self, bundle: dict[str, Any]) -> str:
        uuid = str(bundle["recordings"]["uuid"])
        self.meetings[uuid] = bundle
        return uuid

    def _count(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1

    def list_users(self, *, status: str = "active") -> Iterator[dict[str, Any]]:
        self._count("list_users")
        return iter([u for u in self.users if u["status"] == status])

    def list_recordings(self, user_id: str, *, start: date, end: date) -> Iterator[dict[str, Any]]:
        self._count("list_recordings")
        for bundle in self.meetings.values():
            rec = bundle["recordings"]
            day = datetime.fromisoformat(rec["start_time"].replace("Z", "")).date()
            if rec["host_id"] == user_id and start <= day <= end:
                yield rec

    def list_account_recordings(self, *, start: date, end: date) -> Iterator[dict[str, Any]]:
        self._count("list_account_recordings")
        if not self.account_listing:
            raise AuthenticationError(
                "the Zoom app lacks a scope for /accounts/me/recordings",
                service="zoom",
                status=400,
                code="4711",
            )
        for bundle in self.meetings.values():
            rec = bundle["recordings"]
            day = datetime.fromisoformat(rec["start_time"].replace("Z", "")).date()
            if start <= day <= end:
                yield rec

    def get_recordings(self, meeting_uuid: str) -> dict[str, Any]:
        self._count("get_recordings")
        return dict(self._bundle(meeting_uuid)["recordings"])

    def get_user(self, user_id: str) -> dict[str, Any]:
        self._count("get_user")
        for user in self.users:
            if user["id"] == user_id or user["email"] == user_id:
                return dict(user)
        raise NotFoundError(f"User does not exist: {user_id}", service="zoom", status=404)

    def get_past_meeting(self, meeting_uuid: str) -> dict[str, Any]:
        self._count("get_past_meeting")
        past = self._bundle(meeting_uuid)["past"]
        if isinstance(past, Exception):
            raise past
        return dict(past)

    def list_participants(self, meeting_uuid: str) -> list[dict[str, Any]]:
        self._count("list_participants")
        return list(self._bundle(meeting_uuid)["participants"])

    def list_archive_files(self, *, start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
        self._count("list_archive_files")
        self._archiving_on()
        for archive in list(self.archives.values()):
            done = archive.get("complete_time") or ""
            if done and start <= datetime.fromisoformat(done.replace("Z", "+00:00")) <= end:
                yield archive

    def get_archive_files(self, meeting_uuid: str) -> dict[str, Any]:
        self._count("get_archive_files")
        self._archiving_on()
        if meeting_uuid not in self.archives:
            raise NotFoundError(
                f"Meeting {meeting_uuid} does not exist.", service="zoom", status=404, code="3001"
            )
        return dict(self.archives[meeting_uuid])

    def _archiving_on(self) -> None:
        if not self.archiving:
            raise InvalidInputError(
                "Zoom 400 on /archive_files: Account does not exist",
                service="zoom",
                status=400,
                code="2001",
            )

    def _interaction(self, name: str, meeting_uuid: str) -> dict[str, Any]:
        """A bundle's "polls", "qa", "report_qa", "survey" or "summary" answer; without one,
        404 as Zoom answers a meeting that has none."""
        self._count(name)
        bundle = self.meetings.get(meeting_uuid)
        if bundle is None or name not in bundle:
            raise NotFoundError(f"no {name} for {meeting_uuid}", service="zoom", status=404)
        found = bundle[name]
        if isinstance(found, Exception):
            raise found
        return dict(found)

    def list_past_polls(self, meeting_uuid: str, *, webinar: bool = False) -> dict[str, Any]:
        return self._interaction("polls", meeting_uuid)

    def get_past_qa(self, meeting_uuid: str, *, webinar: bool = False) -> dict[str, Any]:
        return self._interaction("qa", meeting_uuid)

    def get_report_qa(self, meeting_uuid: str, *, webinar: bool = False) -> dict[str, Any]:
        return self._interaction("report_qa", meeting_uuid)

    def get_report_survey(self, meeting_uuid: str, *, webinar: bool = False) -> dict[str, Any]:
        return self._interaction("survey", meeting_uuid)

    def get_meeting_summary(self, meeting_uuid: str) -> dict[str, Any]:
        return self._interaction("summary", meeting_uuid)

    def list_meeting_summaries(self, *, start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
        self._count("list_meeting_summaries")
        return iter([dict(b["summary"]) for b in self.meetings.values() if "summary" in b])

    def remaining_today(self, category: str) -> int | None:
        return None  # no daily cap in the fake

    def remember_download_token(self, listing: dict[str, Any], token: str) -> None:
        self.download_tokens.append(token)

    def open_download(self, url: str, *, start: int = 0) -> _Download:
        file_id = url.rsplit("/", 1)[1]
        self.ranges.append((file_id, start))
        if file_id in self.html_downloads:
            raise IncompleteDownloadError("download answered text/html", service="zoom")
        data = content(file_id, self.size_of(file_id))[start:]
        fail_after = self.download_failures.pop(file_id, None)
        return _Download(data, None if fail_after is None else fail_after - start)

    def size_of(self, file_id: str) -> int:
        """The bytes served for a file: its listed size unless served_sizes says otherwise."""
        if file_id in self.served_sizes:
            return self.served_sizes[file_id]
        for bundle in self.meetings.values():
            for f in bundle["recordings"].get("recording_files") or []:
                if f.get("id") == file_id or f.get("download_url", "").endswith("/" + file_id):
                    return int(f.get("file_size") or 0)
        for archive in self.archives.values():
            for f in [*archive.get("archive_files", []), *archive.get("physical_files", [])]:
                if f.get("download_url", "").endswith("/" + file_id):
                    return int(f.get("file_size") or 0)
        raise NotFoundError(f"no file {file_id}", service="zoom", status=404)

    def complete(self, meeting_uuid: str) -> None:
        for f in self._bundle(meeting_uuid)["recordings"]["recording_files"]:
            f["status"] = "completed"

    def _bundle(self, meeting_uuid: str) -> dict[str, Any]:
        if meeting_uuid not in self.meetings:
            raise NotFoundError(f"meeting {meeting_uuid} not found", service="zoom", status=404)
        return self.meetings[meeting_uuid]


@dataclass
class FakeGraph:
    """Mailboxes with one folder tree level; items keep their JSON and attachment bytes' hashes."""

    mailboxes: set[str] = field(
        default_factory=lambda: {"ann@contoso.com", "bob@contoso.com", "zoom-archive@contoso.com"}
    )
    items: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    folders: dict[tuple[str, str], str] = field(default_factory=dict)
    fail_after_create: int = 0  # the next N creates store the item, then fail (lost response)
    unavailable: set[str] = field(default_factory=set)
    upload_chunks: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    # Other addresses of a mailbox (proxy addresses): alias -> the mailbox's address.
    aliases: dict[str, str] = field(default_factory=dict)
    # A primary address changed by an admin: the mailbox (and its id) stays the same.
    renamed: dict[str, str] = field(default_factory=dict)

    def find_mailbox(self, address: str) -> Mailbox | None:
        primary = self.aliases.get(address.lower(), address.lower())
        if primary not in self.mailboxes:
            return None
        return Mailbox(oid(primary), self.renamed.get(primary, primary))

    def ensure_folder(self, mailbox: str, display_name: str, *, parent: str = "inbox") -> str:
        address = self._check(mailbox)
        return self.folders.setdefault((address, display_name), f"folder-{len(self.folders)}")

    def find_item(self, mailbox: str, folder_id: str, item_key: str) -> str | None:
        address = self._check(mailbox)
        for item in self.items.get(address, []):
            props = {p["id"]: p["value"] for p in item["message"]["singleValueExtendedProperties"]}
            if item["folder"] == folder_id and props.get(MEETING_KEY_PROPERTY_ID) == item_key:
                return str(item["id"])
        return None

    def create_item(self, mailbox: str, folder_id: str, message: dict[str, Any] | bytes) -> str:
        address = self._check(mailbox)
        if isinstance(message, bytes):
            message = json.loads(message)
        with self.lock:
            box = self.items.setdefault(address, [])
            item_id = f"{address}-{len(box)}"
            inline = [
                {
                    "name": a["name"],
                    "size": len(_b64(a["contentBytes"])),
                    "sha256": hashlib.sha256(_b64(a["contentBytes"])).hexdigest(),
                }
                for a in message.get("attachments", [])
            ]
            box.append(
                {"id": item_id, "folder": folder_id, "message": message, "attachments": inline}
            )
            if self.fail_after_create:
                self.fail_after_create -= 1
                raise ServiceUnavailableError("504 after the item was created", service="graph")
        return item_id

    def list_attachments(self, mailbox: str, message_id: str) -> list[dict[str, Any]]:
        return [dict(a) for a in self._item(mailbox, message_id)["attachments"]]

    def add_attachment(
        self, mailbox: str, message_id: str, *, name: str, content_type: str, data: bytes
    ) -> str:
        item = self._item(mailbox, message_id)
        item["attachments"].append(
            {"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        )
        return name

    def upload_attachment(
        self,
        mailbox: str,
        message_id: str,
        *,
        name: str,
        content_type: str,
        size: int,
        read: Callable[[int, int], bytes],
    ) -> str:
        digest = hashlib.sha256()
        for offset in range(0, size, 4 * 1024 * 1024):
            chunk = read(offset, min(4 * 1024 * 1024, size - offset))
            self.upload_chunks.append(len(chunk))
            digest.update(chunk)
        self._item(mailbox, message_id)["attachments"].append(
            {"name": name, "size": size, "sha256": digest.hexdigest()}
        )
        return name

    def _item(self, mailbox: str, message_id: str) -> dict[str, Any]:
        return next(i for i in self.items[_address(mailbox)] if i["id"] == message_id)

    def _check(self, mailbox: str) -> str:
        """The mailbox's address for a Graph path segment (its object id), or 404."""
        address = _address(mailbox)
        if address in self.unavailable or address not in self.mailboxes:
            raise MailboxUnavailableError("mailbox not found", mailbox=mailbox, status=404)
        return address


def oid(address: str) -> str:
    """The fake directory object id of a mailbox (Graph paths take ids, not addresses)."""
    return f"oid-{address}"


def _address(mailbox_id: str) -> str:
    if not mailbox_id.startswith("oid-"):
        raise MailboxUnavailableError(
            f"{mailbox_id} is not an object id (Graph paths take the id or UPN)", status=404
        )
    return mailbox_id.removeprefix("oid-")


def _b64(value: str) -> bytes:
    import base64

    return base64.b64decode(value)


@dataclass
class ListQueues:
    """QueuePort that only records (the host-driven tests use real queues)."""

    sent: list[tuple[str, bytes]] = field(default_factory=list)

    def send(self, queue: str, body: bytes) -> None:
        self.sent.append((queue, body))
