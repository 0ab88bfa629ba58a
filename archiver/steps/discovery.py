"""Discover (timer): find new meeting instances, claim them in the ledger, enqueue a work item each.

Per user: recordings since that user's checkpoint (first run: INITIAL_LOOKBACK_DAYS back), each
window overlapping the previous one by a day. For the account (unless ZOOM_ARCHIVING=off): the
archives completed since the archive checkpoint, in windows of at most 7 days, the first
overlapping the last run's by a day; an archived meeting that was also recorded is one meeting
instance (one key), archived once from both sources. A meeting is claimed with create_entity,
so two runs (or a run and a webhook) never enqueue it twice; the checkpoint only moves after the
enqueues succeeded. The sweep then re-checks meetings whose files were still processing,
re-enqueues claims a crash left behind, and re-fires imports that stalled.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from archiver.adapters import telemetry
from archiver.adapters.ledger import json_field
from archiver.bootstrap import Deps
from archiver.core import states
from archiver.core.addresses import is_meeting_uuid
from archiver.core.archive import listing_files
from archiver.core.contracts import WorkItem, manifest_blob
from archiver.core.fields import object_list, parse_time, shown
from archiver.core.keys import meeting_key, revision_key
from archiver.core.model import COMPLETED, file_identities
from archiver.errors import ArchiverError, InvalidInputError, NotFoundError
from archiver.sources.archiving import unavailable
from archiver.steps.staging import finalize

log = logging.getLogger(__name__)

# A claim older than this without a queued work item was left by a crash between claim and enqueue.
STALE_CLAIM = timedelta(minutes=5)
# A staged meeting not imported after this long gets its manifest re-written (fires import again).
STALE_STAGED = timedelta(minutes=30)
USER_STATUSES = ("active", "inactive")
ARCHIVED = (states.STAGED, states.IMPORTED, states.PARTIAL)


@dataclass
class DiscoveryResult:
    """What one discovery run did."""

    users: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)


ARCHIVE_CHECKPOINT = "account:archive"  # the checkpoint of the account's archive listing


def listed_files(recording: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """A listing's files (recordings, per-participant audio, and an archive's files and files
    shared in its chat); InvalidInputError if malformed."""
    return [
        *object_list(recording, "recording_files", "recording listing"),
        *object_list(recording, "participant_audio_files", "recording listing"),
        *listing_files(recording),
    ]


def is_processing(recording: Mapping[str, Any]) -> bool:
    """True while any of a meeting's files is still being produced at Zoom (not completed or
    failed), or its archive is (an archive object's own `status`)."""
    archive = "archive_files" in recording and str(recording.get("status") or "").lower()
    return archive == "processing" or any(
        str(f.get("status") or COMPLETED).lower() not in (COMPLETED, "failed")
        for f in listed_files(recording)
    )


def in_grace(recording: Mapping[str, Any], now: datetime, grace_minutes: int) -> bool:
    """True while TRANSCRIPT_GRACE_MINUTES have not passed since the recording ended."""
    if grace_minutes <= 0:
        return False
    ends = [
        parse_time(f["recording_end"], "recording listing.recording_end")
        for f in object_list(recording, "recording_files", "recording listing")
        if f.get("recording_end")
    ]
    if not ends:
        return False
    return now < max(ends) + timedelta(minutes=grace_minutes)


def _not_ready(deps: Deps, recording: Mapping[str, Any]) -> bool:
    grace = deps.settings.transcript_grace_minutes
    return is_processing(recording) or in_grace(recording, deps.clock(), grace)


def run_discovery(deps: Deps) -> DiscoveryResult:
    """One discovery cycle: every user's new recordings, then the sweep.

    However it ends, the run is recorded as finished: a crash records "failed" with the
    error before it propagates, so `status` never shows a dead run as running.
    """
    now = deps.clock()
    result = DiscoveryResult()
    deps.ledger.start_run(now)
    try:
        if deps.archiving.active:
            try:
                _discover_archives(deps, now, result)
            except ArchiverError as error:
                # Like one user's failure: the rest goes on, the checkpoint stays put.
                result.errors.append(f"archive listing: {error}")
                log.warning("archive discovery failed", extra={"error": error.reason})
        users = list_all_users(deps)
        for user in users:
            result.users += 1
            try:
                _discover_user(deps, user, now, result)
            except ArchiverError as error:
                # One user's failure must not stop the others; their checkpoint stays put, so
                # the next run covers the same window again.
                result.errors.append(f"user {user.get('id')}: {error}")
                log.warning("discovery failed for a user", extra={"error": error.reason})
        sweep(deps, result)
    except Exception as error:
        result.errors.append(f"discovery stopped: {type(error).__name__}: {error}"[:1000])
        _finish_run(deps, result)
        raise
    _finish_run(deps, result)
    telemetry.MEETINGS.add(result.counts.get("enqueued", 0), {"stage": "discovered"})
    log.info("discovery finished", extra={"users": result.users, **result.counts})
    return result


def _finish_run(deps: Deps, result: DiscoveryResult) -> None:
    deps.ledger.record_run(
        {
            "finished_at": deps.clock().isoformat(),
            "state": "failed" if result.errors else "ok",
            "users": result.users,
            "counts": dict(result.counts),
            "errors": result.errors[:20],
        }
    )


def list_all_users(deps: Deps) -> list[dict[str, Any]]:
    """Every Zoom user, active and inactive (inactive users' recordings still need archiving)."""
    users: dict[str, dict[str, Any]] = {}
    for status in USER_STATUSES:
        for user in deps.zoom.list_users(status=status):
            users.setdefault(str(user["id"]), user)
    return list(users.values())


def _discover_user(
    deps: Deps, user: dict[str, Any], now: datetime, result: DiscoveryResult
) -> None:
    user_id = str(user["id"])
    today = now.date()
    since = deps.ledger.get_checkpoint(user_id)
    if since is None:
        since = today - timedelta(days=deps.settings.initial_lookback_days)
    start = since - timedelta(days=1)  # overlap: a meeting listed late near midnight is not missed
    for recording in deps.zoom.list_recordings(user_id, start=start, end=today):
        outcome = consider(deps, recording, source="poll")
        result.counts[outcome] += 1
        if outcome == BAD_INPUT:
            result.errors.append(f"user {user_id}: {_bad_input_text(recording)}")
    deps.ledger.set_checkpoint(user_id, today)


def _discover_archives(deps: Deps, now: datetime, result: DiscoveryResult) -> None:
    """The account's archives completed since the checkpoint (a day of overlap). With
    ZOOM_ARCHIVING=auto, an account without the feature (or an app without the scope) turns the
    source off and is noted in the run's counts, not as an error."""
    since = deps.ledger.get_checkpoint(ARCHIVE_CHECKPOINT)
    if since is None:
        since = now.date() - timedelta(days=deps.settings.initial_lookback_days)
    start = datetime.combine(since - timedelta(days=1), datetime.min.time(), tzinfo=now.tzinfo)
    try:
        for archived in deps.zoom.list_archive_files(start=start, end=now):
            outcome = consider(deps, archived, source="archive")
            result.counts[outcome] += 1
            if outcome == BAD_INPUT:
                result.errors.append(f"archive: {_bad_input_text(archived)}")
    except ArchiverError as error:
        if deps.settings.zoom_archiving == "auto" and unavailable(error):
            deps.archiving.turn_off(error)
            result.counts["archiving-unavailable"] += 1
            return
        raise
    deps.ledger.set_checkpoint(ARCHIVE_CHECKPOINT, now.date())


BAD_INPUT = "bad-input"


def _bad_input_text(recording: Any) -> str:
    try:
        _validate(recording)
    except InvalidInputError as error:
        uuid = recording.get("uuid") if isinstance(recording, Mapping) else None
        return f"meeting {uuid!r}: {error}" if uuid else str(error)
    return "bad input"


def _validate(recording: Any) -> str:
    """The listing entry's UUID; InvalidInputError naming the field and value when malformed."""
    if not isinstance(recording, Mapping):
        raise InvalidInputError(
            f"recording listing: expected an object, got {type(recording).__name__}"
        )
    uuid = recording.get("uuid")
    if not is_meeting_uuid(uuid):
        raise InvalidInputError(
            f"recording listing.uuid: expected a meeting UUID, got {shown(uuid)}"
        )
    listed_files(recording)
    return str(uuid)


def consider(deps: Deps, recording: Mapping[str, Any], *, source: str) -> str:
    """Claim and enqueue one meeting instance if it is new; returns what happened.

    A malformed listing entry is recorded against its meeting (which field, which value) and
    answers "bad-input": it never stops the run, other meetings or other users.
    """
    try:
        uuid = _validate(recording)
        processing = _not_ready(deps, recording)
    except InvalidInputError as error:
        _record_bad_input(deps, recording, error, source)
        return BAD_INPUT
    key = meeting_key(uuid)
    fields = {
        "uuid": uuid,
        "meeting_id": _meeting_id(recording),
        "topic": str(recording.get("topic", ""))[:500],
        "host_email": str(recording.get("host_email", "")),
        "start_time": str(recording.get("start_time", "")),
        "source": source,
        "state": states.WAITING if processing else states.CLAIMED,
    }
    if "archive_files" in recording:
        # Zoom deletes archive files a set time after this (status warns before it does).
        fields["archive_complete_time"] = str(recording.get("complete_time") or "")
    if deps.ledger.claim_meeting(key, fields):
        if processing:
            return "waiting"
        enqueue(deps, key, WorkItem(uuid, source=source))
        return "enqueued"
    row = deps.ledger.get_meeting(key)
    if row.get("state") == states.CLAIMED:
        enqueue(deps, key, WorkItem(uuid, source=source))
        return "re-enqueued"
    waiting = row.get("state") == states.WAITING and not processing
    if waiting and deps.ledger.update_meeting(key, {"state": states.CLAIMED}, etag=row["_etag"]):
        enqueue(deps, key, WorkItem(uuid, source=source))
        return "enqueued"
    if row.get("state") in ARCHIVED and not processing:
        return _maybe_update(deps, row, recording, fields, source)
    return "known"


def _record_bad_input(deps: Deps, recording: Any, error: InvalidInputError, source: str) -> None:
    """The error on the meeting's row (a failed row when it has none yet); logged regardless."""
    uuid = recording.get("uuid") if isinstance(recording, Mapping) else None
    log.warning("malformed recording listing", extra={"source": source, "error": str(error)[:300]})
    if not is_meeting_uuid(uuid):
        return  # no meeting to record it against: the run's errors name it
    key = meeting_key(str(uuid))
    reason = f"bad input from Zoom ({source}): {error}"[:1000]
    fields = {"uuid": uuid, "source": source, "state": states.FAILED, "last_error": reason}
    if not deps.ledger.claim_meeting(key, fields):
        # Known already: say what is wrong without undoing what was archived.
        deps.ledger.update_meeting(key, {"last_error": reason})


def _maybe_update(
    deps: Deps,
    row: dict[str, Any],
    recording: Mapping[str, Any],
    fields: dict[str, Any],
    source: str,
) -> str:
    """Files completed after the meeting was archived (a late transcript) get an update item.

    The base row assigns each new file to its update (`pending_files`) in the same etag-guarded
    write that numbers the update, before anything is staged: a webhook and a poll that see the
    same file agree on one update, and no later poll takes a file already promised to one for
    new. Files named missing on the first item are not new either: `replay` retries them.
    """
    if row.get("archived_files") is None:
        return "known"  # not archived yet, or archived before the ledger kept file sets
    uuid = str(recording["uuid"])
    files = listed_files(recording)
    completed = {
        file_id
        for f, (file_id, _) in zip(files, file_identities(uuid, files), strict=True)
        if str(f.get("status") or COMPLETED).lower() == COMPLETED
    }
    pending: dict[str, int] = json_field(row, "pending_files", {})
    outcome = "known"
    # An update numbered before a crash kept it from being claimed is claimed now.
    for revision in sorted({pending[f] for f in completed if f in pending}):
        if _claim_update(deps, uuid, revision, fields, source):
            outcome = "update-enqueued"
    done = set(json_field(row, "archived_files", []))
    done |= {m["file_id"] for m in json_field(row, "missing_files", [])}
    new = completed - done - set(pending)
    if not new:
        return outcome
    revision = int(row.get("revisions") or 0) + 1
    assigned = {**pending, **dict.fromkeys(sorted(new), revision)}
    if not deps.ledger.update_meeting(
        row["RowKey"], {"revisions": revision, "pending_files": assigned}, etag=row["_etag"]
    ):
        return "known"  # someone else numbered an update meanwhile: the next look sees it
    _claim_update(deps, uuid, revision, fields, source)
    return "update-enqueued"


def _claim_update(
    deps: Deps, uuid: str, revision: int, fields: dict[str, Any], source: str
) -> bool:
    """Claim update `revision` and enqueue it; False when it was claimed already."""
    key = revision_key(uuid, revision)
    if not deps.ledger.claim_meeting(
        key, {**fields, "revision": revision, "state": states.CLAIMED}
    ):
        return False
    enqueue(deps, key, WorkItem(uuid, source=source, revision=revision))
    return True


def _meeting_id(recording: Mapping[str, Any]) -> int:
    value = recording.get("id")
    return (
        int(value) if isinstance(value, int) or (isinstance(value, str) and value.isdigit()) else 0
    )


def enqueue(deps: Deps, key: str, item: WorkItem) -> None:
    """Send the work item, then mark the ledger row queued (a crash in between is swept)."""
    deps.queues.send(deps.settings.meetings_queue, item.to_json())
    deps.ledger.update_meeting(key, {"state": states.QUEUED, "queued_at": deps.clock().isoformat()})


def sweep(deps: Deps, result: DiscoveryResult) -> None:
    """Re-check waiting meetings, recover stale claims, finish stalled staging and imports."""
    now = deps.clock()
    watched = (states.WAITING, states.CLAIMED, states.STAGING, states.STAGED)
    for row in deps.ledger.list_meetings(states=watched):
        key, state = row["RowKey"], row.get("state")
        age = now - datetime.fromisoformat(str(row.get("updated_at") or now.isoformat()))
        try:
            if state == states.WAITING:
                result.counts[_recheck(deps, row, now)] += 1
            elif state == states.CLAIMED and age > STALE_CLAIM:
                revision = int(row.get("revision") or 0)
                enqueue(deps, key, WorkItem(str(row["uuid"]), source="sweep", revision=revision))
                result.counts["re-enqueued"] += 1
            elif state == states.STAGING and age > STALE_STAGED:
                result.counts[_finish_staging(deps, row)] += 1
            elif state == states.STAGED and age > STALE_STAGED:
                result.counts[_refire_import(deps, row)] += 1
        except ArchiverError as error:
            result.errors.append(f"meeting {key}: {error}")


def _recheck(deps: Deps, row: dict[str, Any], now: datetime) -> str:
    uuid = str(row["uuid"])
    created = datetime.fromisoformat(str(row.get("created_at") or now.isoformat()))
    expired = now - created > timedelta(hours=deps.settings.processing_give_up_hours)
    recording = current_listing(deps, uuid)
    if recording is None:
        # meeting.ended arrives before any recording exists; a meeting without cloud content
        # never gets one. Wait up to the give-up age, then record that there was nothing.
        if expired:
            deps.ledger.update_meeting(row["RowKey"], {"state": states.NO_CONTENT})
            return "no-content"
        return "waiting"
    if not _not_ready(deps, recording):
        enqueue(deps, row["RowKey"], WorkItem(uuid, source="sweep"))
        return "enqueued"
    if expired:
        note = (
            f"gave up waiting for files still processing after "
            f"{deps.settings.processing_give_up_hours} h"
        )
        deps.ledger.update_meeting(row["RowKey"], {"gave_up": note})
        enqueue(deps, row["RowKey"], WorkItem(uuid, source="sweep", note=note))
        return "gave-up-waiting"
    return "waiting"


def current_listing(deps: Deps, uuid: str) -> dict[str, Any] | None:
    """What Zoom lists of the meeting now, from every content source (the archive's files
    beside the recordings'); None when no source has anything yet."""
    merged: dict[str, Any] = {}
    if deps.archiving.active:
        try:
            archive = deps.zoom.get_archive_files(uuid)
            merged = {**archive}
        except NotFoundError:
            pass
        except ArchiverError as error:
            if deps.settings.zoom_archiving != "auto" or not unavailable(error):
                raise
            deps.archiving.turn_off(error)
    try:
        recordings = deps.zoom.get_recordings(uuid)
    except NotFoundError:
        return merged or None
    return {
        **recordings,
        **{k: merged[k] for k in ("archive_files", "physical_files") if k in merged},
    }


def _finish_staging(deps: Deps, row: dict[str, Any]) -> str:
    """A fan-out that stopped: finished from its manifest if that was written, else staged again
    (the files already copied are kept)."""
    key = row["RowKey"]
    if deps.blobs.exists(deps.settings.staging_container, manifest_blob(key)):
        finalize(deps, key)
        return "staging-finished"
    revision = int(row.get("revision") or 0)
    enqueue(deps, key, WorkItem(str(row["uuid"]), source="sweep", revision=revision))
    return "re-enqueued"


def _refire_import(deps: Deps, row: dict[str, Any]) -> str:
    key = row["RowKey"]
    refires = int(row.get("refires") or 0)
    if refires >= deps.settings.max_delivery_attempts:
        deps.ledger.update_meeting(
            key, {"state": states.FAILED, "last_error": f"import retried {refires} times"}
        )
        return "import-abandoned"
    name = manifest_blob(key)
    manifest = deps.blobs.read_json(deps.settings.staging_container, name)
    # Re-writing the manifest gives it a new ETag: the blob trigger fires once more.
    deps.blobs.write_json(deps.settings.staging_container, name, manifest)
    deps.ledger.update_meeting(key, {"refires": refires + 1})
    pending = [d for d in deps.ledger.list_deliveries(key) if d.get("state") != states.COMPLETE]
    log.info("import re-fired", extra={"meeting": key, "pending": len(pending)})
    return "import-refired"
