"""Render a meeting to .eml for review, straight from Zoom (nothing is written to storage)."""

from __future__ import annotations

import functools
import hashlib
import tempfile
from collections.abc import Sequence
from pathlib import Path

from archiver.converter import AttachmentRef, build_message, to_eml
from archiver.deps import Deps
from archiver.errors import NotFoundError
from archiver.model import Meeting, StagedFile
from archiver.planning import MIB, FilePlan, FileSpec, Part, plan_meeting
from archiver.render import TEXT_KINDS, TEXT_LIMIT, kind_of, staged_file


def export_eml(deps: Deps, uuid: str, out_dir: Path) -> list[Path]:
    """Write one .eml per item the meeting would become; returns the paths written."""
    zoom = deps.zoom
    try:
        past = zoom.get_past_meeting(uuid)
    except NotFoundError:
        past = None
    try:
        participants = zoom.list_participants(uuid)
    except NotFoundError:
        participants = []
    meeting = Meeting.from_zoom(zoom.get_recordings(uuid), past, participants)
    settings = deps.settings
    plans, items = plan_meeting(
        [FileSpec(f.file_id, f.size) for f in meeting.completed_files],
        max_attachment=settings.max_attachment_mb * MIB,
        max_item=settings.max_item_mb * MIB,
        policy=settings.oversize_policy,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="zoom-export-") as tmp:
        staged, texts = _download(deps, meeting, plans, Path(tmp))

        def read(ref: AttachmentRef) -> bytes:
            with (Path(tmp) / ref.file_id).open("rb") as handle:
                handle.seek(ref.offset)
                return handle.read(ref.size)

        for item in items:
            message = build_message(
                meeting,
                staged,
                texts,
                part=item.number or None,
                part_count=item.count or None,
                attach=[a.file_id for a in item.attachments],
            )
            path = out_dir / f"{message.item_key}.eml"
            path.write_bytes(to_eml(message, read))
            written.append(path)
    return written


def _download(
    deps: Deps,
    meeting: Meeting,
    plans: Sequence[FilePlan],
    tmp: Path,
) -> tuple[list[StagedFile], dict[str, bytes]]:
    staged: list[StagedFile] = []
    texts: dict[str, bytes] = {}
    by_id = {f.file_id: f for f in meeting.files}
    for plan in plans:
        file = by_id[plan.file_id]
        digest = hashlib.sha256()
        if plan.disposition in ("attach", "split"):
            with (
                (tmp / file.file_id).open("wb") as handle,
                deps.zoom.open_download(file.download_url, expected_size=file.size) as download,
            ):
                for chunk in download:
                    digest.update(chunk)
                    handle.write(chunk)
        kept = plan.disposition in ("attach", "split")
        staged.append(
            staged_file(
                meeting,
                file,
                plan,
                sha256=digest.hexdigest() if kept else "",
                blob_name=file.file_id,
                # An oversize linked file is in archive storage, not in this export.
                disposition="skip" if plan.disposition == "link" else None,
                note=("not included in this export: " + (plan.note or "")) if plan.note else None,
                part_sha256=functools.partial(_part_sha256, tmp / file.file_id),
            )
        )
        if kind_of(file) in TEXT_KINDS and plan.disposition == "attach":
            texts[file.file_id] = (tmp / file.file_id).read_bytes()[:TEXT_LIMIT]
    return staged, texts


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
