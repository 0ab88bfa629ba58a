"""Import (blob trigger on a meeting's manifest): one non-draft item per mailbox, exactly once.

The meeting's addresses are resolved to directory objects first; each mailbox's copy is then
rendered from the staged meeting with what its owner may see (archiver/core/views.py; the compliance
mailbox gets the complete record). For each mailbox the delivery row, keyed by the mailbox's
object id, is leased first (two invocations never create concurrently), the item is looked up by
its extended property before it is created (a crash between "created in Graph" and "ledger
updated" is detected, not duplicated), and missing attachments are completed on an existing item.
A mailbox that fails permanently is recorded and never blocks the others; transient failures make
the invocation fail so the trigger retries, and the sweep re-fires it later.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from typing import Any

from archiver.adapters.ledger import json_field
from archiver.bootstrap import Deps
from archiver.core import states
from archiver.core.contracts import Manifest, StagedMeeting
from archiver.core.keys import meeting_key
from archiver.core.mapping import Mailbox, Resolution, resolve_mailboxes
from archiver.core.privacy import Viewer, identities
from archiver.core.views import MailboxCopy, chat_audiences, mailbox_copy
from archiver.errors import (
    ArchiverError,
    TransientError,
)
from archiver.steps.delivery import FAILED, RETRY, Delivery, Target, deliver, entry
from archiver.steps.leases import Leases

log = logging.getLogger(__name__)

PARALLEL_MAILBOXES = 8
BASE_ATTEMPTS = 20
# Mailboxes are delivered in parallel on one process-wide pool: a pool per meeting started and
# joined its threads on every invocation. Deliveries never submit to it, so it cannot deadlock.
_delivery_pool = ThreadPoolExecutor(
    max_workers=4 * PARALLEL_MAILBOXES, thread_name_prefix="deliver"
)


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
        deps.runlog.append([entry(deps, manifest, "", "unmapped", error=reason)])
        return {}
    targets = _copies(deps, doc, resolution, compliance, mailboxes)
    lease = timedelta(seconds=deps.settings.delivery_lease_seconds)
    claims = deps.ledger.claim_deliveries(
        key,
        [t.mailbox.id for t in targets],
        lease=lease,
        fields={
            "uuid": manifest.uuid,
            "meeting_id": manifest.meeting_id,
            "topic": manifest.topic[:500],
        },
    )
    with Leases(deps.ledger, key, lease=lease, clock=deps.clock) as leases:
        for mailbox, row in claims.items():
            if row is not None:
                leases.hold(mailbox, row.get("_etag"))
        results = dict(
            zip(
                [t.mailbox.id for t in targets],
                _each(lambda t: deliver(deps, manifest, t, claims[t.mailbox.id], leases), targets),
                strict=True,
            )
        )
    # The run log first, then the delivery rows (they share a partition: one transaction
    # records every mailbox). A crash before the rows leaves leased "creating" rows: the retry
    # after the lease looks for each item before creating it, so nothing is duplicated, and logs
    # "already-archived". The other order lost the log line of a crash between the two writes:
    # a complete row is never delivered, so never logged, again.
    deps.runlog.append(r.log for r in results.values() if r.log is not None)
    rows = {mailbox: r.row for mailbox, r in results.items() if r.row is not None}
    if rows:
        deps.ledger.update_deliveries(key, rows)
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
    archived_at = deps.clock()  # one archive time for every copy this import makes
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
            host=mailbox.id == host,
            emails=frozenset(a for a, m in resolution.mailbox_of.items() if m == mailbox.id),
        )
        copy = mailbox_copy(
            doc,
            heard,
            viewer,
            staging_container=deps.settings.staging_container,
            withheld_note=where,
            archived_at=archived_at,
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
