"""One listing entry of a meeting instance, from any listing (a user's or the account's
recordings, the archive, a webhook): claimed in the ledger and enqueued if it is new, or an update
item numbered for files completed after it was archived.

A meeting is claimed with create_entity, so two runs (or a run and a webhook) never enqueue it
twice. A malformed entry is recorded against its meeting and never stops the listing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from archiver.adapters.ledger import json_field
from archiver.bootstrap import Deps
from archiver.core import states
from archiver.core.addresses import is_meeting_uuid
from archiver.core.archive import listing_files
from archiver.core.contracts import WorkItem
from archiver.core.fields import object_list, parse_time, shown
from archiver.core.keys import meeting_key, revision_key
from archiver.core.model import COMPLETED, file_identities
from archiver.errors import InvalidInputError

log = logging.getLogger(__name__)

ARCHIVED = (states.STAGED, states.IMPORTED, states.PARTIAL)
WEBINAR_TYPES = (5, 6, 9)  # Zoom's meeting `type` of a webinar instance


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


def not_ready(deps: Deps, recording: Mapping[str, Any]) -> bool:
    grace = deps.settings.transcript_grace_minutes
    return is_processing(recording) or in_grace(recording, deps.clock(), grace)


BAD_INPUT = "bad-input"


def bad_input_text(recording: Any) -> str:
    try:
        validate(recording)
    except InvalidInputError as error:
        uuid = recording.get("uuid") if isinstance(recording, Mapping) else None
        return f"meeting {uuid!r}: {error}" if uuid else str(error)
    return "bad input"


def validate(recording: Any) -> str:
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
        uuid = validate(recording)
        processing = not_ready(deps, recording)
        signature = listing_signature(uuid, recording, processing)
    except InvalidInputError as error:
        _record_bad_input(deps, recording, error, source)
        return BAD_INPUT
    if deps.seen.has(signature):
        # This process already acted on this very listing: nothing can be new in it (what the
        # ledger may still need, the sweep does). Repeated listings cost no storage calls.
        return "known"
    outcome = _consider(deps, recording, uuid, processing, source)
    deps.seen.add(signature)
    return outcome


def listing_signature(uuid: str, recording: Mapping[str, Any], processing: bool) -> str:
    """What a listing entry says that can change what is to be done: its files and their
    states (and whether the meeting is still being processed)."""
    files = listed_files(recording)
    states_of = [str(f.get("status") or COMPLETED).lower() for f in files]
    ids = [file_id for file_id, _ in file_identities(uuid, files)]
    pairs = sorted(f"{i}:{s}" for i, s in zip(ids, states_of, strict=True))
    return "|".join([uuid, str(processing), *pairs])


def _consider(
    deps: Deps, recording: Mapping[str, Any], uuid: str, processing: bool, source: str
) -> str:
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
    if is_webinar(recording):
        fields["kind"] = "webinar"  # staged from the webinar sources (steps/staging.py)
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


def is_webinar(recording: Mapping[str, Any]) -> bool:
    """True for a webinar's listing entry: the meeting history's webinars, or a recording or
    report of Zoom meeting type 5, 6 or 9 (webinar, recurring webinar)."""
    return recording.get("kind") == "webinar" or recording.get("type") in WEBINAR_TYPES


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
    """Claim update `revision` and enqueue it; False when it was claimed and enqueued already.

    A claim a crash left without its work item is enqueued now, as a first item's is.
    """
    key = revision_key(uuid, revision)
    if not deps.ledger.claim_meeting(
        key, {**fields, "revision": revision, "state": states.CLAIMED}
    ):
        row = deps.ledger.find_meeting(key)
        if row is None or row.get("state") != states.CLAIMED:
            return False
    enqueue(deps, key, WorkItem(uuid, source=source, revision=revision))
    return True


def _meeting_id(recording: Mapping[str, Any]) -> int:
    value = recording.get("id")
    return (
        int(value) if isinstance(value, int) or (isinstance(value, str) and value.isdigit()) else 0
    )


def enqueue(deps: Deps, key: str, item: WorkItem) -> None:
    """Send the work item, then mark the ledger row queued (a crash in between is swept).

    Marked only if the row is as it was just before the send: a worker may take the message
    and stage the meeting first (a Table write retried under throttling takes seconds), and
    `queued` must not take `staged` back.
    """
    row = deps.ledger.find_meeting(key)
    deps.queues.send(deps.settings.meetings_queue, item.to_json())
    queued = {"state": states.QUEUED, "queued_at": deps.clock().isoformat()}
    deps.ledger.update_meeting(key, queued, etag=row["_etag"] if row is not None else None)
