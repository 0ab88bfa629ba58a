"""Simulated Graph mail: users, folders, messages, attachments and throttling per mailbox."""

from __future__ import annotations

import base64
import hashlib
import re
import threading
import time
import uuid as uuidlib
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sim.core.http import HttpError, Request, Response, json_response

MAX_BODY = 4 * 1024 * 1024
DEFAULT_MAX_MESSAGE_BYTES = 35 * 1024 * 1024
INLINE_LIMIT = 3 * 1024 * 1024
MESSAGE_FIELDS = {
    "subject",
    "body",
    "from",
    "sender",
    "toRecipients",
    "ccRecipients",
    "bccRecipients",
    "replyTo",
    "internetMessageId",
    "internetMessageHeaders",
    "singleValueExtendedProperties",
    "multiValueExtendedProperties",
    "attachments",
    "importance",
    "isRead",
    "isDeliveryReceiptRequested",
    "isReadReceiptRequested",
    "categories",
    "flag",
    "inferenceClassification",
    "receivedDateTime",
    "sentDateTime",
    "uniqueBody",
}
QUOTED = r"'((?:[^']|'')*)'"
# singleValueExtendedProperties/Any(ep: ep/id eq '<id>' and <value test>), the value test being
# ep/value eq|ne '<v>' or startswith|contains(ep/value, '<v>').
EXT_FILTER = re.compile(
    rf"^singleValueExtendedProperties/any\(\s*(\w+)\s*:\s*\1/id eq {QUOTED} and\s+"
    rf"(?:\1/value (eq|ne) {QUOTED}|(startswith|contains)\(\s*\1/value\s*,\s*{QUOTED}\s*\))"
    r"\s*\)$",
    re.IGNORECASE,
)
NAMED_PROPERTY = re.compile(r"^(\w+)\s+\{([0-9a-f-]+)\}\s+name\s+(.+)$", re.IGNORECASE)
# Exchange Online's message limits: a message's headers may total at most 256 KB.
MAX_HEADER_BYTES = 256 * 1024
MAX_CUSTOM_HEADERS = 5


def graph_error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> HttpError:
    request_id = str(uuidlib.uuid4())
    body = {
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                "request-id": request_id,
                "client-request-id": request_id,
            },
        }
    }
    return HttpError(json_response(status, body, {"request-id": request_id, **(headers or {})}))


def _unquote(value: str) -> str:
    return value.replace("''", "'")


@dataclass
class Mailbox:
    """One mailbox's folders and items.

    `address` is the user's `mail`; `upn` their userPrincipalName, which may differ (a user
    created as x.user@contoso.onmicrosoft.com and given mail x@contoso.com). Graph paths
    take the user's id or UPN only.
    """

    address: str
    display_name: str
    proxy_addresses: list[str]
    enabled: bool = True
    upn: str = ""
    user_id: str = field(default_factory=lambda: str(uuidlib.uuid4()))
    folders: dict[str, dict[str, Any]] = field(default_factory=dict)
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    inflight: int = 0
    quota_bytes: int | None = None  # None: unlimited; else items beyond it are refused (507)
    used_bytes: int = 0
    # The mailbox's maximum message size (MaxReceiveSize): Exchange Online's default, 35 MB
    # ("By default, this message size limit is 35 MB", Graph's createUploadSession page), until
    # an admin raises it (Set-Mailbox -MaxReceiveSize, at most 150 MB; PATCH
    # /m365/mailboxes/{address} here). An item growing past it answers 400
    # ErrorMessageSizeExceeded.
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
    requests: deque[float] = field(default_factory=deque)
    uploads: deque[tuple[float, int]] = field(default_factory=deque)

    def __post_init__(self) -> None:
        self.upn = (self.upn or self.address).lower()
        for name in ("msgfolderroot", "inbox", "drafts", "sentitems", "deleteditems"):
            self.folders[name] = {
                "id": f"{name}-{self.user_id[:8]}",
                "displayName": name.title(),
                "parent": None if name == "msgfolderroot" else "msgfolderroot",
                "well_known": name,
            }


@dataclass
class Limits:
    """Exchange's per-app-per-mailbox limits (scalable down for tests)."""

    concurrency: int = 4
    requests_per_10min: int = 10000
    upload_bytes_per_5min: int = 150 * 1024 * 1024
    folder_exists_status: int = 400
    session_lifetime_s: int = 900
    latency_ms: int = 0  # time each mailbox request holds its concurrency slot


class MailStore:
    """All mailboxes, with attachments on disk."""

    def __init__(self, data_dir: Path) -> None:
        self.dir = data_dir / "attachments"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.mailboxes: dict[str, Mailbox] = {}
        self.limits = Limits()
        self.lock = threading.RLock()

    def add(
        self,
        address: str,
        display_name: str,
        proxies: list[str],
        enabled: bool,
        upn: str | None = None,
    ) -> Mailbox:
        box = Mailbox(
            address.lower(), display_name, [p.lower() for p in proxies], enabled, upn or ""
        )
        with self.lock:
            self.mailboxes[box.address] = box
        return box

    def directory_user(self, key: str) -> Mailbox | None:
        """The user a Graph path segment names: its id or userPrincipalName, nothing else.

        `/users/{mail}` is not found when the mail address differs from the UPN (Graph's user
        resource: "{id | userPrincipalName}"; shared/reference/real-world-shapes.md #11).
        """
        key = key.lower()
        with self.lock:
            return next((b for b in self.mailboxes.values() if key in (b.user_id, b.upn)), None)

    def lookup(self, key: str) -> Mailbox | None:
        """A mailbox by mail address, UPN or id (the control API's routes)."""
        with self.lock:
            return self.mailboxes.get(key.lower()) or self.directory_user(key)

    def find(self, user: str) -> Mailbox:
        """The mailbox of a Graph mail path (id or UPN); 404 ErrorInvalidUser otherwise."""
        box = self.directory_user(user)
        if box is None:
            raise graph_error(404, "ErrorInvalidUser", f"The requested user '{user}' is invalid.")
        if not box.enabled:
            raise graph_error(
                404,
                "MailboxNotEnabledForRESTAPI",
                "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
            )
        return box

    @contextmanager
    def throttle(self, box: Mailbox, upload_bytes: int = 0) -> Iterator[None]:
        """Concurrency and budget checks of one request on one mailbox."""
        now = time.time()
        with self.lock:
            while box.requests and box.requests[0] < now - 600:
                box.requests.popleft()
            while box.uploads and box.uploads[0][0] < now - 300:
                box.uploads.popleft()
            if box.inflight >= self.limits.concurrency:
                raise graph_error(
                    429,
                    "ApplicationThrottled",
                    "Application is over its MailboxConcurrency limit.",
                    {"Retry-After": "1"},
                )
            if len(box.requests) >= self.limits.requests_per_10min:
                wait = int(box.requests[0] + 600 - now) + 1
                raise graph_error(
                    429,
                    "ApplicationThrottled",
                    "Application is over its request budget for this mailbox.",
                    {"Retry-After": str(wait)},
                )
            used = sum(size for _, size in box.uploads)
            # A window with nothing in it admits one request, however large (a real request is
            # at most 4 MB; budgets scaled down for tests can be smaller).
            over = used + upload_bytes > self.limits.upload_bytes_per_5min
            if upload_bytes and box.uploads and over:
                wait = int(box.uploads[0][0] + 300 - now) + 1
                raise graph_error(
                    429,
                    "ApplicationThrottled",
                    "Application is over its upload budget for this mailbox.",
                    {"Retry-After": str(wait)},
                )
            box.requests.append(now)
            if upload_bytes:
                box.uploads.append((now, upload_bytes))
            box.inflight += 1
        try:
            if self.limits.latency_ms:
                time.sleep(self.limits.latency_ms / 1000)
            yield
        finally:
            with self.lock:
                box.inflight -= 1

    def folder(self, box: Mailbox, folder_id: str) -> dict[str, Any]:
        found = box.folders.get(folder_id.lower()) or next(
            (f for f in box.folders.values() if f["id"] == folder_id), None
        )
        if found is None:
            raise graph_error(
                404, "ErrorItemNotFound", "The specified object was not found in the store."
            )
        return found

    def save_bytes(self, data: bytes) -> tuple[str, str]:
        path = self.dir / str(uuidlib.uuid4())
        path.write_bytes(data)
        return str(path), hashlib.sha256(data).hexdigest()

    def grow(self, box: Mailbox, item: dict[str, Any], size: int) -> None:
        """Count `size` more bytes on an item; 400 ErrorMessageSizeExceeded past the mailbox's
        maximum message size (nothing is counted then)."""
        with self.lock:
            if item.get("size_bytes", 0) + size > box.max_message_bytes:
                raise graph_error(
                    400,
                    "ErrorMessageSizeExceeded",
                    "The message exceeds the maximum supported size.",
                )
            item["size_bytes"] = item.get("size_bytes", 0) + size

    def reserve(self, box: Mailbox, size: int) -> None:
        """Count `size` bytes against the mailbox's quota; 507 ErrorQuotaExceeded when full."""
        with self.lock:
            if box.quota_bytes is not None and box.used_bytes + size > box.quota_bytes:
                raise graph_error(
                    507, "ErrorQuotaExceeded", "Mailbox has exceeded maximum mailbox size."
                )
            box.used_bytes += size

    def create_message(
        self, box: Mailbox, folder: dict[str, Any], doc: dict[str, Any], *, from_mime: bool = False
    ) -> dict[str, Any]:
        unknown = sorted(set(doc) - MESSAGE_FIELDS)
        if unknown:
            raise graph_error(
                400,
                "RequestBodyRead",
                f"The property '{unknown[0]}' does not exist on type 'microsoft.graph.message'.",
            )
        headers = doc.get("internetMessageHeaders")
        if headers is not None:
            check_headers(headers)
        headers = headers or []
        # The item's size as Exchange counts it, roughly: attachment bytes, body text, 1 KB more.
        inline = doc.get("attachments") or []
        attached = sum(len(a.get("contentBytes", "")) * 3 // 4 for a in inline)
        body = (doc.get("body") or {}).get("content", "")
        size = attached + len(str(body)) + 1024
        if size > box.max_message_bytes:
            raise graph_error(
                400, "ErrorMessageSizeExceeded", "The message exceeds the maximum supported size."
            )
        self.reserve(box, size)
        props = {p["id"]: p["value"] for p in doc.get("singleValueExtendedProperties") or []}
        flags = props.get("Integer 0x0E07")
        draft = from_mime or flags is None or int(flags) & 8 != 0  # MSGFLAG_UNSENT
        attachments = []
        for a in doc.get("attachments") or []:
            data = base64.b64decode(a.get("contentBytes", ""))
            if len(data) >= INLINE_LIMIT:
                raise graph_error(
                    413,
                    "RequestEntityTooLarge",
                    "The attachment is too large; "
                    "use an upload session for attachments of 3 MB or more.",
                )
            path, sha = self.save_bytes(data)
            attachments.append(
                {
                    "id": str(uuidlib.uuid4()),
                    "name": a.get("name", ""),
                    "contentType": a.get("contentType", "application/octet-stream"),
                    "size": len(data),
                    "path": path,
                    "sha256": sha,
                    "isInline": bool(a.get("isInline", False)),
                }
            )
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        item = {
            "id": str(uuidlib.uuid4()),
            "folder": folder["id"],
            "isDraft": draft,
            "createdDateTime": now,
            "subject": doc.get("subject", ""),
            "body": doc.get("body", {}),
            "from": doc.get("from"),
            "toRecipients": doc.get("toRecipients", []),
            "ccRecipients": doc.get("ccRecipients", []),
            "bccRecipients": doc.get("bccRecipients", []),
            "internetMessageId": doc.get("internetMessageId") or f"<{uuidlib.uuid4()}@sim>",
            "internetMessageHeaders": headers,
            "singleValueExtendedProperties": doc.get("singleValueExtendedProperties") or [],
            "receivedDateTime": props.get("SystemTime 0x0E06", now),
            "sentDateTime": props.get("SystemTime 0x0039", None if draft else now),
            "attachments": attachments,
            "size_bytes": size,
        }
        with self.lock:
            box.items[item["id"]] = item
        return item

    def query(
        self, box: Mailbox, folder: dict[str, Any] | None, text: str | None
    ) -> list[dict[str, Any]]:
        items = [i for i in box.items.values() if folder is None or i["folder"] == folder["id"]]
        if not text:
            return items
        found = EXT_FILTER.match(text.strip())
        if found:
            prop_id = _unquote(found[2])
            op = (found[3] or found[5]).lower()
            value = _unquote(found[4] if found[3] else found[6])
            return [
                i
                for i in items
                if any(
                    same_property(p["id"], prop_id) and value_matches(str(p["value"]), op, value)
                    for p in i["singleValueExtendedProperties"]
                )
            ]
        imid = re.match(r"^internetMessageId eq '((?:[^']|'')*)'$", text.strip(), re.IGNORECASE)
        if imid:
            return [i for i in items if i["internetMessageId"] == _unquote(imid[1])]
        raise graph_error(
            400,
            "ErrorInvalidUrlQueryFilter",
            "The query filter contains one or more invalid nodes.",
        )


def check_headers(headers: list[dict[str, Any]]) -> None:
    """Graph's rules for internetMessageHeaders at creation.

    Names must start with x-/X- (400 InvalidInternetMessageHeader); more than 5, or an empty
    collection, is 400 InvalidInternetMessageHeaderCollection ("Maximum number of headers in
    one message should be less than or equal to 5." as quoted from real answers; the empty
    list is reported by msgraph-sdk-dotnet#2208). Exchange Online caps a message's headers at
    256 KB (Exchange Online limits); Graph's answer past it is not documented, so it is the
    same 400 InvalidInternetMessageHeaderCollection here.
    """
    if not headers or len(headers) > MAX_CUSTOM_HEADERS:
        raise graph_error(
            400,
            "InvalidInternetMessageHeaderCollection",
            "Maximum number of headers in one message should be less than or equal to 5.",
        )
    for header in headers:
        name = str(header.get("name", ""))
        if not name.lower().startswith("x-"):
            raise graph_error(
                400,
                "InvalidInternetMessageHeader",
                f"The internet message header name '{name}' should start with 'x-' or 'X-'.",
            )
    size = sum(
        len(str(h.get("name", "")).encode()) + len(str(h.get("value", "")).encode()) + 4
        for h in headers
    )
    if size > MAX_HEADER_BYTES:
        raise graph_error(
            400,
            "InvalidInternetMessageHeaderCollection",
            "The internet message headers exceed the maximum size of 256 KB.",
        )


def same_property(stored: str, asked: str) -> bool:
    """Whether an extended-property id in a filter names a stored property.

    The name part of a named property (`String {guid} Name X`) is case-sensitive; the type,
    the GUID and tag ids (`Integer 0x0E07`) are not (shared/reference/graph-and-functions.md,
    from Graph's extended-properties pages; real-world-shapes.md #15).
    """
    a, b = NAMED_PROPERTY.match(stored.strip()), NAMED_PROPERTY.match(asked.strip())
    if a and b:
        return a[1].lower() == b[1].lower() and a[2].lower() == b[2].lower() and a[3] == b[3]
    return stored.strip().lower() == asked.strip().lower()


def value_matches(stored: str, op: str, wanted: str) -> bool:
    """An extended property's value test; values compare case-insensitively."""
    have, want = stored.lower(), wanted.lower()
    if op == "eq":
        return have == want
    if op == "ne":
        return have != want
    if op == "startswith":
        return have.startswith(want)
    return want in have  # contains


def public_item(item: dict[str, Any]) -> dict[str, Any]:
    """An item as Graph returns it (no internal fields)."""
    hidden = {"folder", "attachments", "size_bytes"}
    body = {k: v for k, v in item.items() if k not in hidden}
    body["parentFolderId"] = item["folder"]
    body["hasAttachments"] = bool(item["attachments"])
    return body


def public_attachment(att: dict[str, Any], *, content: bool = False) -> dict[str, Any]:
    body = {
        "@odata.type": "#microsoft.graph.fileAttachment",
        "id": att["id"],
        "name": att["name"],
        "contentType": att["contentType"],
        "size": att["size"],
        "isInline": att["isInline"],
    }
    if content:
        body["contentBytes"] = base64.b64encode(Path(att["path"]).read_bytes()).decode()
    return body


def check_size(req: Request) -> None:
    """Graph refuses request bodies over 4 MB."""
    if req.content_length > MAX_BODY:
        raise graph_error(413, "RequestEntityTooLarge", "The request body is larger than 4 MB.")


__all__ = ["MailStore", "Response", "check_size", "graph_error", "public_attachment", "public_item"]
