"""A staged meeting from what staging stored: files as HTTP delivered them, texts parsed once.

Planning runs again here with the sizes Zoom actually served (listings can be wrong, and CC and
TIMELINE files list none), so what is attached, linked or split follows the real bytes. The
result is the document every mailbox's copy is rendered from (core/views.py) and the manifest
that commits it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from archiver.adapters.blobstore import StoredFile
from archiver.bootstrap import Deps
from archiver.core.addresses import is_addr_spec
from archiver.core.contracts import ChatFile, Manifest, StagedMeeting, TranscriptText, document_blob
from archiver.core.converter.chat_json import is_json_chat, parse_chat_json
from archiver.core.converter.interaction_files import file_name as interaction_file_name
from archiver.core.converter.member_log import MemberLog, parse_member_log
from archiver.core.converter.names import safe_file_name
from archiver.core.converter.transcripts import parse_chat, parse_vtt
from archiver.core.model import Meeting, RecordingFile
from archiver.core.planning import MIB, FilePlan, FileSpec, ItemPlan, Part, plan_meeting
from archiver.core.staged import FilePart, InteractionBody, MissingFile, StagedFile
from archiver.errors import IncompleteDownloadError
from archiver.sources.interactions import FILE_TYPES
from archiver.sources.interactions import SOURCE as INTERACTIONS

# Text files are read up to this size to be parsed (the whole file is still attached).
TEXT_LIMIT = 16 * 1024 * 1024
TEXT_KINDS = {"chat", "transcript", "captions", "member_log", "polls", "qa", "survey", "ai_summary"}
# Interactions (sources/interactions.py): the converter's kind -> core/interactions' kind.
SUMMARY_KINDS = ("ai_summary", "ai_summary_md")
INTERACTION_KINDS = {"polls": "polls", "qa": "qa", "survey": "survey", "ai_summary": "summary"}
KINDS = {
    "MP4": "media",
    "M4A": "audio",
    "CHAT": "chat",
    "CHAT_MESSAGE": "chat",
    "TRANSCRIPT": "transcript",
    "CC": "captions",
    "TIMELINE": "timeline",
    "SUMMARY": "summary",
    "SUB_GROUP_MEMBER_LOG": "member_log",
    "POLLS": "polls",
    "QA": "qa",
    "SURVEY": "survey",
    "AI_SUMMARY": "ai_summary",
    "AI_SUMMARY_MD": "ai_summary_md",
}
CONTENT_TYPES = {
    "MP4": "video/mp4",
    "M4A": "audio/mp4",
    "CHAT": "text/plain",
    "CHAT_MESSAGE": "application/json",
    "TRANSCRIPT": "text/vtt",
    "CC": "text/vtt",
    "TIMELINE": "application/json",
    "SUMMARY": "application/json",
    "SUB_GROUP_MEMBER_LOG": "application/json",
    "POLLS": "application/json",
    "QA": "application/json",
    "SURVEY": "application/json",
    "AI_SUMMARY": "application/json",
    "AI_SUMMARY_MD": "text/markdown",
    "CSV": "text/csv",
    "TXT": "text/plain",
    "JSON": "application/json",
    "VTT": "text/vtt",
}


def kind_of(file: RecordingFile) -> str:
    """The converter's kind for a Zoom file type."""
    return KINDS.get(file.file_type.upper(), "other")


def content_type_of(file: RecordingFile) -> str:
    """The MIME type to store and attach a Zoom file with."""
    return (
        CONTENT_TYPES.get(file.file_type.upper())
        or CONTENT_TYPES.get(file.file_extension.upper())
        or "application/octet-stream"
    )


def file_name(meeting: Meeting, file: RecordingFile) -> str:
    """The attachment name of a file: safe, and unique within the meeting."""
    when = f"{meeting.start_time:%Y-%m-%d %H%M}"
    if file.source == INTERACTIONS and file.file_type in FILE_TYPES:
        kind, extension = FILE_TYPES[file.file_type]
        return interaction_file_name(kind, meeting.start_time, extension.lower())
    if file.shared_in_chat and file.file_name:
        # A file someone shared in the chat keeps its own name (the id keeps it unique).
        stem, dot, extension = file.file_name.rpartition(".")
        if not dot or not stem:
            stem, extension = file.file_name, "bin"
        return safe_file_name(f"{when} {file.file_id[:8]} {stem}.{extension.lower()}")
    stem = f"{when} {file.recording_type or file.file_type}"
    extension = (file.file_extension or file.file_type or "bin").lower()
    return safe_file_name(f"{stem} {file.file_id[:8]}.{extension}")


def describe(file: RecordingFile) -> str:
    """A file as a person reads it in a list ("CC closed_caption")."""
    return " ".join(x for x in (file.file_type, file.recording_type) if x) or file.file_id


def blob_for(key: str, file: RecordingFile) -> str:
    """Where a file is staged (attachments) inside the staging container."""
    return f"{key}/files/{file.file_id}"


def link_blob_name(key: str, meeting: Meeting, file: RecordingFile) -> str:
    """Where an oversize file is kept in the archive container."""
    return f"{meeting.start_time:%Y/%m}/{key}/{file_name(meeting, file)}"


def plan(
    deps: Deps, specs: Sequence[FileSpec]
) -> tuple[tuple[FilePlan, ...], tuple[ItemPlan, ...]]:
    """plan_meeting with the configured limits."""
    s = deps.settings
    return plan_meeting(
        specs,
        max_attachment=s.max_attachment_mb * MIB,
        max_item=s.max_item_mb * MIB,
        policy=s.oversize_policy,
    )


def location(
    deps: Deps, key: str, meeting: Meeting, file: RecordingFile, disposition: str
) -> tuple[str, str]:
    """(container, blob name) a file is stored under for a disposition."""
    if disposition == "link":
        return deps.settings.archive_container, link_blob_name(key, meeting, file)
    return deps.settings.staging_container, blob_for(key, file)


@dataclass
class Copied:
    """What this invocation copied: stored sizes and hashes, and small text files' content.

    Rendering right after copying uses them instead of asking storage again.
    """

    files: dict[str, StoredFile] = field(default_factory=dict)  # by blob name
    texts: dict[str, bytes] = field(default_factory=dict)  # by file id


def stage_document(
    deps: Deps,
    key: str,
    meeting: Meeting,
    stored_in: Mapping[str, str],
    *,
    revision: int,
    missing: Sequence[MissingFile],
    notes: Sequence[str],
    copied: Copied,
) -> tuple[Manifest, StagedMeeting]:
    """The staged meeting and its manifest.

    `stored_in` maps each stored file's id to the disposition it was copied for (which says
    its container); files planned "skip" were not copied and keep their listed size.
    """
    by_id = {f.file_id: f for f in meeting.files}
    stored: dict[str, StoredFile] = {}
    for file_id, disposition in stored_in.items():
        if disposition == "skip":
            continue
        container, name = location(deps, key, meeting, by_id[file_id], disposition)
        found = copied.files.get(name) or deps.blobs.stored(container, name)
        if found is None:
            raise IncompleteDownloadError(
                f"{file_name(meeting, by_id[file_id])}: staged copy missing", meeting=key
            )
        stored[file_id] = found
    specs = [
        FileSpec(fid, stored[fid].size if fid in stored else by_id[fid].size) for fid in stored_in
    ]
    plans, items = plan(deps, specs)
    staged = [
        _staged(deps, key, meeting, by_id[p.file_id], p, stored=stored.get(p.file_id))
        for p in plans
    ]
    doc = staged_meeting(
        key,
        revision,
        meeting,
        staged,
        items,
        missing=missing,
        texts=_texts(deps, staged, copied.texts),
        notes=notes,
    )
    staging = deps.settings.staging_container
    manifest = Manifest(
        key=key,
        uuid=meeting.uuid,
        meeting_id=meeting.meeting_id,
        topic=meeting.topic,
        start_time=meeting.start_time.isoformat(),
        revision=revision,
        addresses=recipients(doc),
        document=document_blob(key),
        blobs=tuple(sorted({s.blob_name for s in staged if s.container == staging})),
        total_bytes=doc.total_bytes,
    )
    return manifest, doc


def recipients(doc: StagedMeeting) -> tuple[str, ...]:
    """Who the item goes to: the host and admitted participants; for a breakout room, everyone
    its own record shows was in it (its participants, the owners of its per-participant files,
    who wrote or was written to in its chat, its private groups' members); the same for an
    external meeting, whose participants Zoom does not report. Zoom gives no list of a room's
    members that can be matched to the room."""
    found = list(doc.meeting.recipient_addresses)
    if doc.revision and doc.files and all(f.kind in SUMMARY_KINDS for f in doc.files):
        # An update bringing only a summary: only the host's copy may show it (the compliance
        # mailbox receives every item regardless).
        found = [doc.meeting.host_email or ""]
    elif doc.meeting.parent_uuid or doc.meeting.external:
        found += [f.owner for f in doc.files if f.owner]
        for chat in doc.chats:
            for line in chat.lines:
                found += [line.sender_email or "", line.recipient_email or ""]
        found += [
            stay.email for log in doc.member_logs for room in log.rooms for stay in room.stays
        ]
    return tuple(a for a in dict.fromkeys(a.lower() for a in found) if is_addr_spec(a))


def staged_meeting(
    key: str,
    revision: int,
    meeting: Meeting,
    staged: Sequence[StagedFile],
    items: Sequence[ItemPlan],
    *,
    missing: Sequence[MissingFile],
    texts: Mapping[str, tuple[bytes, bool]],
    notes: Sequence[str],
) -> StagedMeeting:
    """The document of stored files, their texts parsed here once (text, cut at TEXT_LIMIT)."""
    by_id = {f.file_id: f for f in meeting.files}
    chats, transcript, text_notes = parse_texts(staged, texts, by_id)
    logs, log_notes = parse_member_logs(staged, texts)
    return StagedMeeting(
        key=key,
        revision=revision,
        meeting=meeting,
        files=tuple(staged),
        items=tuple(items),
        missing=tuple(missing),
        chats=tuple(chats),
        transcript=transcript,
        notes=(*notes, *text_notes, *log_notes),
        member_logs=tuple(logs),
        interactions=interaction_bodies(staged, texts, by_id),
    )


def interaction_bodies(
    staged: Sequence[StagedFile],
    texts: Mapping[str, tuple[bytes, bool]],
    by_id: Mapping[str, RecordingFile],
) -> tuple[InteractionBody, ...]:
    """Zoom's answers for polls, Q&A, survey and summary, as staged (JSON text)."""
    found = []
    for file in staged:
        kind = INTERACTION_KINDS.get(file.kind)
        if kind is None or file.file_id not in texts:
            continue
        data, _ = texts[file.file_id]
        source = by_id[file.file_id].recording_type if kind == "qa" else ""
        found.append(
            InteractionBody(file.file_id, kind, data.decode("utf-8", "replace"), source=source)
        )
    return tuple(found)


def _staged(
    deps: Deps,
    key: str,
    meeting: Meeting,
    file: RecordingFile,
    plan: FilePlan,
    *,
    stored: StoredFile | None,
) -> StagedFile:
    settings = deps.settings
    if (
        stored is not None
        and plan.disposition == "link"
        and stored.container != settings.archive_container
    ):
        # Larger than its listing said: it was staged to be attached, and now goes to archive
        # storage like any file its size.
        stored = _move_to_archive(deps, key, meeting, file, stored)
    location_text = None
    if plan.disposition == "link" and stored is not None:
        location_text = f"{stored.container}/{stored.name}"
    container = stored.container if stored is not None else ""
    blob_name = stored.name if stored is not None else blob_for(key, file)
    return staged_file(
        meeting,
        file,
        plan,
        size=stored.size if stored is not None else file.size,
        sha256=stored.sha256 if stored is not None else "",
        blob_name=blob_name,
        container=container,
        location=location_text,
        part_sha256=lambda part: _range_sha256(deps, container, blob_name, part.offset, part.size),
    )


def _move_to_archive(
    deps: Deps, key: str, meeting: Meeting, file: RecordingFile, stored: StoredFile
) -> StoredFile:
    container, name = location(deps, key, meeting, file, "link")
    existing = deps.blobs.stored(container, name)
    if existing is not None:
        return existing
    writer = deps.blobs.writer(container, name)
    for chunk in deps.blobs.iter_range(stored.container, stored.name, 0, stored.size):
        writer.write(chunk)
    return writer.commit(content_type=content_type_of(file))


def staged_file(
    meeting: Meeting,
    file: RecordingFile,
    plan: FilePlan,
    *,
    size: int,
    sha256: str,
    blob_name: str,
    container: str = "",
    location: str | None = None,
    disposition: str | None = None,
    note: str | None = None,
    part_sha256: Callable[[Part], str],
) -> StagedFile:
    """The converter's view of a stored file (shared by staging and .eml export)."""
    name = file_name(meeting, file)
    return StagedFile(
        file_id=file.file_id,
        name=name,
        content_type=content_type_of(file),
        size=size,
        sha256=sha256,
        blob_name=blob_name,
        kind=kind_of(file),
        disposition=disposition or plan.disposition,
        location=location,
        note=note if note is not None else plan.note,
        parts=tuple(
            FilePart(
                index=p.index,
                count=p.count,
                offset=p.offset,
                size=p.size,
                sha256=part_sha256(p),
                name=f"{name}.part{p.index}of{p.count}",
            )
            for p in plan.parts
        ),
        container=container,
        listed_size=file.listed_size if file.listed_size not in (None, size) else None,
        owner=(file.participant_email or "").strip().lower() if file.individual else None,
    )


def _range_sha256(deps: Deps, container: str, blob: str, offset: int, size: int) -> str:
    digest = hashlib.sha256()
    for chunk in deps.blobs.iter_range(container, blob, offset, size):
        digest.update(chunk)
    return digest.hexdigest()


def _texts(
    deps: Deps, staged: Sequence[StagedFile], known: Mapping[str, bytes]
) -> dict[str, tuple[bytes, bool]]:
    """Text files' content by file id, and whether it was cut at TEXT_LIMIT."""
    texts: dict[str, tuple[bytes, bool]] = {}
    for file in staged:
        if file.kind not in TEXT_KINDS or not file.container:
            continue
        data = known.get(file.file_id)
        if data is None:
            data = deps.blobs.read_bytes(file.container, file.blob_name, limit=TEXT_LIMIT)
        texts[file.file_id] = (data[:TEXT_LIMIT], file.size > TEXT_LIMIT)
    return texts


def parse_texts(
    staged: Sequence[StagedFile],
    texts: Mapping[str, tuple[bytes, bool]],
    by_id: Mapping[str, RecordingFile],
) -> tuple[list[ChatFile], TranscriptText | None, list[str]]:
    """Chat files and the shown transcript, each parsed once; notes on what was cut.

    A chat file is read by its content, not its type (parse_chat_file); `by_id` (the meeting's
    files) is not needed for that any more and is kept for callers.
    """
    chats: list[ChatFile] = []
    transcripts: dict[str, TranscriptText] = {}
    notes: list[str] = []
    for file in staged:
        if file.file_id not in texts or file.kind not in ("chat", "transcript", "captions"):
            continue
        data, cut = texts[file.file_id]
        if cut:
            notes.append(
                f"{file.name} is larger than {TEXT_LIMIT // MIB} MB: only its start is shown"
            )
        if file.kind == "chat":
            chats.append(parse_chat_file(file.file_id, data, cut=cut))
        elif file.kind in ("transcript", "captions") and file.kind not in transcripts:
            turns, bad = parse_vtt(data)
            transcripts[file.kind] = TranscriptText(file.file_id, tuple(turns), bad)
    return chats, transcripts.get("transcript") or transcripts.get("captions"), notes


def parse_chat_file(file_id: str, data: bytes, *, cut: bool = False) -> ChatFile:
    """A chat file by its content: JSON (CHAT_MESSAGE, or a CHAT file that holds JSON, or
    base64 of either) or Zoom's chat text. `cut`: only the file's start was read."""
    if is_json_chat(data):
        found = parse_chat_json(data)
        return ChatFile(
            file_id,
            found.lines,
            found.unparsed + int(cut),
            format="json",
            envelope=found.envelope,
            problems=found.problems,
        )
    lines, unparsed = parse_chat(data)
    return ChatFile(file_id, tuple(lines), unparsed + int(cut))


def parse_member_logs(
    staged: Sequence[StagedFile], texts: Mapping[str, tuple[bytes, bool]]
) -> tuple[list[MemberLog], list[str]]:
    """The member logs (SUB_GROUP_MEMBER_LOG), each parsed once; notes on what was cut."""
    logs: list[MemberLog] = []
    notes: list[str] = []
    for file in staged:
        if file.kind != "member_log" or file.file_id not in texts:
            continue
        data, cut = texts[file.file_id]
        if cut:
            # Only its start was read: cut JSON, of which nothing counts as known.
            logs.append(MemberLog(file.file_id, unparsed=1, problems=("too large to read",)))
            notes.append(f"{file.name} is larger than {TEXT_LIMIT // MIB} MB: it is not read")
        else:
            logs.append(parse_member_log(file.file_id, data))
    return logs, notes
