"""Turn a staged meeting into its items: staged files from the blobs, converter output, manifest.

The converter itself is pure; this module feeds it what staging stored (sizes, hashes, chat and
transcript text) and writes nothing itself: the caller stores the documents it returns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from archiver.blobstore import StoredFile
from archiver.contracts import Manifest, ManifestAttachment, ManifestItem
from archiver.converter import build_message, to_graph_json
from archiver.converter.names import safe_file_name
from archiver.deps import Deps
from archiver.errors import IncompleteDownloadError
from archiver.model import FilePart, Meeting, RecordingFile, StagedFile
from archiver.planning import FilePlan, ItemPlan, Part

# Text files rendered into the body are read up to this size (the whole file is still attached).
TEXT_LIMIT = 8 * 1024 * 1024
TEXT_KINDS = {"chat", "transcript", "captions"}
KINDS = {
    "MP4": "media",
    "M4A": "audio",
    "CHAT": "chat",
    "CHAT_MESSAGE": "chat",
    "TRANSCRIPT": "transcript",
    "CC": "captions",
    "TIMELINE": "timeline",
    "SUMMARY": "summary",
}
CONTENT_TYPES = {
    "MP4": "video/mp4",
    "M4A": "audio/mp4",
    "CHAT": "text/plain",
    "CHAT_MESSAGE": "text/plain",
    "TRANSCRIPT": "text/vtt",
    "CC": "text/vtt",
    "TIMELINE": "application/json",
    "SUMMARY": "application/json",
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
    stem = f"{meeting.start_time:%Y-%m-%d %H%M} {file.recording_type or file.file_type}"
    extension = (file.file_extension or file.file_type or "bin").lower()
    return safe_file_name(f"{stem} {file.file_id[:8]}.{extension}")


def link_blob_name(key: str, meeting: Meeting, file: RecordingFile) -> str:
    """Where an oversize file is kept in the archive container."""
    return f"{meeting.start_time:%Y/%m}/{key}/{file_name(meeting, file)}"


def render_manifest(
    deps: Deps,
    key: str,
    meeting: Meeting,
    plans: Sequence[FilePlan],
    items: Sequence[ItemPlan],
    *,
    note: str = "",
    revision: int = 0,
    known: Mapping[str, StoredFile] | None = None,
    texts: Mapping[str, bytes] | None = None,
) -> tuple[Manifest, dict[str, dict[str, Any]]]:
    """The manifest and, by blob name, each item's Graph message JSON (attachments excluded).

    `known` (stored files by blob name) and `texts` (text content by file id) are what the
    caller has just copied; anything not in them is looked up in storage.
    """
    settings = deps.settings
    staged = [
        _staged(deps, key, meeting, file, plan, known=known or {})
        for file, plan in _planned(meeting, plans)
    ]
    texts = _texts(deps, staged, texts or {})
    documents: dict[str, dict[str, Any]] = {}
    manifest_items: list[ManifestItem] = []
    for item in items:
        attach = [a.file_id for a in item.attachments]
        message = build_message(
            meeting,
            staged,
            texts,
            part=item.number or None,
            part_count=item.count or None,
            attach=attach,
            revision=revision,
        )
        blob = f"{key}/item-{item.number}.json"
        documents[blob] = to_graph_json(message, inline={})
        manifest_items.append(
            ManifestItem(
                item_key=message.item_key,
                message_blob=blob,
                attachments=tuple(
                    ManifestAttachment(
                        file_id=ref.file_id,
                        name=ref.name,
                        content_type=ref.content_type,
                        size=ref.size,
                        sha256=ref.sha256,
                        container=settings.staging_container,
                        blob_name=ref.blob_name,
                        offset=ref.offset,
                    )
                    for ref in message.attachments
                ),
            )
        )
    notes = [f"{s.name}: {s.note}" for s in staged if s.note]
    notes += [f"{f.file_type} {f.file_id}: still processing" for f in meeting.processing_files]
    if note:
        notes.append(note)
    addresses = [meeting.host_email or "", *(p.email or "" for p in meeting.participants)]
    manifest = Manifest(
        key=key,
        uuid=meeting.uuid,
        meeting_id=meeting.meeting_id,
        topic=meeting.topic,
        start_time=meeting.start_time.isoformat(),
        addresses=tuple(a for a in dict.fromkeys(addresses) if a),
        items=tuple(manifest_items),
        notes=tuple(notes),
    )
    return manifest, documents


def _planned(meeting: Meeting, plans: Sequence[FilePlan]) -> list[tuple[RecordingFile, FilePlan]]:
    by_id = {f.file_id: f for f in meeting.files}
    return [(by_id[p.file_id], p) for p in plans if p.file_id in by_id]


def _staged(
    deps: Deps,
    key: str,
    meeting: Meeting,
    file: RecordingFile,
    plan: FilePlan,
    *,
    known: Mapping[str, StoredFile],
) -> StagedFile:
    from archiver.staging import blob_for

    settings = deps.settings
    name = file_name(meeting, file)
    location: str | None = None
    sha256 = ""
    blob_name = blob_for(key, file)
    if plan.disposition == "link":
        blob_name = link_blob_name(key, meeting, file)
        location = f"{settings.archive_container}/{blob_name}"
    if plan.disposition != "skip":
        container = (
            settings.archive_container if plan.disposition == "link" else settings.staging_container
        )
        stored = known.get(blob_name) or deps.blobs.stored(container, blob_name)
        if stored is None or stored.size != file.size:
            raise IncompleteDownloadError(f"{name}: staged copy missing or incomplete", meeting=key)
        sha256 = stored.sha256
    # Each part's own hash lets a reviewer check a part without reassembling the whole file.
    return staged_file(
        meeting,
        file,
        plan,
        sha256=sha256,
        blob_name=blob_name,
        location=location,
        part_sha256=lambda part: _range_sha256(
            deps, settings.staging_container, blob_name, part.offset, part.size
        ),
    )


def staged_file(
    meeting: Meeting,
    file: RecordingFile,
    plan: FilePlan,
    *,
    sha256: str,
    blob_name: str,
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
        size=file.size,
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
    )


def _range_sha256(deps: Deps, container: str, blob: str, offset: int, size: int) -> str:
    import hashlib

    digest = hashlib.sha256()
    for chunk in deps.blobs.iter_range(container, blob, offset, size):
        digest.update(chunk)
    return digest.hexdigest()


def _texts(
    deps: Deps, staged: Sequence[StagedFile], known: Mapping[str, bytes]
) -> Mapping[str, bytes]:
    texts: dict[str, bytes] = {}
    for file in staged:
        if file.kind in TEXT_KINDS and file.disposition == "attach":
            if file.file_id in known:
                texts[file.file_id] = known[file.file_id][:TEXT_LIMIT]
                continue
            texts[file.file_id] = deps.blobs.read_bytes(
                deps.settings.staging_container, file.blob_name, limit=TEXT_LIMIT
            )
    return texts
