"""What admins see: pipeline status (JSON) and the run log (CSV), computed from the ledger."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import astuple, fields
from datetime import date, datetime, timedelta
from typing import Any

from azure.core.exceptions import ResourceNotFoundError

from archiver.adapters.ledger import json_field
from archiver.adapters.queues import BLOB_POISON_QUEUE
from archiver.adapters.runlog import LogEntry
from archiver.bootstrap import Deps
from archiver.core import states

PENDING_STATES = (states.WAITING, states.CLAIMED, states.QUEUED, states.STAGING, states.STAGED)
PROBLEM_STATES = (states.FAILED, states.PARTIAL, states.UNMAPPED)

PENDING_ERRORS_SHOWN = 20
# A discovery run still "running" after the function timeout (host.json) was killed.
RUN_TIMEOUT = timedelta(minutes=30)
LOG_COLUMNS = tuple(f.name for f in fields(LogEntry))
MAX_LOG_DAYS = 366


def collect_status(deps: Deps) -> dict[str, Any]:
    """Last discovery run, counts by state, oldest pending age, poison depths, mailbox failures,
    and the Zoom rate budget the instances share."""
    now = deps.clock()
    by_state: Counter[str] = Counter()
    oversize = waiting_heavy = 0
    oldest: datetime | None = None
    stuck: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    pending_archives: list[tuple[datetime, dict[str, Any]]] = []
    for row in deps.ledger.list_meetings():
        state = str(row.get("state", "unknown"))
        completed = _archive_completed(row)
        if completed is not None and state in (*PENDING_STATES, states.FAILED):
            pending_archives.append((completed, row))
        by_state[state] += 1
        oversize += int(row.get("oversize_files") or 0) > 0
        waiting_heavy += row.get("interactions_waiting") is True
        if state in PROBLEM_STATES:
            problems.append(_problem(row, state))
        if state in PENDING_STATES:
            created = datetime.fromisoformat(str(row.get("created_at") or now.isoformat()))
            oldest = created if oldest is None or created < oldest else oldest
            if row.get("last_error"):
                stuck.append(
                    {
                        "meeting": row["RowKey"],
                        "topic": row.get("topic", ""),
                        "state": state,
                        "updated_at": row.get("updated_at", ""),
                        "last_error": row["last_error"],
                    }
                )
    failures: Counter[str] = Counter()
    delivered = 0
    for delivery in deps.ledger.list_deliveries():
        if delivery.get("state") == states.FAILED:
            failures[str(delivery.get("address") or delivery.get("mailbox"))] += 1
        elif delivery.get("state") == states.COMPLETE:
            delivered += 1
    retention = _archive_retention(deps, pending_archives, now)
    counts = {state: by_state.get(state, 0) for state in states.MEETING_STATES}
    counts["pending"] = sum(by_state.get(s, 0) for s in PENDING_STATES)
    counts["oversize"] = oversize
    counts["delivered_items"] = delivered
    # Archived meetings whose survey or Q&A report waits for the Heavy budget (the sweep).
    counts["waiting_on_heavy"] = waiting_heavy
    return {
        "generated_at": now.isoformat(),
        "last_discovery": _run(deps.ledger.last_run(), now),
        "last_reconcile": _run(deps.ledger.last_run("reconcile"), now),
        "meetings": counts,
        "oldest_pending_age_seconds": int((now - oldest).total_seconds()) if oldest else None,
        # Why pending meetings are not moving, newest first.
        "pending_errors": sorted(stuck, key=lambda m: str(m["updated_at"]), reverse=True)[
            :PENDING_ERRORS_SHOWN
        ],
        # Failed, partial and unmapped meetings with what went wrong, newest first.
        "problems": sorted(problems, key=lambda m: str(m["updated_at"]), reverse=True)[
            :PENDING_ERRORS_SHOWN
        ],
        "poison_queues": poison_depths(deps),
        "mailbox_failures": dict(sorted(failures.items())),
        # Today's Heavy calls against the daily cap, and each category's shared rate.
        "zoom_budget": deps.zoom_budget.report(),
        "archive_retention": retention,
        "webinar_licence": _webinar_licence(deps),
    }


def _webinar_licence(deps: Deps) -> str:
    """Whether Zoom said the account has no Webinar licence (recorded by the webinar source)."""
    from archiver.bootstrap import NO_WEBINAR_LICENCE

    since = deps.ledger.get_mark(NO_WEBINAR_LICENCE)
    if since is None:
        return "not refused"
    return (
        f"missing: Zoom answered 400 code 200 at {since.isoformat()}; webinars are archived from "
        "their recordings only (instances started a day later ask again)"
    )


def _archive_completed(row: dict[str, Any]) -> datetime | None:
    raw = str(row.get("archive_complete_time") or "")
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")) if raw else None
    except ValueError:
        return None


def _archive_retention(
    deps: Deps, pending: list[tuple[datetime, dict[str, Any]]], now: datetime
) -> dict[str, Any]:
    """How close the oldest archived meeting not yet archived here is to the day Zoom deletes
    its archive files (ARCHIVE_RETENTION_DAYS after the archive completed)."""
    days = deps.settings.archive_retention_days
    answer: dict[str, Any] = {"retention_days": days, "oldest_pending_age_days": None}
    if not pending:
        return answer
    completed, row = min(pending, key=lambda p: p[0])
    age = (now - completed).total_seconds() / 86400
    answer["oldest_pending_age_days"] = round(age, 1)
    answer["oldest_pending_meeting"] = row["RowKey"]
    if age >= days - 1:
        answer["warning"] = (
            f"meeting {row['RowKey']} ({row.get('topic') or 'no topic'}) completed archiving at "
            f"Zoom {age:.1f} days ago and is not archived here yet ({row.get('state')}): Zoom "
            f"deletes its archive files after {days} days (ARCHIVE_RETENTION_DAYS); fix what "
            "`status --failed` names and run `python -m archiver replay` now"
        )
    return answer


FAILED_COLUMNS = ("start_time", "state", "topic", "meeting", "reason")
FAILED_SHOWN = 1000


def failed_meetings(deps: Deps) -> list[dict[str, Any]]:
    """Every failed, partial and unmapped meeting (up to FAILED_SHOWN), newest meeting first:
    topic, date, state and why, with each mailbox that failed and its error."""
    failed_mailboxes: dict[str, list[str]] = {}
    for delivery in deps.ledger.list_deliveries():
        if delivery.get("state") == states.FAILED:
            address = str(delivery.get("address") or delivery.get("RowKey") or "")
            reason = " ".join(str(delivery.get("last_error") or "").split())
            failed_mailboxes.setdefault(str(delivery["PartitionKey"]), []).append(
                f"{address}: {reason}" if reason else address
            )
    found = []
    for row in deps.ledger.list_meetings(states=PROBLEM_STATES):
        problem = _problem(row, str(row.get("state")))
        problem["failed_mailboxes"] = sorted(failed_mailboxes.get(str(row["RowKey"]), []))
        problem["reason"] = _reason(problem)
        found.append(problem)
    found.sort(key=lambda m: str(m["start_time"]), reverse=True)
    return found[:FAILED_SHOWN]


def _reason(problem: dict[str, Any]) -> str:
    """One line: what each failed mailbox said (else the meeting's own error), then the files
    that could not be archived."""
    own = " ".join(str(problem["reason"] or "").split())
    parts = problem["failed_mailboxes"] or [own]
    # The meeting's own error may already name its missing files: each is said once.
    parts += [m for m in problem["missing_files"] if m not in own]
    return "; ".join(p for p in parts if p) or problem["state"]


def poison_depths(deps: Deps) -> dict[str, int]:
    """Approximate message counts of the poison queues (0 when a queue does not exist yet)."""
    names = (
        f"{deps.settings.meetings_queue}-poison",
        f"{deps.settings.files_queue}-poison",
        f"{deps.settings.discovery_queue}-poison",
        BLOB_POISON_QUEUE,
    )
    depths: dict[str, int] = {}
    for name in names:
        try:
            props = deps.storage.queue(name).get_queue_properties()
            depths[name] = int(props.approximate_message_count or 0)
        except ResourceNotFoundError:
            depths[name] = 0
    return depths


def _problem(row: dict[str, Any], state: str) -> dict[str, Any]:
    missing = json_field(row, "missing_files", [])
    return {
        "meeting": row["RowKey"],
        "uuid": row.get("uuid", ""),
        "topic": row.get("topic", ""),
        "start_time": row.get("start_time", ""),
        "state": state,
        "updated_at": row.get("updated_at", ""),
        "reason": row.get("last_error", ""),
        "missing_files": [f"{m.get('description')}: {m.get('reason')}" for m in missing],
    }


def _run(row: dict[str, Any] | None, now: datetime) -> dict[str, Any] | None:
    if row is None:
        return None
    keep = ("started_at", "finished_at", "state", "users")
    run = {name: row.get(name) for name in keep if name in row}
    # Stored as JSON text (Table properties are scalars); shown as the objects they are.
    run["counts"] = json_field(row, "counts", {})
    run["errors"] = json_field(row, "errors", [])
    started = str(row.get("started_at") or "")
    if run.get("state") == "running" and started:
        age = now - datetime.fromisoformat(started)
        # Nobody finishes a run the host killed: past the function timeout it is dead.
        if age > RUN_TIMEOUT:
            run["state"] = "failed"
            run["errors"] = [
                *json_field(row, "errors", []),
                f"did not finish within {int(RUN_TIMEOUT.total_seconds() // 60)} minutes "
                "(the process stopped or timed out); the next run starts over",
            ]
    return run


def log_csv(entries: Iterable[LogEntry]) -> str:
    """The run log as CSV, one row per meeting x mailbox outcome."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(LOG_COLUMNS)
    for entry in entries:
        writer.writerow([_cell(value) for value in astuple(entry)])
    return out.getvalue()


def _cell(value: object) -> object:
    # Spreadsheet formula injection: a topic like "=HYPERLINK(...)" must stay text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def log_range(
    since: str | None, until: str | None, today: date, *, prefix: str = ""
) -> tuple[date, date]:
    """The UTC days a log request covers: `since` (default today) through `until` (default
    today); ValueError naming the argument when malformed or out of order."""
    first = parse_day(since, f"{prefix}since") if since else today
    last = parse_day(until, f"{prefix}until") if until else today
    if last < first:
        raise ValueError(f"{prefix}until must be on or after {prefix}since")
    if (last - first).days > MAX_LOG_DAYS:
        raise ValueError(f"a log covers at most {MAX_LOG_DAYS} days")
    return first, last


def parse_day(value: str, name: str) -> date:
    """A yyyy-mm-dd query or CLI argument; ValueError naming the argument when malformed."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name} must be a date like 2026-01-31; got {value!r}") from None
