"""The two renderings of an ArchiveMessage: RFC 5322 bytes and the Graph create-message JSON."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Mapping
from datetime import datetime
from email.headerregistry import Address as EmailAddress
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import Any

from archiver.core.converter.message import MAX_HEADERS, Address, ArchiveMessage, AttachmentRef
from archiver.core.keys import MEETING_KEY_PROPERTY_ID

# Headers are written with RFC 5322's line limit (998), not SMTP's folding width (78): the
# stdlib folds a quoted display name with specials ("<", ",", "@", ...) that is longer than a
# line without its quotes, so `"x<i>..." <bob@...>` came back as a recipient "i". Names are
# at most 200 characters, addresses 254, so one address never has to be folded. Bodies are
# encoded by set_content under SMTP's width as before.
HEADERS = SMTP.clone(max_line_length=998)


def _address(a: Address) -> EmailAddress:
    local, _, domain = a.email.partition("@")
    return EmailAddress(display_name=a.name, username=local, domain=domain)


def to_eml(message: ArchiveMessage, read: Callable[[AttachmentRef], bytes]) -> bytes:
    """RFC 5322 bytes, deterministic for the same message (fixed boundaries and dates)."""
    mail = EmailMessage(policy=SMTP)
    mail["Subject"] = message.subject
    mail["From"] = _address(message.sender)
    mail["To"] = [_address(a) for a in message.to]
    mail["Date"] = format_datetime(datetime.fromisoformat(message.date_iso))
    mail["Message-ID"] = message.message_id
    for name, value in message.headers:
        mail[name] = value
    mail.set_content(message.text)
    mail.add_alternative(message.html, subtype="html")
    for ref in message.attachments:
        maintype, _, subtype = ref.content_type.partition("/")
        mail.add_attachment(
            read(ref), maintype=maintype, subtype=subtype or "octet-stream", filename=ref.name
        )
    seed = hashlib.sha256(message.item_key.encode()).hexdigest()[:24]
    for index, part in enumerate(mail.walk()):
        if part.is_multipart():
            part.set_boundary(f"=_zoom_{seed}_{index}")
    return mail.as_bytes(policy=HEADERS)


def to_graph_json(message: ArchiveMessage, *, inline: Mapping[str, bytes]) -> dict[str, Any]:
    """The body of POST /users/{id}/mailFolders/{id}/messages: a non-draft item."""

    def recipient(a: Address) -> dict[str, Any]:
        return {"emailAddress": {"name": a.name, "address": a.email}}

    when = datetime.fromisoformat(message.date_iso).strftime("%Y-%m-%dT%H:%M:%SZ")
    body: dict[str, Any] = {
        "subject": message.subject,
        "body": {"contentType": "html", "content": message.html},
        "from": recipient(message.sender),
        "sender": recipient(message.sender),
        "toRecipients": [recipient(a) for a in message.to],
        "internetMessageId": message.message_id,
        # Graph accepts only x- headers, at most 5, on create (build_message makes at most 5).
        "internetMessageHeaders": [
            {"name": n, "value": v} for n, v in message.headers[:MAX_HEADERS]
        ],
        "singleValueExtendedProperties": [
            # PidTagMessageFlags = MSGFLAG_READ, without MSGFLAG_UNSENT: not a draft. Only
            # honoured when set at creation.
            {"id": "Integer 0x0E07", "value": "1"},
            {"id": "SystemTime 0x0E06", "value": when},  # PidTagMessageDeliveryTime
            {"id": "SystemTime 0x0039", "value": when},  # PidTagClientSubmitTime
            {"id": MEETING_KEY_PROPERTY_ID, "value": message.item_key},
        ],
    }
    attachments = [
        {
            "@odata.type": "#microsoft.graph.fileAttachment",
            "name": ref.name,
            "contentType": ref.content_type,
            "contentBytes": base64.b64encode(inline[ref.file_id]).decode(),
        }
        for ref in message.attachments
        if ref.file_id in inline
    ]
    if attachments:
        body["attachments"] = attachments
    return body
