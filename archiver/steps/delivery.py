"""Deliver one mailbox's copy of a meeting: its items created once, their attachments completed.

Every attempt but a claim's first looks for the item by its extended property before creating
it, so a lost answer never makes a duplicate; an item that exists gets only the attachments it
lacks. The outcome and what to record of it go back to the importer, which writes them.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from archiver.adapters import telemetry
from archiver.adapters.ledger import CREATED, Entity
from archiver.adapters.runlog import LogEntry
from archiver.bootstrap import Deps
from archiver.core import states
from archiver.core.contracts import Manifest
from archiver.core.converter import ArchiveMessage, AttachmentRef, to_graph_json
from archiver.core.createbody import INLINE_LIMIT, create_body, plan_inline
from archiver.core.mapping import Mailbox
from archiver.core.views import MailboxCopy
from archiver.errors import NotFoundError, PermanentError, ThrottledError, TransientError
from archiver.steps.leases import LeaseLostError, Leases

log = logging.getLogger(__name__)

COMPLETE, FAILED, RETRY = "complete", "failed", "retry"
# Request bodies (at most 4 MB each) kept so every mailbox with the same copy reuses one.
PREPARED_CACHE = 8
_prepared_cache: dict[str, tuple[bytes, int]] = {}
_prepare_locks: dict[str, threading.Lock] = {}
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class Delivery:
    """What one mailbox's attempt came to, and what to record of it."""

    outcome: str  # COMPLETE, FAILED or RETRY
    row: Mapping[str, Any] | None = None  # fields for the delivery row; None: nothing to write
    log: LogEntry | None = None  # the run-log entry; None: nothing to log


@dataclass(frozen=True)
class Target:
    """A mailbox to deliver to, with its copy of the meeting."""

    mailbox: Mailbox
    copy: MailboxCopy


def deliver(
    deps: Deps, manifest: Manifest, target: Target, row: Entity | None, leases: Leases
) -> Delivery:
    """Create (or complete) the meeting's items in one mailbox; the caller records the result.

    `row` is the delivery row this invocation leased, None when it could not lease it; `leases`
    keeps it leased while this works, and says when another worker has taken it over.
    """
    key = manifest.key
    mailbox = target.mailbox
    if row is None:
        current = deps.ledger.get_delivery(key, mailbox.id) or {}
        return Delivery(COMPLETE if current.get("state") == states.COMPLETE else RETRY)
    try:
        return _attempt(deps, manifest, target, row, leases)
    except LeaseLostError:
        # The row is another worker's now: nothing of this attempt may be written over it.
        log.warning("delivery lease lost", extra={"meeting": key, "mailbox": mailbox.address})
        return Delivery(RETRY)
    finally:
        leases.release(mailbox.id)


def _attempt(
    deps: Deps, manifest: Manifest, target: Target, row: Entity, leases: Leases
) -> Delivery:
    key = manifest.key
    mailbox = target.mailbox
    attempts = int(row.get("attempts") or 1)
    size = target.copy.total_bytes
    try:
        with telemetry.step(
            "import", meeting=key, mailbox=mailbox.address, attempt=attempts
        ) as step:
            # Only a row this claim created proves no item can exist yet (the row is written
            # before any Graph call); a row that existed, even one reset by `replay`, may have
            # an item behind it.
            first = bool(row.get(CREATED))
            message_ids, created = _deliver(
                deps, mailbox.id, target.copy, first=first, still_ours=leases.check
            )
            step.update(
                outcome="created" if created else "already-present", bytes=size if created else 0
            )
    except LeaseLostError:
        raise
    except PermanentError as error:
        return _failed(deps, manifest, mailbox, str(error))
    except ThrottledError as error:
        # "Later", not "broken": a busy mailbox can stay throttled for a long time (its upload
        # budget is 150 MB per 5 minutes), so the attempt is given back. The meeting is still
        # retried by the trigger and the sweep, whose re-fires are counted and bounded.
        return Delivery(
            RETRY,
            {
                "state": states.PENDING,
                "address": mailbox.address,
                "lease_until": "",
                "attempts": attempts - 1,
                "last_error": str(error)[:1000],
            },
            entry(deps, manifest, mailbox.address, "retrying", error=str(error)),
        )
    except Exception as error:
        # Transient, or unexpected (logged with its traceback): retried like a transient error
        # up to MAX_DELIVERY_ATTEMPTS, then recorded as failed with the error. Either way the
        # other mailboxes' outcomes are still recorded by the caller.
        if not isinstance(error, TransientError):
            log.exception(
                "unexpected error delivering", extra={"meeting": key, "mailbox": mailbox.address}
            )
        if attempts >= deps.settings.max_delivery_attempts:
            return _failed(deps, manifest, mailbox, f"gave up after {attempts} attempts: {error}")
        return Delivery(
            RETRY,
            {
                "state": states.PENDING,
                "address": mailbox.address,
                "lease_until": "",
                "last_error": str(error)[:1000],
            },
            entry(deps, manifest, mailbox.address, "retrying", error=str(error)),
        )
    _measure(deps, manifest, mailbox.address, size, created)
    return Delivery(
        COMPLETE,
        {
            "state": states.COMPLETE,
            "address": mailbox.address,
            "lease_until": "",
            "message_ids": message_ids,
            "bytes": size,
            "view": target.copy.signature,
            "last_error": "",
        },
        entry(
            deps,
            manifest,
            mailbox.address,
            "archived" if created else "already-archived",
            bytes_=size,
        ),
    )


def entry(
    deps: Deps, manifest: Manifest, mailbox: str, outcome: str, *, bytes_: int = 0, error: str = ""
) -> LogEntry:
    """A run-log entry for this meeting in one mailbox (\"\" when none applies)."""
    return deps.runlog.entry(
        meeting_id=manifest.meeting_id,
        uuid=manifest.uuid,
        topic=manifest.topic,
        mailbox=mailbox,
        outcome=outcome,
        bytes_=bytes_,
        error=error,
    )


def _measure(deps: Deps, manifest: Manifest, mailbox: str, size: int, created: bool) -> None:
    if created:
        telemetry.ITEMS.add(1, {"mailbox": mailbox})
        telemetry.BYTES.add(size, {"stage": "import"})
        start = datetime.fromisoformat(manifest.start_time)
        telemetry.LAG.record(max(0.0, (deps.clock() - start).total_seconds()))


def _failed(deps: Deps, manifest: Manifest, mailbox: Mailbox, error: str) -> Delivery:
    log.warning("delivery failed", extra={"meeting": manifest.key, "mailbox": mailbox.address})
    return Delivery(
        FAILED,
        {
            "state": states.FAILED,
            "address": mailbox.address,
            "lease_until": "",
            "last_error": error[:1000],
        },
        entry(deps, manifest, mailbox.address, "failed", error=error),
    )


def _deliver(
    deps: Deps,
    mailbox: str,
    copy: MailboxCopy,
    *,
    first: bool,
    still_ours: Callable[[str], None],
) -> tuple[list[str], bool]:
    folder = _folder(deps, mailbox)
    ids: list[str] = []
    created_any = False
    for number, message in enumerate(copy.messages):
        prepared = (copy, number)
        try:
            still_ours(mailbox)
            message_id, created, complete = _ensure_item(
                deps, mailbox, folder, message, prepared=prepared, first=first
            )
        except NotFoundError:
            # The cached folder was deleted by the mailbox owner: find or create it again.
            deps.directory.forget_folder_id(mailbox, deps.settings.archive_folder_name)
            folder = _folder(deps, mailbox)
            message_id, created, complete = _ensure_item(
                deps, mailbox, folder, message, prepared=prepared, first=False
            )
        if not complete:
            _complete_attachments(deps, mailbox, message_id, message.attachments, still_ours)
        ids.append(message_id)
        created_any = created_any or created
    return ids, created_any


def _folder(deps: Deps, mailbox: str) -> str:
    name = deps.settings.archive_folder_name
    cached = deps.directory.folder_id(mailbox, name)
    if cached:
        return cached
    folder_id = deps.graph.ensure_folder(mailbox, name)
    deps.directory.put_folder_id(mailbox, name, folder_id)
    return folder_id


def _ensure_item(
    deps: Deps,
    mailbox: str,
    folder: str,
    message: ArchiveMessage,
    *,
    prepared: tuple[MailboxCopy, int],
    first: bool,
) -> tuple[str, bool, bool]:
    """(item id, created now, every attachment already on it)."""
    # The delivery row is written before any Graph call, so on a first attempt nothing can
    # exist yet; every later attempt looks first (a lost create answer must not duplicate).
    if not first:
        existing = deps.graph.find_item(mailbox, folder, message.item_key)
        if existing:
            return existing, False, False
    body, inlined = _prepared(deps, message, prepared)
    created = deps.graph.create_item(mailbox, folder, body)
    return created, True, inlined == len(message.attachments)


def _prepared(
    deps: Deps, message: ArchiveMessage, prepared: tuple[MailboxCopy, int]
) -> tuple[bytes, int]:
    """The create-request body (JSON) with its inline attachments, encoded once per copy."""
    copy, number = prepared
    uploads = message.attachments
    cache_key = f"{message.item_key}/{copy.signature}/{number}/{hash(uploads)}"
    with _cache_lock:
        key_lock = _prepare_locks.setdefault(cache_key, threading.Lock())
    # One thread builds the body; the other mailboxes with the same copy wait and reuse it.
    with key_lock:
        cached = _prepared_cache.get(cache_key)
        if cached is not None:
            return cached
        document = to_graph_json(message, inline={})
        inline = plan_inline(uploads, len(json.dumps(document).encode()))
        body = create_body(
            document,
            [
                (u.name, u.content_type, _read(deps, u, 0, u.size))
                for u in uploads
                if u.file_id in inline
            ],
        )
        with _cache_lock:
            while len(_prepared_cache) >= PREPARED_CACHE:
                oldest = next(iter(_prepared_cache))
                _prepared_cache.pop(oldest)
                _prepare_locks.pop(oldest, None)
            _prepared_cache[cache_key] = (body, len(inline))
    return _prepared_cache[cache_key]


def _complete_attachments(
    deps: Deps,
    mailbox: str,
    message_id: str,
    uploads: tuple[AttachmentRef, ...],
    still_ours: Callable[[str], None],
) -> None:
    names = {a.get("name") for a in deps.graph.list_attachments(mailbox, message_id)}
    for upload in uploads:
        if upload.name in names:
            continue
        still_ours(mailbox)
        if upload.size < INLINE_LIMIT:
            deps.graph.add_attachment(
                mailbox,
                message_id,
                name=upload.name,
                content_type=upload.content_type,
                data=_read(deps, upload, 0, upload.size),
            )
        else:
            deps.graph.upload_attachment(
                mailbox,
                message_id,
                name=upload.name,
                content_type=upload.content_type,
                size=upload.size,
                read=_reader(deps, upload),
            )


def _reader(deps: Deps, upload: AttachmentRef) -> Callable[[int, int], bytes]:
    def read(offset: int, length: int) -> bytes:
        return _read(deps, upload, offset, length)

    return read


def _read(deps: Deps, upload: AttachmentRef, offset: int, length: int) -> bytes:
    return deps.blobs.read_range(upload.container, upload.blob_name, upload.offset + offset, length)
