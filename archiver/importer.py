"""Import (blob trigger on a meeting's manifest): one non-draft item per mailbox, exactly once.

For each mailbox the delivery row is leased first (two invocations never create concurrently), the
item is looked up by its extended property before it is created (a crash between "created in Graph"
and "ledger updated" is detected, not duplicated), and missing attachments are completed on an
existing item. A mailbox that fails permanently is recorded and never blocks the others; transient
failures make the invocation fail so the trigger retries, and the sweep re-fires it later.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from archiver import ledger as states
from archiver import telemetry
from archiver.contracts import Manifest, ManifestAttachment, ManifestItem
from archiver.createbody import INLINE_LIMIT, create_body, plan_inline
from archiver.deps import Deps
from archiver.errors import (
    ArchiverError,
    NotFoundError,
    PermanentError,
    ThrottledError,
    TransientError,
)
from archiver.ledger import CREATED, Entity
from archiver.mapping import resolve_mailboxes
from archiver.runlog import LogEntry

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=30)
PARALLEL_MAILBOXES = 8
COMPLETE, FAILED, RETRY = "complete", "failed", "retry"
# Request bodies (at most 4 MB each) kept so every mailbox of a meeting reuses the same one.
PREPARED_CACHE = 8
_prepared_cache: dict[str, tuple[bytes, int]] = {}
_prepare_locks: dict[str, threading.Lock] = {}
_cache_lock = threading.Lock()
# Mailboxes are delivered in parallel on one process-wide pool: a pool per meeting started and
# joined its threads on every invocation. Deliveries never submit to it, so it cannot deadlock.
_delivery_pool = ThreadPoolExecutor(
    max_workers=4 * PARALLEL_MAILBOXES, thread_name_prefix="deliver"
)


@dataclass(frozen=True)
class Delivery:
    """What one mailbox's attempt came to, and what to record of it."""

    outcome: str  # COMPLETE, FAILED or RETRY
    row: Mapping[str, Any] | None = None  # fields for the delivery row; None: nothing to write
    log: LogEntry | None = None  # the run-log entry; None: nothing to log


def import_meeting(deps: Deps, manifest: Manifest) -> dict[str, str]:
    """Deliver the staged meeting to every mailbox; returns mailbox -> outcome."""
    key = manifest.key
    directory = deps.directory
    try:
        resolution = resolve_mailboxes(
            manifest.addresses,
            overrides=directory.overrides(),
            internal_domains=deps.settings.internal_domains,
            lookup=directory.lookup,
            fallback=deps.settings.fallback_mailbox,
        )
    except ArchiverError as error:
        # E.g. Graph refuses lookups (User.Read.All not consented): nothing can be delivered.
        # The meeting stays staged and is retried; `status` shows why meanwhile.
        deps.ledger.update_meeting(key, {"last_error": f"finding mailboxes: {error}"[:1000]})
        raise
    if not resolution.mailboxes:
        deps.ledger.update_meeting(
            key, {"state": states.UNMAPPED, "last_error": "no mailbox and no FALLBACK_MAILBOX"}
        )
        deps.runlog.append(
            [
                _entry(
                    deps,
                    manifest,
                    "",
                    "unmapped",
                    error="no participant maps to a mailbox and FALLBACK_MAILBOX is not set",
                )
            ]
        )
        return {}
    claims = deps.ledger.claim_deliveries(
        key,
        resolution.mailboxes,
        lease=LEASE,
        fields={
            "uuid": manifest.uuid,
            "meeting_id": manifest.meeting_id,
            "topic": manifest.topic[:500],
        },
    )
    results = dict(
        zip(
            resolution.mailboxes,
            _each(lambda m: deliver(deps, manifest, m, claims[m]), resolution.mailboxes),
            strict=True,
        )
    )
    # The meeting's delivery rows share a partition: one transaction records every mailbox, and
    # one more writes the run log. A crash before this leaves leased "creating" rows, and the
    # retry after the lease looks for the item before creating it, so nothing is duplicated.
    rows = {mailbox: r.row for mailbox, r in results.items() if r.row is not None}
    if rows:
        deps.ledger.update_deliveries(key, rows)
    deps.runlog.append(r.log for r in results.values() if r.log is not None)
    outcomes = {mailbox: r.outcome for mailbox, r in results.items()}
    retry = sorted(m for m, outcome in outcomes.items() if outcome == RETRY)
    if retry:
        deps.ledger.update_meeting(key, {"last_error": f"{len(retry)} mailbox(es) to retry"})
        raise TransientError(f"{len(retry)} mailbox(es) will be retried", meeting=key)
    failed = [m for m, outcome in outcomes.items() if outcome == FAILED]
    deps.ledger.update_meeting(
        key,
        {
            "state": states.PARTIAL if failed else states.IMPORTED,
            "mailboxes": len(outcomes),
            "failed_mailboxes": len(failed),
            "used_fallback": resolution.used_fallback,
            "last_error": f"{len(failed)} mailbox(es) failed" if failed else "",
        },
    )
    if not failed:
        # Every mailbox has its item: the staged copies, and the manifest with them, are done.
        # Named from the manifest, not listed: a listing cost more than the delete. Leftovers of
        # earlier attempts under other names expire by the staging lifecycle rule (infra).
        staging = deps.settings.staging_container
        deps.blobs.delete(staging, manifest.staged_blobs(staging))
    return outcomes


def _each(work: Callable[[str], Delivery], mailboxes: Sequence[str]) -> list[Delivery]:
    """`work` for every mailbox, in at most PARALLEL_MAILBOXES lanes of the shared pool."""
    if len(mailboxes) == 1:
        return [work(mailboxes[0])]
    pending = iter(mailboxes)
    take = threading.Lock()
    done: dict[str, Delivery] = {}

    def lane() -> None:
        while True:
            with take:
                mailbox = next(pending, None)
            if mailbox is None:
                return
            done[mailbox] = work(mailbox)

    lanes = [_delivery_pool.submit(lane) for _ in range(min(PARALLEL_MAILBOXES, len(mailboxes)))]
    for finished in lanes:
        finished.result()
    return [done[mailbox] for mailbox in mailboxes]


def deliver(deps: Deps, manifest: Manifest, mailbox: str, row: Entity | None) -> Delivery:
    """Create (or complete) the meeting's items in one mailbox; the caller records the result.

    `row` is the delivery row this invocation leased, None when it could not lease it.
    """
    key = manifest.key
    if row is None:
        current = deps.ledger.get_delivery(key, mailbox) or {}
        return Delivery(COMPLETE if current.get("state") == states.COMPLETE else RETRY)
    attempts = int(row.get("attempts") or 1)
    try:
        with telemetry.step("import", meeting=key, mailbox=mailbox, attempt=attempts) as step:
            # Only a row this claim created proves no item can exist yet (the row is written
            # before any Graph call); a row that existed, even one reset by `replay`, may have
            # an item behind it.
            first = bool(row.get(CREATED))
            message_ids, created = _deliver(deps, manifest, mailbox, first=first)
            step.update(
                outcome="created" if created else "already-present",
                bytes=manifest.total_bytes if created else 0,
            )
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
                "lease_until": "",
                "attempts": attempts - 1,
                "last_error": str(error)[:1000],
            },
            _entry(deps, manifest, mailbox, "retrying", error=str(error)),
        )
    except Exception as error:
        # Transient, or unexpected (logged with its traceback): retried like a transient error
        # up to MAX_DELIVERY_ATTEMPTS, then recorded as failed with the error. Either way the
        # other mailboxes' outcomes are still recorded by the caller.
        if not isinstance(error, TransientError):
            log.exception("unexpected error delivering", extra={"meeting": key, "mailbox": mailbox})
        if attempts >= deps.settings.max_delivery_attempts:
            return _failed(deps, manifest, mailbox, f"gave up after {attempts} attempts: {error}")
        return Delivery(
            RETRY,
            {"state": states.PENDING, "lease_until": "", "last_error": str(error)[:1000]},
            _entry(deps, manifest, mailbox, "retrying", error=str(error)),
        )
    _measure(deps, manifest, mailbox, created)
    return Delivery(
        COMPLETE,
        {
            "state": states.COMPLETE,
            "lease_until": "",
            "message_ids": message_ids,
            "bytes": manifest.total_bytes,
            "last_error": "",
        },
        _entry(
            deps,
            manifest,
            mailbox,
            "archived" if created else "already-archived",
            bytes_=manifest.total_bytes,
        ),
    )


def _entry(
    deps: Deps, manifest: Manifest, mailbox: str, outcome: str, *, bytes_: int = 0, error: str = ""
) -> LogEntry:
    return deps.runlog.entry(
        meeting_id=manifest.meeting_id,
        uuid=manifest.uuid,
        topic=manifest.topic,
        mailbox=mailbox,
        outcome=outcome,
        bytes_=bytes_,
        error=error,
    )


def _measure(deps: Deps, manifest: Manifest, mailbox: str, created: bool) -> None:
    if created:
        telemetry.ITEMS.add(1, {"mailbox": mailbox})
        telemetry.BYTES.add(manifest.total_bytes, {"stage": "import"})
        start = datetime.fromisoformat(manifest.start_time)
        telemetry.LAG.record(max(0.0, (deps.clock() - start).total_seconds()))


def _failed(deps: Deps, manifest: Manifest, mailbox: str, error: str) -> Delivery:
    log.warning("delivery failed", extra={"meeting": manifest.key, "mailbox": mailbox})
    return Delivery(
        FAILED,
        {"state": states.FAILED, "lease_until": "", "last_error": error[:1000]},
        _entry(deps, manifest, mailbox, "failed", error=error),
    )


def _deliver(
    deps: Deps, manifest: Manifest, mailbox: str, *, first: bool
) -> tuple[list[str], bool]:
    folder = _folder(deps, mailbox)
    ids: list[str] = []
    created_any = False
    for item in manifest.items:
        try:
            message_id, created, complete = _ensure_item(deps, mailbox, folder, item, first=first)
        except NotFoundError:
            # The cached folder was deleted by the mailbox owner: find or create it again.
            deps.directory.forget_folder_id(mailbox, deps.settings.archive_folder_name)
            folder = _folder(deps, mailbox)
            message_id, created, complete = _ensure_item(deps, mailbox, folder, item, first=False)
        if not complete:
            _complete_attachments(deps, mailbox, message_id, item)
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
    deps: Deps, mailbox: str, folder: str, item: ManifestItem, *, first: bool
) -> tuple[str, bool, bool]:
    """(item id, created now, every attachment already on it)."""
    # The delivery row is written before any Graph call, so on a first attempt nothing can
    # exist yet; every later attempt looks first (a lost create answer must not duplicate).
    if not first:
        existing = deps.graph.find_item(mailbox, folder, item.item_key)
        if existing:
            return existing, False, False
    message, inlined = _prepared(deps, item)
    created = deps.graph.create_item(mailbox, folder, message)
    return created, True, inlined == len(item.attachments)


def _prepared(deps: Deps, item: ManifestItem) -> tuple[bytes, int]:
    """The create-request body (JSON) with its inline attachments, encoded once per process."""
    cache_key = f"{deps.settings.staging_container}/{item.message_blob}/{hash(item.attachments)}"
    with _cache_lock:
        key_lock = _prepare_locks.setdefault(cache_key, threading.Lock())
    # One thread builds the body; the other mailboxes of the meeting wait and reuse it.
    with key_lock:
        cached = _prepared_cache.get(cache_key)
        if cached is not None:
            return cached
        message: dict[str, Any] = deps.blobs.read_json(
            deps.settings.staging_container, item.message_blob
        )
        inline = plan_inline(item.attachments, len(json.dumps(message).encode()))
        body = create_body(
            message,
            [
                (a.name, a.content_type, _read(deps, a, 0, a.size))
                for a in item.attachments
                if a.file_id in inline
            ],
        )
        with _cache_lock:
            while len(_prepared_cache) >= PREPARED_CACHE:
                oldest = next(iter(_prepared_cache))
                _prepared_cache.pop(oldest)
                _prepare_locks.pop(oldest, None)
            _prepared_cache[cache_key] = (body, len(inline))
    return _prepared_cache[cache_key]


def _complete_attachments(deps: Deps, mailbox: str, message_id: str, item: ManifestItem) -> None:
    present = {
        (a.get("name"), a.get("size")) for a in deps.graph.list_attachments(mailbox, message_id)
    }
    names = {name for name, _ in present}
    for attachment in item.attachments:
        if attachment.name in names:
            continue
        if attachment.size < INLINE_LIMIT:
            deps.graph.add_attachment(
                mailbox,
                message_id,
                name=attachment.name,
                content_type=attachment.content_type,
                data=_read(deps, attachment, 0, attachment.size),
            )
        else:
            deps.graph.upload_attachment(
                mailbox,
                message_id,
                name=attachment.name,
                content_type=attachment.content_type,
                size=attachment.size,
                read=_reader(deps, attachment),
            )


def _reader(deps: Deps, attachment: ManifestAttachment) -> Callable[[int, int], bytes]:
    def read(offset: int, length: int) -> bytes:
        return _read(deps, attachment, offset, length)

    return read


def _read(deps: Deps, attachment: ManifestAttachment, offset: int, length: int) -> bytes:
    return deps.blobs.read_range(
        attachment.container, attachment.blob_name, attachment.offset + offset, length
    )
