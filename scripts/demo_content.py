"""The demo's meetings beyond cloud recordings (`python -m sim seed --content-sources`, see
sim/seed_content.py): which mailboxes must hold each, and what each item must and must not say.

- an unrecorded meeting, a recorded webinar and a recorded meeting with an AI Companion summary:
  the host's and every admitted internal participant's mailbox (a webinar's external viewer and
  its absentees are not recipients) and the compliance mailbox;
- an archived meeting (Zoom's Archiving API only): every participant's mailbox and the
  compliance mailbox; a direct message and a private group only in their members' items (and
  the compliance mailbox), the file shared in the public chat attached for everyone, each
  participant's own audio only in their own item;
- the webinar's poll and Q&A in its host's and the compliance mailbox's items;
- the summarized meeting's AI Companion summary (its next steps) in its host's item and the
  compliance mailbox's, never in an attendee's (Zoom shows the summary to the host);
- its breakout room: an item of its own for who the room's record shows was there (the
  colleague who wrote in its chat) and the compliance mailbox, never the host by default.

Rules, not a list: everything here is computed from the seed's description of what it made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

DIRECT_LINE = "DM-ARCHIVE-SECRET"  # the seeded direct message between two attendees
GROUP_NOTE = "private group note"
ROOM_LINE = "breakout idea"
POLL_QUESTION = "Will you upgrade?"  # the seeded webinar poll's question
PUBLIC_LINE = "Welcome, agenda in the doc"
KINDS = ("unrecorded", "webinar", "summarized", "archived")

Resolve = Callable[[str], str | None]  # an address -> the mailbox it is archived to, or None
Read = Callable[[str, dict[str, Any]], tuple[str, list[str], set[str]]]  # body, texts, sha256s


def expectations(content: dict[str, Any], resolve: Resolve, compliance: str) -> dict[str, set[str]]:
    """mailbox -> the content-source meetings (and rooms) that must be there."""
    expected: dict[str, set[str]] = {}
    archived = content["archived"]
    for meeting in (content[k] for k in KINDS):
        for mailbox in _mailboxes(_people(meeting), resolve):
            expected.setdefault(mailbox, set()).add(meeting["uuid"])
        expected.setdefault(compliance, set()).add(meeting["uuid"])
    _, colleague, _ = _roles(archived)
    for room in archived["breakout_rooms"]:
        for mailbox in _mailboxes([colleague], resolve):
            expected.setdefault(mailbox, set()).add(room)
    for uuid in archived["breakout_rooms"]:
        expected.setdefault(compliance, set()).add(uuid)
    return expected


def meetings(content: dict[str, Any]) -> set[str]:
    """Every meeting and room UUID the content-source corpus adds."""
    return {*(content[k]["uuid"] for k in KINDS), *content["archived"]["breakout_rooms"]}


def check(
    content: dict[str, Any],
    found: dict[str, list[dict[str, Any]]],
    *,
    resolve: Resolve,
    compliance: str,
    read: Read,
    uuid_of: Callable[[dict[str, Any]], str | None],
    in_account: Callable[[str], bool],
) -> list[str]:
    """What each item of the archived and the summarized meeting must and must not hold."""
    problems = _summary(
        content["summarized"],
        found,
        resolve=resolve,
        compliance=compliance,
        read=read,
        uuid_of=uuid_of,
    )
    problems += _webinar(content["webinar"], found, resolve, compliance, uuid_of)
    archived = content["archived"]
    _, colleague, other = _roles(archived)
    members = set(_mailboxes([colleague, other], resolve)) | {compliance}
    own_audio = _own_audio(archived, resolve, in_account)
    [shared] = archived["physical_files"]
    for mailbox, items in found.items():
        for item in items:
            uuid = uuid_of(item)
            where = f"{mailbox}: meeting {uuid}"
            if uuid == archived["uuid"]:
                body, texts, shas = read(mailbox, item)
                problems += [f"{where}: {p}" for p in _private_lines(mailbox in members, texts)]
                if PUBLIC_LINE not in body:
                    problems.append(f"{where}: the public chat is missing")
                if shared["sha256"] not in shas:
                    problems.append(f"{where}: the file shared in the public chat is missing")
                problems += [f"{where}: {p}" for p in _audio(mailbox, compliance, own_audio, shas)]
            elif uuid in archived["breakout_rooms"]:
                body, _, _ = read(mailbox, item)
                if ROOM_LINE not in body or "breakout room" not in item.get("subject", ""):
                    problems.append(f"{where}: the breakout room's item lacks its chat or title")
    return problems


def _summary(
    meeting: dict[str, Any],
    found: dict[str, list[dict[str, Any]]],
    *,
    resolve: Resolve,
    compliance: str,
    read: Read,
    uuid_of: Callable[[dict[str, Any]], str | None],
) -> list[str]:
    step = meeting["next_steps"][0]
    privileged = {resolve(meeting["host_email"]), compliance}
    problems = []
    for mailbox, items in found.items():
        for item in (i for i in items if uuid_of(i) == meeting["uuid"]):
            _, texts, _ = read(mailbox, item)
            shown = any(step in text for text in texts)
            where = f"{mailbox}: meeting {meeting['uuid']}"
            if mailbox in privileged and not shown:
                problems.append(f"{where}: the AI Companion summary is missing")
            if mailbox not in privileged and shown:
                problems.append(f"{where}: LEAK: the AI Companion summary is in an attendee's item")
    return problems


def _webinar(
    webinar: dict[str, Any],
    found: dict[str, list[dict[str, Any]]],
    resolve: Resolve,
    compliance: str,
    uuid_of: Callable[[dict[str, Any]], str | None],
) -> list[str]:
    """The host's and the compliance copies show the webinar's poll and Q&A."""
    problems = []
    for mailbox in {resolve(webinar["host_email"]), compliance} - {None}:
        for item in (i for i in found.get(str(mailbox), []) if uuid_of(i) == webinar["uuid"]):
            body = str((item.get("body") or {}).get("content", ""))
            for question in [POLL_QUESTION, *webinar["questions"]]:
                if question not in body:
                    problems.append(f"{mailbox}: webinar {webinar['uuid']} lacks {question!r}")
    return problems


def _private_lines(entitled: bool, texts: list[str]) -> list[str]:
    body = texts[0]
    problems = []
    for line in (DIRECT_LINE, GROUP_NOTE):
        if entitled and line not in body:
            problems.append(f"a line this mailbox's owner saw is missing ({line!r})")
        if not entitled and any(line in text for text in texts):
            problems.append(f"LEAK: a line of others' private chat is here ({line!r})")
    return problems


def _audio(
    mailbox: str, compliance: str, own: dict[str, dict[str, str]], shas: set[str]
) -> list[str]:
    everyone = {sha: email for held in own.values() for sha, email in held.items()}
    mine = everyone if mailbox == compliance else own.get(mailbox, {})
    problems = [f"lacks the own audio of {email}" for sha, email in mine.items() if sha not in shas]
    problems += [
        f"LEAK: the own audio of {email} is here"
        for sha, email in everyone.items()
        if sha in shas and sha not in mine
    ]
    return problems


def _own_audio(
    archived: dict[str, Any], resolve: Resolve, in_account: Callable[[str], bool]
) -> dict[str, dict[str, str]]:
    """mailbox -> {SHA-256: whose} of the individual audio it holds (the seed gives the i-th
    participant the M4A of 65536 + i bytes). Zoom names the owner of an individual file only
    for people in the account ("empty for people outside the account"), so a guest's is the
    compliance mailbox's alone, whatever mapping their address has."""
    by_size = {65536 + i: email for i, email in enumerate(archived["participant_emails"])}
    own: dict[str, dict[str, str]] = {}
    for f in archived["archive_files"]:
        email = by_size.get(f["size"], "") if f.get("individual") else ""
        if email and not in_account(email):
            own.setdefault("", {})[f["sha256"]] = email
            continue
        mailbox = resolve(email) if email else None
        if mailbox is not None:
            own.setdefault(mailbox, {})[f["sha256"]] = email
    return own


def _roles(meeting: dict[str, Any]) -> tuple[str, str, str]:
    host = meeting["host_email"]
    colleague, other = [e for e in meeting["participant_emails"] if e != host][:2]
    return host, colleague, other


def _people(meeting: dict[str, Any]) -> list[str]:
    return [meeting["host_email"], *meeting["participant_emails"]]


def _mailboxes(addresses: Iterable[str], resolve: Resolve) -> list[str]:
    return sorted({m for m in (resolve(a) for a in addresses if a) if m is not None})
