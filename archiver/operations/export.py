"""Render a meeting to .eml for review, straight from Zoom (nothing is written to storage).

By default the complete record, as the compliance mailbox receives it; `--for ADDRESS` renders
what that participant's mailbox receives instead (their direct messages only).

Files are named by the meeting's start (UTC) and topic, "2026-11-20 1500 Quarterly review.eml"
(a part, an update and a participant's copy say so in the name), unique within the folder: a
name already taken by another file gets " (2)", " (3)", ...; the same item exported again to the
same folder replaces its earlier file. The folder's index.csv lists every exported file with its
meeting id, UUID, topic, start (UTC), item key, copy, subject and attachments (a value that a
spreadsheet would take for a formula, starting with = + - @, is written after a ').
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from archiver.bootstrap import Deps
from archiver.core.converter import ArchiveMessage, AttachmentRef, to_eml
from archiver.core.converter.names import MAX_TOPIC, clean_text, eml_file_name
from archiver.core.model import Meeting
from archiver.core.planning import FilePlan, FileSpec, Part
from archiver.core.privacy import Viewer, identities, identity_of
from archiver.core.staged import MissingFile, StagedFile
from archiver.core.views import chat_audiences, mailbox_copy
from archiver.errors import NotFoundError, PermanentError
from archiver.sources.assemble import fetch_meeting
from archiver.steps.document import (
    TEXT_KINDS,
    TEXT_LIMIT,
    describe,
    plan,
    staged_file,
    staged_meeting,
)

LOCAL = "local"  # the "container" of files downloaded into the export's temporary folder
INDEX = "index.csv"
INDEX_COLUMNS = (
    "file",
    "meeting_id",
    "meeting_uuid",
    "topic",
    "start_utc",
    "item_key",
    "copy",
    "subject",
    "attachments",
)
COMPLETE = "complete record"
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def export_eml(deps: Deps, uuid: str, out_dir: Path, *, viewer: str | None = None) -> list[Path]:
    """Write one .eml per item the meeting would become, and the folder's index.csv; returns the
    .eml paths written. A folder whose index.csv export-eml did not write is refused."""
    try:
        meeting = fetch_meeting(deps.sources, uuid)
    except NotFoundError:
        meeting = fetch_meeting(deps.webinar_sources, uuid)  # a webinar nobody recorded
    plans, items = plan(deps, [FileSpec(f.file_id, f.size) for f in meeting.completed_files])
    out_dir.mkdir(parents=True, exist_ok=True)
    index = read_index(out_dir / INDEX)
    copy_name = f"as received by {viewer.lower()}" if viewer else COMPLETE
    archived_at = deps.clock()
    written: list[Path] = []
    try:
        with tempfile.TemporaryDirectory(prefix="zoom-export-") as tmp:
            folder = Path(tmp)
            staged, missing = _download(deps, meeting, plans, folder)
            texts = {
                s.file_id: ((folder / s.file_id).read_bytes()[:TEXT_LIMIT], s.size > TEXT_LIMIT)
                for s in staged
                if s.kind in TEXT_KINDS and s.container == LOCAL
            }
            doc = staged_meeting(
                meeting.key, 0, meeting, staged, items, missing=missing, texts=texts, notes=()
            )
            heard = chat_audiences(doc, identities(meeting, {}))
            seen_as = (
                Viewer(
                    frozenset({identity_of(viewer.lower(), "", {})}),
                    host=viewer.lower() == (meeting.host_email or "").lower(),
                    emails=frozenset({viewer.lower()}),
                )
                if viewer
                else Viewer(frozenset(), complete=True)
            )
            copy = mailbox_copy(
                doc,
                heard,
                seen_as,
                staging_container=LOCAL,
                withheld_note="this is a participant's copy",
                archived_at=archived_at,
            )
            made = {g.blob_name: g.data for g in copy.generated}

            def read(ref: AttachmentRef) -> bytes:
                if ref.blob_name in made:
                    return made[ref.blob_name]
                with (folder / ref.file_id).open("rb") as handle:
                    handle.seek(ref.offset)
                    return handle.read(ref.size)

            for message, item in zip(copy.messages, doc.items, strict=True):
                wanted = eml_file_name(
                    meeting.start_time,
                    meeting.topic,
                    part=item.number or None,
                    part_count=item.count or None,
                    revision=doc.revision,
                    viewer=viewer.lower() if viewer else None,
                )
                name = _file_name(out_dir, index, wanted, message.item_key, copy_name)
                path = out_dir / name
                path.write_bytes(to_eml(message, read))
                written.append(path)
                index[name] = _index_row(name, meeting, message, copy_name)
    finally:
        # What was written is indexed, even when a later item failed.
        write_index(out_dir / INDEX, index.values(), present=out_dir)
    return written


def _file_name(
    folder: Path, index: dict[str, dict[str, str]], wanted: str, key: str, copy_name: str
) -> str:
    """The item's earlier file in this folder, else `wanted` made unique (case-insensitively)."""
    for name, row in index.items():
        if row["item_key"] == key and row["copy"] == copy_name:
            return name
    taken = {p.name.casefold() for p in folder.iterdir()} | {n.casefold() for n in index}
    stem = wanted.removesuffix(".eml")
    name, number = wanted, 1
    while name.casefold() in taken:
        number += 1
        name = f"{stem} ({number}).eml"
    return name


def _index_row(
    name: str, meeting: Meeting, message: ArchiveMessage, copy_name: str
) -> dict[str, str]:
    return {
        "file": name,
        "meeting_id": str(meeting.meeting_id),
        "meeting_uuid": meeting.uuid,
        "topic": clean_text(meeting.topic, limit=MAX_TOPIC),
        "start_utc": f"{meeting.start_time:%Y-%m-%dT%H:%M:%SZ}",
        "item_key": message.item_key,
        "copy": copy_name,
        "subject": message.subject,
        "attachments": "; ".join(
            f"{a.name} ({a.size:,} bytes, SHA-256 {a.sha256})" for a in message.attachments
        ),
    }


def read_index(path: Path) -> dict[str, dict[str, str]]:
    """The rows of a folder's index.csv by file name ({} when there is none yet)."""
    if not path.exists():
        return {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != INDEX_COLUMNS:
            raise ValueError(
                f"{path} is not an index written by export-eml (columns "
                f"{', '.join(INDEX_COLUMNS)}); move it away or export to another folder"
            )
        rows = list(reader)
    for number, row in enumerate(rows, start=2):
        if None in row or any(v is None for v in row.values()):
            raise ValueError(f"{path}:{number}: the row does not have the index's columns")
        if not _plain_name(row["file"]):
            raise ValueError(f"{path}:{number}: {row['file']!r} is not a file name in the folder")
    return {row["file"]: row for row in rows}


def _plain_name(name: str) -> bool:
    """A name of a file directly in the folder (an edited index never names a path)."""
    return name not in ("", ".", "..") and Path(name).name == name and "\\" not in name


def write_index(path: Path, rows: Iterable[dict[str, str]], *, present: Path) -> None:
    """Write index.csv (UTF-8 with BOM, for spreadsheets) atomically: the rows whose file is in
    `present`, by start and then file name."""
    kept = sorted(
        (r for r in rows if (present / r["file"]).is_file()),
        key=lambda r: (r["start_utc"], r["file"].removesuffix(".eml")),
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(INDEX_COLUMNS)
    writer.writerows([_cell(row[c]) for c in INDEX_COLUMNS] for row in kept)
    partial = path.with_name(f"{path.name}.partial")
    partial.write_text(out.getvalue(), encoding="utf-8-sig", newline="")
    os.replace(partial, path)


def _cell(value: str) -> str:
    """A value a spreadsheet shows as text (never evaluates as a formula)."""
    return f"'{value}" if value.startswith(_FORMULA) else value


def _download(
    deps: Deps,
    meeting: Meeting,
    plans: Sequence[FilePlan],
    folder: Path,
) -> tuple[list[StagedFile], list[MissingFile]]:
    staged: list[StagedFile] = []
    missing: list[MissingFile] = []
    by_id = {f.file_id: f for f in meeting.files}
    for plan_ in plans:
        file = by_id[plan_.file_id]
        kept = plan_.disposition in ("attach", "split")
        digest = hashlib.sha256()
        size = 0
        held = deps.interactions.held.get(meeting.uuid, file.file_id)
        if kept and held is not None:
            # Polls, Q&A, survey, summary: the bytes the source fetched (no download URL).
            (folder / file.file_id).write_bytes(held)
            digest.update(held)
            size = len(held)
        elif kept:
            try:
                with (
                    (folder / file.file_id).open("wb") as handle,
                    deps.zoom.open_download(file.download_url) as download,
                ):
                    for chunk in download:
                        digest.update(chunk)
                        handle.write(chunk)
                        size += len(chunk)
            except PermanentError as error:
                missing.append(MissingFile(file.file_id, describe(file), error.message[:500]))
                continue
        staged.append(
            staged_file(
                meeting,
                file,
                plan_,
                size=size if kept else file.size,
                sha256=digest.hexdigest() if kept else "",
                blob_name=file.file_id,
                container=LOCAL if kept else "",
                # An oversize linked file is in archive storage, not in this export.
                disposition="skip" if plan_.disposition == "link" else None,
                note=("not included in this export: " + (plan_.note or "")) if plan_.note else None,
                part_sha256=functools.partial(_part_sha256, folder / file.file_id),
            )
        )
    return staged, missing


def _part_sha256(path: Path, part: Part) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        handle.seek(part.offset)
        remaining = part.size
        while remaining:
            chunk = handle.read(min(1 << 20, remaining))
            if not chunk:
                break
            digest.update(chunk)
            remaining -= len(chunk)
    return digest.hexdigest()
