"""Zoom's Meeting & Webinar Archiving API (zoom-openapi-excerpts/archiving.txt, the 2025 spec's
schema in a generated zod client, Zoom's Rivet SDK types; zoom-content-sources.md §1 and §2)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote

from sim.core.http import Request, Response, Router, json_response
from sim.zoom.base import ZoomApiBase, iso, zoom_error
from sim.zoom.model import ArchivedRoom, ArchiveFile

QUERY_DATE_TYPES = ("meeting_start_time", "archive_complete_time")


def _parse(value: str | None, name: str) -> datetime:
    try:
        return datetime.fromisoformat((value or "").replace("Z", "+00:00"))
    except ValueError:
        raise zoom_error(
            400, 300, f"Invalid field: {name} must be yyyy-MM-dd'T'HH:mm:ssZ."
        ) from None


class ZoomArchiving(ZoomApiBase):
    """Mixin of ZoomSim: /archive_files, /past_meetings/{uuid}/archive_files, archive downloads."""

    archive_download: Callable[[Request], Response]  # sim/zoom/files.py (ZoomDownloads)

    def _archiving_routes(self, r: Router) -> None:
        r.add("GET", "/v2/archive_files", self.archive_files)
        r.add("GET", "/v2/archive_files/statistics", self.archive_statistics)
        r.add("GET", "/v2/past_meetings/{meeting}/archive_files", self.meeting_archive_files)
        r.add("DELETE", "/v2/past_meetings/{meeting}/archive_files", self.delete_archive_files)
        r.add("GET", "/rec/archive/download/{file_id}", self.archive_download)
        r.add("GET", "/rec/archive/attached/download/{file_id}", self.archive_download)

    def _archiving_on(self) -> None:
        """UNSURE: what Zoom answers an account without the Archiving feature is not documented;
        the only 400 the spec lists for these endpoints is code 2001 "Account does not exist:
        {accountId}" (archiving.txt), which is what an account Zoom keeps no archive for gets
        here."""
        if not self.store.archiving_enabled:
            raise zoom_error(400, 2001, f"Account does not exist: {self.store.account_id}.")

    def _archive_window(self, req: Request) -> tuple[datetime, datetime, str]:
        """`from`/`to` as `yyyy-MM-dd'T'HH:mm:ssZ`, at most seven days apart ("This value and
        the `to` query parameter value cannot exceed seven days"), checked as asked; a `to` in
        the future is reset to now and echoed (spec note on next_page_token).

        UNSURE: Zoom's wording of the seven-day refusal (code 300 as for other invalid fields),
        and the defaults when from/to are absent (here: the last 24 hours up to now)."""
        now = self.store.now().replace(microsecond=0)
        end = _parse(req.arg("to"), "to") if req.arg("to") else now
        start = _parse(req.arg("from"), "from") if req.arg("from") else end - timedelta(days=1)
        if end < start:
            raise zoom_error(400, 300, "The from date must be before the to date.")
        if end - start > timedelta(days=7):
            raise zoom_error(400, 300, "The date range can be at most 7 days.")
        kind = req.arg("query_date_type") or "meeting_start_time"
        if kind not in QUERY_DATE_TYPES:
            raise zoom_error(400, 300, f"Invalid field: query_date_type: {kind}.")
        return start, min(end, now), kind

    def _groups(self, req: Request) -> set[str]:
        raw = req.arg("group_ids") or req.arg("group_id") or ""
        groups = {g for g in raw.split(",") if g}
        if len(groups) > 7:  # "The maximum number of supported groups for filtering is 7."
            raise zoom_error(400, 300, "Invalid field: group_ids (at most 7 groups).")
        return groups

    def _room_groups(self, room: ArchivedRoom) -> list[str]:
        """Primary group IDs of the participants who belong to the account."""
        found: list[str] = []
        for p in room.meeting.participants:
            user = self.store.find_user(p.get("user_id") or p.get("email") or "")
            for g in (user or {}).get("group_ids", [])[:1]:
                if g not in found:
                    found.append(g)
        return found

    def _listed_rooms(
        self, start: datetime, end: datetime, kind: str, groups: set[str]
    ) -> list[ArchivedRoom]:
        with self.store.lock:
            rooms = list(self.store.archives.values())
        chosen = []
        for room in rooms:
            if not room.files or not self.store.archive_live(room):
                continue
            if kind == "archive_complete_time":
                if room.status != "completed" or not start <= room.complete_time <= end:
                    continue
            elif not start <= room.started <= end:
                continue
            if groups and not groups.intersection(self._room_groups(room)):
                continue
            chosen.append(room)
        return sorted(chosen, key=lambda r: (r.started, r.is_breakout_room, r.uuid))

    def archive_files(self, req: Request) -> Response:
        """GET /archive_files (Medium): the account's archived meetings and breakout rooms."""
        self._auth(req, "archive")
        self._archiving_on()
        start, end, kind = self._archive_window(req)
        groups = self._groups(req)
        rooms = self._listed_rooms(start, end, kind, groups)
        return self._paged(
            req,
            f"archive|{iso(start)}|{iso(end)}|{kind}|{sorted(groups)}",
            rooms,
            "meetings",
            {"from": iso(start), "to": iso(end)},
            render=self._archive_body,
        )

    def archive_statistics(self, req: Request) -> Response:
        """GET /archive_files/statistics (Medium): counts by extension and by status."""
        self._auth(req, "archive_statistics")
        self._archiving_on()
        start, end, _ = self._archive_window(req)
        rooms = self._listed_rooms(start, end, "meeting_start_time", set())
        files = [f for room in rooms for f in room.files]
        return json_response(
            200,
            {
                "from": iso(start),
                "to": iso(end),
                "total_records": len(rooms),
                "statistic_by_file_extension": {
                    f"{ext.lower()}_file_count": sum(1 for f in files if f.file_extension == ext)
                    for ext in ("MP4", "M4A", "TXT", "JSON", "VTT")
                },
                "statistic_by_file_status": {
                    f"{status}_file_count": sum(1 for f in files if f.status == status)
                    for status in ("processing", "completed", "failed")
                },
            },
        )

    def _room(self, req: Request) -> ArchivedRoom:
        """The archived room a path names by UUID (double-encoded when it starts with `/` or
        contains `//`); unknown, deleted, past the retention, or on an account without the
        archiving feature (which Zoom keeps no archive for) → 404 code 3001, the one error the
        spec lists for this endpoint."""
        once = req.params["meeting"]
        uuid = unquote(once) if "%" in once else once
        missing = zoom_error(404, 3001, f"Meeting {once} does not exist.")
        if once == uuid and (uuid.startswith("/") or "//" in uuid):
            raise missing
        room = self.store.room(uuid) if self.store.archiving_enabled else None
        if room is None or not room.files or not self.store.archive_live(room):
            raise missing
        return room

    def meeting_archive_files(self, req: Request) -> Response:
        """GET /past_meetings/{meetingUUID}/archive_files (Light): one instance's archive."""
        self._auth(req, "archive_meeting")
        return json_response(200, self._archive_body(self._room(req)))

    def delete_archive_files(self, req: Request) -> Response:
        """DELETE /past_meetings/{meetingUUID}/archive_files (Light): 204; afterwards the archive
        is gone from listings and its downloads answer as for a deleted file."""
        self._auth(req, "archive_delete")
        self._room(req).deleted = True
        return Response(204, b"")

    # -- bodies -----------------------------------------------------------------------------
    def _archive_file_entry(self, f: ArchiveFile, *, webhook: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": f.file_id,
            "file_type": f.file_type,
            "file_extension": f.file_extension,
            "file_size": f.size,
            "download_url": f"{self._base_url()}/rec/archive/download/{f.file_id}",
            "status": f.status,
            "recording_type": f.recording_type,
            "individual": f.individual,
            # Individual files: the participant's own times; others: the archiving gateway's.
            "participant_join_time": iso(f.participant_join) if f.participant_join else "",
            "participant_leave_time": iso(f.participant_leave) if f.participant_leave else "",
            "encryption_fingerprint": f.encryption_fingerprint(),
        }
        if f.individual:  # "returned when the individual value is true"
            body["participant_email"] = f.participant_email
        if f.number_of_messages is not None:  # "only when the file_extension is JSON or TXT"
            body["number_of_messages"] = f.number_of_messages
        if f.storage_location is not None:  # only with Distributed Compliance Archiving
            body["storage_location"] = f.storage_location
        if f.auto_delete is not None:  # only with "Tag Archiving Files for Deletion"
            body["auto_delete"] = f.auto_delete
        if webhook:  # file_name is in webhook payloads only
            body["file_name"] = f.file_name
        return body

    def _archive_body(self, room: ArchivedRoom, *, webhook: bool = False) -> dict[str, Any]:
        """An archived meeting (listings, per-meeting answer, and the webhook's object)."""
        m = room.meeting
        body: dict[str, Any] = {
            "uuid": room.uuid,
            "id": m.meeting_id,
            "host_id": m.host_id,
            "topic": room.topic,
            "type": 100 if room.is_breakout_room else m.type,
            "start_time": iso(room.started),
            "timezone": m.timezone,
            "duration": room.duration,
            "duration_in_second": room.duration * 60,
            "total_size": sum(f.size for f in room.files),
            "recording_count": len(room.files),
            "meeting_type": m.meeting_type,
            "account_name": self.store.account_name,
            # `complete_time` is "" until the archive is complete (the 2025 spec's union type).
            "complete_time": iso(room.complete_time) if room.status == "completed" else "",
            "is_breakout_room": room.is_breakout_room,
            "status": room.status,
            "archive_files": [self._archive_file_entry(f, webhook=webhook) for f in room.files],
        }
        if room.is_breakout_room:
            body["parent_meeting_id"] = m.uuid
        groups = self._room_groups(room)
        if groups:
            body["group_id"] = ",".join(groups)
        if room.physical_files:
            body["physical_files"] = [
                {
                    "file_id": f.file_id,
                    "file_name": f.file_name,
                    "file_size": f.size,
                    "download_url": f"{self._base_url()}/rec/archive/attached/download/{f.file_id}",
                }
                for f in room.physical_files
            ]
        if m.meeting_type == "external":
            # "The id, host_id, and topic PII values in this response are removed when this
            # value is external."
            for name in ("id", "host_id", "topic"):
                body.pop(name)
        return body
