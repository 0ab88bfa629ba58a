"""What one mailbox's copy holds of a staged meeting's polls, Q&A, survey and summary (pure).

The staged answers are parsed here (parsing never raises: what Zoom's data gets wrong is
named in the section), visibility.for_viewer decides what the copy may show, and a kind's
files (Zoom's JSON, the summary's Markdown) are attached only to a copy that shows all of it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from archiver.core.interactions import (
    PAST,
    REPORT,
    MeetingInteractions,
    for_viewer,
    parse_polls,
    parse_qa,
    parse_summary,
    parse_survey,
)
from archiver.core.staged import InteractionBody, StagedFile

# StagedFile.kind of an interaction's files -> the kind it belongs to
FILE_KINDS = {
    "polls": "polls",
    "qa": "qa",
    "survey": "survey",
    "ai_summary": "summary",
    "ai_summary_md": "summary",
}
WITHHELD = (
    "withheld: it holds other participants' answers (or a summary Zoom does not say was shared "
    "with this mailbox's owner); attached only in the host's and the compliance mailbox's copies"
)


def parsed(bodies: Sequence[InteractionBody]) -> MeetingInteractions | None:
    """Every kind staged (the last body of a kind wins); None when none was."""
    if not bodies:
        return None
    found: dict[str, Any] = {}
    for b in bodies:
        raw = _decoded(b.body)
        if b.kind == "polls":
            found["polls"] = parse_polls(raw, source=PAST)
        elif b.kind == "qa":
            found["qa"] = parse_qa(raw, source=b.source if b.source in (PAST, REPORT) else PAST)
        elif b.kind == "survey":
            found["survey"] = parse_survey(raw)
        elif b.kind == "summary":
            found["summary"] = parse_summary(raw)
    return MeetingInteractions(**found)


def for_copy(
    bodies: Sequence[InteractionBody], *, privileged: bool, emails: Iterable[str]
) -> MeetingInteractions | None:
    """What this copy shows (None: the meeting has no interactions staged)."""
    everything = parsed(bodies)
    if everything is None:
        return None
    return for_viewer(
        everything, viewer_is_host_or_compliance=privileged, viewer_email=list(emails)
    )


def withheld_files(files: Sequence[StagedFile], view: MeetingInteractions | None) -> dict[str, str]:
    """The interaction files this copy does not attach (it does not show all of their kind)."""
    if view is None:
        return {}
    return {
        f.file_id: WITHHELD
        for f in files
        if f.kind in FILE_KINDS and not _shown_whole(view, FILE_KINDS[f.kind])
    }


def _shown_whole(view: MeetingInteractions, kind: str) -> bool:
    held = {"summary": view.summary, "polls": view.polls, "qa": view.qa, "survey": view.survey}
    return held[kind] is not None and view.complete(kind)


def _decoded(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None  # the parser names it: "expected an object"
