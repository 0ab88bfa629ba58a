"""The crash-point scenarios: what is seeded, which commands run, and what must hold after."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from archiver.core.webhook import sign

MIB = 1024 * 1024
MAILBOXES = ("ann@contoso.com", "bob@contoso.com", "cat@contoso.com")
RUN: tuple[str, ...] = ("run", "--once", "--log-level", "warning")
REPLAY: tuple[str, ...] = ("replay",)


@dataclass(frozen=True)
class Item:
    """An item that must be in every mailbox exactly once: its meeting, update and part."""

    uuid: str
    update: int = 0
    part: int = 0
    shas: frozenset[str] = frozenset()  # the attachments it must carry (Zoom's SHA-256s)
    part_bytes: int = 0  # for a part of a split file: the bytes it carries


@dataclass
class Seeded:
    """What a seed made: the items every mailbox must hold, and what else must be true."""

    items: list[Item]
    archived: set[str] = field(default_factory=set)  # SHA-256s the archive container must hold
    webhook: str = ""  # the body of a webhook event the scenario delivers


@dataclass
class Scenario:
    """One way the pipeline runs; each product call of `phases` is a crash point."""

    name: str
    description: str
    seed: Callable[[Any], Seeded]
    phases: list[tuple[str, ...]]
    setup: list[tuple[str, ...]] = field(default_factory=list)  # run first, never crashed
    between: Callable[[Any], Seeded] | None = None  # after setup: what changes, what more
    settings: dict[str, str] = field(default_factory=dict)


def _start() -> str:
    return (datetime.now(UTC) - timedelta(hours=3)).replace(microsecond=0).isoformat()


def directory(sims: Any) -> None:
    """The host in Zoom, three mailboxes that accept what the scenarios send."""
    sims.control("POST", "/zoom/users", {"id": "u-ann", "email": "ann@contoso.com"})
    for address in MAILBOXES:
        sims.control(
            "POST", "/m365/mailboxes", {"address": address, "max_message_bytes": 150 * MIB}
        )


PEOPLE = [
    {"name": "Ann", "email": "ann@contoso.com", "sessions": [[0, 30]]},
    {"name": "Bob", "email": "bob@contoso.com", "sessions": [[1, 30]]},
    {"name": "Cat", "email": "cat@contoso.com", "sessions": [[2, 30]]},
]
CHAT = "00:00:01\tAnn:\thello\n00:00:02\tBob:\thi\n"
VTT = "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nAnn: hello\n"


def _meeting(sims: Any, uuid: str, files: list[dict[str, Any]]) -> dict[str, Any]:
    answer: dict[str, Any] = sims.control(
        "POST",
        "/zoom/meetings",
        {
            "uuid": uuid,
            "id": 81000000300,
            "host_id": "u-ann",
            "topic": f"Crash points {uuid}",
            "start_time": _start(),
            "participants": PEOPLE,
            "files": files,
        },
    )
    return answer


def _shas(described: dict[str, Any]) -> frozenset[str]:
    return frozenset(f["sha256"] for f in described["files"])


SMALL = [
    {"file_type": "MP4", "size": 300_000},
    {"file_type": "CHAT", "content": CHAT},
    {"file_type": "TRANSCRIPT", "content": VTT},
]


def _small(sims: Any) -> Seeded:
    directory(sims)
    return Seeded([Item("small==", shas=_shas(_meeting(sims, "small==", SMALL)))])


def _fanout(sims: Any) -> Seeded:
    directory(sims)
    files = [
        {"file_type": "MP4", "size": 2 * MIB + 7},
        {"file_type": "M4A", "size": 3 * MIB + 5},
        {"file_type": "CHAT", "content": CHAT},
    ]
    return Seeded([Item("fanout==", shas=_shas(_meeting(sims, "fanout==", files)))])


LATE_FILES = [{"file_type": "MP4", "size": 200_000}, {"file_type": "CHAT", "content": CHAT}]


def _late_first(sims: Any) -> Seeded:
    directory(sims)
    return Seeded([Item("late==", shas=_shas(_meeting(sims, "late==", LATE_FILES)))])


def _late_transcript(sims: Any) -> Seeded:
    # The same meeting listed again with a transcript Zoom completed later (earlier ids kept).
    files = [*LATE_FILES, {"file_type": "TRANSCRIPT", "content": VTT}]
    described = _meeting(sims, "late==", files)
    return Seeded([Item("late==", update=1, shas=frozenset({described["files"][-1]["sha256"]}))])


def _partial(sims: Any) -> Seeded:
    seeded = _small(sims)
    # Cat's mailbox refuses the first run (disabled); it is fixed before replay.
    sims.control("PATCH", "/m365/mailboxes/cat@contoso.com", {"enabled": False})
    return seeded


def _enable_cat(sims: Any) -> Seeded:
    sims.control("PATCH", "/m365/mailboxes/cat@contoso.com", {"enabled": True})
    return Seeded([])


def _race(sims: Any) -> Seeded:
    seeded = _small(sims)
    event = {
        "event": "recording.completed",
        "event_ts": 1_900_000_000_000,
        "payload": {"object": {"uuid": "small==", "id": 81000000300}},
    }
    seeded.webhook = json.dumps(event)
    return seeded


def webhook_delivery(body: str, secret: str, now: int) -> dict[str, Any]:
    """A signed delivery of `body`, as Zoom sends it at `now` (epoch seconds)."""
    timestamp = str(now)
    return {
        "body": body,
        "headers": {
            "x-zm-signature": sign(secret, timestamp, body.encode()),
            "x-zm-request-timestamp": timestamp,
        },
    }


BIG = 3 * MIB + 11
OVERSIZE = {"MAX_ATTACHMENT_MB": "2", "MAX_ITEM_MB": "2"}


def _oversize(sims: Any) -> tuple[Seeded, dict[str, Any]]:
    directory(sims)
    files = [{"file_type": "MP4", "size": BIG}, {"file_type": "CHAT", "content": CHAT}]
    big, chat = _meeting(sims, "oversize==", files)["files"]
    return Seeded([Item("oversize==", shas=frozenset({chat["sha256"]}))]), big


def _link(sims: Any) -> Seeded:
    seeded, big = _oversize(sims)
    seeded.archived = {big["sha256"]}
    return seeded


def _skip(sims: Any) -> Seeded:
    return _oversize(sims)[0]


def _split(sims: Any) -> Seeded:
    seeded, big = _oversize(sims)
    # MAX_ATTACHMENT_MB=2, MAX_ITEM_MB=2: parts of 1 MB (2 MB less the body's 1 MB of room).
    count = -(-big["size"] // MIB)
    sizes = [min(MIB, big["size"] - i * MIB) for i in range(count)]
    seeded.items += [Item("oversize==", part=i + 1, part_bytes=n) for i, n in enumerate(sizes)]
    return seeded


def scenarios() -> list[Scenario]:
    """Every scenario, in the order the table lists them."""
    return [
        Scenario("small", "a small meeting to three mailboxes", _small, [RUN]),
        Scenario(
            "fan-out",
            "a meeting with two files over FANOUT_THRESHOLD_MB",
            _fanout,
            [RUN],
            settings={"FANOUT_THRESHOLD_MB": "1"},
        ),
        Scenario(
            "late transcript",
            "a transcript completed after the meeting was archived: one update item",
            _late_first,
            [RUN],
            setup=[RUN],
            between=_late_transcript,
        ),
        Scenario(
            "partial then replay",
            "one mailbox refused the first run; fixed, then replay",
            _partial,
            [REPLAY, RUN],
            setup=[RUN],
            between=_enable_cat,
        ),
        Scenario(
            "webhook and poll",
            "recording.completed and a poll for the same meeting, one after the other",
            _race,
            [("webhook",), RUN],
        ),
        Scenario(
            "oversize link",
            "a file over MAX_ATTACHMENT_MB kept in the archive container",
            _link,
            [RUN],
            settings={**OVERSIZE, "OVERSIZE_POLICY": "link"},
        ),
        Scenario(
            "oversize split",
            "a file over MAX_ATTACHMENT_MB split across part items",
            _split,
            [RUN],
            settings={**OVERSIZE, "OVERSIZE_POLICY": "split"},
        ),
        Scenario(
            "oversize skip",
            "a file over MAX_ATTACHMENT_MB left out and named",
            _skip,
            [RUN],
            settings={**OVERSIZE, "OVERSIZE_POLICY": "skip"},
        ),
    ]
