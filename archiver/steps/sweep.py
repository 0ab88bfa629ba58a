"""The ledger sweep (each discovery run): re-check meetings whose files were still processing,
re-enqueue claims a crash left behind, finish fan-outs that stopped and re-fire imports that
stalled. Its Zoom calls follow the meetings waiting, never the number of users.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from archiver.bootstrap import Deps
from archiver.core import states
from archiver.core.contracts import WorkItem, manifest_blob
from archiver.errors import ArchiverError, NotFoundError
from archiver.sources.archiving import unavailable
from archiver.steps.claims import enqueue, not_ready
from archiver.steps.later import sweep_waiting
from archiver.steps.staging import finalize
from archiver.steps.summaries import sweep_summaries

log = logging.getLogger(__name__)

# A claim older than this without a queued work item was left by a crash between claim and enqueue.
STALE_CLAIM = timedelta(minutes=5)
# A staged meeting not imported after this long gets its manifest re-written (fires import again).
STALE_STAGED = timedelta(minutes=30)


def sweep(deps: Deps, counts: Counter[str], errors: list[str]) -> None:
    """Re-check waiting meetings, recover stale claims, finish stalled staging and imports."""
    now = deps.clock()
    watched = (states.WAITING, states.CLAIMED, states.STAGING, states.STAGED)
    for row in deps.ledger.list_meetings(states=watched):
        key, state = row["RowKey"], row.get("state")
        age = now - datetime.fromisoformat(str(row.get("updated_at") or now.isoformat()))
        try:
            if state == states.WAITING:
                counts[_recheck(deps, row, now)] += 1
            elif state == states.CLAIMED and age > STALE_CLAIM:
                revision = int(row.get("revision") or 0)
                enqueue(deps, key, WorkItem(str(row["uuid"]), source="sweep", revision=revision))
                counts["re-enqueued"] += 1
            elif state == states.STAGING and age > STALE_STAGED:
                counts[_finish_staging(deps, row)] += 1
            elif state == states.STAGED and age > STALE_STAGED:
                counts[_refire_import(deps, row)] += 1
        except ArchiverError as error:
            errors.append(f"meeting {key}: {error}")
    sweep_summaries(deps, counts, errors)
    sweep_waiting(deps, counts, errors)


def _recheck(deps: Deps, row: dict[str, Any], now: datetime) -> str:
    uuid = str(row["uuid"])
    created = datetime.fromisoformat(str(row.get("created_at") or now.isoformat()))
    expired = now - created > timedelta(hours=deps.settings.processing_give_up_hours)
    recording = current_listing(deps, uuid)
    if recording is None:
        # meeting.ended arrives before any recording exists; a meeting without cloud content
        # never gets one. Wait up to the give-up age, then archive it as a meeting nobody
        # recorded (ARCHIVE_UNRECORDED: its details and participants; a recording found later
        # is an update item), or record that there was nothing. The meeting history usually
        # settles it long before: it says whether the meeting was recorded.
        if expired and deps.settings.archive_unrecorded:
            note = (
                f"no recording appeared within {deps.settings.processing_give_up_hours} h of "
                "the meeting's end: archived as a meeting nobody recorded"
            )
            enqueue(deps, row["RowKey"], WorkItem(uuid, source="sweep", note=note))
            return "unrecorded-enqueued"
        if expired:
            # Unless a listing claimed it while Zoom was asked.
            fields = {"state": states.NO_CONTENT}
            if deps.ledger.update_meeting(row["RowKey"], fields, etag=row["_etag"]):
                return "no-content"
            return "claimed-meanwhile"
        return "waiting"
    if not not_ready(deps, recording):
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
