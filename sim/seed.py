"""`python -m sim seed`: a realistic, deterministic corpus created through the control API."""

from __future__ import annotations

import base64
import json
import random
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


def chat(people: list[dict[str, Any]], rng: random.Random) -> str:
    lines = []
    for i in range(rng.randint(3, 8)):
        sender = rng.choice(people)["name"]
        lines.append(f"00:{i:02d}:{rng.randint(0, 59):02d}\t{sender}:\tpoint {i} <b>noted</b>")
    if len(people) > 2:
        lines.append(
            f"00:20:00\t{people[1]['name']} to {people[0]['name']}(Direct Message):\t"
            "can we talk after?"
        )
    return "\n".join(lines) + "\n"


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


def build(args: Any) -> dict[str, Any]:
    rng = random.Random(args.seed)
    domain, external = args.internal_domain, args.external_domain
    users = []
    for i in range(args.users):
        name = FIRST[i % len(FIRST)]
        users.append(
            {
                "id": f"zu{i:04d}",
                "email": f"{name.lower()}{i}@{domain}",
                "first_name": name,
                "last_name": f"User{i}",
                "status": "inactive" if i >= args.users - 2 else "active",
            }
        )
    room = {
        "id": "zroom",
        "email": f"zoom-room@{domain}",
        "first_name": "Board",
        "last_name": "Room",
        "status": "active",
    }
    mailboxes = [u["email"] for u in users] + [f"zoom-archive@{domain}"]
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    meetings = []
    for i in range(args.meetings):
        host = room if i == 1 else users[i % len(users)]
        start = now - timedelta(days=i % 20, hours=2 + i % 5)
        people = [{"name": host["first_name"], "email": host["email"], "sessions": [[0, 30]]}]
        if i == 1:  # only external participants: lands in the fallback mailbox
            people += [
                {"name": "Partner", "email": f"partner@{external}", "sessions": [[0, 30]]},
                {"name": "Other", "email": f"other@{external}", "sessions": [[2, 28]]},
            ]
        else:
            for other in rng.sample([u for u in users if u is not host], k=rng.randint(1, 4)):
                people.append(
                    {"name": other["first_name"], "email": other["email"], "sessions": [[1, 30]]}
                )
            if i % 4 == 0:
                people.append({"name": "Dial-in guest", "email": "", "sessions": [[5, 25]]})
            if i % 7 == 2:
                people.append(
                    {"name": "Partner", "email": f"partner@{external}", "sessions": [[0, 30]]}
                )
            if i % 5 == 1:
                people[1]["sessions"] = [[1, 10], [12, 30]]  # left and rejoined
        media_mb = 40 if i == 0 else args.recording_mb
        files: list[dict[str, Any]] = [
            {
                "file_type": "MP4",
                "recording_type": "shared_screen_with_speaker_view",
                "size": int(media_mb * 1024 * 1024) + i,
            },
            {"file_type": "CHAT", "recording_type": "chat_file", "content": chat(people, rng)},
            {
                "file_type": "TIMELINE",
                "recording_type": "timeline",
                "content": json.dumps({"timeline": [{"ts": "00:00:01", "users": []}]}),
            },
        ]
        if i % 2 == 0:
            files.append(
                {
                    "file_type": "TRANSCRIPT",
                    "recording_type": "audio_transcript",
                    "content": vtt(people, rng),
                }
            )
        if i % 3 == 0:
            files.append(
                {"file_type": "CC", "recording_type": "closed_caption", "content": vtt(people, rng)}
            )
            files.append(
                {"file_type": "M4A", "recording_type": "audio_only", "size": 256 * 1024 + i}
            )
        if i == 2:
            files[0]["status"] = "processing"  # Zoom has not finished this one yet
        meetings.append(
            {
                "uuid": uuid_for(rng, i),
                "id": 80000000000 + i * 7919,
                "host_id": host["id"],
                "topic": f"Weekly sync #{i} - project {i % 6}",
                "start_time": start.isoformat(),
                "duration": 30,
                "timezone": "Europe/London",
                "participants": people,
                "files": files,
            }
        )
    return {"users": [*users, room], "mailboxes": mailboxes, "meetings": meetings}


def seed(args: Any) -> int:
    corpus = build(args)
    control = args.control
    for user in corpus["users"]:
        call(control, "POST", "/zoom/users", user)
    m365 = True
    for address in corpus["mailboxes"]:
        try:
            call(
                control,
                "POST",
                "/m365/mailboxes",
                {"address": address, "displayName": address.split("@")[0]},
            )
        except urllib.error.HTTPError as error:
            if error.code != 404:
                raise
            m365 = False
            break
    described = [call(control, "POST", "/zoom/meetings", m) for m in corpus["meetings"]]
    emails = {u["id"]: u["email"] for u in corpus["users"]}
    summary = {
        "users": [u["email"] for u in corpus["users"]],
        "mailboxes": corpus["mailboxes"] if m365 else [],
        "meetings": [
            {
                "uuid": d["uuid"],
                "id": d["id"],
                "topic": d["topic"],
                "host_email": emails[d["host_id"]],
                "participant_emails": [p["email"] for p in d["participants"] if p["email"]],
                "files": [
                    {
                        "id": f["id"],
                        "file_type": f["file_type"],
                        "size": f["size"],
                        "sha256": f["sha256"],
                        "status": f["status"],
                    }
                    for f in d["files"]
                ],
            }
            for d in described
        ],
    }
    total = sum(f["size"] for m in summary["meetings"] for f in m["files"])
    print(
        f"seeded {len(corpus['users'])} Zoom users, {len(summary['mailboxes'])} mailboxes, "
        f"{len(described)} meetings, {total / 1e6:.1f} MB of recordings"
    )
    print(json.dumps(summary))
    return 0
