"""Stage (queue triggers): fetch a meeting, copy its files Zoom -> Blob, render it, write manifest.

stage_meeting fetches details, participants and the file list, plans what goes where, copies small
files itself and fans big ones out to FILES_QUEUE. stage_file copies one big file and counts it in
an etag-guarded barrier on the meeting's ledger row; whoever completes the count renders the items
and writes the manifest (manifests/<key>.json) LAST, the commit marker the import trigger waits for.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from typing import Any

from archiver import ledger as states
from archiver import telemetry
from archiver.blobstore import StoredFile
from archiver.contracts import FileWorkItem, Manifest, WorkItem, manifest_blob, snapshot_blob
from archiver.deps import Deps
from archiver.errors import InvalidInputError, NotFoundError, TransientError
from archiver.keys import meeting_key, revision_key
from archiver.ledger import Entity, json_field
from archiver.model import Meeting, RecordingFile
from archiver.planning import MIB, FilePlan, FileSpec, ItemPlan, Part, plan_meeting
from archiver.render import render_manifest
from archiver.transfer import copy_to_blob

log = logging.getLogger(__name__)

# Stage failures after this many deliveries of the same message go to the poison queue
# (host.json extensions.queues.maxDequeueCount); the ledger says so before that happens.
POISON_AFTER = 5
BARRIER_ATTEMPTS = 20
# A meeting in one of these states has its manifest written: a work item for it is a duplicate.
STAGED_STATES = (states.STAGED, states.IMPORTED, states.PARTIAL, states.UNMAPPED)


def blob_for(key: str, file: RecordingFile) -> str:
    """Where a file is staged (attachments) inside the staging container."""
    return f"{key}/files/{file.file_id}"


def stage_meeting(deps: Deps, item: WorkItem, *, dequeue_count: int = 1) -> str:
    """Stage one meeting instance; returns "staged", "fanned-out" or "already-staged"."""
    key = revision_key(item.uuid, item.revision)
    row = deps.ledger.find_meeting(key)
    if row is not None and row.get("state") in STAGED_STATES:
        return "already-staged"  # a redelivered or duplicate work item
    try:
        with telemetry.step("stage", meeting=key, attempt=dequeue_count) as step:
            step["outcome"] = _stage_meeting(deps, key, item, row, retry=dequeue_count > 1)
            return str(step["outcome"])
    except Exception as error:
        _record_failure(deps, key, item.uuid, error, dequeue_count)
        raise


def _stage_meeting(deps: Deps, key: str, item: WorkItem, row: Entity | None, *, retry: bool) -> str:
    meeting = _fetch(deps, item)
    settings = deps.settings
    candidates = meeting.completed_files
    if item.revision:
        # An update item carries only what completed after the earlier items were made.
        done = archived_files(deps, item.uuid)
        candidates = tuple(f for f in candidates if f.file_id not in done)
        if not candidates:
            deps.ledger.update_meeting(
                key,
                {
                    **_identity(meeting, item.revision),
                    "state": states.NO_CONTENT,
                    "last_error": "no files newer than the archive",
                },
            )
            return "nothing-new"
    file_plans, item_plans = plan_meeting(
        [FileSpec(f.file_id, f.size) for f in candidates],
        max_attachment=settings.max_attachment_mb * MIB,
        max_item=settings.max_item_mb * MIB,
        policy=settings.oversize_policy,
    )
    snapshot = {
        "meeting": meeting.to_dict(),
        "files": [asdict(plan) for plan in file_plans],
        "items": [asdict(plan) for plan in item_plans],
        "note": item.note,
        "revision": item.revision,
    }
    stored = {p.file_id: p for p in file_plans if p.disposition != "skip"}
    files = [f for f in candidates if f.file_id in stored]
    threshold = settings.fanout_threshold_mb * MIB
    big = [f for f in files if f.size > threshold]
    if big:
        # stage_file and the last file's finalize work from this snapshot, not from Zoom again.
        deps.blobs.write_json(settings.staging_container, snapshot_blob(key), snapshot)
        _arm_barrier(deps, key, meeting, item.revision, row=row, total=len(big))
    copied = Copied()
    for file in files:
        if file.size <= threshold:
            _copy(deps, key, meeting, file, stored[file.file_id], resume=retry, keep=copied)
    for file in big:
        work = FileWorkItem(meeting.uuid, file.file_id, item.revision)
        deps.queues.send(settings.files_queue, work.to_json())
    if big:
        log.info("meeting fanned out", extra={"meeting": key, "files": len(big)})
        return "fanned-out"
    identity = _identity(meeting, item.revision)
    if row is None:  # a work item nobody claimed (an admin's): the row starts here
        identity.update(source="stage", created_at=deps.clock().isoformat())
    _finalize(deps, key, snapshot, copied, identity=identity)
    return "staged"


def _fetch(deps: Deps, item: WorkItem) -> Meeting:
    """The meeting from Zoom: recordings, and details and participants where Zoom has them."""
    zoom = deps.zoom
    recordings = zoom.get_recordings(item.uuid)
    try:
        past: dict[str, Any] | None = zoom.get_past_meeting(item.uuid)
    except NotFoundError:
        past = None  # old meetings age out of the past-meeting API; recordings suffice
    try:
        participants = zoom.list_participants(item.uuid)
    except NotFoundError:
        participants = []
    meeting = Meeting.from_zoom(recordings, past, participants)
    if meeting.uuid != item.uuid:
        raise InvalidInputError(f"recordings.uuid: {meeting.uuid!r} differs from the work item")
    return meeting


def _arm_barrier(
    deps: Deps, key: str, meeting: Meeting, revision: int, *, row: Entity | None, total: int
) -> None:
    """Set the fan-out count on the row, unless a redelivery of this fan-out already did.

    Files already counted by an earlier delivery of the same work item must stay counted.
    """
    if row is None:
        deps.ledger.claim_meeting(key, {**_identity(meeting, revision), "source": "stage"})
        row = deps.ledger.get_meeting(key)
    if row.get("files_total") is None or int(row["files_total"]) != total:
        deps.ledger.update_meeting(
            key, {"state": states.STAGING, "files_total": total, "files_done": []}
        )


def stage_file(deps: Deps, item: FileWorkItem, *, dequeue_count: int = 1) -> str:
    """Copy one fanned-out file, count it, and finalize when it was the last."""
    key = revision_key(item.uuid, item.revision)
    try:
        snapshot = deps.blobs.read_json(deps.settings.staging_container, snapshot_blob(key))
        meeting = Meeting.from_dict(snapshot["meeting"])
        plans = {p["file_id"]: _file_plan(p) for p in snapshot["files"]}
        file = next((f for f in meeting.files if f.file_id == item.file_id), None)
        if file is None or item.file_id not in plans:
            raise InvalidInputError(f"file work item: file {item.file_id!r} is not in the meeting")
        with telemetry.step("stage-file", meeting=key, bytes=file.size, attempt=dequeue_count):
            _copy(deps, key, meeting, file, plans[item.file_id])
        if _count_done(deps, key, item.file_id):
            finalize(deps, key)
            return "staged"
        return "counted"
    except Exception as error:
        _record_failure(deps, key, item.uuid, error, dequeue_count)
        raise


def _count_done(deps: Deps, key: str, file_id: str) -> bool:
    """Add the file to the meeting's done set (etag-guarded); True when every file is done."""
    for _ in range(BARRIER_ATTEMPTS):
        row = deps.ledger.get_meeting(key)
        done = set(json_field(row, "files_done", []))
        total = int(row.get("files_total") or 0)
        if file_id in done:
            return len(done) >= total  # a redelivered message: finalize is idempotent
        done.add(file_id)
        if deps.ledger.update_meeting(key, {"files_done": sorted(done)}, etag=row["_etag"]):
            return len(done) >= total
    raise TransientError(f"meeting {key}: barrier kept changing; will retry", meeting=key)


def finalize(deps: Deps, key: str) -> None:
    """Render the items from the staged files and write the manifest last (idempotent)."""
    staging = deps.settings.staging_container
    if deps.blobs.exists(staging, manifest_blob(key)):
        return
    snapshot = deps.blobs.read_json(staging, snapshot_blob(key))
    _finalize(deps, key, snapshot, Copied())


def _finalize(
    deps: Deps,
    key: str,
    snapshot: dict[str, Any],
    copied: Copied,
    *,
    identity: dict[str, Any] | None = None,
) -> None:
    staging = deps.settings.staging_container
    meeting = Meeting.from_dict(snapshot["meeting"])
    plans = [_file_plan(p) for p in snapshot["files"]]
    items = [_item_plan(p) for p in snapshot["items"]]
    revision = int(snapshot.get("revision") or 0)
    manifest, documents = render_manifest(
        deps,
        key,
        meeting,
        plans,
        items,
        note=str(snapshot.get("note") or ""),
        revision=revision,
        known=copied.files,
        texts=copied.texts,
    )
    for name, document in documents.items():
        deps.blobs.write_json(staging, name, document)
    deps.blobs.write_json(staging, manifest_blob(key), manifest.to_dict())
    fields: dict[str, Any] = {
        **(identity or {}),
        "state": states.STAGED,
        "last_error": "",  # an earlier attempt's error is over
        "bytes": manifest.total_bytes,
        "items": len(manifest.items),
        "oversize_files": sum(1 for p in plans if p.disposition != "attach"),
        "notes": list(manifest.notes),
    }
    archived = [p.file_id for p in plans]
    if revision == 0:
        # The first staging makes the base row's set: no update item exists before it.
        fields["archived_files"] = sorted(set(archived))
    deps.ledger.update_meeting(key, fields)
    if revision:
        _record_archived(deps, meeting.uuid, archived)
    telemetry.MEETINGS.add(1, {"stage": "staged"})
    telemetry.BYTES.add(manifest.total_bytes, {"stage": "staged"})


def archived_files(deps: Deps, uuid: str) -> set[str]:
    """File ids already carried by this meeting's items (any revision)."""
    try:
        row = deps.ledger.get_meeting(meeting_key(uuid))
    except NotFoundError:
        return set()
    return set(json_field(row, "archived_files", []))


def _record_archived(deps: Deps, uuid: str, file_ids: list[str]) -> None:
    """Add file ids to the base row's archived set (etag-guarded: updates may race)."""
    base = meeting_key(uuid)
    for _ in range(BARRIER_ATTEMPTS):
        row = deps.ledger.get_meeting(base)
        done = set(json_field(row, "archived_files", [])) | set(file_ids)
        if deps.ledger.update_meeting(base, {"archived_files": sorted(done)}, etag=row["_etag"]):
            return
    raise TransientError(f"meeting {base}: archived set kept changing; will retry", meeting=base)


@dataclass
class Copied:
    """What this invocation copied: stored sizes and hashes, and small text files' content.

    Rendering right after copying uses them instead of asking storage again.
    """

    files: dict[str, StoredFile] = field(default_factory=dict)
    texts: dict[str, bytes] = field(default_factory=dict)


def _copy(
    deps: Deps,
    key: str,
    meeting: Meeting,
    file: RecordingFile,
    plan: FilePlan,
    *,
    resume: bool = True,
    keep: Copied | None = None,
) -> None:
    from archiver.render import TEXT_KINDS, content_type_of, kind_of, link_blob_name

    if plan.disposition == "link":
        container, name = deps.settings.archive_container, link_blob_name(key, meeting, file)
    else:
        container, name = deps.settings.staging_container, blob_for(key, file)
    text = kind_of(file) in TEXT_KINDS and plan.disposition == "attach"
    copy = copy_to_blob(
        deps.zoom,
        deps.blobs,
        url=file.download_url,
        size=file.size,
        container=container,
        name=name,
        content_type=content_type_of(file),
        resume=resume,
        keep_content=text and keep is not None,
    )
    if keep is not None:
        keep.files[name] = copy.stored
        if copy.content is not None:
            keep.texts[file.file_id] = copy.content


def _identity(meeting: Meeting, revision: int) -> dict[str, Any]:
    return {
        "uuid": meeting.uuid,
        "meeting_id": meeting.meeting_id,
        "topic": meeting.topic[:500],
        "host_email": meeting.host_email or "",
        "start_time": meeting.start_time.isoformat(),
        "revision": revision,
    }


def _record_failure(deps: Deps, key: str, uuid: str, error: Exception, dequeue_count: int) -> None:
    final = dequeue_count >= POISON_AFTER or not isinstance(error, TransientError)
    fields: dict[str, Any] = {"last_error": str(error)[:1000], "attempts": dequeue_count}
    if final:
        fields["state"] = states.FAILED
    try:
        if deps.ledger.meeting_exists(key):
            deps.ledger.update_meeting(key, fields)
        else:
            deps.ledger.claim_meeting(key, {"uuid": uuid, **fields, "state": states.FAILED})
    except Exception:
        log.exception("could not record a staging failure", extra={"meeting": key})
    log.warning(
        "staging failed",
        extra={"meeting": key, "attempt": dequeue_count, "error_type": type(error).__name__},
    )


def _file_plan(doc: dict[str, Any]) -> FilePlan:
    return FilePlan(
        doc["file_id"],
        doc["disposition"],
        doc.get("note"),
        tuple(Part(**p) for p in doc.get("parts", [])),
    )


def _item_plan(doc: dict[str, Any]) -> ItemPlan:
    from archiver.planning import Attachment

    return ItemPlan(
        doc["number"],
        doc["count"],
        tuple(
            Attachment(
                a["file_id"], a["offset"], a["size"], Part(**a["part"]) if a.get("part") else None
            )
            for a in doc["attachments"]
        ),
    )


__all__ = ["Manifest", "finalize", "stage_file", "stage_meeting"]
