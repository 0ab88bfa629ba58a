"""A section of the item body rendered outside body.py, and the notes every such section ends with.

A Section's html and text are what follows its heading: the body writes the heading as it
writes its own ("<h3>" in HTML, the title underlined in text) and then appends them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from archiver.core.converter.names import clean_text
from archiver.core.converter.styles import MAX_CELL, NOTE, count, para

KEPT_ELSEWHERE = "the host's and the compliance mailbox's copies hold them"


@dataclass(frozen=True)
class Section:
    """One section: its kind (polls, qa, survey, summary), heading, and content in both forms."""

    kind: str
    heading: str
    html: str  # markup after the heading
    text: str  # plain text after the heading (no trailing newline)


@dataclass
class Parts:
    """A section being written: the same paragraphs and tables in HTML and in text."""

    html: list[str]
    text: list[str]

    def note(self, message: str) -> None:
        """A note, in the body's style (italic in HTML, in brackets in text)."""
        shown = clean_text(message, limit=MAX_CELL)
        self.html.append(para(shown, NOTE))
        self.text.append(f"({shown})")

    def done(self, kind: str, heading: str) -> Section:
        """The finished section."""
        return Section(kind, heading, "\n".join(self.html), "\n".join(self.text))


def closing_notes(
    parts: Parts,
    *,
    what: tuple[str, str],
    withheld: int,
    problems: Sequence[str],
    withheld_errors: int,
) -> None:
    """What this copy leaves out, and the problems with Zoom's data that it may show."""
    if withheld:
        parts.note(
            f"{count(withheld, *what)} of other participants not shown in this copy; "
            f"{KEPT_ELSEWHERE}"
        )
    for problem in problems:
        parts.note(f"Zoom's data: {problem}")
    if withheld_errors:
        parts.note(
            f"{count(withheld_errors, 'further problem')} with Zoom's data not shown in this "
            "copy (they may quote other participants); the host's and the compliance mailbox's "
            "copies list them"
        )
