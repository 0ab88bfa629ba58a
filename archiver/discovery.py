"""Discover (timer): find new meeting instances, claim them in the ledger, enqueue a work item each.

Per user: recordings since that user's checkpoint (first run: INITIAL_LOOKBACK_DAYS back), each
window overlapping the previous one by a day. A meeting is claimed with create_entity, so two runs
(or a run and a webhook) never enqueue it twice; the checkpoint only moves after the enqueues
succeeded. The sweep then re-checks meetings whose files were still processing, re-enqueues claims
a crash left behind, and re-fires imports that stalled.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from archiver import ledger as states
from archiver import telemetry
from archiver.contracts import WorkItem, manifest_blob
from archiver.deps import Deps
from archiver.errors import ArchiverError, NotFoundError
from archiver.keys import meeting_key, revision_key
from archiver.ledger import json_field

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


def is_processing(recording: dict[str, Any]) -> bool:
    """True while any of a meeting's files is not yet completed at Zoom."""
    files = [*recording.get("recording_files", []), *recording.get("participant_audio_files", [])]
    return any(str(f.get("status", "completed")).lower() != "completed" for f in files)


def in_grace(recording: dict[str, Any], now: datetime, grace_minutes: int) -> bool:
    """True while TRANSCRIPT_GRACE_MINUTES have not passed since the recording ended."""
    if grace_minutes <= 0:
        return False
    ends = [str(f.get("recording_end", "")) for f in recording.get("recording_files", [])]
    ends = [e for e in ends if e]
    if not ends:
        return False
    ended = datetime.fromisoformat(max(ends).replace("Z", "+00:00"))
    return now < ended + timedelta(minutes=grace_minutes)


def _not_ready(deps: Deps, recording: dict[str, Any]) -> bool:
    grace = deps.settings.transcript_grace_minutes
    return is_processing(recording) or in_grace(recording, deps.clock(), grace)


def run_discovery(deps: Deps) -> DiscoveryResult:
    """One discovery cycle: every user's new recordings, then the sweep."""
    now = deps.clock()
    result = DiscoveryResult()
    deps.ledger.record_run({"started_at": now.isoformat(), "state": "running"})
    for user in list_all_users(deps):
        result.users += 1
        try:
            _discover_user(deps, user, now, result)
        except ArchiverError as error:
            # One user's failure must not stop the others; their checkpoint stays put, so the
            # next run covers the same window again.
            result.errors.append(f"user {user.get('id')}: {error}")
            log.warning("discovery failed for a user", extra={"error": error.reason})
    sweep(deps, result)
    deps.ledger.record_run(
        {
            "finished_at": deps.clock().isoformat(),
            "state": "failed" if result.errors else "ok",
            "users": result.users,
            "counts": dict(result.counts),
            "errors": result.errors[:20],
        }
    )
    telemetry.MEETINGS.add(result.counts.get("enqueued", 0), {"stage": "discovered"})
    log.info("discovery finished", extra={"users": result.users, **result.counts})
    return result


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
        result.counts[consider(deps, recording, source="poll")] += 1
    deps.ledger.set_checkpoint(user_id, today)


def consider(deps: Deps, recording: dict[str, Any], *, source: str) -> str:
    """Claim and enqueue one meeting instance if it is new; returns what happened."""
    uuid = str(recording["uuid"])
    key = meeting_key(uuid)
    processing = _not_ready(deps, recording)
    fields = {
        "uuid": uuid,
        "meeting_id": int(recording.get("id") or 0),
        "topic": str(recording.get("topic", ""))[:500],
        "host_email": str(recording.get("host_email", "")),
        "start_time": str(recording.get("start_time", "")),
        "source": source,
        "state": states.WAITING if processing else states.CLAIMED,
    }
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


def _maybe_update(
    deps: Deps, row: dict[str, Any], recording: dict[str, Any], fields: dict[str, Any], source: str
) -> str:
    """Files completed after the meeting was archived (a late transcript) get an update item."""
    done = set(json_field(row, "archived_files", []))
    files = [*recording.get("recording_files", []), *recording.get("participant_audio_files", [])]
    new = {
        str(f["id"])
        for f in files
        if f.get("id") and str(f.get("status", "completed")).lower() == "completed"
    } - done
    if not done or not new:
        return "known"
    revision = int(row.get("revisions") or 0) + 1
    # The etag makes a webhook and a polling run that see the same new file agree on one update.
    if not deps.ledger.update_meeting(row["RowKey"], {"revisions": revision}, etag=row["_etag"]):
        return "known"
    uuid = str(recording["uuid"])
    key = revision_key(uuid, revision)
    deps.ledger.claim_meeting(key, {**fields, "revision": revision, "state": states.CLAIMED})
    enqueue(deps, key, WorkItem(uuid, source=source, revision=revision))
    return "update-enqueued"


def enqueue(deps: Deps, key: str, item: WorkItem) -> None:
    """Send the work item, then mark the ledger row queued (a crash in between is swept)."""
    deps.queues.send(deps.settings.meetings_queue, item.to_json())
    deps.ledger.update_meeting(key, {"state": states.QUEUED, "queued_at": deps.clock().isoformat()})


def sweep(deps: Deps, result: DiscoveryResult) -> None:
    """Re-check waiting meetings, recover stale claims, re-fire stalled imports."""
    now = deps.clock()
    for row in deps.ledger.list_meetings(states=(states.WAITING, states.CLAIMED, states.STAGED)):
        key, state = row["RowKey"], row.get("state")
        age = now - datetime.fromisoformat(str(row.get("updated_at") or now.isoformat()))
        try:
            if state == states.WAITING:
                result.counts[_recheck(deps, row, now)] += 1
            elif state == states.CLAIMED and age > STALE_CLAIM:
                revision = int(row.get("revision") or 0)
                enqueue(deps, key, WorkItem(str(row["uuid"]), source="sweep", revision=revision))
                result.counts["re-enqueued"] += 1
            elif state == states.STAGED and age > STALE_STAGED:
                result.counts[_refire_import(deps, row)] += 1
        except ArchiverError as error:
            result.errors.append(f"meeting {key}: {error}")


def _recheck(deps: Deps, row: dict[str, Any], now: datetime) -> str:
    uuid = str(row["uuid"])
    created = datetime.fromisoformat(str(row.get("created_at") or now.isoformat()))
    expired = now - created > timedelta(hours=deps.settings.processing_give_up_hours)
    try:
        recording = deps.zoom.get_recordings(uuid)
    except NotFoundError:
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
