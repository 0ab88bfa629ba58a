"""The AI Companion meeting summary parsed from Zoom's JSON (pure; never raises for its data).

`GET /meetings/{uuid}/meeting_summary` and the `meeting.summary_completed` / `_updated` webhook
object (zoom-content-sources.md §4): `meeting_uuid, meeting_topic, meeting_host_email,
summary_start_time, summary_end_time, summary_created_time, summary_last_modified_time,
summary_title, summary_content` (Markdown: the current field), `summary_doc_url` (Zoom Docs),
and the deprecated `summary_overview, summary_details[{label, summary}], next_steps[],
edited_summary{summary_overview?, summary_details, next_steps[]}`. `summary_content`, when
Zoom gives any text in it, is what the item shows; otherwise the deprecated fields are. Only an
http or https link is kept as the Zoom Docs link.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from archiver.core.addresses import email_address
from archiver.core.fields import shown, unicode_text
from archiver.core.interactions.rows import Row, body_of, object_rows
from archiver.errors import InvalidInputError

WHERE = "meeting summary"
_NOT_IN_URL = frozenset('<>"`\\')


@dataclass(frozen=True)
class SummaryDetail:
    """One labelled part of the deprecated `summary_details`."""

    label: str
    summary: str


@dataclass(frozen=True)
class EditedSummary:
    """The deprecated `edited_summary`: the summary as a person edited it."""

    overview: str = ""
    details: str = ""
    next_steps: tuple[str, ...] = ()


@dataclass(frozen=True)
class MeetingSummary:
    """One meeting instance's AI Companion summary."""

    title: str
    meeting_uuid: str = ""
    meeting_topic: str = ""
    host_email: str | None = None
    created: datetime | None = None
    last_modified: datetime | None = None
    start: datetime | None = None  # the span of the meeting the summary covers
    end: datetime | None = None
    content: str | None = None  # summary_content (Markdown) as given; None when Zoom gave none
    doc_url: str | None = None  # the Zoom Docs link (http or https only)
    overview: str = ""  # the deprecated fields, read whether or not content is given
    details: tuple[SummaryDetail, ...] = ()
    next_steps: tuple[str, ...] = ()
    edited: EditedSummary | None = None
    input_errors: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def deprecated(self) -> bool:
        """True when Zoom gave no summary_content, so the deprecated fields are shown."""
        return self.content is None

    @property
    def was_edited(self) -> bool:
        """True when the summary was modified after it was created (or Zoom has an edit)."""
        later = (
            self.created is not None
            and self.last_modified is not None
            and self.last_modified > self.created
        )
        return later or self.edited is not None

    @property
    def all_errors(self) -> tuple[str, ...]:
        """Every input error."""
        return self.input_errors


def is_web_link(url: str) -> bool:
    """True for an absolute http or https URL with a host, and none of the characters a URL
    cannot hold unencoded (spaces, controls, <, >, ", `, backslash)."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in ("http", "https"):
        return False
    host = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return bool(host) and not any(
        ch.isspace() or ord(ch) < 32 or 127 <= ord(ch) < 160 or ch in _NOT_IN_URL for ch in url
    )


def parse_summary(raw: Any) -> MeetingSummary:
    """Zoom's meeting summary object."""
    errors: list[str] = []
    body = body_of(raw, WHERE, "summary", errors)
    row = Row(body, WHERE, errors)
    content = row.text("summary_content")
    url = row.text("summary_doc_url").strip()
    if url and not is_web_link(url):
        errors.append(
            f"{WHERE}.summary_doc_url: not an http or https link ({url[:80]!r}); "
            "not shown as a link"
        )
        url = ""
    host: str | None = None
    raw_host = row.text("meeting_host_email").strip()
    if raw_host:
        try:
            host = email_address(raw_host, f"{WHERE}.meeting_host_email")
        except InvalidInputError as error:
            errors.append(f"{error}; not shown")
    return MeetingSummary(
        title=row.text("summary_title"),
        meeting_uuid=row.text("meeting_uuid"),
        meeting_topic=row.text("meeting_topic"),
        host_email=host,
        created=row.time("summary_created_time"),
        last_modified=row.time("summary_last_modified_time"),
        start=row.time("summary_start_time"),
        end=row.time("summary_end_time"),
        content=content if content.strip() else None,
        doc_url=url or None,
        overview=row.text("summary_overview"),
        details=tuple(
            SummaryDetail(d.text("label"), d.text("summary"))
            for d in (
                Row(doc, f"{WHERE}.summary_details[{i}]", errors)
                for i, doc in object_rows(body, "summary_details", WHERE, "detail", errors)
            )
        ),
        next_steps=_steps(body, WHERE, errors),
        edited=_edited(body.get("edited_summary"), errors),
        input_errors=tuple(errors),
    )


def _steps(doc: Mapping[str, Any], where: str, errors: list[str]) -> tuple[str, ...]:
    """A list of text (next_steps); a non-list, or an entry that is not text, is an error."""
    value = doc.get("next_steps")
    if value is None:
        return ()
    if not isinstance(value, list):
        errors.append(f"{where}.next_steps: expected a list of text, got {shown(value)}; not shown")
        return ()
    steps: list[str] = []
    for index, entry in enumerate(value):
        if isinstance(entry, str):
            steps.append(unicode_text(entry))
        else:
            errors.append(
                f"{where}.next_steps[{index}]: expected text, got {shown(entry)}; left out"
            )
    return tuple(steps)


def _edited(value: Any, errors: list[str]) -> EditedSummary | None:
    where = f"{WHERE}.edited_summary"
    if value is None:
        return None
    if not isinstance(value, Mapping):
        errors.append(f"{where}: expected an object, got {shown(value)}; not shown")
        return None
    row = Row(value, where, errors)
    details = value.get("summary_details")
    if isinstance(details, list):
        # Zoom documents a text here; a list like the top-level summary_details is read too.
        parts = [
            ": ".join(x for x in (d.text("label"), d.text("summary")) if x)
            for d in (
                Row(doc, f"{where}.summary_details[{i}]", errors)
                for i, doc in object_rows(value, "summary_details", where, "detail", errors)
            )
        ]
        text = "\n".join(parts)
    else:
        text = row.text("summary_details")
    return EditedSummary(
        overview=row.text("summary_overview"),
        details=text,
        next_steps=_steps(value, where, errors),
    )
