"""Attachment upload sessions: created on Graph, fed on the Outlook host (no Graph token there)."""

from __future__ import annotations

import hashlib
import re
import secrets
import time
import uuid as uuidlib
from datetime import UTC, datetime
from typing import Any

from sim.core.http import Request, Response, Router, json_response
from sim.m365.mail import Mailbox, graph_error

MIN_UPLOAD = 3 * 1024 * 1024
MAX_UPLOAD = 150 * 1024 * 1024
# Microsoft's guidance for Outlook attachment sessions: chunks of at most 4 MB.
MAX_CHUNK = 4 * 1024 * 1024
RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")


def _progress(session: dict[str, Any]) -> dict[str, Any]:
    """An unfinished session's state. For Outlook attachments nextExpectedRanges "always
    indicates a single value "{start}"" (Graph's uploadSession resource), e.g. ["2097152"]."""
    return {
        "expirationDateTime": _iso(session["expires"]),
        "nextExpectedRanges": [str(session["received"])],
    }


class UploadSessions:
    """Mixin of M365Sim: createUploadSession and the Outlook-host PUT/GET/DELETE."""

    store: Any
    sessions: dict[str, dict[str, Any]]
    outlook: Any
    _lock: Any
    _box: Any
    _item: Any
    _throttle: Any

    def create_session(self, req: Request) -> Response:
        box = self._box(req)
        with self._throttle(req, box):
            item = self._item(box, req.params["mid"])
            spec = (req.json() or {}).get("AttachmentItem") or {}
            if spec.get("attachmentType", "file") != "file":
                raise graph_error(
                    405,
                    "ErrorAttachmentSessionIsSupportedOnlyForFileAttachments",
                    "Upload sessions are supported only for file attachments.",
                )
            size = int(spec.get("size", 0))
            if size < MIN_UPLOAD:
                raise graph_error(
                    400,
                    "ErrorAttachmentSizeShouldNotBeLessThanMinimumSize",
                    "Attachment size must be at least 3 MB for an upload session.",
                )
            if size > MAX_UPLOAD:
                raise graph_error(
                    400,
                    "ErrorAttachmentSizeExceeded",
                    "Attachment size exceeds the maximum of 150 MB.",
                )
            self.store.reserve(box, size)
            session_id = str(uuidlib.uuid4())
            token = secrets.token_urlsafe(24)
            expires = time.time() + self.store.limits.session_lifetime_s
            path = self.store.dir / f"session-{session_id}"
            path.write_bytes(b"")
            with self._lock:
                self.sessions[session_id] = {
                    "box": box.user_id,
                    "item": item["id"],
                    "name": spec.get("name", ""),
                    "contentType": spec.get("contentType", "application/octet-stream"),
                    "size": size,
                    "received": 0,
                    "path": path,
                    "expires": expires,
                    "token": token,
                }
            assert self.outlook is not None
            url = (
                f"{self.outlook.base_url}/api/v2.0/Users('{box.user_id}')/Messages"
                f"('{item['id']}')/AttachmentSessions('{session_id}')?authtoken={token}"
            )
            return json_response(
                201,
                {
                    "uploadUrl": url,
                    "nextExpectedRanges": ["0-"],
                    "expirationDateTime": _iso(expires),
                },
            )

    def _outlook_router(self) -> Router:
        r = Router()
        path = "/api/v2.0/Users('{uid}')/Messages('{mid}')/AttachmentSessions('{sid}')"
        r.add("PUT", path, self.put_chunk)
        r.add("GET", path, self.session_status)
        r.add("DELETE", path, self.cancel_session)
        return r

    def _session(self, req: Request) -> dict[str, Any]:
        with self._lock:
            session = self.sessions.get(req.params["sid"].strip("'"))
        if session is None or session["expires"] < time.time():
            raise graph_error(
                404, "ErrorItemNotFound", "The upload session was not found or has expired."
            )
        if req.arg("authtoken") != session["token"]:
            raise graph_error(401, "InvalidAuthenticationToken", "The upload URL token is invalid.")
        return session

    def put_chunk(self, req: Request) -> Response:
        session = self._session(req)
        if req.headers.get("Authorization"):
            # Documented: do not send an Authorization header to the upload URL.
            raise graph_error(
                401,
                "InvalidAudienceForResource",
                "The audience claim value is "
                "invalid for the upload session; do not send Authorization.",
            )
        kind = req.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if kind != "application/octet-stream":
            # Graph's walkthrough lists Content-Type: application/octet-stream as required on
            # every PUT; what Outlook answers without it is not documented, so it is refused.
            raise graph_error(
                400,
                "InvalidContentType",
                "The Content-Type of an upload session PUT must be application/octet-stream.",
            )
        found = RANGE.match(req.headers.get("Content-Range", ""))
        if not found or int(found[3]) != session["size"]:
            raise graph_error(
                400,
                "InvalidContentRange",
                "Content-Range is missing or does not match the session size.",
            )
        start, end = int(found[1]), int(found[2])
        length = end - start + 1
        if length > MAX_CHUNK:
            raise graph_error(413, "RequestEntityTooLarge", "Each chunk must be at most 4 MB.")
        if start != session["received"] or length != req.content_length:
            raise graph_error(
                416,
                "InvalidRange",
                f"The range does not start at the next expected byte {session['received']}.",
            )
        box = self.store.find(session["box"])
        item = box.items.get(session["item"])
        if item is not None and item.get("size_bytes", 0) + end + 1 > box.max_message_bytes:
            # The attachment would make the item larger than the mailbox's maximum message
            # size: refused part-way through the upload, as Exchange Online does.
            raise graph_error(
                400, "ErrorMessageSizeExceeded", "The message exceeds the maximum supported size."
            )
        with self.store.throttle(box, upload_bytes=length):
            with session["path"].open("ab") as handle:
                remaining = length
                while remaining:
                    chunk = req.stream.read(min(1 << 20, remaining))
                    if not chunk:
                        raise graph_error(400, "IncompleteBody", "The body ended early.")
                    handle.write(chunk)
                    remaining -= len(chunk)
            req._body = b""
            session["received"] = end + 1
        if session["received"] < session["size"]:
            return json_response(200, _progress(session))
        return self._finish(req, session, box)

    def _finish(self, req: Request, session: dict[str, Any], box: Mailbox) -> Response:
        digest = hashlib.sha256()
        with session["path"].open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        att = {
            "id": str(uuidlib.uuid4()),
            "name": session["name"],
            "contentType": session["contentType"],
            "size": session["size"],
            "path": str(session["path"]),
            "sha256": digest.hexdigest(),
            "isInline": False,
        }
        with self.store.lock:
            item = box.items[session["item"]]
            item["attachments"].append(att)
            item["size_bytes"] = item.get("size_bytes", 0) + session["size"]
        with self._lock:
            # A completed session is gone: PUT and GET on its URL answer 404 from now on.
            self.sessions.pop(req.params["sid"].strip("'"), None)
        assert self.outlook is not None
        # The attachment's absolute URL on the Outlook host, as in Graph's walkthrough:
        # Location: https://outlook.office.com/api/v2.0/Users('…')/Messages('…')/Attachments('…')
        location = (
            f"{self.outlook.base_url}/api/v2.0/Users('{box.user_id}')/Messages"
            f"('{session['item']}')/Attachments('{att['id']}')"
        )
        return Response(201, b"", {"Location": location})

    def session_status(self, req: Request) -> Response:
        return json_response(200, _progress(self._session(req)))

    def cancel_session(self, req: Request) -> Response:
        self._session(req)
        with self._lock:
            self.sessions.pop(req.params["sid"].strip("'"), None)
        return Response(204, b"")
