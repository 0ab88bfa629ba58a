"""The create request: which attachments ride inline, and a body that is the same JSON as encoding
the whole message, built without running the JSON encoder over the base64 content."""

from __future__ import annotations

import base64
import json

import pytest

from archiver.core.converter import AttachmentRef
from archiver.core.createbody import INLINE_LIMIT, REQUEST_BUDGET, create_body, plan_inline

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


def attachment(file_id: str, size: int) -> AttachmentRef:
    return AttachmentRef(file_id, f"{file_id}.bin", "x/y", size, "0" * 64, file_id, 0, "staging")


def test_small_files_ride_inline_smallest_first_while_the_request_stays_under_4_mb() -> None:
    mib = 1024 * 1024
    files = (
        attachment("chat", 2_000),
        attachment("vtt", 40_000),
        attachment("audio", 2 * mib),
        attachment("video", 2 * mib + 1),
    )
    # 2 MB of audio is 2.67 MB of base64: the second 2 MB file no longer fits the budget.
    assert plan_inline(files, message_size=50_000) == {"chat", "vtt", "audio"}
    assert plan_inline(files, message_size=REQUEST_BUDGET) == set()


def test_a_file_of_3_mb_or_more_never_rides_inline() -> None:
    assert plan_inline((attachment("big", INLINE_LIMIT),), message_size=0) == set()
