"""`python -m sim seed`: the demo corpus holds every real-world shape the archiver must handle."""

from __future__ import annotations

import json
import subprocess
import sys
from types import SimpleNamespace

import pytest

from sim.seed import build
from tests.sim.support import enc, graph, graph_token, zoom_get, zoom_token
from tests.support.simulators import ROOT

pytestmark = pytest.mark.integration


def args(**overrides) -> SimpleNamespace:
    base = {
        "users": 8,
        "meetings": 12,
        "recording_mb": 0.05,
        "seed": 7,
        "internal_domain": "contoso.com",
        "external_domain": "fabrikam.com",
        "max_receive_mb": 150,
    }
    return SimpleNamespace(**{**base, **overrides})


@pytest.fixture(scope="module")
def corpus(simulators) -> dict:
    simulators.control("POST", "/reset")
    result = subprocess.run(
        [
            *(sys.executable, "-m", "sim", "seed", "--control", simulators.control_url),
            *("--users", "8", "--meetings", "12", "--recording-mb", "0.05"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def files(corpus: dict) -> list[dict]:
    return [f for m in corpus["meetings"] for f in m["files"]]


def test_the_corpus_is_deterministic() -> None:
    """The same arguments give the same corpus (start times aside, they follow the clock)."""

    def shape(c: dict) -> dict:
        return {**c, "meetings": [{**m, "start_time": None} for m in c["meetings"]]}

    assert shape(build(args())) == shape(build(args()))


def test_the_corpus_has_a_cc_file_listed_without_id(corpus) -> None:
    """real-world-shapes.md #1: at least one CC file without an id."""
    assert any(f["file_type"] == "CC" and f["listed_id"] is None for f in files(corpus))


def test_the_corpus_has_a_direct_message_among_three_internal_attendees(corpus) -> None:
    """Privacy: a meeting with three or more internal attendees where one sends a direct
    message to another (`Bob to Ann(Direct Message)`), with a distinctive text."""
    found = [
        (m, c)
        for m in corpus["meetings"]
        for c in m["chat"]
        if c["direct"] and c["text"].endswith(f"DM-SECRET-{corpus['meetings'].index(m)}")
    ]
    internal = [
        sum(1 for p in m["participants"] if p["email"].endswith("@contoso.com")) for m, _ in found
    ]
    assert max(internal) >= 3
    meeting, message = found[internal.index(max(internal))]
    names = {p["name"] for p in meeting["participants"]}
    assert {message["sender"], message["recipient"]} <= names


def test_the_corpus_has_someone_only_in_the_waiting_room(corpus, simulators) -> None:
    """real-world-shapes.md #6: an internal user with a mailbox who was never admitted."""
    [(meeting, waiter)] = [
        (m, p) for m in corpus["meetings"] for p in m["participants"] if not p["admitted"]
    ]
    assert waiter["email"] in corpus["mailboxes"]
    assert waiter["email"] not in meeting["participant_emails"]
    rows = zoom_get(
        simulators,
        f"/report/meetings/{enc(meeting['uuid'])}/participants",
        zoom_token(simulators),
    ).json()["participants"]
    assert {r["status"] for r in rows if r["user_email"] == waiter["email"]} == {"in_waiting_room"}


def test_the_corpus_has_a_mailbox_whose_upn_differs_from_its_mail(corpus, simulators) -> None:
    """real-world-shapes.md #11: a mailbox with mail ≠ UPN attends several meetings."""
    [(mail, upn)] = corpus["mailbox_upns"].items()
    assert mail != upn
    assert sum(mail in m["participant_emails"] for m in corpus["meetings"]) >= 2
    tok = graph_token(simulators)
    assert graph(simulators, "GET", f"/users/{upn}", tok).json()["mail"] == mail
    assert graph(simulators, "GET", f"/users/{mail}", tok).status_code == 404


def test_the_corpus_has_a_listed_size_that_differs_and_an_untrusted_url(corpus) -> None:
    """real-world-shapes.md #4, and a download_url on a host the archiver must refuse."""
    assert any(f["listed_size"] != f["size"] for f in files(corpus))
    assert [f["file_type"] for f in files(corpus) if not f["trusted_url"]] == ["M4A"]


def test_seeded_mailboxes_have_the_max_receive_size_asked_for(corpus, simulators) -> None:
    """real-world-shapes.md #13: --max-receive-mb (default 150, the admin guide's step)."""
    sizes = {
        b["max_message_bytes"] for b in simulators.control("GET", "/m365/mailboxes")["mailboxes"]
    }
    assert sizes == {150 * 1024 * 1024}


def test_the_summary_describes_each_meeting_as_documented(corpus) -> None:
    """sim/README.md: the JSON line's fields per meeting and file."""
    meeting = corpus["meetings"][0]
    assert set(meeting) == {
        "uuid",
        "id",
        "topic",
        "start_time",
        "host_email",
        "participants",
        "participant_emails",
        "files",
        "chat",
    }
    assert set(meeting["participants"][0]) == {"name", "email", "admitted"}
    assert set(meeting["files"][0]) == {
        "id",
        "listed_id",
        "file_type",
        "size",
        "listed_size",
        "sha256",
        "status",
        "trusted_url",
    }
    assert set(meeting["chat"][0]) == {"sender", "recipient", "text", "direct"}
