"""What Zoom and Graph really send, through the local host: nothing lost, nothing leaked.

One meeting holds most of real life's awkward shapes at once (a CC file without id, a file whose
listed size is wrong, one on an untrusted host, a waiting-room-only person, a mailbox whose UPN
differs from its mail, a malformed email, a direct message); another is over a year old. The
module archives them once, then each test states one rule about the result.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.support import cli, items, run, settings, uuid_of

pytestmark = pytest.mark.e2e
MIB = 1024 * 1024
DM = "DM-SECRET-just-for-ann"
CHAT = (
    "00:00:05\tAnn:\twelcome everyone\n"
    f"00:01:00\tBob to Ann(Direct Message):\t{DM}\n"
    "00:02:00\tCat:\tthanks all\n"
)
VTT = "WEBVTT\n\n1\n00:00:01.000 --> 00:00:03.000\nAnn: captions for all\n"
PEOPLE = {
    "ann": ("Ann", "ann@contoso.com"),
    "bob": ("Bob", "bob@contoso.com"),
    "cat": ("Cat", "cat@contoso.com"),
    "walt": ("Walt", "walt@contoso.com"),
    "dana": ("Dana", "dana@contoso.com"),
}
DANA_UPN = "dana.user@contoso.onmicrosoft.com"
COMPLIANCE = "compliance@contoso.com"
NOW = datetime.now(UTC).replace(microsecond=0)


def seed(sims) -> dict[str, Any]:
    sims.control("POST", "/reset")
    sims.control("POST", "/zoom/users", {"id": "zu-ann", "email": "ann@contoso.com"})
    for name, (_, address) in PEOPLE.items():
        upn = {"userPrincipalName": DANA_UPN} if name == "dana" else {}
        sims.control("POST", "/m365/mailboxes", {"address": address, **upn})
    sims.control("POST", "/m365/mailboxes", {"address": COMPLIANCE})
    people = [
        {"name": "Ann", "email": "ann@contoso.com", "sessions": [[0, 30]]},
        {"name": "Bob", "email": "bob@contoso.com", "sessions": [[1, 30]]},
        {"name": "Cat", "email": "cat@contoso.com", "sessions": [[1, 30]]},
        {"name": "Dana", "email": "dana@contoso.com", "sessions": [[2, 30]]},
        {"name": "Walt", "email": "walt@contoso.com", "sessions": [[0, 5, "in_waiting_room"]]},
        {"name": "Mallory", "email": "a@b.com>, evil@x.com", "sessions": [[3, 9]]},
    ]
    recent = sims.control(
        "POST",
        "/zoom/meetings",
        {
            "uuid": "real-world==",
            "id": 81000000001,
            "host_id": "zu-ann",
            "topic": "Real world",
            "start_time": (NOW - timedelta(hours=3)).isoformat(),
            "participants": people,
            "files": [
                {"file_type": "MP4", "size": 200_000, "listed_size": 199_488},
                {"file_type": "CC", "content": VTT},  # listed without id, size or status
                {"file_type": "CHAT", "content": CHAT},
                {
                    "file_type": "M4A",
                    "size": 4096,
                    "download_url": "https://downloads.example.net/rec/m4a",
                },
            ],
        },
    )
    old = sims.control(
        "POST",
        "/zoom/meetings",
        {
            "uuid": "year-old==",
            "id": 81000000002,
            "host_id": "zu-ann",
            "topic": "Long ago",
            "start_time": (NOW - timedelta(days=400)).isoformat(),
            "participants": people[:2],
            "files": [{"file_type": "MP4", "size": 50_000}],
        },
    )
    return {"recent": recent, "old": old}


@pytest.fixture(scope="module")
def archived(azurite, simulators, tmp_path_factory) -> dict[str, Any]:
    meetings = seed(simulators)
    values = settings(
        azurite, simulators, COMPLIANCE_MAILBOX=COMPLIANCE, INITIAL_LOOKBACK_DAYS="500"
    )
    monkeypatch = pytest.MonkeyPatch()
    tmp = tmp_path_factory.mktemp("real-world")
    try:
        first = run(values, monkeypatch, tmp)
        boxes = {name: items(simulators, address) for name, (_, address) in PEOPLE.items()}
        boxes["compliance"] = items(simulators, COMPLIANCE)
        second = run(values, monkeypatch, tmp)
        again = {name: items(simulators, address) for name, (_, address) in PEOPLE.items()}
        status = json.loads(cli(values, "status").stdout)
    finally:
        monkeypatch.undo()
    return {
        "ok": first.ok and second.ok,
        "meetings": meetings,
        "boxes": boxes,
        "again": again,
        "status": status,
        "values": values,
    }


def item(archived: dict[str, Any], box: str, uuid: str = "real-world==") -> dict[str, Any]:
    [found] = [i for i in archived["boxes"][box] if uuid_of(i) == uuid]
    return found


def body(found: dict[str, Any]) -> str:
    """The item's HTML body as text a reader sees (entities decoded)."""
    return html.unescape(str(found["body"]["content"]))


def zoom_file(archived: dict[str, Any], file_type: str) -> dict[str, Any]:
    return next(f for f in archived["meetings"]["recent"]["files"] if f["file_type"] == file_type)


def test_every_run_succeeds_and_the_second_archives_nothing_more(archived) -> None:
    assert archived["ok"]
    first = {box: len(found) for box, found in archived["boxes"].items() if box != "compliance"}
    assert first == {box: len(found) for box, found in archived["again"].items()}


def test_a_cc_file_listed_without_an_id_is_archived_with_its_bytes(archived) -> None:
    cc = zoom_file(archived, "CC")
    assert cc["listed_id"] is None
    shas = [a["sha256"] for a in item(archived, "cat")["attachments"]]
    assert shas.count(cc["sha256"]) == 1


def test_a_file_whose_listed_size_is_wrong_is_archived_as_served_with_both_sizes(archived) -> None:
    mp4 = zoom_file(archived, "MP4")
    found = item(archived, "ann")
    assert mp4["sha256"] in {a["sha256"] for a in found["attachments"]}
    assert f"{mp4['size']:,} bytes; Zoom listed {mp4['listed_size']:,} bytes" in body(found)


def test_a_file_on_an_untrusted_host_is_left_out_and_named_the_rest_archived(archived) -> None:
    found = item(archived, "ann")
    m4a = zoom_file(archived, "M4A")
    assert m4a["sha256"] not in {a["sha256"] for a in found["attachments"]}
    assert "downloads.example.net is not one of ZOOM_DOWNLOAD_HOSTS" in body(found)
    assert len(found["attachments"]) == 3  # the recording, the captions and the chat


def test_status_names_the_partial_meeting_and_why(archived) -> None:
    [problem] = [p for p in archived["status"]["problems"] if p["uuid"] == "real-world=="]
    assert problem["state"] == "partial"
    assert "M4A audio_only: download URL host downloads.example.net" in problem["missing_files"][0]


def test_a_mailbox_whose_upn_differs_from_its_mail_gets_its_item(archived) -> None:
    assert [uuid_of(i) for i in archived["boxes"]["dana"]] == ["real-world=="]


def test_a_person_only_in_the_waiting_room_gets_nothing_and_is_listed_as_such(archived) -> None:
    assert archived["boxes"]["walt"] == []
    text = body(item(archived, "ann"))
    assert "Waited, not admitted" in text
    assert "walt@contoso.com" in text


def test_a_direct_message_is_only_in_its_two_peoples_items_and_the_compliance_record(
    archived, simulators
) -> None:
    for box in ("ann", "bob", "compliance"):
        assert DM in body(item(archived, box))
    for box in ("cat", "dana"):
        found = item(archived, box)
        assert DM not in body(found)
        for attachment in found["attachments"]:
            address = PEOPLE[box][1]
            data = simulators.control_bytes(
                "GET",
                f"/m365/mailboxes/{address}/items/{found['id']}/attachments/"
                f"{attachment['id']}/content",
            )
            assert DM.encode() not in data


def test_a_third_person_gets_a_filtered_chat_naming_the_original(archived) -> None:
    chat = zoom_file(archived, "CHAT")
    found = item(archived, "cat")
    names = [a["name"] for a in found["attachments"]]
    assert any("(filtered)" in name for name in names)
    assert chat["sha256"] not in {a["sha256"] for a in found["attachments"]}
    assert f"SHA-256 {chat['sha256']}" in body(found)
    compliance = item(archived, "compliance")
    assert chat["sha256"] in {a["sha256"] for a in compliance["attachments"]}


def test_a_malformed_email_is_no_recipient_and_the_item_names_it(archived) -> None:
    found = item(archived, "ann")
    recipients = {r["emailAddress"]["address"] for r in found["toRecipients"]}
    assert not any("evil" in r for r in recipients)
    assert "participant 'Mallory': email: not a valid email address" in body(found)


def test_a_meeting_over_a_year_old_is_archived_from_its_recordings_saying_why(archived) -> None:
    found = item(archived, "ann", "year-old==")
    assert "no longer provides the participant list" in body(found)
    assert "year-old==" not in [uuid_of(i) for i in archived["boxes"]["bob"]]
    mp4 = archived["meetings"]["old"]["files"][0]
    assert [a["sha256"] for a in found["attachments"]] == [mp4["sha256"]]


def test_the_eml_export_parses_strictly_with_no_injected_recipient(archived, tmp_path) -> None:
    from email import policy
    from email.parser import BytesParser

    out = cli(archived["values"], "export-eml", "--meeting", "real-world==", "--out", str(tmp_path))
    assert out.returncode == 0, out.stderr
    with open(out.stdout.splitlines()[0], "rb") as handle:
        message = BytesParser(policy=policy.strict).parse(handle)
    assert "evil@x.com" not in str(message["To"])
    assert DM in message.get_body(("plain",)).get_content()  # the complete record
