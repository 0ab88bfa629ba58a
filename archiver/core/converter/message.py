"""The message model of an archived meeting, built from the Meeting (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from archiver.core.converter.body import render_html, render_text, title_of
from archiver.core.converter.content import ItemContent
from archiver.core.converter.names import MAX_TOPIC, clean_text
from archiver.core.converter.provenance import HEADER, header_value
from archiver.core.keys import internet_message_id, item_key
from archiver.core.model import Meeting
from archiver.core.staged import StagedFile

NO_REPLY = "no-reply@zoom-archiver.invalid"
# Graph accepts at most 5 internet message headers on create (all x- headers). An item has at
# most: X-Zoom-Meeting-Id, X-Zoom-Meeting-UUID, X-Zoom-Archiver, X-Zoom-Archive-Part and
# X-Zoom-Archive-Update.
MAX_HEADERS = 5


@dataclass(frozen=True)
class Address:
    """A display name and an email address."""

    name: str
    email: str


@dataclass(frozen=True)
class AttachmentRef:
    """An attachment: a byte range of a stored blob."""

    file_id: str
    name: str
    content_type: str
    size: int
    sha256: str
    blob_name: str
    offset: int = 0
    container: str = ""  # where the blob is


@dataclass(frozen=True)
class ArchiveMessage:
    """One mailbox item, before rendering to .eml or Graph JSON."""

    item_key: str
    subject: str
    sender: Address
    to: tuple[Address, ...]
    date_iso: str
    message_id: str
    headers: tuple[tuple[str, str], ...]
    html: str
    text: str
    attachments: tuple[AttachmentRef, ...]


def build_message(
    meeting: Meeting,
    staged: Sequence[StagedFile],
    content: ItemContent,
    *,
    part: int | None = None,
    part_count: int | None = None,
    attach: Sequence[str] | None = None,
    revision: int = 0,
    archived_at: datetime | None = None,
) -> ArchiveMessage:
    """The item for a meeting; with `part`, the "Part i of n" item carrying that split part.

    `archived_at` is when the item is made (an aware datetime; a naive one is taken as UTC): the
    body's "Archived" line and the X-Zoom-Archiver header state it. Without it both say that
    the time was not recorded.
    """
    topic = _header_text(title_of(meeting), MAX_TOPIC)
    subject = f"Zoom meeting: {topic} ({meeting.start_time:%Y-%m-%d})"
    if revision:
        subject += f" - update {revision}"
    if part:
        subject += f" - part {part} of {part_count}"
    attachments = _attachments(staged, part, attach)
    host = meeting.host_email or NO_REPLY
    sender = Address(_header_text(meeting.host_name or host, 200), host)
    recipients: dict[str, Address] = {}
    for person in meeting.attendees:
        if person.email:
            recipients.setdefault(
                person.email.lower(),
                Address(_header_text(person.name, 200), person.email.lower()),
            )
    if not recipients:
        recipients[host] = sender
    headers = [
        ("X-Zoom-Meeting-Id", str(meeting.meeting_id)),
        ("X-Zoom-Meeting-UUID", clean_text(meeting.uuid, limit=200)),
        (HEADER, header_value(archived_at, meeting.sources, parent_uuid=meeting.parent_uuid)),
    ]
    if part:
        headers.append(("X-Zoom-Archive-Part", f"{part}/{part_count}"))
    if revision:
        headers.append(("X-Zoom-Archive-Update", str(revision)))
    return ArchiveMessage(
        item_key=item_key(meeting.uuid, part, revision),
        subject=subject,
        sender=sender,
        to=tuple(recipients.values()),
        date_iso=meeting.start_time.isoformat(),
        message_id=internet_message_id(meeting.uuid, part, revision),
        headers=tuple(headers),
        html=render_html(
            meeting,
            staged,
            content,
            part=part,
            part_count=part_count,
            revision=revision,
            archived_at=archived_at,
        ),
        text=render_text(
            meeting,
            staged,
            content,
            part=part,
            part_count=part_count,
            revision=revision,
            archived_at=archived_at,
        ),
        attachments=attachments,
    )


def _header_text(value: str, limit: int) -> str:
    """Zoom text for a header: one line, and never parsed as an RFC 2047 encoded word."""
    return clean_text(value, limit=limit).replace("=?", "= ?")


def _attachments(
    staged: Sequence[StagedFile], part: int | None, attach: Sequence[str] | None
) -> tuple[AttachmentRef, ...]:
    wanted = set(attach) if attach is not None else None
    if part:
        parts = [(f, p) for f in staged for p in f.parts]
        if not 0 < part <= len(parts):
            return ()
        file, piece = parts[part - 1]
        return (
            AttachmentRef(
                file.file_id,
                piece.name,
                "application/octet-stream",
                piece.size,
                piece.sha256,
                file.blob_name,
                piece.offset,
                file.container,
            ),
        )
    return tuple(
        AttachmentRef(
            f.file_id, f.name, f.content_type, f.size, f.sha256, f.blob_name, 0, f.container
        )
        for f in staged
        if f.disposition == "attach" and (wanted is None or f.file_id in wanted)
    )
