"""The create request's body: the same JSON as encoding the whole message, built without
running the JSON encoder over the base64 content."""

from __future__ import annotations

import base64
import json

import pytest

from archiver.importer import create_body

MESSAGE = {
    "subject": 'Zoom: "Board" — Q3 ✓',
    "body": {"contentType": "html", "content": "<p>line\nbreak \\ slash</p>"},
    "singleValueExtendedProperties": [{"id": "String {x} Name k", "value": "v"}],
    "isDraft": False,
}


def expected(message: dict, files: list[tuple[str, str, bytes]]) -> dict:
    return {
        **message,
        "attachments": [
            {
                "@odata.type": "#microsoft.graph.fileAttachment",
                "name": name,
                "contentType": content_type,
                "contentBytes": base64.b64encode(data).decode(),
            }
            for name, content_type, data in files
        ],
    }


@pytest.mark.parametrize(
    "files",
    [
        [],
        [("chat.txt", "text/plain", b"hello")],
        [
            ('odd "name" \\ ü.vtt', "text/vtt", bytes(range(256)) * 3),
            ("empty.bin", "application/octet-stream", b""),
        ],
    ],
)
def test_the_body_is_the_message_with_its_inline_attachments(files):
    assert json.loads(create_body(MESSAGE, files)) == expected(MESSAGE, files)


def test_an_empty_message_still_gives_valid_json():
    files = [("a.txt", "text/plain", b"x")]
    assert json.loads(create_body({}, files)) == expected({}, files)


def test_attachments_already_on_the_message_are_replaced_not_duplicated():
    message = {**MESSAGE, "attachments": [{"name": "stale"}]}
    files = [("a.txt", "text/plain", b"x")]
    assert json.loads(create_body(message, files)) == expected(MESSAGE, files)
