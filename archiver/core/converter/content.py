"""What one mailbox's item shows besides the meeting's facts: chat, rooms, transcript, notes."""

from __future__ import annotations

from dataclasses import dataclass

from archiver.core.converter.member_log import Room
from archiver.core.converter.transcripts import ChatLine, Turn
from archiver.core.interactions import MeetingInteractions
from archiver.core.staged import MissingFile


@dataclass(frozen=True)
class ItemContent:
    """The parsed text content one mailbox may see, and what its item must say is left out."""

    chat: tuple[ChatLine, ...] = ()
    chat_unparsed: int = 0
    # Direct messages of other participants not shown in this copy, and where they are kept.
    withheld: int = 0
    withheld_note: str = ""
    transcript: tuple[Turn, ...] = ()
    transcript_unparsed: int = 0
    missing: tuple[MissingFile, ...] = ()
    notes: tuple[str, ...] = ()
    # What the withheld messages are ("" for direct messages between other participants).
    withheld_what: str = ""
    chat_problems: tuple[str, ...] = ()  # what was wrong in the JSON chat, by message index
    # The member log's rooms this mailbox may see, how many it may not, and what was wrong.
    rooms: tuple[Room, ...] = ()
    rooms_withheld: int = 0
    room_problems: tuple[str, ...] = ()
    # Polls, Q&A, survey and summary as this copy may show them (None: the meeting has none).
    interactions: MeetingInteractions | None = None
