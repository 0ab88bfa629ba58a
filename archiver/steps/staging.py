"""Stage (queue triggers): fetch a meeting, copy its files Zoom -> Blob, write the staged meeting.

stage_meeting fetches the meeting (archiver/sources/), plans where each file goes, copies small
files itself and fans big ones out to FILES_QUEUE. stage_file copies one big file and counts it in
an etag-guarded barrier on the meeting's ledger row; whoever completes the count writes the staged
meeting and then its manifest (manifests/<key>.json) LAST, the commit marker the import trigger
waits for. One file that cannot be archived (a refused URL, a permanent download error, a file
Zoom marks failed) is left out and named; it never holds back the rest of the meeting.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from archiver.adapters import telemetry
from archiver.adapters.ledger import Entity, json_field
from archiver.adapters.transfer import Copy, copy_to_blob, store_bytes
from archiver.bootstrap import Deps
from archiver.core import states
from archiver.core.contracts import (
    FileWorkItem,
    StagedMeeting,
    WorkItem,
    document_blob,
    manifest_blob,
    snapshot_blob,
)
from archiver.core.interaction_copies import parsed
from archiver.core.keys import meeting_key, revision_key
from archiver.core.model import Meeting, RecordingFile
from archiver.core.planning import MIB, FileSpec
from archiver.core.staged import MissingFile
from archiver.errors import InvalidInputError, PermanentError, TransientError
from archiver.sources.assemble import fetch_meeting
from archiver.sources.interactions import SOURCE as INTERACTIONS
from archiver.sources.interactions import waiting_on_heavy
from archiver.steps.document import (
    TEXT_KINDS,
    Copied,
    content_type_of,
    describe,
    kind_of,
    location,
    plan,
    stage_document,
)

log = logging.getLogger(__name__)

# Stage failures after this many deliveries of the same message go to the poison queue
# (host.json extensions.queues.maxDequeueCount); the ledger says so before that happens.
POISON_AFTER = 5
BARRIER_ATTEMPTS = 20
# The states an import leaves a meeting in.
IMPORTED_STATES = (states.IMPORTED, states.PARTIAL, states.UNMAPPED)
# A meeting in one of these states has its manifest written: a work item for it is a duplicate.
STAGED_STATES = (states.STAGED, *IMPORTED_STATES)
FAILED_AT_ZOOM = "Zoom marked the file as failed; there is nothing to download"


def stage_meeting(deps: Deps, item: WorkItem, *, dequeue_count: int = 1) -> str:
    """Stage one meeting instance; returns "staged", "fanned-out" or "already-staged"."""
    key = revision_key(item.uuid, item.revision)
    row = deps.ledger.find_meeting(key)
    if row is not None and row.get("state") in STAGED_STATES:
        return "already-staged"  # a redelivered or duplicate work item
    try:
        with telemetry.step("stage", meeting=key, attempt=dequeue_count) as step:
            # A work item the sweep or replay sent again may find files an earlier attempt
            # copied: it looks before downloading, as a redelivered message does.
            retry = dequeue_count > 1 or item.source in ("sweep", "replay")
            step["outcome"] = _stage_meeting(deps, key, item, row, retry=retry)
            return str(step["outcome"])
    except Exception as error:
        _record_failure(deps, key, item.uuid, error, dequeue_count)
        raise


def _stage_meeting(deps: Deps, key: str, item: WorkItem, row: Entity | None, *, retry: bool) -> str:
    # A webinar (its row says so) is asked of the webinar APIs; update rows copy the kind.
    kind = str((row or {}).get("kind") or "meeting")
    meeting = fetch_meeting(deps.sources_for(kind), item.uuid)
    candidates = meeting.completed_files
    missing = [MissingFile(f.file_id, describe(f), FAILED_AT_ZOOM) for f in meeting.failed_files]
    if item.revision:
        # An update item carries the files assigned to it when it was numbered; one numbered
        # without any (an older row) carries what no item carries or was promised.
        assigned, done = _update_files(deps, item.uuid, item.revision)
        candidates = tuple(
            f for f in candidates if (f.file_id in assigned if assigned else f.file_id not in done)
        )
        missing = []  # files Zoom failed were named by the first item already
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
    plans, _ = plan(deps, [FileSpec(f.file_id, f.size) for f in candidates])
    dispositions = {p.file_id: p.disposition for p in plans}
    threshold = deps.settings.fanout_threshold_mb * MIB
    to_copy = [f for f in candidates if dispositions[f.file_id] != "skip"]
    # Interactions are copied from the bytes this invocation fetched: never fanned out.
    big = [f for f in to_copy if f.size > threshold and f.source != INTERACTIONS]
    copied = Copied()
    for file in to_copy:
        if file not in big:
            failure = _copy(
                deps, key, meeting, file, dispositions[file.file_id], resume=retry, keep=copied
            )
            if failure is not None:
                missing.append(failure)
    snapshot = {
        "meeting": meeting.to_dict(),
        "dispositions": dispositions,
        "missing": [asdict(m) for m in missing],
        "note": item.note,
        "revision": item.revision,
    }
    if big:
        # stage_file and the last file's finalize work from this snapshot, not from Zoom again.
        deps.blobs.write_json(deps.settings.staging_container, snapshot_blob(key), snapshot)
        _arm_barrier(deps, key, meeting, item.revision, row=row, total=len(big))
        for file in big:
            work = FileWorkItem(meeting.uuid, file.file_id, item.revision)
            deps.queues.send(deps.settings.files_queue, work.to_json())
        log.info("meeting fanned out", extra={"meeting": key, "files": len(big)})
        return "fanned-out"
    identity = _identity(meeting, item.revision)
    if row is None:  # a work item nobody claimed (an admin's): the row starts here
        identity.update(source="stage", created_at=deps.clock().isoformat())
    return _finalize(deps, key, snapshot, copied, identity=identity)


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
            key,
            {"state": states.STAGING, "files_total": total, "files_done": [], "files_missing": []},
        )


def stage_file(deps: Deps, item: FileWorkItem, *, dequeue_count: int = 1) -> str:
    """Copy one fanned-out file, count it, and finalize when it was the last."""
    key = revision_key(item.uuid, item.revision)
    row = deps.ledger.find_meeting(key)
    if row is not None and row.get("state") in STAGED_STATES:
        # A redelivered message: the import may have run and cleaned staging, snapshot too.
        return "already-staged"
    try:
        snapshot = deps.blobs.read_json(deps.settings.staging_container, snapshot_blob(key))
        meeting = Meeting.from_dict(snapshot["meeting"])
        dispositions: dict[str, str] = snapshot["dispositions"]
        file = next((f for f in meeting.files if f.file_id == item.file_id), None)
        if file is None or item.file_id not in dispositions:
            raise InvalidInputError(f"file work item: file {item.file_id!r} is not in the meeting")
        with telemetry.step("stage-file", meeting=key, bytes=file.size, attempt=dequeue_count):
            failure = _copy(deps, key, meeting, file, dispositions[item.file_id])
        if _count_done(deps, key, item.file_id, failure):
            finalize(deps, key)
            return "staged"
        return "counted"
    except Exception as error:
        _record_failure(deps, key, item.uuid, error, dequeue_count)
        raise


def _count_done(deps: Deps, key: str, file_id: str, failure: MissingFile | None) -> bool:
    """Add the file to the meeting's done set (etag-guarded); True when every file is done."""
    for _ in range(BARRIER_ATTEMPTS):
        row = deps.ledger.get_meeting(key)
        done = set(json_field(row, "files_done", []))
        total = int(row.get("files_total") or 0)
        if file_id in done:
            return len(done) >= total  # a redelivered message: finalize is idempotent
        done.add(file_id)
        fields: dict[str, Any] = {"files_done": sorted(done)}
        if failure is not None:
            fields["files_missing"] = [*json_field(row, "files_missing", []), asdict(failure)]
        if deps.ledger.update_meeting(key, fields, etag=row["_etag"]):
            return len(done) >= total
    raise TransientError(f"meeting {key}: barrier kept changing; will retry", meeting=key)


def finalize(deps: Deps, key: str) -> None:
    """Write the staged meeting from the staged files, and the manifest last (idempotent).

    A manifest already there was written by a delivery that stopped before the ledger said so:
    the ledger is completed from the staged meeting (else the meeting would stay "staging",
    out of the sweep's sight, with no file set for its later updates).
    """
    staging = deps.settings.staging_container
    if deps.blobs.exists(staging, manifest_blob(key)):
        row = deps.ledger.get_meeting(key)
        if row.get("state") not in STAGED_STATES:
            document = deps.blobs.read_json(staging, document_blob(key))
            _record_staged(deps, key, StagedMeeting.from_dict(document))
        return
    snapshot = deps.blobs.read_json(staging, snapshot_blob(key))
    row = deps.ledger.get_meeting(key)
    more = [MissingFile(**m) for m in json_field(row, "files_missing", [])]
    _finalize(deps, key, snapshot, Copied(), more_missing=more)


def _finalize(
    deps: Deps,
    key: str,
    snapshot: dict[str, Any],
    copied: Copied,
    *,
    identity: dict[str, Any] | None = None,
    more_missing: list[MissingFile] | None = None,
) -> str:
    staging = deps.settings.staging_container
    meeting = Meeting.from_dict(snapshot["meeting"])
    revision = int(snapshot.get("revision") or 0)
    missing = [MissingFile(**m) for m in snapshot["missing"]] + (more_missing or [])
    lost = {m.file_id for m in missing}
    stored_in = {fid: d for fid, d in snapshot["dispositions"].items() if fid not in lost}
    missing_rows = [asdict(m) for m in missing]
    if revision and not stored_in:
        # An update whose every file failed again: nothing to deliver; the first item already
        # names these files, and `replay` tries them again.
        reasons = "; ".join(f"{m.description}: {m.reason}" for m in missing)
        deps.ledger.update_meeting(
            key,
            {
                **(identity or {}),
                "state": states.FAILED,
                "missing_files": missing_rows,
                "last_error": f"no file of this update could be archived: {reasons}"[:1000],
            },
        )
        _log(
            deps,
            meeting.uuid,
            "staging-failed",
            meeting_id=meeting.meeting_id,
            topic=meeting.topic,
            error=f"no file of this update could be archived: {reasons}",
        )
        return "nothing-archivable"
    manifest, doc = stage_document(
        deps,
        key,
        meeting,
        stored_in,
        revision=revision,
        missing=missing,
        notes=[str(snapshot["note"])] if snapshot.get("note") else [],
        copied=copied,
    )
    deps.blobs.write_json(staging, manifest.document, doc.to_dict())
    deps.blobs.write_json(staging, manifest_blob(key), manifest.to_dict())
    _record_staged(deps, key, doc, identity=identity)
    return "staged"


def _record_staged(
    deps: Deps, key: str, doc: StagedMeeting, *, identity: dict[str, Any] | None = None
) -> None:
    """The ledger says the meeting is staged, with the files it carries (idempotent).

    An update records its files on the base row first: a crash between the two writes leaves
    the update to be staged again, never its files to be taken for new by the next poll.
    """
    # Files left out for another source's copy of the same content are covered too: never new.
    archived = sorted({f.file_id for f in doc.files} | set(doc.meeting.superseded))
    if doc.revision:
        _record_archived(deps, doc.meeting.uuid, archived)
    fields: dict[str, Any] = {
        **(identity or {}),
        "state": states.STAGED,
        "last_error": "",  # an earlier attempt's error is over
        "bytes": doc.total_bytes,
        "items": len(doc.items),
        "oversize_files": sum(1 for f in doc.files if f.disposition != "attach"),
        "notes": [*doc.notes, *doc.meeting.input_errors, *_interaction_errors(doc)][:50],
        "missing_files": [asdict(m) for m in doc.missing],
        "size_mismatches": [
            {"file_id": f.file_id, "listed": f.listed_size, "served": f.size}
            for f in doc.files
            if f.listed_size is not None
        ],
    }
    if not doc.revision:
        # The first staging makes the base row's set: no update item exists before it.
        fields["archived_files"] = archived
        # Kinds the Heavy budget held back: the sweep fetches them again (steps/later.py).
        waiting = waiting_on_heavy(doc.meeting.notes)
        if waiting:
            fields.update(interactions_waiting=True, interactions_waiting_for=",".join(waiting))
    _write_staged(deps, key, fields)
    lost = "; ".join(f"{m.description}: {m.reason}" for m in doc.missing)
    _log(
        deps,
        doc.meeting.uuid,
        "staged-partial" if doc.missing else "staged",
        meeting_id=doc.meeting.meeting_id,
        topic=doc.meeting.topic,
        bytes_=doc.total_bytes,
        error=f"not archived: {lost}" if lost else "",
    )
    telemetry.MEETINGS.add(1, {"stage": "staged"})
    telemetry.BYTES.add(doc.total_bytes, {"stage": "staged"})


def _write_staged(deps: Deps, key: str, fields: dict[str, Any]) -> None:
    """Record what was staged without undoing an import that finished first: the manifest is
    written before this, and its blob trigger may deliver every mailbox before this write (the
    meeting was left `staged`, delivered, with nothing to fire it again)."""
    for _ in range(BARRIER_ATTEMPTS):
        row = deps.ledger.get_meeting(key)
        if row.get("state") in IMPORTED_STATES:
            fields = {k: v for k, v in fields.items() if k not in ("state", "last_error")}
        if deps.ledger.update_meeting(key, fields, etag=row["_etag"]):
            return
    raise TransientError(f"meeting {key}: its row kept changing; will retry", meeting=key)


def _interaction_errors(doc: StagedMeeting) -> tuple[str, ...]:
    """What Zoom's polls, Q&A, survey and summary answers got wrong (shown in the items too)."""
    found = parsed(doc.interactions)
    return found.input_errors if found is not None else ()


def _log(
    deps: Deps,
    uuid: str,
    outcome: str,
    *,
    meeting_id: int,
    topic: str,
    bytes_: int = 0,
    error: str = "",
) -> None:
    """A staging outcome in the run log (mailbox "": it is the meeting's, not a mailbox's)."""
    deps.runlog.append(
        [
            deps.runlog.entry(
                meeting_id=meeting_id,
                uuid=uuid,
                topic=topic,
                mailbox="",
                outcome=outcome,
                bytes_=bytes_,
                error=error,
            )
        ]
    )


def _update_files(deps: Deps, uuid: str, revision: int) -> tuple[set[str], set[str]]:
    """(files assigned to this update, files archived or promised to any update)."""
    row = deps.ledger.find_meeting(meeting_key(uuid))
    if row is None:
        return set(), set()
    pending: dict[str, int] = json_field(row, "pending_files", {})
    assigned = {f for f, r in pending.items() if r == revision}
    return assigned, set(json_field(row, "archived_files", [])) | set(pending)


def _record_archived(deps: Deps, uuid: str, file_ids: list[str]) -> None:
    """Move file ids from the base row's pending updates to its archived set (etag-guarded:
    updates may race)."""
    base = meeting_key(uuid)
    for _ in range(BARRIER_ATTEMPTS):
        row = deps.ledger.get_meeting(base)
        done = set(json_field(row, "archived_files", [])) | set(file_ids)
        pending = {
            f: r for f, r in json_field(row, "pending_files", {}).items() if f not in file_ids
        }
        fields = {"archived_files": sorted(done), "pending_files": pending}
        if deps.ledger.update_meeting(base, fields, etag=row["_etag"]):
            return
    raise TransientError(f"meeting {base}: archived set kept changing; will retry", meeting=base)


def _copy(
    deps: Deps,
    key: str,
    meeting: Meeting,
    file: RecordingFile,
    disposition: str,
    *,
    resume: bool = True,
    keep: Copied | None = None,
) -> MissingFile | None:
    """Copy one file; a permanent failure is returned as the file's reason, not raised.

    Transient failures (5xx, resets, throttling) raise: the queue retries the work item.
    """
    container, name = location(deps, key, meeting, file, disposition)
    text = kind_of(file) in TEXT_KINDS and disposition == "attach"
    # The archive container is immutable (a retention policy refuses overwrites): a copy an
    # earlier attempt committed there is always kept, even on a first delivery (e.g. replay).
    resume = resume or disposition == "link"
    try:
        copy = _transfer(
            deps, meeting, file, container, name, resume=resume, keep=text and keep is not None
        )
    except PermanentError as error:
        log.warning(
            "file not archived",
            extra={"meeting": key, "file": file.file_id, "error_type": type(error).__name__},
        )
        return MissingFile(file.file_id, describe(file), error.message[:500])
    if file.fingerprint is not None and copy.stored.sha256 != file.fingerprint:
        # Zoom states the file's SHA-256 (encryption_fingerprint): other bytes are not the file.
        # Deleted, so a replay downloads it again instead of keeping what was received.
        if disposition != "link":  # the archive container keeps what it was given (WORM)
            deps.blobs.delete(container, [name])
        log.warning("file fingerprint mismatch", extra={"meeting": key, "file": file.file_id})
        return MissingFile(
            file.file_id,
            describe(file),
            f"the SHA-256 of the bytes downloaded ({copy.stored.sha256}) is not the "
            f"encryption_fingerprint Zoom states ({file.fingerprint}); not archived",
        )
    if keep is not None:
        keep.files[name] = copy.stored
        if copy.content is not None:
            keep.texts[file.file_id] = copy.content
    return None


def _transfer(
    deps: Deps,
    meeting: Meeting,
    file: RecordingFile,
    container: str,
    name: str,
    *,
    resume: bool,
    keep: bool,
) -> Copy:
    """Download a Zoom file into its blob, or store an interaction's fetched bytes."""
    if file.source == INTERACTIONS:
        data = deps.interactions.held.get(meeting.uuid, file.file_id)
        if data is None:
            # Held only by the invocation that fetched it: another fetch brings it again.
            raise TransientError(
                f"{describe(file)}: its fetched content is not held here; will fetch again",
                meeting=meeting.key,
            )
        return store_bytes(
            deps.blobs,
            data,
            container=container,
            name=name,
            content_type=content_type_of(file),
            resume=resume,
        )
    return copy_to_blob(
        deps.zoom,
        deps.blobs,
        url=file.download_url,
        container=container,
        name=name,
        content_type=content_type_of(file),
        resume=resume,
        keep_content=keep,
    )


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
        row = deps.ledger.find_meeting(key)
        if row is not None and row.get("state") in STAGED_STATES:
            # Another delivery of the work item staged it meanwhile: this one's failure
            # changes nothing of the meeting (it once marked imported meetings failed).
            log.warning("a duplicate work item failed", extra={"meeting": key})
            return
        if row is not None:
            deps.ledger.update_meeting(key, fields)
        else:
            row = {}
            deps.ledger.claim_meeting(key, {"uuid": uuid, **fields, "state": states.FAILED})
        _log(
            deps,
            uuid,
            "staging-failed" if final else "staging-retrying",
            meeting_id=int(row.get("meeting_id") or 0),
            topic=str(row.get("topic") or ""),
            error=str(error),
        )
    except Exception:
        log.exception("could not record a staging failure", extra={"meeting": key})
    log.warning(
        "staging failed",
        extra={"meeting": key, "attempt": dequeue_count, "error_type": type(error).__name__},
    )


__all__ = ["finalize", "stage_file", "stage_meeting"]
