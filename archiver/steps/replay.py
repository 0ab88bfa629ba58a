"""Repair: move poison messages back to their queues and give failed meetings another go.

A meeting whose item lacks files (a refused URL, a download that failed for good) gets those
files retried as an update item; a meeting whose mailboxes failed gets its import fired again.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from azure.core.exceptions import ResourceNotFoundError
from azure.storage.queue import QueueClient, QueueMessage

from archiver.adapters.ledger import Entity, json_field
from archiver.adapters.queues import BLOB_POISON_QUEUE
from archiver.bootstrap import Deps
from archiver.core import states
from archiver.core.contracts import MANIFESTS_PREFIX, WorkItem, manifest_blob
from archiver.core.keys import meeting_key, revision_key
from archiver.errors import NotFoundError
from archiver.steps.claims import enqueue
from archiver.steps.summaries import summary_arrived

_MANIFEST = re.compile(re.escape(MANIFESTS_PREFIX) + r"([0-9A-Za-z_-]+)\.json")


def replay(
    deps: Deps, *, queue: str | None = None, meeting_uuid: str | None = None
) -> dict[str, Any]:
    """Requeue poison messages (optionally one queue / one meeting) and reset failed deliveries."""
    settings = deps.settings
    queues = [settings.meetings_queue, settings.files_queue, settings.discovery_queue]
    if queue is not None:
        if queue not in queues:
            raise ValueError(f"--queue must be one of {', '.join(queues)}; got {queue!r}")
        queues = [queue]
    moved = {name: _move_poison(deps, name, meeting_uuid) for name in queues}
    refired: set[str] = set()  # meetings whose manifest was re-written
    reset = _reset_meetings(deps, meeting_uuid, refired)
    found = {
        "moved": moved,
        "reset_meetings": reset,
        "blob_poison": _drop_blob_poison(deps, meeting_uuid, refired),
    }
    if meeting_uuid is not None:
        found["summary"] = _summary(deps, meeting_uuid)
    return found


def _summary(deps: Deps, uuid: str) -> str:
    """One meeting's AI Companion summary as Zoom has it now: an update item when its archive
    lacks this version (a webhook that never came)."""
    try:
        summary = deps.zoom.get_meeting_summary(uuid)
    except NotFoundError:
        return "none"
    return summary_arrived(deps, {**summary, "meeting_uuid": uuid}, source="replay")


def _move_poison(deps: Deps, name: str, meeting_uuid: str | None) -> int:
    poison = deps.storage.queue(f"{name}-poison")
    moved = 0
    for message in _drain(poison, lambda m: meeting_uuid is None or _uuid_of(m) == meeting_uuid):
        deps.queues.send(name, message.content)
        poison.delete_message(message)
        moved += 1
    return moved


def _drain(client: QueueClient, wanted: Callable[[Any], bool]) -> Iterator[QueueMessage]:
    """Every message `wanted` accepts; the others are made visible again when done."""
    others: list[QueueMessage] = []
    try:
        while True:
            batch = list(client.receive_messages(messages_per_page=32, visibility_timeout=60))
            if not batch:
                break
            for message in batch:
                if wanted(message.content):
                    yield message
                else:
                    others.append(message)
    except ResourceNotFoundError:
        return
    finally:
        for message in others:
            client.update_message(message, visibility_timeout=0)


def _uuid_of(body: bytes) -> str | None:
    try:
        value = json.loads(body).get("uuid")
    except (ValueError, AttributeError):
        return None
    return str(value) if value else None


def _drop_blob_poison(deps: Deps, meeting_uuid: str | None, refired: set[str]) -> int:
    """Blob-trigger poison messages point at a manifest: moving one back is re-writing that
    manifest (the trigger fires again), unless the reset above did already. A meeting whose
    import went to poison is `staged`, which the reset does not look at: without this, only the
    sweep's STALE_STAGED re-fire would ever finish it."""
    client = deps.storage.queue(BLOB_POISON_QUEUE, base64=False)
    key = meeting_key(meeting_uuid) if meeting_uuid else None
    dropped = 0
    for message in _drain(client, lambda content: key is None or key in _decode(content)):
        found = _MANIFEST.search(_decode(message.content))
        if found and found[1] not in refired and _refire(deps, found[1]):
            refired.add(found[1])
        client.delete_message(message)
        dropped += 1
    return dropped


def _decode(content: bytes | str) -> str:
    """A poison message's text, whether the host wrote it as plain JSON or base64."""
    raw = content.encode() if isinstance(content, str) else content
    try:
        return base64.b64decode(raw, validate=True).decode("utf-8", "replace")
    except ValueError:
        return raw.decode("utf-8", "replace")


def _reset_meetings(deps: Deps, meeting_uuid: str | None, refired: set[str]) -> int:
    wanted = meeting_key(meeting_uuid) if meeting_uuid else None
    # Unmapped meetings too: after a new mapping or FALLBACK_MAILBOX, they have somewhere to go.
    rows = list(deps.ledger.list_meetings(states=(states.FAILED, states.PARTIAL, states.UNMAPPED)))
    # An update that failed is retried as itself; its meeting's missing files ride in it.
    retried = {str(r["uuid"]) for r in rows if int(r.get("revision") or 0)}
    count = 0
    for row in rows:
        key = row["RowKey"]
        if wanted is not None and not key.startswith(wanted):
            continue
        revision = int(row.get("revision") or 0)
        reset = False
        for delivery in deps.ledger.list_deliveries(key):
            if delivery.get("state") == states.FAILED:
                deps.ledger.update_delivery(
                    key, str(delivery["mailbox"]), {"state": states.PENDING, "attempts": 0}
                )
                reset = True
        # Missing files first: it writes the row with the etag read above (_refire reads again).
        if not revision and json_field(row, "missing_files", []) and row["uuid"] not in retried:
            reset = _update_for_missing(deps, row) or reset
        if _refire(deps, key):
            refired.add(key)
            reset = True
        elif row.get("state") != states.PARTIAL:
            enqueue(deps, key, WorkItem(str(row["uuid"]), source="replay", revision=revision))
            reset = True
        count += reset
    return count


def _refire(deps: Deps, key: str) -> bool:
    """Fire a staged meeting's import again by re-writing its manifest; False if it has none.

    The manifest first: a replay killed after it lost nothing, and one killed before it left
    the meeting as it was, for the next replay (the other order left it `staged`, with nothing
    fired and out of replay's sight). The row says `staged` again only if the import has not
    moved it on meanwhile (the trigger may fire and finish before this write).
    """
    staging, manifest = deps.settings.staging_container, manifest_blob(key)
    if not deps.blobs.exists(staging, manifest):
        return False
    document = deps.blobs.read_json(staging, manifest)
    row = deps.ledger.find_meeting(key)
    deps.blobs.write_json(staging, manifest, document)
    if row is not None:
        fields = {"state": states.STAGED, "refires": 0}
        deps.ledger.update_meeting(key, fields, etag=row["_etag"])
    return True


def _update_for_missing(deps: Deps, row: Entity) -> bool:
    """Claim the next update item of a meeting whose first item lacks files, and enqueue it."""
    revision = int(row.get("revisions") or 0) + 1
    pending = json_field(row, "pending_files", {})
    missing = [
        m["file_id"] for m in json_field(row, "missing_files", []) if m["file_id"] not in pending
    ]
    if not missing:
        return False  # an update already holds them
    fields = {
        "revisions": revision,
        "pending_files": {**pending, **dict.fromkeys(missing, revision)},
    }
    if not deps.ledger.update_meeting(row["RowKey"], fields, etag=row["_etag"]):
        return False  # changed meanwhile (a poll made an update): the next replay looks again
    uuid = str(row["uuid"])
    key = revision_key(uuid, revision)
    names = ("uuid", "meeting_id", "topic", "host_email", "start_time", "kind")
    fields = {k: row.get(k) for k in names if row.get(k) is not None}
    deps.ledger.claim_meeting(
        key, {**fields, "revision": revision, "source": "replay", "state": states.CLAIMED}
    )
    enqueue(deps, key, WorkItem(uuid, source="replay", revision=revision))
    return True
