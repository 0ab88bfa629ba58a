"""Render a meeting to .eml for review, straight from Zoom (nothing is written to storage).

By default the complete record, as the compliance mailbox receives it; `--for ADDRESS` renders
what that participant's mailbox receives instead (their direct messages only).
"""

from __future__ import annotations

import functools
import hashlib
import tempfile
from collections.abc import Sequence
from pathlib import Path

from archiver.bootstrap import Deps
from archiver.core.converter import AttachmentRef, to_eml
from archiver.core.model import Meeting
from archiver.core.planning import FilePlan, FileSpec, Part
from archiver.core.privacy import Viewer, identities, identity_of
from archiver.core.staged import MissingFile, StagedFile
from archiver.core.views import chat_audiences, mailbox_copy
from archiver.errors import PermanentError
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


def export_eml(deps: Deps, uuid: str, out_dir: Path, *, viewer: str | None = None) -> list[Path]:
    """Write one .eml per item the meeting would become; returns the paths written."""
    meeting = fetch_meeting(deps.sources, uuid)
    plans, items = plan(deps, [FileSpec(f.file_id, f.size) for f in meeting.completed_files])
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
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
            Viewer(frozenset({identity_of(viewer.lower(), "", {})}))
            if viewer
            else Viewer(frozenset(), complete=True)
        )
        copy = mailbox_copy(
            doc,
            heard,
            seen_as,
            staging_container=LOCAL,
            withheld_note="this is a participant's copy",
        )
        made = {g.blob_name: g.data for g in copy.generated}

        def read(ref: AttachmentRef) -> bytes:
            if ref.blob_name in made:
                return made[ref.blob_name]
            with (folder / ref.file_id).open("rb") as handle:
                handle.seek(ref.offset)
                return handle.read(ref.size)

        for message in copy.messages:
            path = out_dir / f"{message.item_key}.eml"
            path.write_bytes(to_eml(message, read))
            written.append(path)
    return written


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
        if kept:
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
