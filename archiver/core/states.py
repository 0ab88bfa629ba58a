"""Meeting and delivery states, as the ledger records them and `status` shows them."""

from __future__ import annotations

# Meeting states, in the order a meeting normally moves through them.
WAITING = "waiting"  # files still processing at Zoom; the sweep re-checks
CLAIMED = "claimed"  # ledger row exists, work item not yet known to be enqueued
QUEUED = "queued"
STAGING = "staging"
STAGED = "staged"  # manifest written; import pending
IMPORTED = "imported"  # every mailbox has its item
PARTIAL = "partial"  # some mailboxes failed permanently, or some files could not be archived
UNMAPPED = "unmapped"  # no mailbox and no fallback configured
FAILED = "failed"
NO_CONTENT = "no-content"  # ended without cloud recording content; nothing to archive
MEETING_STATES = (
    WAITING,
    CLAIMED,
    QUEUED,
    STAGING,
    STAGED,
    IMPORTED,
    PARTIAL,
    UNMAPPED,
    FAILED,
    NO_CONTENT,
)

# Delivery states for one (meeting, mailbox).
PENDING = "pending"
CREATING = "creating"
COMPLETE = "complete"
