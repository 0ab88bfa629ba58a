"""Golden files for the poll, Q&A, survey and summary sections: each case's Zoom body renders to
exactly the expected HTML, text and attachments (tests/golden/interactions/<case>/).

An input names its kind, source, webinar flag, the meeting's time zone and start, Zoom's body,
and optionally poll titles and the participant whose copy it is ("viewer"; else the complete
record, as the host and the compliance mailbox receive it). Run with UPDATE_GOLDEN=1 to
rewrite the expected files after a deliberate change (then review the diff like code).
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from archiver.core.converter.interaction_files import interaction_files
from archiver.core.converter.interactions import interaction_sections
from archiver.core.converter.values import Times
from archiver.core.interactions import (
    MeetingInteractions,
    for_viewer,
    parse_polls,
    parse_qa,
    parse_summary,
    parse_survey,
)
from tests.support.safe_html import problems

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "interactions"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "input.json").exists())


def parsed(doc: dict[str, Any]) -> MeetingInteractions:
    kind, body, webinar = doc["kind"], doc["body"], doc.get("webinar", False)
    if kind == "polls":
        polls = parse_polls(body, source=doc["source"], webinar=webinar, titles=doc.get("titles"))
        return MeetingInteractions(polls=polls)
    if kind == "qa":
        return MeetingInteractions(qa=parse_qa(body, source=doc["source"], webinar=webinar))
    if kind == "survey":
        return MeetingInteractions(survey=parse_survey(body, webinar=webinar))
    return MeetingInteractions(summary=parse_summary(body))


def rendered(doc: dict[str, Any]) -> tuple[str, str, str]:
    start = datetime.fromisoformat(doc["start_time"])
    view = parsed(doc)
    if doc.get("viewer"):
        view = for_viewer(view, viewer_is_host_or_compliance=False, viewer_email=doc["viewer"])
    [section] = interaction_sections(view, Times.of(doc["timezone"], start))
    assert problems(section.html) == []
    html = f"<h3>{section.heading}</h3>\n{section.html}\n"
    text = f"{section.heading}\n{'-' * len(section.heading)}\n{section.text}\n"
    files = [
        {"name": f.name, "content_type": f.content_type, "size": f.size, "sha256": f.sha256}
        for f in interaction_files(view, {doc["kind"]: doc["body"]}, start)
    ]
    return html, text, json.dumps(files, indent=2) + "\n"


@pytest.mark.parametrize("case", CASES)
def test_golden(case: str) -> None:
    folder = GOLDEN / case
    html, text, files = rendered(json.loads((folder / "input.json").read_text()))
    expected = {"expected.html": html, "expected.txt": text, "expected.files.json": files}
    if os.environ.get("UPDATE_GOLDEN") == "1":
        for name, content in expected.items():
            (folder / name).write_text(content)
    for name, content in expected.items():
        assert content == (folder / name).read_text(), name
