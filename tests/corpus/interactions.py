"""What every poll, Q&A, survey and summary case must satisfy, whatever its input.

The parser never raises; its input errors match the case's regexes in order, each under the
corpus's message limit; the result round-trips through its JSON form (what staging stores);
the complete record and a participant's copy render to markup the converter writes itself;
Zoom's JSON is attached as bytes that decode to exactly the input; and a participant's copy
(the case's `viewer`, else someone who answered nothing) holds none of the case's `hidden`
texts and all of its `shown` ones, in its body or in its files.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from archiver.core.converter.interaction_files import interaction_files, raw_json
from archiver.core.converter.interactions import interaction_sections
from archiver.core.converter.values import Times
from archiver.core.interactions import MeetingInteractions, for_viewer
from archiver.core.typed import from_json_dict
from tests.corpus.support import MAX_MESSAGE, Case, check_matches
from tests.support.safe_html import problems

START = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
TIMES = Times.of("Europe/London", START)
NOBODY = "nobody@contoso.com"


def check(case: Case, kind: str, parsed: Any, body: Any) -> None:
    """The checks above, for one case's parse of `body`."""
    expect = case.expect
    assert case.accepted, "the parsers accept every body; what they cannot read is an error"
    check_matches(expect["input_errors"], parsed.all_errors)
    assert all(len(e) <= MAX_MESSAGE for e in parsed.all_errors)
    doc = json.loads(json.dumps(asdict(parsed), default=str))
    assert from_json_dict(type(parsed), doc, kind) == parsed
    assert json.loads(raw_json(body)) == body
    full = MeetingInteractions(**{kind: parsed})
    copy = for_viewer(
        full, viewer_is_host_or_compliance=False, viewer_email=expect.get("viewer", NOBODY)
    )
    for view in (full, copy):
        for section in interaction_sections(view, TIMES):
            assert problems(section.html) == [], section.kind
            assert "\r" not in section.text
    held = _held(copy, body)
    for text in expect.get("hidden", []):
        assert text not in held, text
    for text in expect.get("shown", []):
        assert text in held, text


def _held(view: MeetingInteractions, body: Any) -> str:
    """Everything a copy holds, as text: its sections and its files."""
    kinds = ("summary", "polls", "qa", "survey")
    raws = dict.fromkeys(kinds, body)
    parts = [s.html + s.text for s in interaction_sections(view, TIMES)]
    parts += [f.data.decode() for f in interaction_files(view, raws, START)]
    return "\n".join(parts)
