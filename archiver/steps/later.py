"""What the Heavy budget held back from an archived meeting (its survey, its Q&A report), fetched
again by the sweep once the budget allows and delivered as an update item.

The first staging marks the meeting's row (`interactions_waiting`); each sweep, while today's
Heavy budget is not spent, asks the interactions source again and offers what it gives to
claims.consider like late recording files: a survey or Q&A report not yet archived becomes one
update item in every mailbox (each showing what its owner may see). The mark is cleared once
nothing waits any more (or the meeting turned out to have none).
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from archiver.bootstrap import Deps
from archiver.errors import ArchiverError
from archiver.sources.interactions import waiting_on_heavy
from archiver.steps.claims import ARCHIVED, consider

log = logging.getLogger(__name__)

FLAG = "interactions_waiting"


def sweep_waiting(deps: Deps, counts: Counter[str], errors: list[str]) -> None:
    """Fetch again what the Heavy budget held back, for every meeting marked so."""
    for row in deps.ledger.list_flagged(FLAG):
        if deps.zoom.remaining_today("heavy") == 0:
            return  # spent (still, or again): nothing more would come today
        if row.get("state") not in ARCHIVED or int(row.get("revision") or 0):
            continue
        try:
            counts[f"interactions-{_again(deps, row)}"] += 1
        except ArchiverError as error:
            errors.append(f"meeting {row['RowKey']}: {error}")


def _again(deps: Deps, row: dict[str, Any]) -> str:
    uuid = str(row["uuid"])
    part = deps.interactions.fetch(uuid)
    outcome = "none"
    if part is not None and part.files:
        listing = {
            "uuid": uuid,
            "id": row.get("meeting_id") or 0,
            "topic": str(row.get("topic") or ""),
            "host_email": str(row.get("host_email") or ""),
            "start_time": str(row.get("start_time") or ""),
            "recording_files": [
                {"id": f.file_id, "file_type": f.file_type, "status": "completed"}
                for f in part.files
            ],
        }
        outcome = consider(deps, listing, source="sweep")
    still = waiting_on_heavy(part.notes if part is not None else ())
    if still:
        return "waiting"
    deps.ledger.update_meeting(row["RowKey"], {FLAG: False, "interactions_waiting_for": ""})
    log.info("held-back interactions fetched", extra={"uuid": uuid, "outcome": outcome})
    return outcome
