"""Deterministic identities derived from a Zoom meeting instance UUID."""

from __future__ import annotations

import hashlib

# Property set GUID of the named MAPI property that tags every archived item with its meeting key.
# Fixed forever: changing it would make existing items invisible to the duplicate check.
PROPERTY_SET_GUID = "6f3c1c5e-5b7e-4c1a-9a43-0d5e2a7b9c11"
MEETING_KEY_PROPERTY = "ZoomMeetingKey"
MEETING_KEY_PROPERTY_ID = f"String {{{PROPERTY_SET_GUID}}} Name {MEETING_KEY_PROPERTY}"
MESSAGE_ID_DOMAIN = "zoom-archiver.invalid"


def meeting_key(meeting_uuid: str) -> str:
    """A storage-safe key for a meeting instance: 32 hex chars of SHA-256 over its UUID."""
    if not meeting_uuid:
        raise ValueError("meeting UUID is empty")
    return hashlib.sha256(meeting_uuid.encode("utf-8")).hexdigest()[:32]


def revision_key(meeting_uuid: str, revision: int = 0) -> str:
    """The ledger/staging key of a meeting's archive, or of its n-th update ("-r<n>")."""
    key = meeting_key(meeting_uuid)
    return key if not revision else f"{key}-r{revision}"


def item_key(meeting_uuid: str, part: int | None = None, revision: int = 0) -> str:
    """The key stored on a mailbox item: the revision key, plus "-p<n>" for part n of a split."""
    key = revision_key(meeting_uuid, revision)
    return key if part is None else f"{key}-p{part}"


def internet_message_id(meeting_uuid: str, part: int | None = None, revision: int = 0) -> str:
    """The RFC 5322 Message-ID of the archived item, the same in every mailbox."""
    return f"<zoom.{item_key(meeting_uuid, part, revision)}@{MESSAGE_ID_DOMAIN}>"
