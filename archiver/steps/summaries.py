"""AI Companion summaries that arrive after a meeting was archived: from the webhook
(meeting.summary_completed / _updated) or from the sweep's look at the account's summary list.

A summary version is a pair of files of the meeting (sources/interactions.py: its ids hold the
summary's created and last-modified times), offered to claims.consider like a late recording
file: for an archived meeting a new version becomes an update item in every mailbox that may
see it, a version already archived or promised is nothing new. A meeting not archived yet needs
nothing: its staging fetches the summary with everything else. A deleted summary removes
nothing from the mailboxes (records are kept); it is logged.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from archiver.bootstrap import Deps
from archiver.core.addresses import is_meeting_uuid
from archiver.core.keys import meeting_key
from archiver.errors import ArchiverError, AuthenticationError
from archiver.sources.interactions import summary_file_ids
from archiver.steps.claims import ARCHIVED, consider

log = logging.getLogger(__name__)

COMPLETED = "meeting.summary_completed"
UPDATED = "meeting.summary_updated"
DELETED = "meeting.summary_deleted"
SUMMARY_EVENTS = frozenset({COMPLETED, UPDATED, DELETED})
# The sweep looks at summaries created this far back (an edit keeps its created time).
SWEEP_DAYS = 30


def summary_listing(summary: Mapping[str, Any]) -> dict[str, Any]:
    """A summary (webhook object or list entry) as a listing of its meeting with its files."""
    uuid = str(summary.get("meeting_uuid") or "")
    json_id, md_id = summary_file_ids(uuid, summary)
    return {
        "uuid": uuid,
        "id": summary.get("meeting_id") or 0,
        "topic": str(summary.get("meeting_topic") or ""),
        "host_email": str(summary.get("meeting_host_email") or ""),
        "start_time": str(summary.get("meeting_start_time") or ""),
        "recording_files": [
            {"id": json_id, "file_type": "AI_SUMMARY", "status": "completed"},
            {"id": md_id, "file_type": "AI_SUMMARY_MD", "status": "completed"},
        ],
    }


def summary_event(deps: Deps, event: str, summary: Mapping[str, Any]) -> str:
    """One summary webhook; returns what happened."""
    uuid = summary.get("meeting_uuid")
    if not is_meeting_uuid(uuid):
        log.warning("summary event without a meeting uuid", extra={"event": event})
        return "bad-input"
    if event == DELETED:
        # Records are kept: the items already delivered keep the summary they showed.
        log.info("summary deleted at Zoom; archived items kept", extra={"uuid": uuid})
        return "deleted-at-zoom"
    deps.interactions.expect_summary(str(uuid))
    return summary_arrived(deps, summary, source="webhook")


def summary_arrived(deps: Deps, summary: Mapping[str, Any], *, source: str) -> str:
    """A summary version of an archived meeting: an update item unless it is archived already."""
    uuid = str(summary.get("meeting_uuid") or "")
    row = deps.ledger.find_meeting(meeting_key(uuid))
    if row is None or row.get("state") not in ARCHIVED:
        # Not archived (yet): staging fetches the summary with everything else; a meeting
        # this app never heard of is left to discovery, which decides what is archived.
        return "not-archived"
    return consider(deps, summary_listing(summary), source=source)


def sweep_summaries(deps: Deps, counts: Counter[str], errors: list[str]) -> None:
    """Bring the summaries of archived meetings that a missed webhook would have brought."""
    end = deps.clock()
    try:
        for summary in deps.zoom.list_meeting_summaries(
            start=end - timedelta(days=SWEEP_DAYS), end=end
        ):
            if is_meeting_uuid(summary.get("meeting_uuid")):
                counts[f"summary-{summary_arrived(deps, summary, source='sweep')}"] += 1
    except AuthenticationError as error:
        # Without the list scope the webhook alone brings late summaries (check says so).
        log.info("summary list refused", extra={"reason": error.reason})
    except ArchiverError as error:
        errors.append(f"summary list: {error}")
