"""The simulated Zoom account's records: files, meeting instances, archived rooms.

Plain data; the store (sim/zoom/store.py) holds and indexes them, the API modules render them in
Zoom's shapes.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

BLOCK = 64 * 1024
IN_MEETING, IN_WAITING_ROOM = "in_meeting", "in_waiting_room"


def block_bytes(file_id: str, index: int, size: int) -> bytes:
    """Deterministic content of one 64 KiB block of a generated file."""
    data = random.Random(f"{file_id}:{index}").randbytes(BLOCK)
    start = index * BLOCK
    return data[: max(0, min(BLOCK, size - start))]


def iter_content(file_id: str, size: int, start: int = 0, end: int | None = None):  # type: ignore[no-untyped-def]
    """Bytes [start, end] of a generated file, block by block (no whole file in memory)."""
    last = size - 1 if end is None else end
    index = start // BLOCK
    while index * BLOCK <= last:
        block = block_bytes(file_id, index, size)
        lo = max(start - index * BLOCK, 0)
        hi = min(last - index * BLOCK + 1, len(block))
        yield block[lo:hi]
        index += 1


@dataclass
class ZoomFile:
    """A recording file: generated media (size) or stored text (content).

    `file_id` is the simulator's own, stable id (downloads use it). `listed` says whether the
    listing shows it as `id`: Zoom's spec says CC and TIMELINE file objects have no `id`,
    `status`, `file_size`, `recording_type` or `play_url` (both forms of TIMELINE are seen in
    real answers). `listed_size` is the `file_size` the listing claims when it differs from the
    bytes served (reported repeatedly against Zoom). `download_url` overrides the URL listed.
    """

    file_id: str
    file_type: str
    file_extension: str
    recording_type: str
    size: int
    status: str = "completed"
    content: bytes | None = None
    participant_audio: bool = False
    sha: str | None = None
    listed: bool = True
    listed_size: int | None = None
    download_url: str | None = None

    def sha256(self) -> str:
        if self.sha is None:
            digest = hashlib.sha256()
            if self.content is not None:
                digest.update(self.content)
            else:
                for chunk in iter_content(self.file_id, self.size):
                    digest.update(chunk)
            self.sha = digest.hexdigest()
        return self.sha

    @property
    def size_listed(self) -> int:
        return self.size if self.listed_size is None else self.listed_size


@dataclass
class ArchiveFile(ZoomFile):
    """A file of the Meeting & Webinar Archiving API (zoom-content-sources.md §1).

    `individual`: one participant's own audio or video (`participant_email`, join and leave
    times are theirs); otherwise the times are the archiving gateway's, i.e. the room's.
    `fingerprint` overrides the listed `encryption_fingerprint` (Zoom lists the SHA-256 of the
    file; a seeded mismatch lets the archiver's end-to-end check be tested). `physical`: a file
    shared in the chat, listed under the meeting's `physical_files`, downloaded from
    `/rec/archive/attached/download/…`.
    """

    individual: bool = False
    participant_email: str = ""
    participant_join: datetime | None = None
    participant_leave: datetime | None = None
    number_of_messages: int | None = None
    fingerprint: str | None = None
    storage_location: str | None = None
    auto_delete: bool | None = None
    physical: bool = False
    file_name: str = ""

    def encryption_fingerprint(self) -> str:
        return self.fingerprint or self.sha256()


def sessions_of(person: dict[str, Any]) -> list[tuple[float, float, str]]:
    """A participant's sessions as (join minute, leave minute, status)."""
    return [
        (float(s[0]), float(s[1]), str(s[2]) if len(s) > 2 else IN_MEETING)
        for s in person["sessions"]
    ]


def admitted(person: dict[str, Any]) -> bool:
    """Whether the person was ever in the meeting itself (not only in its waiting room)."""
    return any(status == IN_MEETING for _, _, status in sessions_of(person))


def participant_id(index: int, segment: int = 0) -> str:
    """The per-meeting participant id Zoom gives the index-th participant (report `user_id`,
    archived chat `s_id`): a number valid for that meeting only."""
    return f"{16778240 + index * 10 + segment}"


@dataclass
class ArchivedRoom:
    """One entry of the Archiving API: a meeting (or webinar) instance, or one of its breakout
    rooms, which Zoom lists as a meeting of its own with `is_breakout_room: true`, `type: 100`
    and `parent_meeting_id` the parent's UUID (zoom-content-sources.md §2)."""

    uuid: str
    meeting: ZoomMeeting
    files: list[ArchiveFile]
    physical_files: list[ArchiveFile]
    complete_time: datetime
    status: str = "completed"
    is_breakout_room: bool = False
    topic: str = ""
    start_time: datetime | None = None
    duration: int = 0
    room_id: str = ""
    members: list[str] = field(default_factory=list)
    deleted: bool = False

    @property
    def started(self) -> datetime:
        return self.start_time or self.meeting.start_time

    def all_files(self) -> list[ArchiveFile]:
        return [*self.files, *self.physical_files]


@dataclass
class ZoomMeeting:
    """One meeting (or webinar) instance and everything Zoom keeps about it.

    `files` are its cloud recording files: a meeting without any was not recorded, and Zoom has
    no recording of it (404 code 3301) although reports and the archive may know it.
    """

    uuid: str
    meeting_id: int
    host_id: str
    topic: str
    start_time: datetime
    duration: int
    timezone: str
    participants: list[dict[str, Any]]
    files: list[ZoomFile]
    in_report: bool = True
    kind: str = "meeting"  # or "webinar"
    type: int = 2
    meeting_type: str = "internal"  # the Archiving API's internal | external
    archive: ArchivedRoom | None = None
    breakout_rooms: list[ArchivedRoom] = field(default_factory=list)
    summary: dict[str, Any] | None = None
    polls: list[dict[str, Any]] = field(default_factory=list)
    qa: list[dict[str, Any]] = field(default_factory=list)
    survey: dict[str, Any] | None = None
    registrants: list[dict[str, Any]] = field(default_factory=list)
    features: dict[str, bool] = field(default_factory=dict)

    @property
    def recorded(self) -> bool:
        return bool(self.files)

    @property
    def end_time(self) -> datetime:
        return self.start_time + timedelta(minutes=self.duration)

    def admitted_count(self) -> int:
        return sum(1 for p in self.participants if admitted(p))

    def index_of(self, name: str) -> int | None:
        """The index of the participant with this display name."""
        return next((i for i, p in enumerate(self.participants) if p["name"] == name), None)
