"""Discover (timers): list what happened in Zoom and hand each meeting instance to claims.consider.

DISCOVERY_SCHEDULE (every 15 minutes by default) lists at account level, so its Zoom calls follow
the number of meetings, not of users:
- the account's cloud recordings (`GET /accounts/me/recordings`) of today, and of the days since
  the last run; for LATE_LISTING_HOURS after midnight yesterday's too (a recording that completes
  after midnight is listed under its meeting's day);
- the account's archives (ZOOM_ARCHIVING) completed since the last run, with an hour of overlap;
- with ARCHIVE_UNRECORDED, the account's meeting history (steps/unrecorded.py): every meeting
  instance, recorded or not, by the day it ended (Heavy calls; per-user meeting reports in shards
  where Zoom refuses it);
then the ledger sweep (steps/sweep.py). Where Zoom refuses the account listing (400 code 4711:
the app lacks the scope; the plan may not offer it), every user's recordings are listed instead,
fanned out: the timer enqueues shards of users to DISCOVERY_QUEUE and queue workers list them, so
no invocation runs long and instances share the work.

SWEEP_SCHEDULE (daily by default) reconciles: the same listings over RECONCILE_DAYS, catching
what a missed webhook or a late listing left out. Webhooks are the fast path, these listings the
net under it. A checkpoint moves only after the work items of what was listed are enqueued.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from archiver.adapters import telemetry
from archiver.bootstrap import Deps
from archiver.core.contracts import UsersShard
from archiver.errors import ArchiverError, AuthenticationError, BudgetExhaustedError
from archiver.sources.archiving import unavailable
from archiver.steps import unrecorded
from archiver.steps.claims import BAD_INPUT, bad_input_text, consider
from archiver.steps.sweep import sweep
from archiver.steps.unrecorded import HISTORY_CHECKPOINT

log = logging.getLogger(__name__)

USER_STATUSES = ("active", "inactive")
ARCHIVE_CHECKPOINT = "account:archive"  # the archive listing's checkpoint (an instant)
RECORDINGS_CHECKPOINT = "account:recordings"  # the account recordings listing's (a day)
LATE_LISTING_HOURS = 2  # after midnight UTC, yesterday's recordings are listed too
ARCHIVE_OVERLAP = timedelta(hours=1)
SHARD_USERS = 50  # users per DISCOVERY_QUEUE message: one invocation lists them in seconds
SCOPE_MISSING = "4711"


@dataclass
class DiscoveryResult:
    """What one run did."""

    users: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)


def run_discovery(deps: Deps) -> DiscoveryResult:
    """DISCOVERY_SCHEDULE: the account's new recordings and archives, then the sweep.

    However it ends, the run is recorded as finished: a crash records "failed" with the
    error before it propagates, so `status` never shows a dead run as running.
    """
    return _run(deps, "discovery", reconcile_days=0)


def run_reconcile(deps: Deps) -> DiscoveryResult:
    """SWEEP_SCHEDULE: every listing again over RECONCILE_DAYS (then the sweep)."""
    return _run(deps, "reconcile", reconcile_days=deps.settings.reconcile_days)


def _run(deps: Deps, name: str, *, reconcile_days: int) -> DiscoveryResult:
    now = deps.clock()
    result = DiscoveryResult()
    deps.ledger.start_run(now, name)
    try:
        days = reconcile_days
        if deps.archiving.active:
            _guarded(result, "archive listing", lambda: _archives(deps, now, result, days))
        _guarded(result, "recordings listing", lambda: _recordings(deps, now, result, days))
        if deps.settings.archive_unrecorded:
            _guarded(result, "meeting history", lambda: _history(deps, now, result, days))
        sweep(deps, result.counts, result.errors)
    except Exception as error:
        result.errors.append(f"{name} stopped: {type(error).__name__}: {error}"[:1000])
        _finish(deps, name, result)
        raise
    _finish(deps, name, result)
    telemetry.MEETINGS.add(result.counts.get("enqueued", 0), {"stage": "discovered"})
    log.info(f"{name} finished", extra={"users": result.users, **result.counts})
    return result


def _guarded(result: DiscoveryResult, what: str, listing: Callable[[], None]) -> None:
    """One listing's failure is the run's error; the other listings and the sweep go on, and
    its checkpoint stays put, so the next run covers the same window again."""
    try:
        listing()
    except ArchiverError as error:
        result.errors.append(f"{what}: {error}")
        log.warning(f"{what} failed", extra={"error": error.reason})


def _finish(deps: Deps, name: str, result: DiscoveryResult) -> None:
    deps.ledger.record_run(
        {
            "finished_at": deps.clock().isoformat(),
            "state": "failed" if result.errors else "ok",
            "users": result.users,
            "counts": dict(result.counts),
            "errors": result.errors[:20],
        },
        name,
    )


# -- cloud recordings -------------------------------------------------------------------------
def _recordings(deps: Deps, now: datetime, result: DiscoveryResult, reconcile_days: int) -> None:
    """The account's recordings since the checkpoint; per-user shards where Zoom refuses it."""
    today = now.date()
    start = _first_day(deps, now, reconcile_days)
    refused = deps.account_listing.refused

    def claim(entry: dict[str, Any]) -> None:
        _consider_all(deps, [entry], "poll", result)

    if account_recordings(deps, start, today, claim):
        deps.ledger.set_mark(RECORDINGS_CHECKPOINT, _midnight(today))
        return
    if refused is None:
        result.counts["account-listing-refused"] += 1
    _enqueue_shards(deps, result, since=start if reconcile_days else None)


def account_recordings(
    deps: Deps, start: date, end: date, claim: Callable[[dict[str, Any]], None]
) -> bool:
    """Each of the account's recordings of [start, end] to `claim`; False when Zoom refuses this
    process the account listing (remembered: it is not asked again)."""
    if deps.account_listing.refused is not None:
        return False
    try:
        for recording in deps.zoom.list_account_recordings(start=start, end=end):
            claim(recording)
    except AuthenticationError as error:
        if error.code != SCOPE_MISSING and error.status not in (401, 403):
            raise
        deps.account_listing.refuse(error)
        log.info("account recordings listing refused", extra={"error": error.reason})
        return False
    return True


def _first_day(
    deps: Deps,
    now: datetime,
    reconcile_days: int,
    checkpoint: str = RECORDINGS_CHECKPOINT,
    *,
    late_hours: int = LATE_LISTING_HOURS,
) -> date:
    today = now.date()
    if reconcile_days:
        return today - timedelta(days=reconcile_days)
    mark = deps.ledger.get_mark(checkpoint)
    if mark is None:
        return today - timedelta(days=deps.settings.initial_lookback_days)
    late = now.hour < late_hours
    return min(mark.date(), today - timedelta(days=1) if late else today)


# -- meetings nobody recorded ----------------------------------------------------------------
def _history(deps: Deps, now: datetime, result: DiscoveryResult, reconcile_days: int) -> None:
    """The meeting history since its checkpoint; per-user report shards where Zoom refuses it."""
    today = now.date()
    # Yesterday only until its checkpoint passes midnight (the day's first run), not for
    # LATE_LISTING_HOURS as recordings (which finish processing after midnight): every page is
    # a Heavy call, meeting.ended is the fast path, and the reconciliation at SWEEP_SCHEDULE
    # lists yesterday again for a meeting Zoom reported late (bench/discovery.py: 80 Heavy
    # calls a day less at 3,000 meetings a day).
    start = _first_day(deps, now, reconcile_days, HISTORY_CHECKPOINT, late_hours=0)
    refused = deps.history_listing.refused

    def claim(entry: dict[str, Any]) -> None:
        _consider_all(deps, [entry], "history", result)

    outcome = unrecorded.list_history(deps, start, today, claim)
    if outcome == unrecorded.LISTED:
        deps.ledger.set_mark(HISTORY_CHECKPOINT, _midnight(today))
    elif outcome == unrecorded.BUDGET:
        result.counts[unrecorded.WAITING_FOR_BUDGET] += 1
    else:
        if refused is None:
            result.counts["history-refused"] += 1
        # Two Heavy calls per user: every USER_REPORTS_EVERY, not every run (README: cost).
        last = deps.ledger.get_mark(unrecorded.USER_REPORTS_MARK)
        if reconcile_days or last is None or now - last >= unrecorded.USER_REPORTS_EVERY:
            since = start if reconcile_days else None
            _enqueue_shards(deps, result, since=since, listing="meetings")
            deps.ledger.set_mark(unrecorded.USER_REPORTS_MARK, now)


def _consider_all(
    deps: Deps, listing: Iterable[dict[str, Any]], source: str, result: DiscoveryResult
) -> None:
    for entry in listing:
        outcome = consider(deps, entry, source=source)
        result.counts[outcome] += 1
        if outcome == BAD_INPUT:
            result.errors.append(f"{source}: {bad_input_text(entry)}")


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


# -- per-user listing, fanned out --------------------------------------------------------------
def list_all_users(deps: Deps) -> list[dict[str, Any]]:
    """Every Zoom user, active and inactive (inactive users' recordings still need archiving)."""
    users: dict[str, dict[str, Any]] = {}
    for status in USER_STATUSES:
        for user in deps.zoom.list_users(status=status):
            users.setdefault(str(user["id"]), user)
    return list(users.values())


def _enqueue_shards(
    deps: Deps, result: DiscoveryResult, *, since: date | None, listing: str = "recordings"
) -> None:
    """Every user, in shards on DISCOVERY_QUEUE (each lists its users' recordings, or their
    meeting reports)."""
    users = [str(u["id"]) for u in list_all_users(deps)]
    result.users = len(users)
    for shard in _chunks(users, SHARD_USERS):
        day = since.isoformat() if since else None
        message = UsersShard(tuple(shard), since=day, listing=listing)
        deps.queues.send(deps.settings.discovery_queue, message.to_json())
        result.counts["user-shards-enqueued"] += 1


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def discover_users(deps: Deps, shard: UsersShard) -> Counter[str]:
    """DISCOVERY_QUEUE: list each user's recordings since their checkpoint (or the shard's
    reconcile day). A user that fails makes the message fail after the others are done: the
    queue retries it (the users done meanwhile find nothing new), then poisons it for `replay`."""
    now = deps.clock()
    counts: Counter[str] = Counter()
    failures: list[str] = []
    for user_id in shard.users:
        try:
            if shard.listing == "meetings":
                unrecorded.discover_user(deps, user_id, now, counts, since=shard.since_day)
            else:
                _discover_user(deps, user_id, now, counts, since=shard.since_day)
        except BudgetExhaustedError as error:
            # The rest of the shard waits for the budget: their checkpoints stay put, and the
            # next run's shards list the same days again. Not a failure.
            counts[unrecorded.WAITING_FOR_BUDGET] += 1
            log.info("meeting reports wait for the Heavy budget", extra={"error": error.reason})
            break
        except ArchiverError as error:
            failures.append(f"user {user_id}: {error}")
            log.warning("discovery failed for a user", extra={"error": error.reason})
    log.info("users listed", extra={"users": len(shard.users), **counts})
    if failures:
        raise failures_error(failures)
    return counts


def failures_error(failures: list[str]) -> ArchiverError:
    from archiver.errors import ServiceUnavailableError

    return ServiceUnavailableError(
        f"{len(failures)} user(s) not listed: " + "; ".join(failures)[:800], service="zoom"
    )


def _discover_user(
    deps: Deps, user_id: str, now: datetime, counts: Counter[str], *, since: date | None
) -> None:
    today = now.date()
    start = since
    if start is None:
        checkpoint = deps.ledger.get_checkpoint(user_id)
        if checkpoint is None:
            checkpoint = today - timedelta(days=deps.settings.initial_lookback_days)
        start = checkpoint - timedelta(days=1)  # a meeting listed late near midnight
    for recording in deps.zoom.list_recordings(user_id, start=start, end=today):
        counts[consider(deps, recording, source="poll")] += 1
    deps.ledger.set_checkpoint(user_id, today)


# -- archives -----------------------------------------------------------------------------------
def _archives(deps: Deps, now: datetime, result: DiscoveryResult, reconcile_days: int) -> None:
    """The account's archives completed since the checkpoint (an hour of overlap). With
    ZOOM_ARCHIVING=auto, an account without the feature (or an app without the scope) turns the
    source off and is noted in the run's counts, not as an error."""
    mark = deps.ledger.get_mark(ARCHIVE_CHECKPOINT)
    if reconcile_days or mark is None:
        days = reconcile_days or deps.settings.initial_lookback_days
        start = _midnight(now.date() - timedelta(days=days))
    else:
        start = mark - ARCHIVE_OVERLAP
    try:
        _consider_all(deps, deps.zoom.list_archive_files(start=start, end=now), "archive", result)
    except ArchiverError as error:
        if deps.settings.zoom_archiving == "auto" and unavailable(error):
            deps.archiving.turn_off(error)
            result.counts["archiving-unavailable"] += 1
            return
        raise
    deps.ledger.set_mark(ARCHIVE_CHECKPOINT, now)


# -- backfill (admin) ---------------------------------------------------------------------------
Progress = Callable[[int, int, Counter[str]], None]


def backfill(deps: Deps, start: date, end: date, progress: Progress | None = None) -> Counter[str]:
    """Claim and enqueue the meetings of a past range (`python -m archiver backfill`): the
    account's recordings and archives, else each user's recordings (with progress per user)."""
    counts: Counter[str] = Counter()

    def claim(entry: dict[str, Any]) -> None:
        counts[consider(deps, entry, source="backfill")] += 1

    if deps.archiving.active:
        try:
            end_at = _midnight(end + timedelta(days=1))
            for archived in deps.zoom.list_archive_files(start=_midnight(start), end=end_at):
                claim(archived)
        except ArchiverError as error:
            if deps.settings.zoom_archiving != "auto" or not unavailable(error):
                raise
            deps.archiving.turn_off(error)
    if deps.settings.archive_unrecorded:
        unrecorded.backfill_history(deps, start, end, claim, counts, users=list_all_users)
    if account_recordings(deps, start, end, claim):
        if progress:
            progress(1, 1, counts)
        return counts
    users = [str(user["id"]) for user in list_all_users(deps)]
    for done, user_id in enumerate(users, start=1):
        for recording in deps.zoom.list_recordings(user_id, start=start, end=end):
            counts[consider(deps, recording, source="backfill")] += 1
        if progress:
            progress(done, len(users), counts)
    return counts
