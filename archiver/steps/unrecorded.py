"""Meetings and webinars nobody recorded (ARCHIVE_UNRECORDED): found in the account's meeting
history and handed to claims.consider like any listing entry, so each instance is claimed once,
whichever listing (recordings, archive, history, webhook) saw it first.

`GET /report/history_meetings` lists every meeting instance of the account, recorded or not, by
the day it ended. A meeting whose `feature_used` says it was recorded to the cloud (or archived)
waits for its files like a `meeting.ended` webhook; one that was not is claimed as it is and
archived from its details (sources/details.py). Where Zoom refuses the history (400 code 4711:
the app lacks the scope), each user's meeting report is listed instead (`type=past`, and
`pastOne` for meetings with one participant), fanned out in DISCOVERY_QUEUE shards. Every page is
a Heavy call: when the day's budget is spent the listing stops without error and its checkpoint
stays put, so the next run (after 00:00 UTC) lists the same days again.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from archiver.bootstrap import Deps
from archiver.core.addresses import is_meeting_uuid
from archiver.core.fields import parse_time
from archiver.errors import AuthenticationError, BudgetExhaustedError, InvalidInputError
from archiver.steps.claims import consider

log = logging.getLogger(__name__)

HISTORY_CHECKPOINT = "account:history"  # the meeting history listing's checkpoint (a day)
SCOPE_MISSING = "4711"
REPORT_KINDS = ("past", "pastOne")  # pastOne: the meetings with one participant `past` omits
# The per-user fallback costs two Heavy calls per user: its shards go out this often (and at
# each reconciliation), not every run: 1,000 users cost 12,000 of the day's 60,000 Heavy calls.
USER_REPORTS_EVERY = timedelta(hours=4)
USER_REPORTS_MARK = "account:meeting-report-shards"  # when they last went out
# The report API reaches back six months (180 days taken for it): older days are not asked.
REPORT_REACH = timedelta(days=180)
LISTED, REFUSED, BUDGET = "listed", "refused", "waiting-for-budget"
WAITING_FOR_BUDGET = "unrecorded-waiting-for-budget"  # the run's count `status` shows
# Placeholder file of a meeting recorded to the cloud: it waits for its recordings.
_RECORDED = [{"status": "processing"}]


def recorded(features: Any) -> bool:
    """True when a history row's `feature_used` says the meeting has cloud content."""
    if not isinstance(features, Mapping):
        return False
    return any(features.get(name) is True for name in ("record_to_cloud", "archiving"))


def history_entry(row: Mapping[str, Any], now: datetime) -> dict[str, Any] | None:
    """The listing entry claims.consider takes for a history row; None for a meeting not
    ended yet. A malformed row keeps what it has, for consider to name what is wrong."""
    return _entry(
        row,
        now,
        uuid=row.get("meeting_uuid"),
        meeting_id=row.get("meeting_id"),
        host=row.get("host_email"),
        has_content=recorded(row.get("feature_used")),
    )


def report_entry(row: Mapping[str, Any], now: datetime) -> dict[str, Any] | None:
    """The listing entry of a per-user meeting report row (`has_recording` says recorded)."""
    return _entry(
        row,
        now,
        uuid=row.get("uuid"),
        meeting_id=row.get("id"),
        host=row.get("user_email"),
        has_content=row.get("has_recording") is True,
    )


def _entry(
    row: Mapping[str, Any],
    now: datetime,
    *,
    uuid: Any,
    meeting_id: Any,
    host: Any,
    has_content: bool,
) -> dict[str, Any] | None:
    if not isinstance(row, Mapping):
        return {"uuid": None}
    if is_meeting_uuid(uuid) and not _ended(row, now):
        return None
    return {
        "uuid": uuid,
        "id": meeting_id,
        "type": row.get("type"),  # 5, 6, 9: a webinar (claims.is_webinar)
        "topic": row.get("topic", ""),
        "host_email": host or "",
        "start_time": row.get("start_time", ""),
        "recording_files": list(_RECORDED) if has_content else [],
    }


def _ended(row: Mapping[str, Any], now: datetime) -> bool:
    try:
        return parse_time(row.get("end_time"), "meeting history.end_time") <= now
    except InvalidInputError:
        return True  # staging reads the meeting's own details; the report's times do not matter


def list_history(
    deps: Deps, start: date, end: date, claim: Callable[[dict[str, Any]], None]
) -> str:
    """Each meeting of the history that ended in [start, end] to `claim`; LISTED, REFUSED
    (remembered: not asked again by this process) or BUDGET (the day's Heavy calls are spent)."""
    if deps.history_listing.refused is not None:
        return REFUSED
    now = deps.clock()
    try:
        # meeting_type=all: webinars too, told apart by their `type` (one listing, not two).
        listing = deps.zoom.list_history_meetings(
            start=_reachable(start, now), end=end, meeting_type="all"
        )
        for row in listing:
            entry = history_entry(row, now)
            if entry is not None:
                claim(entry)
    except AuthenticationError as error:
        if error.code != SCOPE_MISSING and error.status not in (401, 403):
            raise
        deps.history_listing.refuse(error)
        log.info("meeting history refused", extra={"error": error.reason})
        return REFUSED
    except BudgetExhaustedError as error:
        log.info("meeting history waits for the Heavy budget", extra={"error": error.reason})
        return BUDGET
    return LISTED


def _reachable(start: date, now: datetime) -> date:
    return max(start, (now - REPORT_REACH).date())


def list_user_meetings(
    deps: Deps, user_id: str, start: date, end: date, counts: Counter[str]
) -> Iterator[dict[str, Any]]:
    """A user's meetings of [start, end] from the meeting report (both kinds)."""
    now = deps.clock()
    for kind in REPORT_KINDS:
        found = deps.zoom.list_user_meeting_reports(
            user_id, start=_reachable(start, now), end=end, kind=kind
        )
        for row in found:
            entry = report_entry(row, now)
            if entry is not None:
                yield entry
    counts["users-reported"] += 1


def discover_user(
    deps: Deps, user_id: str, now: datetime, counts: Counter[str], *, since: date | None
) -> None:
    """DISCOVERY_QUEUE (listing "meetings"): a user's meeting reports since their checkpoint."""
    today = now.date()
    name = meetings_checkpoint(user_id)
    start = since
    if start is None:
        checkpoint = deps.ledger.get_checkpoint(name)
        if checkpoint is None:
            checkpoint = today - timedelta(days=deps.settings.initial_lookback_days)
        start = checkpoint - timedelta(days=1)  # a meeting reported late near midnight
    for entry in list(list_user_meetings(deps, user_id, start, today, counts)):
        counts[consider(deps, entry, source="report")] += 1
    deps.ledger.set_checkpoint(name, today)


def meetings_checkpoint(user_id: str) -> str:
    """The checkpoint name of a user's meeting-report listing (beside their recordings')."""
    return f"meetings:{user_id}"


def backfill_history(
    deps: Deps,
    start: date,
    end: date,
    claim: Callable[[dict[str, Any]], None],
    counts: Counter[str],
    *,
    users: Callable[[Deps], list[dict[str, Any]]],
) -> None:
    """A past range's meetings nobody recorded: the history, else each user's meeting report.
    The day's Heavy budget running out stops it, what was claimed kept and counted (run the
    backfill again after 00:00 UTC: what is claimed already is not claimed twice)."""
    oldest = deps.clock().date() - REPORT_REACH
    if start < oldest:
        counts["days-beyond-report-reach"] += (min(end, oldest) - start).days
    outcome = list_history(deps, start, end, claim)
    if outcome == REFUSED:
        try:
            for user in users(deps):
                for entry in list_user_meetings(deps, str(user["id"]), start, end, counts):
                    claim(entry)
        except BudgetExhaustedError:
            outcome = BUDGET
    if outcome == BUDGET:
        counts[WAITING_FOR_BUDGET] += 1
