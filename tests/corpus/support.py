"""Loads the corpus: one input file per case beside its `<case>.expect.json`.

An input is the file as it is, or, for a `<case>.gen.json`, bytes made from its "parts" (each a
"text" or "hex" piece, repeated "times") so that megabyte inputs need no megabyte files. An
expectation says "outcome" ("accept" or "reject"), for a rejection the "error" regex its message
must match, what the kind's test checks on an accepted result, and "why" (what the case is). A
case the product still gets wrong carries "xfail": the reason, and its test must fail.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CORPUS = Path(__file__).resolve().parent
EXPECT = ".expect.json"
GENERATED = ".gen.json"
# A rejection's message is read by an admin in `status`: it names the field, not the whole value.
MAX_MESSAGE = 1000


@dataclass(frozen=True)
class Case:
    """One corpus case: its name, input bytes and expectation."""

    name: str
    data: bytes
    expect: dict[str, Any]

    @property
    def accepted(self) -> bool:
        """True when the product must accept this input."""
        return self.expect["outcome"] == "accept"

    def json(self) -> Any:
        """The input parsed as JSON (for kinds whose cases are JSON documents)."""
        return json.loads(self.data)


def generate(spec: dict[str, Any]) -> bytes:
    """The bytes a `.gen.json` describes."""
    out = []
    for part in spec["parts"]:
        piece = bytes.fromhex(part["hex"]) if "hex" in part else part["text"].encode()
        out.append(piece * int(part.get("times", 1)))
    return b"".join(out)


def load(kind: str) -> list[Case]:
    """Every case of a kind, sorted by name."""
    folder = CORPUS / kind
    cases = []
    for expect_path in sorted(folder.glob(f"*{EXPECT}")):
        name = expect_path.name.removesuffix(EXPECT)
        inputs = [p for p in folder.glob(f"{name}.*") if p != expect_path]
        assert len(inputs) == 1, f"{kind}/{name}: expected one input file, found {inputs}"
        [path] = inputs
        data = path.read_bytes()
        if path.name.endswith(GENERATED):
            data = generate(json.loads(data))
        expect = json.loads(expect_path.read_text())
        assert expect["outcome"] in ("accept", "reject"), f"{kind}/{name}: bad outcome"
        assert "why" in expect, f"{kind}/{name}: say why the case is there"
        cases.append(Case(name, data, expect))
    assert cases, f"no cases in {folder}"
    return cases


def params(kind: str) -> list[Any]:
    """The cases of a kind as pytest parameters (xfail where the expectation says so)."""
    out = []
    for case in load(kind):
        marks = []
        if "xfail" in case.expect:
            marks.append(pytest.mark.xfail(strict=True, reason=case.expect["xfail"]))
        out.append(pytest.param(case, id=case.name, marks=marks))
    return out


def check_rejection(case: Case, error: Exception, *, status: int | None = None) -> None:
    """A rejection names what was wrong (the case's regex) in a message of readable size (and,
    for webhooks, answers the case's status)."""
    assert not case.accepted, f"{case.name}: rejected but must be accepted: {error}"
    if status is not None:
        assert status == case.expect["status"]
    message = str(error)
    assert re.search(case.expect["error"], message), f"{message!r} !~ {case.expect['error']!r}"
    assert len(message) <= MAX_MESSAGE, f"message of {len(message)} characters"


def check_matches(patterns: list[str], found: list[str] | tuple[str, ...]) -> None:
    """One message per pattern, in order, each matching its pattern."""
    assert len(found) == len(patterns), f"{list(found)} vs {patterns}"
    for pattern, message in zip(patterns, found, strict=True):
        assert re.search(pattern, message), f"{message!r} !~ {pattern!r}"


def rendered(meeting: Any, content: Any = None) -> Any:
    """The meeting's item as .eml parsed back with `policy.strict`, after checking it is sane.

    Sane: exactly one Subject (one line), From, To, Message-ID and Date, no Cc or Bcc, To
    holding exactly the meeting's admitted people with an address (else the sender), the same
    recipients in the Graph JSON, and JSON that encodes as UTF-8.
    """
    from email import policy
    from email.parser import BytesParser

    from archiver.core.converter import ItemContent, build_message, to_eml, to_graph_json

    message = build_message(meeting, [], content or ItemContent())
    parsed = BytesParser(policy=policy.strict).parsebytes(to_eml(message, lambda ref: b""))
    for header in ("Subject", "From", "To", "Message-ID", "Date"):
        assert len(parsed.get_all(header) or []) == 1, header
    assert parsed.get_all("Cc") is None
    assert parsed.get_all("Bcc") is None
    assert not {"\r", "\n"} & set(str(parsed["Subject"]))
    people = list(dict.fromkeys(p.email for p in meeting.attendees if p.email))
    expected = people or [message.sender.email]
    assert [a.addr_spec for a in parsed["To"].addresses] == expected
    graph = to_graph_json(message, inline={})
    assert [r["emailAddress"]["address"] for r in graph["toRecipients"]] == expected
    json.dumps(graph, ensure_ascii=False).encode("utf-8")
    return parsed
