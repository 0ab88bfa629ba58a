"""The Archiving API source: what Zoom's Meeting & Webinar Archiving keeps of a meeting instance
or breakout room (every chat line, including direct, private-group, waiting-room and breakout
chat; files shared in the chat; per-participant audio), with its people where Zoom has them.

ZOOM_ARCHIVING decides whether it is asked: `off` never; `on` always, a refusal being an error;
`auto` (the default) while the account has the feature and the app the scope: the first refusal
(Zoom answers an account without archiving 400 code 2001, a missing scope 4711) turns the source
off for this process, and `check` says which mode is in use.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from typing import Any

from archiver.core.archive import meeting_from_archive
from archiver.core.model import Meeting
from archiver.core.ports import ZoomPort
from archiver.errors import ArchiverError, AuthenticationError, InvalidInputError, NotFoundError
from archiver.sources.recordings import host_email, optional, participant_note, participant_rows

log = logging.getLogger(__name__)

NO_ARCHIVE = "3001"  # Zoom: "Meeting does not exist" (no archive, deleted, or past retention)
NO_FEATURE = "2001"  # what the Archiving API answers an account Zoom keeps no archive for
NAME = "archiving"


def unavailable(error: ArchiverError) -> bool:
    """True when the error says the account or the app cannot use the Archiving API at all."""
    return isinstance(error, AuthenticationError) or (
        isinstance(error, InvalidInputError) and error.code == NO_FEATURE
    )


class ArchivingSource:
    """Archived meetings and breakout rooms (`GET /past_meetings/{uuid}/archive_files`)."""

    name = NAME

    def __init__(self, zoom: ZoomPort, mode: str = "auto") -> None:
        self._zoom = zoom
        self._mode = mode
        self._lock = threading.Lock()
        self.refused: str | None = None  # why `auto` turned the source off (None: it is on)

    @property
    def active(self) -> bool:
        return self._mode == "on" or (self._mode == "auto" and self.refused is None)

    def turn_off(self, error: ArchiverError) -> None:
        """`auto`: stop asking after Zoom said the account or app cannot use archiving."""
        with self._lock:
            if self.refused is None:
                self.refused = str(error)
                log.info("archiving source off", extra={"reason": error.reason})

    def fetch(self, uuid: str) -> Meeting | None:
        """The archive's part of the meeting, or None when Zoom keeps no archive of it."""
        if not self.active:
            return None
        try:
            archive = self._zoom.get_archive_files(uuid)
        except NotFoundError as error:
            if error.code == NO_ARCHIVE:
                return None
            raise
        except (AuthenticationError, InvalidInputError) as error:
            if self._mode == "auto" and unavailable(error):
                self.turn_off(error)
                return None
            raise
        return self._meeting(uuid, archive)

    def _meeting(self, uuid: str, archive: dict[str, Any]) -> Meeting:
        past, past_note = optional(lambda: self._zoom.get_past_meeting(uuid), "meeting details")
        spent: list[str] = []  # the Heavy budget's note, when the Medium list was taken
        rows, note = optional(lambda: participant_rows(self._zoom, uuid, spent), "participant list")
        parent_topic = ""
        parent = str(archive.get("parent_meeting_id") or "")
        if archive.get("is_breakout_room") is True and parent:
            found, _ = optional(lambda: self._zoom.get_past_meeting(parent), "parent meeting")
            parent_topic = str((found or {}).get("topic") or "")
        meeting = meeting_from_archive(
            archive,
            participant_rows=rows or [],
            host_email=host_email(self._zoom, archive, past),
            host_name=str((past or {}).get("user_name") or ""),
            parent_topic=parent_topic,
            participants_note=note or ("" if rows else participant_note(past_note)),
        )
        if meeting.uuid != uuid:
            raise InvalidInputError(f"archive.uuid: {meeting.uuid!r} differs from the work item")
        return replace(meeting, notes=(*meeting.notes, *spent)) if spent else meeting
