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
EXT_FILTER = re.compile(
    r"^singleValueExtendedProperties/any\(\s*(\w+)\s*:\s*\1/id eq '((?:[^']|'')*)' and "
    r"\1/value eq '((?:[^']|'')*)'\s*\)$",
    re.IGNORECASE,
)


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
    """One mailbox's folders and items."""

    address: str
    display_name: str
    proxy_addresses: list[str]
    enabled: bool = True
    user_id: str = field(default_factory=lambda: str(uuidlib.uuid4()))
    folders: dict[str, dict[str, Any]] = field(default_factory=dict)
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    inflight: int = 0
    quota_bytes: int | None = None  # None: unlimited; else items beyond it are refused (507)
    used_bytes: int = 0
    # The mailbox's maximum message size (MaxReceiveSize). A new Exchange Online mailbox has
    # 36 MB; the simulated ones start at 150 MB, the most Exchange allows and what the admin
    # guide asks for. An item growing past it answers 400 ErrorMessageSizeExceeded.
    max_message_bytes: int = 150 * 1024 * 1024
    requests: deque[float] = field(default_factory=deque)
    uploads: deque[tuple[float, int]] = field(default_factory=deque)

    def __post_init__(self) -> None:
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

    def add(self, address: str, display_name: str, proxies: list[str], enabled: bool) -> Mailbox:
        box = Mailbox(address.lower(), display_name, [p.lower() for p in proxies], enabled)
        with self.lock:
            self.mailboxes[box.address] = box
        return box

    def find(self, user: str) -> Mailbox:
        key = user.lower()
        with self.lock:
            box = self.mailboxes.get(key) or next(
                (b for b in self.mailboxes.values() if b.user_id == key), None
            )
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
            if upload_bytes and used + upload_bytes > self.limits.upload_bytes_per_5min:
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
        headers = doc.get("internetMessageHeaders") or []
        if len(headers) > 5 or any(
            not str(h.get("name", "")).lower().startswith("x-") for h in headers
        ):
            raise graph_error(
                400,
                "InvalidInternetMessageHeader",
                "The internet message "
                "header name should start with 'x-' or 'X-'; at most 5 are allowed.",
            )
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
            prop_id, value = _unquote(found[2]), _unquote(found[3])
            return [
                i
                for i in items
                if any(
                    p["id"].lower() == prop_id.lower() and p["value"] == value
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
