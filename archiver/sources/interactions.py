"""The interactions source: a meeting instance's polls, Q&A, survey and AI Companion summary.

Each kind Zoom has for the meeting becomes a file of the meeting (file types POLLS, QA, SURVEY,
AI_SUMMARY and AI_SUMMARY_MD) whose bytes are Zoom's answer as deterministic JSON (the summary
also as its Markdown), so it is staged, hashed, attached, counted as archived and brought by an
update item like any recording file. Its id holds a hash of what it is (the answer's bytes; for
the summary its created and last-modified times, which the webhook and the API give alike): the
same answer is never archived twice and an edited summary is a new file. The bytes are held
here, in this process, until staging copies them (they never enter a snapshot or a message).

Q&A comes from the Heavy report (statuses, times, answer types) unless the day's Heavy budget
is spent or the report is refused, then from the Medium past-meeting endpoint, and the item says
which and why; a survey that could not be fetched is named, never a failure. Reports of meetings
over a year old answer 12702: said so. A kind the app has no scope for is named and skipped.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from archiver.core.converter.interaction_files import markdown_file, raw_json
from archiver.core.fields import parse_time
from archiver.core.interactions import (
    PAST,
    REPORT,
    parse_polls,
    parse_qa,
    parse_summary,
    parse_survey,
)
from archiver.core.model import COMPLETED, Meeting, RecordingFile
from archiver.core.ports import ZoomPort
from archiver.core.switch import Refusal
from archiver.errors import (
    ArchiverError,
    AuthenticationError,
    BudgetExhaustedError,
    InvalidInputError,
    NotFoundError,
)

log = logging.getLogger(__name__)

NAME = "interactions"
SOURCE = "interactions"  # RecordingFile.source of these files
TOO_OLD = "12702"  # Zoom: "Can not access a meeting a year ago"
# file type -> (kind as core/interactions names it, extension)
FILE_TYPES = {
    "POLLS": ("polls", "JSON"),
    "QA": ("qa", "JSON"),
    "SURVEY": ("survey", "JSON"),
    "AI_SUMMARY": ("summary", "JSON"),
    "AI_SUMMARY_MD": ("summary", "MD"),
}
HELD_MEETINGS = 64  # meetings whose fetched bytes are held at most (oldest dropped first)
# How the notes begin that say a kind waits for the Heavy budget (a later run brings it).
SURVEY_SPENT = "The survey was not fetched: today's budget of Zoom "
QA_SPENT = "Q&A from GET /past_meetings/{uuid}/qa (Medium: no status, times or answer types): "
SPENT = "today's budget of Zoom "


def waiting_on_heavy(notes: Iterable[str]) -> tuple[str, ...]:
    """The kinds a meeting's notes say are missing or partial for want of the Heavy budget."""
    found = []
    for note in notes:
        if note.startswith(SURVEY_SPENT):
            found.append("survey")
        elif note.startswith(QA_SPENT + SPENT):
            found.append("qa")
    return tuple(dict.fromkeys(found))


def summary_version(uuid: str, summary: Mapping[str, Any], data: bytes = b"") -> str:
    """What identifies one version of a meeting's summary: its created and last-modified times
    (Zoom changes the latter on every edit), else the hash of its bytes."""
    created = str(summary.get("summary_created_time") or "")
    modified = str(summary.get("summary_last_modified_time") or "")
    raw = f"{uuid}|{created}|{modified}".encode() if modified or created else data
    return hashlib.sha256(raw).hexdigest()[:32]


def summary_file_ids(uuid: str, summary: Mapping[str, Any], data: bytes = b"") -> tuple[str, str]:
    """(JSON file id, Markdown file id) of a summary version (from the API or a webhook)."""
    version = summary_version(uuid, summary, data)
    return f"summary-{version}", f"summary-md-{version}"


def interaction_file(
    file_id: str, file_type: str, data: bytes, *, recording_type: str = ""
) -> RecordingFile:
    """A fetched interaction as a completed file of the meeting (no download URL)."""
    kind, extension = FILE_TYPES[file_type]
    return RecordingFile(
        file_id=file_id,
        file_type=file_type,
        file_extension=extension,
        recording_type=recording_type or kind,
        listed_size=len(data),
        status=COMPLETED,
        download_url="",
        source=SOURCE,
    )


class HeldContent:
    """Fetched interaction bytes by (meeting UUID, file id), until staging copies them."""

    def __init__(self, limit: int = HELD_MEETINGS) -> None:
        self._lock = threading.Lock()
        self._limit = limit
        self._held: OrderedDict[str, dict[str, bytes]] = OrderedDict()

    def hold(self, uuid: str, files: Mapping[str, bytes]) -> None:
        """What one fetch of the meeting gave (replacing an earlier fetch's)."""
        with self._lock:
            self._held.pop(uuid, None)
            self._held[uuid] = dict(files)
            while len(self._held) > self._limit:
                self._held.popitem(last=False)

    def get(self, uuid: str, file_id: str) -> bytes | None:
        """The bytes of a fetched file; None when this process holds none."""
        with self._lock:
            return self._held.get(uuid, {}).get(file_id)


class InteractionsSource:
    """Polls, Q&A, survey and summary (past-meeting, report and meeting-summary APIs)."""

    name = NAME

    def __init__(
        self,
        zoom: ZoomPort,
        held: HeldContent | None = None,
        *,
        webinar: bool = False,
        licence: Refusal | None = None,
    ) -> None:
        self._zoom = zoom
        self.held = held or HeldContent()
        # A webinar's polls, Q&A and survey live under /past_webinars and /report/webinars;
        # Zoom's AI Companion meeting summary is for meetings only.
        self._webinar = webinar
        self._licence = licence  # a webinar's: refused when Zoom said there is no licence
        self._lock = threading.Lock()
        self._expected: set[str] = set()  # meetings a webhook said have a summary

    def expect_summary(self, uuid: str) -> None:
        """A webhook said the meeting has a summary (asked for even if details do not say)."""
        with self._lock:
            self._expected.add(uuid)

    def fetch(self, uuid: str) -> Meeting | None:
        """The meeting's interactions as files and notes; None when Zoom has none of them."""
        if self._licence is not None and self._licence.refused is not None:
            return None  # no Webinar licence: the webinar endpoints are not asked again
        past = None if self._webinar else self._past(uuid)
        fetch = _Fetch(uuid)
        fetch.kind("polls", lambda: self._polls(uuid, fetch))
        fetch.kind("Q&A", lambda: self._qa(uuid, fetch))
        if past is not None or self._webinar:
            # A Heavy call: only for an instance Zoom knows as a past meeting or webinar (not
            # a breakout room, which has no survey of its own).
            fetch.kind("survey", lambda: self._survey(uuid, fetch))
        wanted = not self._webinar and (
            past is None or past.get("has_meeting_summary") is not False
        )
        with self._lock:
            # Asked once on a webhook's word; the next fetch goes by the details again.
            if uuid in self._expected:
                self._expected.discard(uuid)
                wanted = True
        if wanted:
            fetch.kind("AI Companion summary", lambda: self._summary(uuid, fetch))
        if not fetch.files and not fetch.notes:
            return None
        self.held.hold(uuid, {f.file_id: data for f, data in fetch.files})
        return _part(uuid, past, fetch)

    def _past(self, uuid: str) -> dict[str, Any] | None:
        try:
            return self._zoom.get_past_meeting(uuid)
        except (NotFoundError, InvalidInputError, AuthenticationError):
            return None  # the recordings source says why; the kinds are asked regardless

    def _polls(self, uuid: str, fetch: _Fetch) -> None:
        body = self._zoom.list_past_polls(uuid, webinar=self._webinar)
        found = parse_polls(body, source=PAST)
        if found.answers or found.input_errors:
            fetch.add_json("POLLS", "polls", body)

    def _qa(self, uuid: str, fetch: _Fetch) -> None:
        # The Medium answer says whether there is any Q&A: the Heavy report is asked only then.
        try:
            past: Any = self._zoom.get_past_qa(uuid, webinar=self._webinar)
        except AuthenticationError:
            past = None  # no scope for it: the report alone says
        if past is not None:
            found = parse_qa(past, source=PAST)
            if not found.questions and not found.input_errors:
                return
        try:
            report = self._zoom.get_report_qa(uuid, webinar=self._webinar)
        except (
            BudgetExhaustedError,
            NotFoundError,
            AuthenticationError,
            InvalidInputError,
        ) as error:
            if past is None:
                raise
            if isinstance(error, BudgetExhaustedError):
                why = f"{SPENT}{error.category} report calls is spent"
            else:
                refused = "code 12702" if error.code == TOO_OLD else error.message[:160]
                why = f"Zoom refused the Q&A report ({refused})"
            fetch.notes.append(f"{QA_SPENT}{why}")
            fetch.add_json("QA", "qa", past, recording_type=PAST)
            return
        found = parse_qa(report, source=REPORT)
        if found.questions or found.input_errors:
            fetch.add_json("QA", "qa", report, recording_type=REPORT)

    def _survey(self, uuid: str, fetch: _Fetch) -> None:
        try:
            body = self._zoom.get_report_survey(uuid, webinar=self._webinar)
        except BudgetExhaustedError as error:
            fetch.notes.append(
                f"{SURVEY_SPENT}{error.category} report calls is spent (Zoom allows more in "
                f"{int(error.retry_after or 0)} s); a later run brings it as an update item"
            )
            return
        found = parse_survey(body)
        if found.answers or found.input_errors:
            fetch.add_json("SURVEY", "survey", body)

    def _summary(self, uuid: str, fetch: _Fetch) -> None:
        try:
            body = self._zoom.get_meeting_summary(uuid)
        except NotFoundError:
            return  # Zoom has no summary of this meeting
        data = raw_json(body)
        json_id, md_id = summary_file_ids(uuid, body if isinstance(body, dict) else {}, data)
        fetch.files.append((interaction_file(json_id, "AI_SUMMARY", data), data))
        start = _start(body, "meeting_start_time")
        markdown = markdown_file(parse_summary(body), start) if start else None
        if markdown is not None:
            fetch.files.append(
                (interaction_file(md_id, "AI_SUMMARY_MD", markdown.data), markdown.data)
            )


class _Fetch:
    """What one fetch gathered: files with their bytes, and notes on what it could not get."""

    def __init__(self, uuid: str) -> None:
        self.uuid = uuid
        self.files: list[tuple[RecordingFile, bytes]] = []
        self.notes: list[str] = []
        self.start: datetime | None = None

    def kind(self, what: str, call: Callable[[], None]) -> None:
        """Fetch one kind; what Zoom cannot or will not give is named, never raised."""
        try:
            call()
        except InvalidInputError as error:
            if error.code == TOO_OLD:
                self.notes.append(
                    f"Zoom no longer provides the {what} of meetings more than a year old "
                    "(code 12702)"
                )
            else:
                self.notes.append(f"The {what} could not be read: {error.message[:200]}")
        except NotFoundError:
            pass  # Zoom has none for this meeting (or the meeting is not a past meeting)
        except AuthenticationError as error:
            self.notes.append(
                f"The {what} was not fetched: Zoom refused it ({error.message[:160]}); "
                "see the scopes in the admin guide"
            )
        except BudgetExhaustedError as error:
            self.notes.append(
                f"The {what} was not fetched: today's budget of Zoom {error.category} calls is "
                "spent; a later run can bring it"
            )
        except ArchiverError:
            raise  # transient: the work item is retried

    def add_json(self, file_type: str, prefix: str, body: Any, *, recording_type: str = "") -> None:
        data = raw_json(body)
        file_id = f"{prefix}-{hashlib.sha256(data).hexdigest()[:32]}"
        self.files.append(
            (interaction_file(file_id, file_type, data, recording_type=recording_type), data)
        )
        self.start = self.start or _start(body, "start_time")


def _start(body: Any, name: str) -> datetime | None:
    if not isinstance(body, dict) or not body.get(name):
        return None
    try:
        return parse_time(body[name], name)
    except InvalidInputError:
        return None


def _part(uuid: str, past: Mapping[str, Any] | None, fetch: _Fetch) -> Meeting | None:
    """The interactions' part of the meeting: metadata from the past-meeting details (else what
    the answers say), files and notes; None when no start time is known at all."""
    details = dict(past or {})
    summary = next((d for f, d in fetch.files if f.file_type == "AI_SUMMARY"), None)
    start = _start(details, "start_time") or fetch.start
    if start is None and summary is not None:
        start = _start(_json(summary), "meeting_start_time")
    if start is None:
        log.warning("interactions without a start time", extra={"uuid": uuid})
        return None
    details.setdefault("start_time", start.isoformat())
    try:
        meeting = Meeting.from_zoom({"uuid": uuid, **_listing(details)}, details, [])
    except InvalidInputError as error:
        log.warning("interactions part unusable", extra={"uuid": uuid, "error": str(error)[:200]})
        return None
    return replace(meeting, files=tuple(f for f, _ in fetch.files), notes=tuple(fetch.notes))


def _listing(details: Mapping[str, Any]) -> dict[str, Any]:
    return {k: details[k] for k in ("id", "topic", "host_id", "start_time") if k in details}


def _json(data: bytes) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        return {}
