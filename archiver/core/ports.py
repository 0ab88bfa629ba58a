"""The small interfaces the pipeline needs from Zoom, Graph and the queues (clients or fakes)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from types import TracebackType
from typing import Any, Protocol

from archiver.core.mapping import Mailbox


class Download(Protocol):
    """An open download: a context manager whose value iterates the body in chunks."""

    def __enter__(self) -> Iterable[bytes]: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class Downloader(Protocol):
    """What transfer needs from the Zoom client."""

    def open_download(self, url: str, *, start: int = 0) -> Download: ...


class ZoomPort(Protocol):
    """The Zoom API calls the pipeline makes."""

    def list_users(self, *, status: str = "active") -> Iterator[dict[str, Any]]: ...

    def list_recordings(
        self, user_id: str, *, start: date, end: date
    ) -> Iterator[dict[str, Any]]: ...

    def list_account_recordings(self, *, start: date, end: date) -> Iterator[dict[str, Any]]: ...

    def get_recordings(self, meeting_uuid: str) -> dict[str, Any]: ...

    def get_past_meeting(self, meeting_uuid: str) -> dict[str, Any]: ...

    def list_participants(self, meeting_uuid: str) -> list[dict[str, Any]]: ...

    def get_user(self, user_id: str) -> dict[str, Any]: ...

    def list_history_meetings(
        self, *, start: date, end: date, meeting_type: str = "meeting"
    ) -> Iterator[dict[str, Any]]: ...

    def list_user_meeting_reports(
        self, user_id: str, *, start: date, end: date, kind: str
    ) -> Iterator[dict[str, Any]]: ...

    def get_meeting_report(self, meeting_uuid: str) -> dict[str, Any]: ...

    def list_report_participants(self, meeting_uuid: str) -> list[dict[str, Any]]: ...

    def list_past_participants(self, meeting_uuid: str) -> list[dict[str, Any]]: ...

    def get_webinar_report(self, webinar_uuid: str) -> dict[str, Any]: ...

    def list_webinar_report_participants(self, webinar_uuid: str) -> list[dict[str, Any]]: ...

    def list_past_webinar_participants(self, webinar_uuid: str) -> list[dict[str, Any]]: ...

    def list_webinar_absentees(self, webinar_uuid: str) -> list[dict[str, Any]]: ...

    def list_user_webinars(self, user_id: str) -> Iterator[dict[str, Any]]: ...

    def list_archive_files(self, *, start: datetime, end: datetime) -> Iterator[dict[str, Any]]: ...

    def get_archive_files(self, meeting_uuid: str) -> dict[str, Any]: ...

    def list_past_polls(self, meeting_uuid: str, *, webinar: bool = False) -> dict[str, Any]: ...

    def get_past_qa(self, meeting_uuid: str, *, webinar: bool = False) -> dict[str, Any]: ...

    def get_report_qa(self, meeting_uuid: str, *, webinar: bool = False) -> dict[str, Any]: ...

    def get_report_survey(self, meeting_uuid: str, *, webinar: bool = False) -> dict[str, Any]: ...

    def get_meeting_summary(self, meeting_uuid: str) -> dict[str, Any]: ...

    def list_meeting_summaries(
        self, *, start: datetime, end: datetime
    ) -> Iterator[dict[str, Any]]: ...

    def remaining_today(self, category: str) -> int | None: ...

    def remember_download_token(self, listing: dict[str, Any], token: str) -> None: ...

    def open_download(self, url: str, *, start: int = 0) -> Download: ...


class GraphPort(Protocol):
    """The Microsoft Graph mail calls the pipeline makes."""

    def find_mailbox(self, address: str) -> Mailbox | None: ...

    def ensure_folder(self, mailbox: str, display_name: str, *, parent: str = "inbox") -> str: ...

    def find_item(self, mailbox: str, folder_id: str, item_key: str) -> str | None: ...

    def create_item(self, mailbox: str, folder_id: str, message: dict[str, Any] | bytes) -> str: ...

    def list_attachments(self, mailbox: str, message_id: str) -> list[dict[str, Any]]: ...

    def add_attachment(
        self, mailbox: str, message_id: str, *, name: str, content_type: str, data: bytes
    ) -> str: ...

    def upload_attachment(
        self,
        mailbox: str,
        message_id: str,
        *,
        name: str,
        content_type: str,
        size: int,
        read: Callable[[int, int], bytes],
    ) -> str: ...


class QueuePort(Protocol):
    """Durable enqueue: returns only once the message is stored."""

    def send(self, queue: str, body: bytes) -> None: ...
