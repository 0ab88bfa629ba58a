"""What one mailbox's item shows besides the meeting's facts: its chat, transcript and notes."""

from __future__ import annotations

from dataclasses import dataclass

from archiver.core.converter.transcripts import ChatLine, Turn
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
