"""Zoom's SUB_GROUP_MEMBER_LOG (Archiving API JSON): who was in the backstage and in each
private group, and when.

`{archiving_start_time, backstage_room{id, createTime, deleteTime, actions[{email, joinTime,
leaveTime}]}, private_group[{id, createTime, deleteTime, actions[…]}]}` (zoom-content-sources.md
§1), or base64 of it. Zoom does not document the time format: ISO 8601 text and epoch numbers
(milliseconds; seconds when small) are read, anything else is recorded and shown as unknown. An
address that is not plain is tried as base64, as the chat's are. Never raises for data, and no
recorded problem quotes the file.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from archiver.core.converter.chat_codes import Problems, decoded_text, type_name
from archiver.core.converter.json_reader import json_text
from archiver.core.fields import LAST_YEAR, parse_time
from archiver.errors import InvalidInputError

BACKSTAGE = "backstage"
PRIVATE_GROUP = "private group"
MAX_PROBLEMS = 50
_MILLISECONDS = 10**11  # epoch numbers above this are milliseconds (10^11 s is the year 5138)


@dataclass(frozen=True)
class Stay:
    """One member's time in a room ("" for an address Zoom left empty or that is unreadable)."""

    email: str
    joined: datetime | None = None
    left: datetime | None = None


@dataclass(frozen=True)
class Room:
    """The backstage or one private group: when it existed and who was in it."""

    kind: str  # BACKSTAGE | PRIVATE_GROUP
    room_id: str
    created: datetime | None = None
    deleted: datetime | None = None
    stays: tuple[Stay, ...] = ()


@dataclass(frozen=True)
class MemberLog:
    """A member log file as read (parsed once, at staging)."""

    file_id: str
    rooms: tuple[Room, ...] = ()
    archiving_start: datetime | None = None
    unparsed: int = 0  # rooms or members that could not be read (or the whole file)
    problems: tuple[str, ...] = ()


def parse_member_log(file_id: str, data: bytes) -> MemberLog:
    """The rooms of a SUB_GROUP_MEMBER_LOG file, each problem recorded and the rest kept."""
    problems = Problems(MAX_PROBLEMS)
    text = json_text(data, problems)
    doc: Any = None
    if text is not None:
        try:
            doc = json.loads(text)
        except (ValueError, RecursionError):
            problems.add("the file is not valid JSON; nothing in it is used")
    if not isinstance(doc, dict):
        if text is not None and doc is not None:
            problems.add(f"expected a JSON object, got {type_name(doc)}; nothing in it is used")
        return MemberLog(file_id, unparsed=1, problems=problems.all())
    unparsed = 0
    rooms: list[Room] = []
    backstage = doc.get("backstage_room")
    if isinstance(backstage, dict):
        room, bad = _room(backstage, BACKSTAGE, "backstage_room", problems)
        rooms.append(room)
        unparsed += bad
    elif backstage is not None:
        problems.add(f"backstage_room: expected an object, got {type_name(backstage)}")
        unparsed += 1
    groups = doc.get("private_group")
    if groups is not None and not isinstance(groups, list):
        problems.add(f"private_group: expected a list, got {type_name(groups)}")
        groups, unparsed = [], unparsed + 1
    for index, group in enumerate(groups or []):
        where = f"private_group[{index}]"
        if not isinstance(group, dict):
            problems.add(f"{where}: expected an object, got {type_name(group)}; left out")
            unparsed += 1
            continue
        room, bad = _room(group, PRIVATE_GROUP, where, problems)
        rooms.append(room)
        unparsed += bad
    start = _when(doc.get("archiving_start_time"), "archiving_start_time", problems)
    return MemberLog(file_id, tuple(rooms), start, unparsed, problems.all())


def _room(doc: dict[str, Any], kind: str, where: str, problems: Problems) -> tuple[Room, int]:
    room_id = doc.get("id")
    if isinstance(room_id, bool) or not isinstance(room_id, str | int):
        if room_id is not None:
            problems.add(f"{where}.id: expected text, got {type_name(room_id)}")
        room_id = ""
    actions = doc.get("actions")
    if actions is not None and not isinstance(actions, list):
        problems.add(f"{where}.actions: expected a list, got {type_name(actions)}")
        return Room(kind, str(room_id)), 1
    stays: list[Stay] = []
    bad = 0
    for index, action in enumerate(actions or []):
        at = f"{where}.actions[{index}]"
        if not isinstance(action, dict):
            problems.add(f"{at}: expected an object, got {type_name(action)}; left out")
            bad += 1
            continue
        stays.append(
            Stay(
                _email(action.get("email"), f"{at}.email", problems),
                _when(action.get("joinTime"), f"{at}.joinTime", problems),
                _when(action.get("leaveTime"), f"{at}.leaveTime", problems),
            )
        )
    return (
        Room(
            kind,
            str(room_id),
            _when(doc.get("createTime"), f"{where}.createTime", problems),
            _when(doc.get("deleteTime"), f"{where}.deleteTime", problems),
            tuple(stays),
        ),
        bad,
    )


def _email(value: Any, where: str, problems: Problems) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        text = value if "@" in value else decoded_text(value) or ""
        if "@" in text and text.strip().isprintable():
            return text.strip().lower()
    problems.add(f"{where}: not an email address; that member is not known")
    return ""


def _when(value: Any, where: str, problems: Problems) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit() and len(value) < 20:
        value = int(value)
    try:
        if isinstance(value, str):
            return parse_time(value.strip(), where)
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            seconds = value / 1000 if abs(value) >= _MILLISECONDS else value
            found = datetime.fromtimestamp(seconds, UTC)
            if found.year <= LAST_YEAR:
                return found
    except (InvalidInputError, OverflowError, OSError, ValueError):
        pass
    problems.add(f"{where}: not a time Zoom is known to write; shown as unknown")
    return None
