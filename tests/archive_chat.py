"""Builders for Zoom's Archiving API chat in tests: CHAT_MESSAGE messages as Zoom writes them
(names, addresses, ids and text in base64), member logs, and staged meetings holding them."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from archiver.core.contracts import StagedMeeting
from archiver.core.model import Meeting
from archiver.core.planning import Attachment, ItemPlan
from archiver.core.staged import StagedFile
from archiver.steps.document import parse_member_logs, parse_texts

PEOPLE = {
    "Ann": "ann@contoso.com",
    "Bob": "bob@contoso.com",
    "Cat": "cat@contoso.com",
    "Dan": "dan@contoso.com",
}
MAILBOXES = {email: f"id-{name.lower()}" for name, email in PEOPLE.items()}


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def ext(sent_from: str = "01", sent_to: str = "", action: str = "01", receiver: str = "01") -> str:
    """A msg_extended_type: sender location, receiver location, action, 00, receiver, 00."""
    return f"{sent_from}{sent_to or sent_from}{action}00{receiver}00"


def message(
    msg_type: int,
    text: str,
    sender: str = "Ann",
    to: str | None = None,
    *,
    msg_id: str = "",
    extended: str | None = None,
    at: str = "00:01:00",
    **more: Any,
) -> dict[str, Any]:
    """One CHAT_MESSAGE message; `sender` and `to` are names of PEOPLE (or anyone: no email)."""
    doc: dict[str, Any] = {
        "msg_type": msg_type,
        "e_time": at,
        "e_archive_time": at,
        "s_id": sender.lower(),
        "s_name": b64(sender),
        "s_email": b64(PEOPLE.get(sender, "")),
        "msg_id": b64(msg_id or f"{{{text}}}"),
        "msg_content": b64(text),
    }
    if to is not None:
        doc.update(r_id=to.lower(), r_name=b64(to), r_email=b64(PEOPLE.get(to, "")))
    if extended is not None:
        doc["msg_extended_type"] = extended
    for name in ("original_msg_id", "parent_msg_id"):
        if name in more:
            more[name] = b64(more[name])
    doc.update(more)
    return doc


def chat(*messages: dict[str, Any], uuid: str = "m1==") -> bytes:
    return json.dumps({"uuid": uuid, "messages": list(messages)}).encode()


def member_log(groups: dict[str, list[str]], backstage: list[str] | None = None) -> bytes:
    """A SUB_GROUP_MEMBER_LOG: each group id with its members' names (of PEOPLE)."""

    def room(room_id: str, names: list[str]) -> dict[str, Any]:
        return {
            "id": room_id,
            "createTime": "2026-11-20T15:03:00Z",
            "deleteTime": "2026-11-20T15:40:00Z",
            "actions": [
                {
                    "email": PEOPLE.get(n, ""),
                    "joinTime": "2026-11-20T15:03:00Z",
                    "leaveTime": "2026-11-20T15:40:00Z",
                }
                for n in names
            ],
        }

    doc: dict[str, Any] = {
        "archiving_start_time": "2026-11-20T15:00:00Z",
        "private_group": [room(g, names) for g, names in groups.items()],
    }
    if backstage is not None:
        doc["backstage_room"] = room("backstage", backstage)
    return json.dumps(doc).encode()


def meeting(
    people: list[str] | None = None,
    *,
    waiting: tuple[str, ...] = (),
    host: str = "Ann",
    parent_uuid: str | None = None,
) -> Meeting:
    rows = [
        {"name": n, "user_email": PEOPLE.get(n, ""), "status": "in_meeting"}
        for n in (people or list(PEOPLE))
    ]
    rows += [
        {"name": n, "user_email": PEOPLE.get(n, ""), "status": "in_waiting_room"} for n in waiting
    ]
    found = Meeting.from_zoom(
        {"uuid": "m1==", "id": 1, "start_time": "2026-11-20T15:00:00Z", "duration": 45},
        None,
        rows,
        host_email=PEOPLE.get(host),
    )
    if parent_uuid is None:
        return found
    from dataclasses import replace

    return replace(found, parent_uuid=parent_uuid)


def stored(file_id: str, data: bytes, kind: str, name: str, **more: Any) -> StagedFile:
    return StagedFile(
        file_id,
        name,
        "application/json",
        len(data),
        hashlib.sha256(data).hexdigest(),
        f"k/files/{file_id}",
        kind,
        "attach",
        container="staging",
        **more,
    )


def staged(
    data: bytes,
    found: Meeting | None = None,
    *,
    log: bytes | None = None,
    txt: bytes | None = None,
    extra: tuple[StagedFile, ...] = (),
) -> StagedMeeting:
    """A staged meeting with a CHAT_MESSAGE file (and a member log, a TXT chat, other files),
    its texts parsed as staging parses them."""
    found = found or meeting()
    files = [stored("cm1", data, "chat", "chat.json")]
    texts = {"cm1": (data, False)}
    if txt is not None:
        files.append(stored("txt1", txt, "chat", "chat.txt"))
        texts["txt1"] = (txt, False)
    if log is not None:
        files.append(stored("log1", log, "member_log", "members.json"))
        texts["log1"] = (log, False)
    files += extra
    chats, transcript, notes = parse_texts(files, texts, {})
    logs, _ = parse_member_logs(files, texts)
    attachments = tuple(Attachment(f.file_id, 0, f.size) for f in files)
    return StagedMeeting(
        "k",
        0,
        found,
        tuple(files),
        (ItemPlan(0, 0, attachments),),
        chats=tuple(chats),
        transcript=transcript,
        notes=tuple(notes),
        member_logs=tuple(logs),
    )
