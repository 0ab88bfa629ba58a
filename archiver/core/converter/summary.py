"""The AI Companion summary as a section of the item body (pure; every Zoom text escaped).

Its facts first (title, when it was created and last modified, whether it was edited, the span
it covers, the Zoom Docs link, which of Zoom's fields are shown), then the summary itself:
`summary_content` rendered from Markdown (markdown.py), or, when Zoom gives none, the
deprecated overview, details, next steps and edited summary as the text they are.
"""

from __future__ import annotations

from html import escape

from archiver.core.converter.markdown import render_markdown
from archiver.core.converter.names import clean_text
from archiver.core.converter.section import Parts, Section, closing_notes
from archiver.core.converter.styles import (
    FACT,
    H5,
    LI,
    LINK,
    LIST,
    MAX_CELL,
    TABLE_ATTRS,
    TH,
    P,
    tag,
)
from archiver.core.converter.values import Times
from archiver.core.interactions.meeting import SUMMARY
from archiver.core.interactions.summary import MeetingSummary

HEADING = "AI Companion summary"
WITHHELD = (
    "Zoom has an AI Companion summary of this meeting. Zoom does not say with whom the host "
    "shared it, so it is kept in the host's and the compliance mailbox's copies, not in this one."
)
FROM_CONTENT = (
    "summary_content, Zoom's current field, rendered from its Markdown "
    "(the attached .md file holds it as Zoom gave it)"
)
FROM_DEPRECATED = (
    "Zoom gave no summary_content: its deprecated fields (summary_overview, summary_details, "
    "next_steps, edited_summary) are shown"
)
SHORTENED = "The summary is shortened here; the attached .md file holds all of it."


def summary_section(summary: MeetingSummary | None, times: Times) -> Section:
    """The summary's section; with None, the section of a copy the summary is withheld from."""
    parts = Parts([], [])
    if summary is None:
        parts.note(WITHHELD)
        return parts.done(SUMMARY, HEADING)
    _facts(parts, summary, times)
    if summary.content is not None:
        rendered = render_markdown(summary.content)
        parts.html.append(rendered.html)
        parts.text.append(rendered.text)
        if rendered.shortened:
            parts.note(SHORTENED)
    else:
        _deprecated(parts, summary)
    for note in summary.notes:
        parts.note(note)
    closing_notes(
        parts, what=("", ""), withheld=0, problems=summary.input_errors, withheld_errors=0
    )
    return parts.done(SUMMARY, HEADING)


def _facts(parts: Parts, s: MeetingSummary, times: Times) -> None:
    created = times.full(s.created) if s.created else "not given by Zoom"
    modified = times.full(s.last_modified) if s.last_modified else "not given by Zoom"
    if s.created and s.last_modified and s.last_modified > s.created:
        modified += " (edited after it was created)"
    elif s.edited is not None:
        modified += " (Zoom holds an edited summary)"
    facts = [
        ("Title", clean_text(s.title, limit=MAX_CELL) or "(no title)"),
        ("Created", created),
        ("Last modified", modified),
    ]
    if s.start or s.end:
        start = times.short(s.start) if s.start else "not given"
        end = times.short(s.end) if s.end else "not given"
        facts.append(("Covers", f"{start} to {end}"))
    facts.append(("Shown", FROM_CONTENT if s.content is not None else FROM_DEPRECATED))
    rows = [
        f"<tr valign=top>{tag('th', TH, escape(k))}{tag('td', FACT, escape(v))}</tr>"
        for k, v in facts
    ]
    link = "not given by Zoom"
    if s.doc_url:
        link = f'<a href="{escape(s.doc_url)}" style="{LINK}">{escape(s.doc_url)}</a>'
    rows.append(f"<tr valign=top>{tag('th', TH, 'Zoom Docs')}{tag('td', FACT, link)}</tr>")
    parts.html.append("\n".join([f"<table{TABLE_ATTRS}>", *rows, "</table>"]))
    facts.append(("Zoom Docs", s.doc_url or "not given by Zoom"))
    width = max(len(k) for k, _ in facts) + 2
    parts.text += [f"{k + ':':<{width}}{v}" for k, v in facts]
    parts.text.append("")


def _gap(parts: Parts) -> list[str]:
    """A blank line before a block, unless there is one already."""
    return [""] if parts.text and parts.text[-1] else []


def _lines(text: str) -> list[str]:
    """Plain text as its lines, each cleaned and shortened."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [clean_text(line, limit=MAX_CELL) for line in lines if line.strip()]


def _block(parts: Parts, title: str, text: str) -> None:
    lines = _lines(text)
    if not lines:
        return
    if title:
        parts.html.append(tag("h5", H5, escape(title)))
        parts.text += [*_gap(parts), title]
    parts.html.append(tag("p", P, "<br>\n".join(escape(line) for line in lines)))
    parts.text += lines


def _steps(parts: Parts, title: str, steps: tuple[str, ...]) -> None:
    shown = [clean_text(step, limit=MAX_CELL) for step in steps if step.strip()]
    if not shown:
        return
    parts.html.append(tag("h5", H5, escape(title)))
    parts.html.append(tag("ul", LIST, "".join(tag("li", LI, escape(s)) for s in shown)))
    parts.text += [*_gap(parts), title, *(f"- {s}" for s in shown)]


def _deprecated(parts: Parts, s: MeetingSummary) -> None:
    _block(parts, "Overview", s.overview)
    for detail in s.details:
        _block(parts, clean_text(detail.label, limit=MAX_CELL) or "Detail", detail.summary)
    _steps(parts, "Next steps", s.next_steps)
    if s.edited is not None:
        _block(parts, "Edited summary: overview", s.edited.overview)
        _block(parts, "Edited summary: details", s.edited.details)
        _steps(parts, "Edited summary: next steps", s.edited.next_steps)
    if not (s.overview.strip() or s.details or s.next_steps or s.edited):
        parts.html.append(tag("p", P, "Zoom gives no summary text."))
        parts.text.append("Zoom gives no summary text.")
