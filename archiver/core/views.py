"""One mailbox's copy of a staged meeting (pure): the chat it may see, its items and attachments.

Every copy has the public chat, the transcript and the meeting's files; direct, private-group,
waiting-room and backstage messages only where the mailbox's owner could see them
(core/privacy.py). A raw chat file whose every line the mailbox may see is attached as Zoom made
it; otherwise a filtered copy of the lines it may see, in the same format (TXT or JSON), is
attached instead and the item names the original's size and SHA-256. A member log is shown room
by room to the rooms' members and attached only where every room may be shown; one
participant's own file is attached only in that participant's copy (and where unattributed lines
go) and listed elsewhere as withheld, and so is a file shared in a chat message where that
message is not shown. Mailboxes that see the same content get byte-identical copies, marked by
the same signature.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from archiver.core.contracts import ChatFile, StagedMeeting
from archiver.core.converter import ArchiveMessage, ItemContent, build_message
from archiver.core.converter.chat_json import chat_json
from archiver.core.converter.member_log import Room
from archiver.core.converter.names import safe_file_name
from archiver.core.converter.transcripts import ChatLine, chat_text
from archiver.core.interaction_copies import for_copy, withheld_files
from archiver.core.privacy import (
    UNATTRIBUTED,
    Audience,
    Identities,
    Viewer,
    audiences,
    circles,
    json_audiences,
    may_see,
    owner_audience,
    room_audiences,
    shared_audiences,
    visible,
)
from archiver.core.staged import StagedFile

CHAT_CONTENT_TYPE = "text/plain"
JSON_CONTENT_TYPE = "application/json"
JSON_WITHHELD = (
    "message(s) that were not for this mailbox's owner (direct, private-group, waiting-room or "
    "backstage chat, or chat this version cannot place)"
)
OWN_FILE = (
    "withheld: one participant's own file, attached only in their copy and the compliance mailbox's"
)
SHARED_FILE = (
    "withheld: shared in chat messages this mailbox's owner was not part of; attached only "
    "where those messages are"
)
UNKNOWN_OWNER = (
    "withheld: one participant's own file (Zoom does not say whose); it is attached only where "
    "messages no one can be found for are kept"
)


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


def chat_audiences(
    doc: StagedMeeting,
    known: Mapping[str, set[str]],
    *,
    mailbox_of: Mapping[str, str] | None = None,
) -> dict[str, list[Audience]]:
    """Per file, the audience of each of its parts (computed once per meeting): a chat file's
    lines, a member log's rooms, the one audience of a participant's own file or of a file
    shared in the chat.

    JSON chat is resolved by address through `mailbox_of`; without it, through the map that
    `known` was made with (privacy.identities), else through none (addresses stay addresses).
    """
    if mailbox_of is None:
        mailbox_of = known.mailbox_of if isinstance(known, Identities) else {}
    json_lines = [line for chat in doc.chats if chat.format == "json" for line in chat.lines]
    seen = circles(doc.meeting, known, mailbox_of, doc.member_logs, json_lines)
    heard: dict[str, list[Audience]] = {}
    shared: dict[str, Audience] = {}
    for chat in doc.chats:
        if chat.format == "json":
            heard[chat.file_id] = json_audiences(chat.lines, seen)
            shared.update(shared_audiences(chat.lines, heard[chat.file_id]))
        else:
            heard[chat.file_id] = audiences(chat.lines, known)
    for log in doc.member_logs:
        heard[log.file_id] = room_audiences(log, seen)
    for file in doc.files:
        if file.owner is not None:
            heard[file.file_id] = [owner_audience(file.owner, seen)]
        elif file.file_id in shared and file.file_id not in heard:
            heard[file.file_id] = [shared[file.file_id]]
    return heard


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
    privileged = viewer.complete or viewer.unattributed
    kept = {chat.file_id: visible(heard[chat.file_id], viewer) for chat in doc.chats}
    whole = {
        chat.file_id: len(kept[chat.file_id]) == len(chat.lines)
        and (not chat.unparsed or privileged)
        for chat in doc.chats
    }
    rooms = {
        log.file_id: visible(_heard(heard, log.file_id, log.rooms), viewer)
        for log in doc.member_logs
    }
    interactions = for_copy(
        doc.interactions,
        privileged=viewer.complete or viewer.host or viewer.unattributed,
        emails=viewer.emails,
    )
    kept_back = {**_withheld_files(doc, heard, viewer), **withheld_files(doc.files, interactions)}
    signature = _signature(kept, whole, rooms, set(kept_back))
    if interactions is not None:
        # Copies that show different answers differ (repr of frozen values is deterministic).
        signature = _sign(f"{signature}|{interactions!r}")
    files = {f.file_id: f for f in doc.files}
    for file_id, note in kept_back.items():
        files[file_id] = replace(files[file_id], disposition="skip", note=note)
    shown = _shown(doc.chats)
    lines: list[ChatLine] = []
    withheld = unparsed = 0
    generated: list[GeneratedFile] = []
    notes = list(doc.notes)
    for chat in doc.chats:
        seen = [chat.lines[i] for i in kept[chat.file_id]]
        if chat.file_id in shown:
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
        copy = _filtered(
            f"{doc.key}/views/{signature}",
            staging_container,
            original,
            chat,
            seen,
            withheld_note=withheld_note,
        )
        files[chat.file_id] = copy.file
        generated.append(copy.generated)
        notes.append(copy.note)
    shown_rooms, rooms_withheld, room_problems = _rooms(
        doc, rooms, files, privileged=privileged, withheld_note=withheld_note
    )
    json_shown = any(c.format == "json" for c in doc.chats if c.file_id in shown)
    content = ItemContent(
        chat=tuple(lines),
        chat_unparsed=unparsed,
        withheld=withheld,
        withheld_note=withheld_note,
        transcript=doc.transcript.turns if doc.transcript else (),
        transcript_unparsed=doc.transcript.unparsed if doc.transcript else 0,
        missing=doc.missing,
        notes=tuple(notes),
        withheld_what=JSON_WITHHELD if json_shown else "",
        chat_problems=tuple(p for c in doc.chats if c.file_id in shown for p in c.problems),
        rooms=shown_rooms,
        rooms_withheld=rooms_withheld,
        room_problems=room_problems,
        interactions=interactions,
    )
    staged = [files[f.file_id] for f in doc.files]
    messages = tuple(
        _withheld(_message(doc, staged, content, number, archived_at), set(kept_back))
        for number in range(len(doc.items))
    )
    return MailboxCopy(signature, messages, tuple(generated))


def _rooms(
    doc: StagedMeeting,
    rooms: Mapping[str, list[int]],
    files: dict[str, StagedFile],
    *,
    privileged: bool,
    withheld_note: str,
) -> tuple[tuple[Room, ...], int, tuple[str, ...]]:
    """The member logs' rooms shown, how many are not, and the logs' problems; a log not shown
    whole is not attached (`files` changed so)."""
    shown: list[Room] = []
    withheld = 0
    problems: list[str] = []
    for log in doc.member_logs:
        keep = rooms[log.file_id]
        shown += [log.rooms[i] for i in keep]
        withheld += len(log.rooms) - len(keep)
        complete = len(keep) == len(log.rooms) and (not log.unparsed or privileged)
        # Its problems name rooms by position: only for a copy shown every room.
        problems += log.problems if complete else ()
        original = files.get(log.file_id)
        if complete or original is None or original.disposition != "attach":
            continue
        why = "names" if len(keep) < len(log.rooms) else "could not be read in full and may name"
        files[log.file_id] = replace(
            original,
            disposition="skip",
            note=f"not attached: it {why} private groups or a backstage this mailbox's owner "
            f"was not part of ({withheld_note})",
        )
    return tuple(shown), withheld, tuple(problems)


def _withheld_files(
    doc: StagedMeeting, heard: Mapping[str, list[Audience]], viewer: Viewer
) -> dict[str, str]:
    """The files withheld from this viewer, with why: participants' own files not theirs, and
    files shared in chat messages they did not see."""
    texts = {c.file_id for c in doc.chats} | {log.file_id for log in doc.member_logs}
    out = {}
    for f in doc.files:
        if f.owner is not None:
            why = OWN_FILE if f.owner else UNKNOWN_OWNER
        elif f.file_id in heard and f.file_id not in texts:
            why = SHARED_FILE
        else:
            continue
        if not may_see(_heard(heard, f.file_id, [f])[0], viewer):
            out[f.file_id] = why
    return out


def _heard(
    heard: Mapping[str, list[Audience]], file_id: str, parts: Sequence[object]
) -> list[Audience]:
    """A file's part audiences; a file computed without them is withheld (fails closed)."""
    found = heard.get(file_id)
    return found if found is not None and len(found) == len(parts) else [UNATTRIBUTED] * len(parts)


def _shown(chats: Sequence[ChatFile]) -> set[str]:
    """The chat files the body shows: JSON chat when there is any readable (it holds every
    message; a TXT chat of the same meeting holds some of them again), else every chat file."""
    json_chats = {c.file_id for c in chats if c.format == "json" and c.lines}
    return json_chats or {c.file_id for c in chats}


def _signature(
    kept: Mapping[str, list[int]],
    whole: Mapping[str, bool],
    rooms: Mapping[str, list[int]],
    kept_back: set[str],
) -> str:
    shown = "|".join(
        f"{fid}:{'all' if whole[fid] else ','.join(map(str, keep))}" for fid, keep in kept.items()
    )
    # Only documents with member logs or withheld files sign them, so the copies of other
    # meetings keep the signature (and the blob names of their filtered files) they had.
    if rooms:
        shown += "|rooms:" + "|".join(f"{fid}:{','.join(map(str, r))}" for fid, r in rooms.items())
    if kept_back:
        shown += "|withheld:" + ",".join(sorted(kept_back))
    return _sign(shown)


def _sign(shown: str) -> str:
    return hashlib.sha256(shown.encode()).hexdigest()[:16]


def _withheld(message: ArchiveMessage, kept_back: set[str]) -> ArchiveMessage:
    """The item without the parts of files withheld from it (a split file's parts are attached
    by position, whatever the file's disposition)."""
    attachments = tuple(a for a in message.attachments if a.file_id not in kept_back)
    return (
        message
        if len(attachments) == len(message.attachments)
        else replace(message, attachments=attachments)
    )


@dataclass(frozen=True)
class _Filtered:
    file: StagedFile
    generated: GeneratedFile
    note: str


def _filtered(
    folder: str,
    container: str,
    original: StagedFile,
    chat: ChatFile,
    seen: Sequence[ChatLine],
    *,
    withheld_note: str,
) -> _Filtered:
    if chat.format == "json":
        data, extension, content_type = chat_json(chat.envelope, seen), "json", JSON_CONTENT_TYPE
    else:
        data, extension, content_type = chat_text(list(seen)), "txt", CHAT_CONTENT_TYPE
    stem = original.name.rsplit(".", 1)[0]
    name = safe_file_name(f"{stem} (filtered).{extension}")
    blob_name = f"{folder}/{original.file_id}.{extension}"
    file = replace(
        original,
        name=name,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        blob_name=blob_name,
        container=container,
        listed_size=None,
        note=None,
    )
    lines = f"{len(seen)} line(s) this mailbox may see"
    unread = f", without {chat.unparsed} line(s) that could not be read" if chat.unparsed else ""
    note = (
        f"The chat file {original.name} ({original.size} bytes, SHA-256 {original.sha256}) "
        f"holds messages that are not shown in this copy ({withheld_note}); attached instead: "
        f"{name}, the {lines}{unread}."
    )
    return _Filtered(file, GeneratedFile(blob_name, data, content_type), note)


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
