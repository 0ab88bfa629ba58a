"""The contents of archived chat files: CHAT_MESSAGE (JSON), CHAT (TXT), SUB_GROUP_MEMBER_LOG.

Shapes from Zoom's "Archived JSON schemas" page (developers.zoom.us/docs/api/references/
archived-json-schema/), summarised in zoom-content-sources.md §1. Messages come in already
normalised by sim/zoom/seeding.py: each a dict with `id`, `kind`, `sender`, `to`, `group`,
`text`, `second`, `original`, `parent`, `files`, `location`, `to_location`, `audience`,
`rich_text`.
"""

from __future__ import annotations

import base64
import json
import uuid as uuidlib
from datetime import datetime, timedelta
from typing import Any

from sim.zoom.model import ZoomMeeting, participant_id

# msg_type: 1 public, 2 private (direct), 3 deleted, 4 emoji reaction, 5 non-verbal feedback,
# 6 edited, 7 reply. UNSURE: the schema has no type of its own for private-group chat; a message
# to a private group is private (2) with its private_group_id and receiver code 07.
MSG_TYPES = {
    "public": 1,
    "direct": 2,
    "group": 2,
    "deleted": 3,
    "reaction": 4,
    "feedback": 5,
    "edited": 6,
    "reply": 7,
}
# msg_extended_type: six 2-digit fields (sender location, receiver location, action, 00,
# receiver, 00).
LOCATIONS = {
    "meeting": "01",
    "webinar": "02",
    "breakout_room": "03",
    "waiting_room": "04",
    "backstage": "05",
}
ACTIONS = {"deleted": "02", "edited": "03"}  # everything else: 01 sent
AUDIENCES = {
    "everyone": "01",
    "hosts_panelists": "02",
    "attendees_cc_panelists": "03",
    "direct": "04",
    "waiting_room": "05",
    "hosts_from_waiting_room": "06",
    "private_group": "07",
}
# Non-verbal feedback is sent as msg_content 1 (raise hand), 2 (yes) or 3 (no).
FEEDBACK = {"raise_hand": "1", "yes": "2", "no": "3"}


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def hms(seconds: float) -> str:
    s = max(0, int(seconds))
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def msg_id(room_uuid: str, local_id: str) -> str:
    """A message's msg_id: base64 (as the schema says) of a GUID stable for (room, seed id)."""
    guid = uuidlib.uuid5(uuidlib.NAMESPACE_URL, f"zoom-chat:{room_uuid}:{local_id}")
    return b64("{" + str(guid).upper() + "}")


def extended_type(message: dict[str, Any]) -> str:
    return (
        LOCATIONS[message["location"]]
        + LOCATIONS[message["to_location"]]
        + ACTIONS.get(message["kind"], "01")
        + "00"
        + AUDIENCES[message["audience"]]
        + "00"
    )


def _person(m: ZoomMeeting, name: str) -> tuple[str, str]:
    """A participant's (per-meeting id, email) by display name; guests have no email."""
    i = m.index_of(name)
    if i is None:
        return "", ""
    return participant_id(i), m.participants[i].get("email", "") or ""


def chat_message_json(
    room_uuid: str, m: ZoomMeeting, messages: list[dict[str, Any]], archive_offset_s: float
) -> bytes:
    """A CHAT_MESSAGE file: `{"uuid": …, "messages": [...]}`, every message of the room."""
    out = []
    for message in messages:
        sender_id, sender_email = _person(m, message["sender"])
        kind = message["kind"]
        entry: dict[str, Any] = {
            "msg_type": MSG_TYPES[kind],
            "e_time": hms(message["second"]),
            "e_archive_time": hms(message["second"] - archive_offset_s),
            "s_id": sender_id,
            "s_name": b64(message["sender"]),
            "s_email": b64(sender_email),
            "msg_id": msg_id(room_uuid, message["id"]),
            "msg_content": b64(
                FEEDBACK.get(message["text"], message["text"])
                if kind == "feedback"
                else message["text"]
            ),
            "msg_extended_type": extended_type(message),
        }
        if message["to"]:
            recipient_id, recipient_email = _person(m, message["to"])
            entry.update(r_id=recipient_id, r_name=b64(message["to"]), r_email=b64(recipient_email))
        if message["original"]:
            entry["original_msg_id"] = msg_id(room_uuid, message["original"])
        if message["parent"]:
            entry["parent_msg_id"] = msg_id(room_uuid, message["parent"])
        if message["group"]:
            entry["private_group_id"] = message["group"]
        if message["files"]:
            entry["files"] = [
                {"fileId": f["file_id"], "fileName": f["name"], "fileSize": f["size"]}
                for f in message["files"]
            ]
        if message["rich_text"]:
            entry["rich_text"] = message["rich_text"]
        out.append(entry)
    return json.dumps({"uuid": room_uuid, "messages": out}, ensure_ascii=False).encode()


# Locations whose chat only the JSON file carries (zoom-content-sources.md §1: "Only JSON carries
# deleted messages, waiting-room chat, breakout-room chat, reactions/non-verbal feedback").
JSON_ONLY_LOCATIONS = {"waiting_room", "breakout_room", "backstage"}
TXT_KINDS = {"public", "direct", "reply", "edited"}


def chat_txt(messages: list[dict[str, Any]]) -> tuple[bytes, int]:
    """A CHAT file (TXT) of the archive: public and direct messages, any two people's, in the
    cloud chat file's format (`HH:MM:SS\\tName:\\ttext`, `… Bob to Ann(Direct Message):\\t…`).
    UNSURE: private-group messages are left out (the reference says only that TXT carries
    public and direct ones). Returns the bytes and the number of messages."""
    lines = []
    for message in messages:
        if message["kind"] not in TXT_KINDS or message["location"] in JSON_ONLY_LOCATIONS:
            continue
        if message["group"]:
            continue
        who = message["sender"]
        if message["to"]:
            who = f"{who} to {message['to']}(Direct Message)"
        lines.append(f"{hms(message['second'])}\t{who}:\t{message['text']}")
    return ("\n".join(lines) + "\n").encode() if lines else b"", len(lines)


def sub_group_member_log(
    m: ZoomMeeting,
    archiving_start: datetime,
    groups: list[dict[str, Any]],
    backstage: dict[str, Any] | None,
) -> bytes:
    """A SUB_GROUP_MEMBER_LOG file: who entered and left the backstage and each private group.
    UNSURE: the time format of createTime/joinTime (ISO 8601 UTC here)."""

    def at(minute: float) -> str:
        return (m.start_time + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def room(doc: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": doc["id"],
            "createTime": at(doc.get("create_minute", 0)),
            "deleteTime": at(doc.get("delete_minute", m.duration)),
            "actions": [
                {
                    "email": _person(m, name)[1],
                    "joinTime": at(doc.get("create_minute", 0)),
                    "leaveTime": at(doc.get("delete_minute", m.duration)),
                }
                for name in doc.get("members", [])
            ],
        }

    body: dict[str, Any] = {
        "archiving_start_time": archiving_start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "private_group": [room(g) for g in groups],
    }
    if backstage is not None:
        body["backstage_room"] = room({"id": "backstage", **backstage})
    return json.dumps(body).encode()
