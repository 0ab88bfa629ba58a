"""The create request for an archived item: which attachments ride inline, and its JSON body.

Pure: the importer reads the staged message and files and sends what this builds.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

from archiver.core.converter import AttachmentRef

# Graph: inline fileAttachments must each be under 3 MB and the whole request under 4 MB.
INLINE_LIMIT = 3 * 1024 * 1024
REQUEST_BUDGET = int(3.5 * 1024 * 1024)


def create_body(message: Mapping[str, Any], files: list[tuple[str, str, bytes]]) -> bytes:
    """The create request's JSON: the message with `files` as inline fileAttachments.

    Equal to json.dumps of the message with an "attachments" list, but the base64 content (up to
    4 MB per request) is spliced in as bytes: base64 never needs JSON escaping, and running the
    encoder over it cost more than the rest of the body.
    """
    head = json.dumps({k: v for k, v in message.items() if k != "attachments"}).encode()
    body = bytearray(head[:-1])
    body += b', "attachments": [' if len(head) > 2 else b'"attachments": ['
    for index, (name, content_type, data) in enumerate(files):
        meta = json.dumps(
            {
                "@odata.type": "#microsoft.graph.fileAttachment",
                "name": name,
                "contentType": content_type,
                "contentBytes": "",
            }
        ).encode()
        body += b", " if index else b""
        body += meta[: -len(b'"}')]
        body += base64.b64encode(data)
        body += b'"}'
    body += b"]}"
    return bytes(body)


def plan_inline(attachments: tuple[AttachmentRef, ...], message_size: int) -> set[str]:
    """Which attachments ride inline in the create request (small ones, while under 4 MB)."""
    chosen: set[str] = set()
    used = message_size
    for attachment in sorted(attachments, key=lambda a: (a.size, a.name)):
        encoded = (attachment.size + 2) // 3 * 4 + 512
        if attachment.size < INLINE_LIMIT and used + encoded <= REQUEST_BUDGET:
            chosen.add(attachment.file_id)
            used += encoded
    return chosen
