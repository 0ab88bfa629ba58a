"""Zoom's download path: a 302 from the API host to a signed, Range-capable file host."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from sim.core.http import Request, Response, Router
from sim.zoom.model import ArchiveFile, ZoomFile, iter_content

HTML_PAGE = (
    b"<!DOCTYPE html><html><head><title>Zoom</title></head><body>"
    b"<p>Sign in to download this recording.</p></body></html>"
)


def html_page() -> Response:
    """Zoom's trap: a bad token or a missing (deleted) file is a 200 HTML page, not an error
    status (zoom-api.md §2.6)."""
    return Response(200, HTML_PAGE, {"Content-Type": "text/html; charset=utf-8"})


class ZoomDownloads:
    """Mixin of ZoomSim: the download URL handlers and the file host."""

    store: Any
    files: Any

    def _bearer(self, req: Request) -> str:
        return req.headers.get("Authorization", "").removeprefix("Bearer ").strip()

    def download(self, req: Request) -> Response:
        """A cloud recording's download_url: an API token as Bearer or `access_token` query
        (both work in practice, zoom-api.md §2.6), or the webhook's download_token for that
        meeting (Bearer, 24 hours)."""
        token = self._bearer(req) or req.arg("access_token") or ""
        file, owner = self.store.file_and_owner(req.params["file_id"])
        if file is None or isinstance(file, ArchiveFile) or not token:
            return html_page()
        if self.store.token_scopes(token) is None and not self.store.download_token_opens(
            token, owner
        ):
            return html_page()
        return self._redirect(file)

    def archive_download(self, req: Request) -> Response:
        """An archive file's download_url (`/rec/archive/download/…`) or a chat-shared file's
        (`/rec/archive/attached/download/…`): `Authorization: Bearer` with an OAuth access
        token (the spec's download_url text) or the recording.archive_files_completed
        webhook's download_token (24 hours). UNSURE: whether `?access_token=` works here as it
        does for recordings; not accepted (the spec shows only the header). A file past the
        retention, deleted, still processing or failed is the HTML page, like a deleted
        recording."""
        physical = "/attached/" in req.path
        token = self._bearer(req)
        file, owner = self.store.file_and_owner(req.params["file_id"])
        room = self.store.room(owner) if file is not None else None
        if (
            not isinstance(file, ArchiveFile)
            or file.physical != physical
            or room is None
            or not token
            or not self.store.archive_live(room)
            or file.status != "completed"
        ):
            return html_page()
        if self.store.token_scopes(token) is None and not self.store.download_token_opens(
            token, room.uuid
        ):
            return html_page()
        return self._redirect(file)

    def _redirect(self, file: ZoomFile) -> Response:
        assert self.files is not None
        signature, expires = self.store.sign(file.file_id)
        location = (
            f"{self.files.base_url}/file/{quote(file.file_id)}?exp={int(expires)}&sig={signature}"
        )
        return Response(302, b"", {"Location": location})

    def _files_router(self) -> Router:
        r = Router()
        r.add("GET", "/file/{file_id}", self.serve_file)
        return r

    def serve_file(self, req: Request) -> Response:
        if not self.store.signature_valid(req.arg("sig") or ""):
            return Response(
                403,
                b"<Error><Code>AccessDenied</Code></Error>",
                {"Content-Type": "application/xml"},
            )
        file = self.store.find_file(req.params["file_id"])
        if file is None:
            return Response(404, b"")
        kind = {
            "MP4": "video/mp4",
            "M4A": "audio/mp4",
            "VTT": "text/vtt",
            "TXT": "text/plain",
            "JSON": "application/json",
        }.get(file.file_extension, "application/octet-stream")
        headers = {"Content-Type": kind, "Accept-Ranges": "bytes"}
        start, end = 0, file.size - 1
        status = 200
        spec = req.headers.get("Range")
        if spec:
            found = re.fullmatch(r"bytes=(\d+)-(\d*)", spec.strip())
            if not found or int(found[1]) >= file.size:
                return Response(416, b"", {"Content-Range": f"bytes */{file.size}"})
            start = int(found[1])
            end = min(int(found[2]), file.size - 1) if found[2] else file.size - 1
            status = 206
            headers["Content-Range"] = f"bytes {start}-{end}/{file.size}"
        length = end - start + 1
        if file.content is not None:
            return Response(status, file.content[start : end + 1], headers)
        return Response(
            status,
            iter_content(file.file_id, file.size, start, end),
            headers,
            content_length=length,
        )
