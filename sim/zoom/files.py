"""Zoom's download path: a 302 from the API host to a signed, Range-capable file host."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from sim.core.http import Request, Response, Router
from sim.zoom.store import iter_content

HTML_PAGE = (
    b"<!DOCTYPE html><html><head><title>Zoom</title></head><body>"
    b"<p>Sign in to download this recording.</p></body></html>"
)


class ZoomDownloads:
    """Mixin of ZoomSim: the download URL handler and the file host."""

    store: Any
    files: Any

    def download(self, req: Request) -> Response:
        token = (
            req.headers.get("Authorization", "").removeprefix("Bearer ").strip()
            or req.arg("access_token")
            or ""
        )
        file = self.store.find_file(req.params["file_id"])
        if not token or self.store.token_scopes(token) is None or file is None:
            # Zoom's trap: a bad token or missing file is a 200 HTML page, not an error status.
            return Response(200, HTML_PAGE, {"Content-Type": "text/html; charset=utf-8"})
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
