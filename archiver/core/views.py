"""One mailbox's copy of a staged meeting (pure): the chat it may see, its items and attachments.

Every copy has the public chat, the transcript and the files; direct messages only where the
mailbox's owner sent or received them (core/privacy.py). A raw chat file whose every line the
mailbox may see is attached as Zoom made it; otherwise a filtered copy of the lines it may see is
attached instead and the item names the original's size and SHA-256. Mailboxes that see the same
lines get byte-identical copies, marked by the same signature.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from archiver.core.contracts import StagedMeeting
from archiver.core.converter import ArchiveMessage, ItemContent, build_message
from archiver.core.converter.names import safe_file_name
from archiver.core.converter.transcripts import ChatLine, chat_text
from archiver.core.privacy import Audience, Viewer, audiences, visible
from archiver.core.staged import StagedFile

CHAT_CONTENT_TYPE = "text/plain"


@dataclass(frozen=True)
class GeneratedFile:
    """A file made for one copy (a filtered chat), to be stored before it is attached."""

    blob_name: str
    data: bytes
    content_type: str = CHAT_CONTENT_TYPE


@dataclass(frozen=True)
class MailboxCopy:
    """What one mailbox receives: its items with their uploads, and files made for it."""

    signature: str  # equal for mailboxes that see exactly the same content
    messages: tuple[ArchiveMessage, ...]
    generated: tuple[GeneratedFile, ...]

    @property
    def total_bytes(self) -> int:
        """Bytes attached across the copy's items."""
        return sum(a.size for message in self.messages for a in message.attachments)


def chat_audiences(doc: StagedMeeting, known: Mapping[str, set[str]]) -> dict[str, list[Audience]]:
    """Per chat file, each line's audience (computed once per meeting)."""
    return {chat.file_id: audiences(chat.lines, known) for chat in doc.chats}


def mailbox_copy(
    doc: StagedMeeting,
    heard: Mapping[str, list[Audience]],
    viewer: Viewer,
    *,
    staging_container: str,
    withheld_note: str,
    archived_at: datetime | None = None,
) -> MailboxCopy:
    """The items (and generated files) for one mailbox; `archived_at`: when they are made."""
    kept = {chat.file_id: visible(heard[chat.file_id], viewer) for chat in doc.chats}
    whole = {
        chat.file_id: len(kept[chat.file_id]) == len(chat.lines)
        and (not chat.unparsed or viewer.complete or viewer.unattributed)
        for chat in doc.chats
    }
    shown = "|".join(
        f"{fid}:{'all' if whole[fid] else ','.join(map(str, keep))}" for fid, keep in kept.items()
    )
    signature = hashlib.sha256(shown.encode()).hexdigest()[:16]
    lines: list[ChatLine] = []
    withheld = unparsed = 0
    files = {f.file_id: f for f in doc.files}
    generated: list[GeneratedFile] = []
    notes = list(doc.notes)
    for chat in doc.chats:
        seen = [chat.lines[i] for i in kept[chat.file_id]]
        lines += seen
        withheld += len(chat.lines) - len(seen)
        # Unreadable lines of a file attached as is are in that file; a filtered copy says
        # itself how many it leaves out.
        unparsed += chat.unparsed if whole[chat.file_id] else 0
        original = files.get(chat.file_id)
        if whole[chat.file_id] or original is None or original.disposition != "attach":
            continue
        if not seen:
            # Nothing in it is this mailbox's to see: say so rather than attach an empty file.
            files[chat.file_id] = replace(
                original,
                disposition="skip",
                note=f"not attached: none of its lines are this mailbox's to see ({withheld_note})",
            )
            continue
        folder = f"{doc.key}/views/{signature}"
        copy = _filtered(
            folder,
            staging_container,
            original,
            seen,
            unparsed=chat.unparsed,
            withheld_note=withheld_note,
        )
        files[chat.file_id] = copy.file
        generated.append(copy.generated)
        notes.append(copy.note)
    content = ItemContent(
        chat=tuple(lines),
        chat_unparsed=unparsed,
        withheld=withheld,
        withheld_note=withheld_note,
        transcript=doc.transcript.turns if doc.transcript else (),
        transcript_unparsed=doc.transcript.unparsed if doc.transcript else 0,
        missing=doc.missing,
        notes=tuple(notes),
    )
    staged = [files[f.file_id] for f in doc.files]
    messages = tuple(
        _message(doc, staged, content, number, archived_at) for number in range(len(doc.items))
    )
    return MailboxCopy(signature, messages, tuple(generated))


@dataclass(frozen=True)
class _Filtered:
    file: StagedFile
    generated: GeneratedFile
    note: str


def _filtered(
    folder: str,
    container: str,
    original: StagedFile,
    seen: Sequence[ChatLine],
    *,
    unparsed: int,
    withheld_note: str,
) -> _Filtered:
    data = chat_text(list(seen))
    stem = original.name.rsplit(".", 1)[0]
    name = safe_file_name(f"{stem} (filtered).txt")
    blob_name = f"{folder}/{original.file_id}.txt"
    file = replace(
        original,
        name=name,
        content_type=CHAT_CONTENT_TYPE,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        blob_name=blob_name,
        container=container,
        listed_size=None,
        note=None,
    )
    lines = f"{len(seen)} line(s) this mailbox may see"
    unread = f", without {unparsed} line(s) that could not be read" if unparsed else ""
    note = (
        f"The chat file {original.name} ({original.size} bytes, SHA-256 {original.sha256}) "
        f"holds messages that are not shown in this copy ({withheld_note}); attached instead: "
        f"{name}, the {lines}{unread}."
    )
    return _Filtered(file, GeneratedFile(blob_name, data), note)


def _message(
    doc: StagedMeeting,
    staged: Sequence[StagedFile],
    content: ItemContent,
    number: int,
    archived_at: datetime | None,
) -> ArchiveMessage:
    item = doc.items[number]
    return build_message(
        doc.meeting,
        staged,
        content,
        part=item.number or None,
        part_count=item.count or None,
        attach=[a.file_id for a in item.attachments],
        revision=doc.revision,
        archived_at=archived_at,
    )
