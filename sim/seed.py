"""`python -m sim seed`: a realistic, deterministic corpus created through the control API."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

FIRST = [
    "Ann",
    "Bob",
    "Chen",
    "Dana",
    "Eli",
    "Fatima",
    "Gus",
    "Hana",
    "Ivan",
    "Jo",
    "Kemal",
    "Lena",
    "Mo",
    "Nia",
    "Oskar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
    "Uma",
    "Vik",
]
MIB = 1024 * 1024
# Meetings given a special shape (by index; the corpus needs at least 10 meetings for all).
DM_MEETING = 3  # three or more internal attendees, one direct message to the host
WAITING_MEETING = 4  # an internal user who was only ever in the waiting room
LISTED_SIZE_MEETING = 5  # the MP4's listed file_size differs from the bytes served
UNTRUSTED_MEETING = 6  # a file whose download_url is on a host the archiver must not trust
UPN_MEETINGS = (3, 6, 9)  # the user whose UPN differs from their mail attends these
UPN_USER = 5  # index of that user
UNTRUSTED_HOST = "https://downloads.example.net"
CHAT_LINE = re.compile(r"^(\d\d:\d\d:\d\d)\t(.+?)(?: to (.+?)\(Direct Message\))?:\t(.*)$")


def call(control: str, method: str, path: str, body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        control.rstrip("/") + path,
        data=data,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read() or b"null")


def chat(people: list[dict[str, Any]], rng: random.Random, index: int) -> str:
    """A cloud-recording chat file (TXT): `HH:MM:SS\\tName:\\ttext`, and with more than two
    people a direct message `HH:MM:SS\\tBob to Ann(Direct Message):\\ttext`. The chat file holds
    what the host's client saw, so its direct messages are the host's own (university Zoom
    guides; shared/reference/zoom-content-sources.md §1): here a participant writes to the
    host, people[0]."""
    lines = []
    for i in range(rng.randint(3, 8)):
        sender = rng.choice(people)["name"]
        lines.append(f"00:{i:02d}:{rng.randint(0, 59):02d}\t{sender}:\tpoint {i} <b>noted</b>")
    if len(people) > 2:
        lines.append(
            f"00:20:00\t{people[1]['name']} to {people[0]['name']}(Direct Message):\t"
            f"can we talk after? DM-SECRET-{index}"
        )
    return "\n".join(lines) + "\n"


def parse_chat(text: str) -> list[dict[str, Any]]:
    """The messages of a chat file: sender, recipient ("Everyone" for public ones), text."""
    messages = []
    for line in text.splitlines():
        found = CHAT_LINE.match(line)
        if found:
            messages.append(
                {
                    "sender": found[2],
                    "recipient": found[3] or "Everyone",
                    "text": found[4],
                    "direct": found[3] is not None,
                }
            )
    return messages


def vtt(people: list[dict[str, Any]], rng: random.Random) -> str:
    cues = ["WEBVTT", ""]
    for i in range(1, rng.randint(4, 9)):
        speaker = rng.choice(people)["name"]
        cues += [
            str(i),
            f"00:00:{i * 5:02d}.000 --> 00:00:{i * 5 + 4:02d}.000",
            f"{speaker}: sentence number {i}.",
            "",
        ]
    return "\n".join(cues)


def uuid_for(rng: random.Random, index: int) -> str:
    raw = base64.b64encode(rng.randbytes(16)).decode()
    if index % 17 == 3:
        return "/" + raw[1:]  # must be double-encoded in paths
    if index % 19 == 5:
        return raw[:6] + "//" + raw[8:]
    return raw


def make_users(args: Any) -> list[dict[str, Any]]:
    users = []
    for i in range(args.users):
        name = FIRST[i % len(FIRST)]
        users.append(
            {
                "id": f"zu{i:04d}",
                "email": f"{name.lower()}{i}@{args.internal_domain}",
                "first_name": name,
                "last_name": f"User{i}",
                "status": "inactive" if i >= args.users - 2 else "active",
            }
        )
    return users


def upn_for(user: dict[str, Any], domain: str) -> str:
    """A UPN on the tenant's initial domain, unlike the user's mail (x@contoso.com →
    x.user@contoso.onmicrosoft.com), as for users created before their mail domain was added."""
    local = user["email"].split("@")[0]
    tenant = domain.split(".", maxsplit=1)[0]
    return f"{local}.user@{tenant}.onmicrosoft.com"


def person(user: dict[str, Any], sessions: list[list[Any]]) -> dict[str, Any]:
    return {"name": user["first_name"], "email": user["email"], "sessions": sessions}


def attendees(
    i: int, host: dict[str, Any], users: list[dict[str, Any]], rng: random.Random, external: str
) -> list[dict[str, Any]]:
    """Who attended meeting `i`, host first (and who only waited)."""
    upn_user = users[UPN_USER % len(users)]
    people = [person(host, [[0, 30]])]
    if i == 1:  # only external participants: lands in the fallback mailbox
        return [
            *people,
            {"name": "Partner", "email": f"partner@{external}", "sessions": [[0, 30]]},
            {"name": "Other", "email": f"other@{external}", "sessions": [[2, 28]]},
        ]
    others = [u for u in users if u is not host]
    count = max(rng.randint(1, 4), 2 if i == DM_MEETING else 1)
    people += [person(other, [[1, 30]]) for other in rng.sample(others, k=count)]
    if i in UPN_MEETINGS and all(p["email"] != upn_user["email"] for p in people):
        people.append(person(upn_user, [[3, 30]]))
    if i == WAITING_MEETING:  # waited, never admitted: not an attendee, not a recipient
        present = {p["email"] for p in people}
        waiting = next(u for u in others if u["email"] not in present and u["status"] == "active")
        people.append(person(waiting, [[0, 6, "in_waiting_room"]]))
    if i % 4 == 0:
        people.append({"name": "Dial-in guest", "email": "", "sessions": [[5, 25]]})
    if i % 7 == 2:
        people.append({"name": "Partner", "email": f"partner@{external}", "sessions": [[0, 30]]})
    if i % 5 == 1:
        people[1]["sessions"] = [[1, 10], [12, 30]]  # left and rejoined
    return people


def recording_files(
    i: int, people: list[dict[str, Any]], rng: random.Random, media_mb: float, uuid: str
) -> list[dict[str, Any]]:
    """Meeting `i`'s recording files (CC and TIMELINE are listed without ids by default)."""
    files: list[dict[str, Any]] = [
        {
            "file_type": "MP4",
            "recording_type": "shared_screen_with_speaker_view",
            "size": int(media_mb * MIB) + i,
        },
        {"file_type": "CHAT", "recording_type": "chat_file", "content": chat(people, rng, i)},
        {
            "file_type": "TIMELINE",
            "recording_type": "timeline",
            "content": json.dumps({"timeline": [{"ts": "00:00:01", "users": []}]}),
        },
    ]
    if i % 2 == 0:
        transcript = vtt(people, rng)
        files.append(
            {"file_type": "TRANSCRIPT", "recording_type": "audio_transcript", "content": transcript}
        )
    if i % 3 == 0:
        files.append(
            {"file_type": "CC", "recording_type": "closed_caption", "content": vtt(people, rng)}
        )
        files.append({"file_type": "M4A", "recording_type": "audio_only", "size": 256 * 1024 + i})
    if i == 2:
        files[0]["status"] = "processing"  # Zoom has not finished this one yet
    if i == LISTED_SIZE_MEETING:
        files[0]["listed_size"] = files[0]["size"] - 512  # Zoom's listing is off by 512 bytes
    if i == UNTRUSTED_MEETING:
        token = hashlib.sha256(uuid.encode()).hexdigest()[:24]
        files.append(
            {
                "file_type": "M4A",
                "recording_type": "audio_only",
                "size": 128 * 1024,
                "download_url": f"{UNTRUSTED_HOST}/rec/download/{token}",
            }
        )
    return files


def build(args: Any) -> dict[str, Any]:
    rng = random.Random(args.seed)
    users = make_users(args)
    room = {
        "id": "zroom",
        "email": f"zoom-room@{args.internal_domain}",
        "first_name": "Board",
        "last_name": "Room",
        "status": "active",
    }
    mailboxes = [u["email"] for u in users] + [f"zoom-archive@{args.internal_domain}"]
    upn_user = users[UPN_USER % len(users)]
    upns = {upn_user["email"]: upn_for(upn_user, args.internal_domain)}
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    meetings = []
    for i in range(args.meetings):
        host = room if i == 1 else users[i % len(users)]
        people = attendees(i, host, users, rng, args.external_domain)
        uuid = uuid_for(rng, i)
        media_mb = 40 if i == 0 else args.recording_mb
        meetings.append(
            {
                "uuid": uuid,
                "id": 80000000000 + i * 7919,
                "host_id": host["id"],
                "topic": f"Weekly sync #{i} - project {i % 6}",
                "start_time": (now - timedelta(days=i % 20, hours=2 + i % 5)).isoformat(),
                "duration": 30,
                "timezone": "Europe/London",
                "participants": people,
                "files": recording_files(i, people, rng, media_mb, uuid),
            }
        )
    return {"users": [*users, room], "mailboxes": mailboxes, "upns": upns, "meetings": meetings}


def create_mailboxes(control: str, corpus: dict[str, Any], max_receive_mb: float) -> bool:
    """One mailbox per address, its MaxReceiveSize raised as the admin guide asks (Exchange
    Online's default is 35 MB). False when the simulators have no Microsoft 365."""
    for address in corpus["mailboxes"]:
        box = {
            "address": address,
            "displayName": address.split("@")[0],
            "max_message_bytes": int(max_receive_mb * MIB),
        }
        if address in corpus["upns"]:
            box["userPrincipalName"] = corpus["upns"][address]
        try:
            call(control, "POST", "/m365/mailboxes", box)
        except urllib.error.HTTPError as error:
            if error.code != 404:
                raise
            return False
    return True


def describe(seeded: dict[str, Any], doc: dict[str, Any], emails: dict[str, str]) -> dict[str, Any]:
    """One meeting of the summary: what was seeded and what the archiver should make of it."""
    chat_text = next((f["content"] for f in doc["files"] if f["file_type"] == "CHAT"), "")
    return {
        "uuid": seeded["uuid"],
        "id": seeded["id"],
        "topic": seeded["topic"],
        "start_time": seeded["start_time"],
        "host_email": emails[seeded["host_id"]],
        "participants": seeded["participants"],
        "participant_emails": [
            p["email"] for p in seeded["participants"] if p["email"] and p["admitted"]
        ],
        "files": [
            {
                "id": f["id"],
                "listed_id": f["listed_id"],
                "file_type": f["file_type"],
                "size": f["size"],
                "listed_size": f["listed_size"],
                "sha256": f["sha256"],
                "status": f["status"],
                "trusted_url": f["download_url"] is None,
            }
            for f in seeded["files"]
        ],
        "chat": parse_chat(chat_text),
    }


def seed_content_sources(
    control: str, args: Any, corpus: dict[str, Any], emails: dict[str, str]
) -> dict[str, Any]:
    """--content-sources: archiving on, and the meetings of sim/seed_content.py."""
    from sim.seed_content import build_content, describe_content

    call(control, "PATCH", "/zoom/settings", {"archiving_enabled": True})
    docs = build_content(args, corpus["users"])
    seeded = [call(control, "POST", "/zoom/meetings", doc) for doc in docs]
    return describe_content(seeded, docs, emails)


def seed(args: Any) -> int:
    corpus = build(args)
    control = args.control
    for user in corpus["users"]:
        call(control, "POST", "/zoom/users", user)
    m365 = create_mailboxes(control, corpus, args.max_receive_mb)
    seeded = [call(control, "POST", "/zoom/meetings", m) for m in corpus["meetings"]]
    emails = {u["id"]: u["email"] for u in corpus["users"]}
    summary = {
        "users": [u["email"] for u in corpus["users"]],
        "mailboxes": corpus["mailboxes"] if m365 else [],
        "mailbox_upns": corpus["upns"] if m365 else {},
        "meetings": [
            describe(s, m, emails) for s, m in zip(seeded, corpus["meetings"], strict=True)
        ],
    }
    if getattr(args, "content_sources", False):
        summary["content_sources"] = seed_content_sources(control, args, corpus, emails)
    total = sum(f["size"] for m in summary["meetings"] for f in m["files"])
    print(
        f"seeded {len(corpus['users'])} Zoom users, {len(summary['mailboxes'])} mailboxes, "
        f"{len(seeded)} meetings, {total / 1e6:.1f} MB of recordings"
    )
    print(json.dumps(summary))
    return 0
