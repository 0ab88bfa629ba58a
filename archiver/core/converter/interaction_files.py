"""The files attached for polls, Q&A, the survey and the summary: Zoom's JSON and the Markdown.

Zoom's answer body is attached as JSON, deterministic (keys sorted, two-space indent, UTF-8),
so the same answer always gives the same bytes and the same SHA-256 whichever run staged it;
the summary's `summary_content` is attached as a .md file exactly as Zoom gave it. Names follow
the staged files' ("2026-11-20 1500 polls.json"): the meeting's start in UTC, then the kind.
A copy attaches a kind's file only when it shows all of that kind (MeetingInteractions.complete),
as a raw chat file is attached only where every line may go.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from archiver.core.converter.names import safe_file_name
from archiver.core.converter.provenance import utc
from archiver.core.fields import unicode_text
from archiver.core.interactions.meeting import (
    KINDS,
    POLLS,
    QA,
    SUMMARY,
    SURVEY,
    MeetingInteractions,
)
from archiver.core.interactions.summary import MeetingSummary

JSON_TYPE = "application/json"
MARKDOWN_TYPE = "text/markdown"  # RFC 7763
NAMES = {POLLS: "polls", QA: "Q&A", SURVEY: "survey", SUMMARY: "AI Companion summary"}


@dataclass(frozen=True)
class InteractionFile:
    """A file to stage once and attach to every copy that may hold it."""

    kind: str  # polls | qa | survey | summary
    name: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        """Its length in bytes."""
        return len(self.data)

    @property
    def sha256(self) -> str:
        """Its SHA-256, hex."""
        return hashlib.sha256(self.data).hexdigest()


def file_name(kind: str, start: datetime, extension: str) -> str:
    """ "2026-11-20 1500 polls.json": the meeting's start (UTC) and what the file holds."""
    return safe_file_name(f"{utc(start):%Y-%m-%d %H%M} {NAMES[kind]}.{extension}")


def raw_json(raw: Any) -> bytes:
    """Zoom's decoded JSON as deterministic bytes (keys sorted, indented, UTF-8).

    Text holding half a UTF-16 pair (which a JSON escape can carry) is written with ASCII
    escapes instead, so the bytes are valid UTF-8 and decode to exactly what Zoom sent; a
    document nested too deeply for the indenting encoder is written compactly.
    """
    try:
        text = json.dumps(raw, indent=2, sort_keys=True, ensure_ascii=False)
    except RecursionError:
        text = json.dumps(raw, sort_keys=True, ensure_ascii=False)
    try:
        return (text + "\n").encode("utf-8")
    except UnicodeEncodeError:
        try:
            return (json.dumps(raw, indent=2, sort_keys=True) + "\n").encode("ascii")
        except RecursionError:
            return (json.dumps(raw, sort_keys=True) + "\n").encode("ascii")


def raw_file(kind: str, raw: Any, start: datetime) -> InteractionFile:
    """Zoom's answer body for a kind (polls, qa, survey, or the summary object) as a file."""
    return InteractionFile(kind, file_name(kind, start, "json"), JSON_TYPE, raw_json(raw))


def markdown_file(summary: MeetingSummary, start: datetime) -> InteractionFile | None:
    """The summary's Markdown as Zoom gave it; None when Zoom gave no summary_content."""
    if summary.content is None:
        return None
    data = unicode_text(summary.content).encode("utf-8")
    return InteractionFile(SUMMARY, file_name(SUMMARY, start, "md"), MARKDOWN_TYPE, data)


def interaction_files(
    view: MeetingInteractions, raws: Mapping[str, Any], start: datetime
) -> list[InteractionFile]:
    """The files one copy attaches: for each kind it holds all of, Zoom's JSON (`raws`: kind ->
    the decoded body), and the summary's Markdown."""
    files: list[InteractionFile] = []
    held = {SUMMARY: view.summary, POLLS: view.polls, QA: view.qa, SURVEY: view.survey}
    for kind in KINDS:
        if held[kind] is None or not view.complete(kind):
            continue
        if kind == SUMMARY and view.summary is not None:
            found = markdown_file(view.summary, start)
            files += [found] if found else []
        if kind in raws:
            files.append(raw_file(kind, raws[kind], start))
    return files
