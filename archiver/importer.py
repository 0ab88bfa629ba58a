"""Import (blob trigger on a meeting's manifest): one non-draft item per mailbox, exactly once.

The meeting's addresses are resolved to directory objects first; each mailbox's copy is then
rendered from the staged meeting with what its owner may see (archiver/views.py; the compliance
mailbox gets the complete record). For each mailbox the delivery row, keyed by the mailbox's
object id, is leased first (two invocations never create concurrently), the item is looked up by
its extended property before it is created (a crash between "created in Graph" and "ledger
updated" is detected, not duplicated), and missing attachments are completed on an existing item.
A mailbox that fails permanently is recorded and never blocks the others; transient failures make
the invocation fail so the trigger retries, and the sweep re-fires it later.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from archiver import ledger as states
from archiver import telemetry
from archiver.contracts import Manifest, StagedMeeting, Upload
from archiver.converter import ArchiveMessage, to_graph_json
from archiver.createbody import INLINE_LIMIT, create_body, plan_inline
from archiver.deps import Deps
from archiver.errors import (
    ArchiverError,
    NotFoundError,
    PermanentError,
    ThrottledError,
    TransientError,
)
from archiver.keys import meeting_key
from archiver.ledger import CREATED, Entity, json_field
from archiver.mapping import Mailbox, Resolution, resolve_mailboxes
from archiver.privacy import Viewer, identities
from archiver.runlog import LogEntry
from archiver.views import MailboxCopy, chat_audiences, mailbox_copy

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=30)
PARALLEL_MAILBOXES = 8
COMPLETE, FAILED, RETRY = "complete", "failed", "retry"
BASE_ATTEMPTS = 20
# Request bodies (at most 4 MB each) kept so every mailbox with the same copy reuses one.
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


@dataclass(frozen=True)
class Target:
    """A mailbox to deliver to, with its copy of the meeting."""

    mailbox: Mailbox
    copy: MailboxCopy


def import_meeting(deps: Deps, manifest: Manifest) -> dict[str, str]:
    """Deliver the staged meeting to every mailbox; returns mailbox address -> outcome."""
    key = manifest.key
    doc = StagedMeeting.from_dict(
        deps.blobs.read_json(deps.settings.staging_container, manifest.document)
    )
    try:
        resolution, compliance, problems = _resolve(deps, manifest)
    except ArchiverError as error:
        # E.g. Graph refuses lookups (User.Read.All not consented): nothing can be delivered.
        # The meeting stays staged and is retried; `status` shows why meanwhile.
        deps.ledger.update_meeting(key, {"last_error": f"finding mailboxes: {error}"[:1000]})
        raise
    mailboxes = list(resolution.mailboxes)
    if compliance is not None and compliance.id not in {m.id for m in mailboxes}:
        mailboxes.append(compliance)
    if not mailboxes:
        reason = "no participant maps to a mailbox and " + (
            "; ".join(problems) or "FALLBACK_MAILBOX is not set"
        )
        deps.ledger.update_meeting(key, {"state": states.UNMAPPED, "last_error": reason})
        deps.runlog.append([_entry(deps, manifest, "", "unmapped", error=reason)])
        return {}
    targets = _copies(deps, doc, resolution, compliance, mailboxes)
    claims = deps.ledger.claim_deliveries(
        key,
        [t.mailbox.id for t in targets],
        lease=LEASE,
        fields={
            "uuid": manifest.uuid,
            "meeting_id": manifest.meeting_id,
            "topic": manifest.topic[:500],
        },
    )
    results = dict(
        zip(
            [t.mailbox.id for t in targets],
            _each(lambda t: deliver(deps, manifest, t, claims[t.mailbox.id]), targets),
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
    by_address = {t.mailbox.id: t.mailbox.address for t in targets}
    outcomes = {by_address[m]: r.outcome for m, r in results.items()}
    retry = sorted(m for m, r in results.items() if r.outcome == RETRY)
    if retry:
        deps.ledger.update_meeting(key, {"last_error": f"{len(retry)} mailbox(es) to retry"})
        raise TransientError(f"{len(retry)} mailbox(es) will be retried", meeting=key)
    failed = [m for m, r in results.items() if r.outcome == FAILED]
    if failed:
        problems.append(f"{len(failed)} mailbox(es) failed")
    if doc.missing:
        problems.append(f"{len(doc.missing)} file(s) not archived: " + _missing(doc))
    deps.ledger.update_meeting(
        key,
        {
            "state": states.PARTIAL if problems else states.IMPORTED,
            "mailboxes": len(outcomes),
            "failed_mailboxes": len(failed)
            + (1 if _compliance_unresolved(deps, compliance) else 0),
            "used_fallback": resolution.used_fallback,
            "last_error": "; ".join(problems)[:1000],
        },
    )
    if not failed and not _compliance_unresolved(deps, compliance):
        # Every mailbox has its item: the staged copies, and the manifest with them, are done.
        # Named from the manifest, not listed: a listing cost more than the delete. Leftovers of
        # earlier attempts under other names expire by the staging lifecycle rule (infra).
        staging = deps.settings.staging_container
        generated = {g.blob_name for t in targets for g in t.copy.generated}
        deps.blobs.delete(staging, [*sorted(generated), *manifest.staged_blobs()])
        if doc.revision:
            _settle_base(deps, doc)
    return outcomes


def _resolve(deps: Deps, manifest: Manifest) -> tuple[Resolution, Mailbox | None, list[str]]:
    """The meeting's mailboxes, the compliance mailbox, and what could not be resolved."""
    directory = deps.directory
    settings = deps.settings
    problems: list[str] = []
    compliance = None
    if settings.compliance_mailbox:
        compliance = directory.lookup(settings.compliance_mailbox)
        if compliance is None:
            problems.append(
                f"COMPLIANCE_MAILBOX {settings.compliance_mailbox} is not a mailbox in the "
                "directory: the complete record was not delivered (fix it, then `replay`)"
            )
    resolution = resolve_mailboxes(
        manifest.addresses,
        overrides=directory.overrides(),
        internal_domains=settings.internal_domains,
        lookup=directory.lookup,
        fallback=None,
    )
    if not resolution.mailboxes and settings.fallback_mailbox:
        # Looked up only when needed: nobody else maps to this meeting.
        fallback = directory.lookup(settings.fallback_mailbox)
        if fallback is None:
            problems.append(f"FALLBACK_MAILBOX {settings.fallback_mailbox} is not a mailbox")
        else:
            resolution = replace(resolution, mailboxes=(fallback,), used_fallback=True)
    return resolution, compliance, problems


def _compliance_unresolved(deps: Deps, compliance: Mailbox | None) -> bool:
    return bool(deps.settings.compliance_mailbox) and compliance is None


def _copies(
    deps: Deps,
    doc: StagedMeeting,
    resolution: Resolution,
    compliance: Mailbox | None,
    mailboxes: Sequence[Mailbox],
) -> list[Target]:
    """Each mailbox's copy; files made for a copy are stored once, before anyone attaches them."""
    heard = chat_audiences(doc, identities(doc.meeting, resolution.mailbox_of))
    host = resolution.mailbox_of.get(doc.meeting.host_email or "")
    where = (
        "the complete record is in the compliance mailbox"
        if compliance is not None
        else "they are kept only in the mailboxes of the people who sent and received them"
    )
    copies: dict[str, MailboxCopy] = {}
    targets = []
    for mailbox in mailboxes:
        viewer = Viewer(
            frozenset({f"mailbox:{mailbox.id}"}),
            complete=compliance is not None and mailbox.id == compliance.id,
            # Lines nobody can be sure of go to the compliance mailbox; without one, to the
            # host (or the fallback mailbox standing in for a meeting of outsiders).
            unattributed=compliance is None and (mailbox.id == host or resolution.used_fallback),
        )
        copy = mailbox_copy(
            doc,
            heard,
            viewer,
            staging_container=deps.settings.staging_container,
            withheld_note=where,
        )
        if copy.signature not in copies:
            copies[copy.signature] = copy
            for made in copy.generated:
                deps.blobs.write_bytes(
                    deps.settings.staging_container, made.blob_name, made.data, made.content_type
                )
        targets.append(Target(mailbox, copies[copy.signature]))
    return targets


def _missing(doc: StagedMeeting) -> str:
    return "; ".join(f"{m.description}: {m.reason}" for m in doc.missing)[:600]


def _settle_base(deps: Deps, doc: StagedMeeting) -> None:
    """An update carrying files the first item lacked: they are no longer missing there."""
    base = meeting_key(doc.meeting.uuid)
    delivered = {f.file_id for f in doc.files}
    for _ in range(BASE_ATTEMPTS):
        row = deps.ledger.find_meeting(base)
        if row is None:
            return
        missing = [m for m in json_field(row, "missing_files", []) if m["file_id"] not in delivered]
        fields: dict[str, Any] = {"missing_files": missing}
        if (
            row.get("state") == states.PARTIAL
            and not missing
            and not int(row.get("failed_mailboxes") or 0)
        ):
            fields.update(state=states.IMPORTED, last_error="")
        if deps.ledger.update_meeting(base, fields, etag=row["_etag"]):
            return
    raise TransientError(f"meeting {base}: row kept changing; will retry", meeting=base)


def _each(work: Callable[[Target], Delivery], targets: Sequence[Target]) -> list[Delivery]:
    """`work` for every mailbox, in at most PARALLEL_MAILBOXES lanes of the shared pool."""
    if len(targets) == 1:
        return [work(targets[0])]
    pending = iter(targets)
    take = threading.Lock()
    done: dict[str, Delivery] = {}

    def lane() -> None:
        while True:
            with take:
                target = next(pending, None)
            if target is None:
                return
            done[target.mailbox.id] = work(target)

    lanes = [_delivery_pool.submit(lane) for _ in range(min(PARALLEL_MAILBOXES, len(targets)))]
    for finished in lanes:
        finished.result()
    return [done[t.mailbox.id] for t in targets]


def deliver(deps: Deps, manifest: Manifest, target: Target, row: Entity | None) -> Delivery:
    """Create (or complete) the meeting's items in one mailbox; the caller records the result.

    `row` is the delivery row this invocation leased, None when it could not lease it.
    """
    key = manifest.key
    mailbox = target.mailbox
    if row is None:
        current = deps.ledger.get_delivery(key, mailbox.id) or {}
        return Delivery(COMPLETE if current.get("state") == states.COMPLETE else RETRY)
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
            message_ids, created = _deliver(deps, mailbox.id, target.copy, first=first)
            step.update(
                outcome="created" if created else "already-present", bytes=size if created else 0
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
                "address": mailbox.address,
                "lease_until": "",
                "attempts": attempts - 1,
                "last_error": str(error)[:1000],
            },
            _entry(deps, manifest, mailbox.address, "retrying", error=str(error)),
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
            _entry(deps, manifest, mailbox.address, "retrying", error=str(error)),
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
        _entry(
            deps,
            manifest,
            mailbox.address,
            "archived" if created else "already-archived",
            bytes_=size,
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
        _entry(deps, manifest, mailbox.address, "failed", error=error),
    )


def _deliver(deps: Deps, mailbox: str, copy: MailboxCopy, *, first: bool) -> tuple[list[str], bool]:
    folder = _folder(deps, mailbox)
    ids: list[str] = []
    created_any = False
    for number, (message, uploads) in enumerate(copy.messages):
        prepared = (copy, number)
        try:
            message_id, created, complete = _ensure_item(
                deps, mailbox, folder, message, uploads, prepared=prepared, first=first
            )
        except NotFoundError:
            # The cached folder was deleted by the mailbox owner: find or create it again.
            deps.directory.forget_folder_id(mailbox, deps.settings.archive_folder_name)
            folder = _folder(deps, mailbox)
            message_id, created, complete = _ensure_item(
                deps, mailbox, folder, message, uploads, prepared=prepared, first=False
            )
        if not complete:
            _complete_attachments(deps, mailbox, message_id, uploads)
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
    uploads: tuple[Upload, ...],
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
    body, inlined = _prepared(deps, message, uploads, prepared)
    created = deps.graph.create_item(mailbox, folder, body)
    return created, True, inlined == len(uploads)


def _prepared(
    deps: Deps,
    message: ArchiveMessage,
    uploads: tuple[Upload, ...],
    prepared: tuple[MailboxCopy, int],
) -> tuple[bytes, int]:
    """The create-request body (JSON) with its inline attachments, encoded once per copy."""
    copy, number = prepared
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
    deps: Deps, mailbox: str, message_id: str, uploads: tuple[Upload, ...]
) -> None:
    names = {a.get("name") for a in deps.graph.list_attachments(mailbox, message_id)}
    for upload in uploads:
        if upload.name in names:
            continue
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


def _reader(deps: Deps, upload: Upload) -> Callable[[int, int], bytes]:
    def read(offset: int, length: int) -> bytes:
        return _read(deps, upload, offset, length)

    return read


def _read(deps: Deps, upload: Upload, offset: int, length: int) -> bytes:
    return deps.blobs.read_range(upload.container, upload.blob_name, upload.offset + offset, length)
