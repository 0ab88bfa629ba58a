"""`python -m sim seed --content-sources`: meetings beyond cloud recordings, added to the corpus.

Off by default, so the default corpus (sim/seed.py) and its summary line stay as they are. With
the flag the account also has archiving enabled and holds:

- an unrecorded meeting (participants and reports, no recording: 404 code 3301);
- a recorded webinar with registrants (one absentee), a poll (one of its answers anonymous),
  Q&A (one question answered, one anonymous and answered live) and a survey;
- a recorded meeting with an AI Companion summary;
- an archived meeting without cloud recording: every kind of archived chat message (public,
  a direct message between two attendees who are not the host, a private group, deleted,
  edited, a reply, a reaction, non-verbal feedback, waiting-room chat, a file shared in chat),
  each participant's audio, a sub-group log and a breakout room with its own chat.

Deterministic: everything derives from --seed through its own random generator, so the default
corpus's generator sequence is untouched.
"""

from __future__ import annotations

import base64
import hashlib
import random
from datetime import UTC, datetime, timedelta
from typing import Any

MIB = 1024 * 1024


def _people(users: list[dict[str, Any]], external: str) -> list[dict[str, Any]]:
    """Host, two colleagues and a guest from outside the account."""
    picked = [u for u in users if u.get("status", "active") == "active"][:3]
    people = [
        {"name": u["first_name"], "email": u["email"], "user_id": u["id"], "sessions": [[0, 45]]}
        for u in picked
    ]
    people.append({"name": "Partner", "email": f"partner@{external}", "sessions": [[1, 45]]})
    return people


def build_content(args: Any, users: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The seed documents of the content-source meetings (POST /zoom/meetings)."""
    rng = random.Random(f"{args.seed}:content-sources")
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    people = _people(users, args.external_domain)
    host, colleague, other = (p["name"] for p in people[:3])
    base_id = 84000000000 + rng.randrange(1000) * 1000

    def uuid(tag: str) -> str:
        return base64.b64encode(
            hashlib.sha256(f"{args.seed}:{tag}".encode()).digest()[:16]
        ).decode()

    def start(days: float) -> str:
        return (now - timedelta(days=days, hours=3)).isoformat()

    def host_id(name: str) -> str:
        return next(p["user_id"] for p in people if p["name"] == name)

    media = {"file_type": "MP4", "size": int(args.recording_mb * MIB) + 7}
    unrecorded = {
        "uuid": uuid("unrecorded"),
        "id": base_id + 1,
        "host_id": host_id(host),
        "topic": "Unrecorded stand-up",
        "start_time": start(3),
        "duration": 45,
        "participants": people,
        "files": [],
    }
    attendees = [
        {**people[0], "role": "host"},
        {**people[1], "role": "panelist"},
        {"name": "Viewer", "email": f"viewer@{args.external_domain}", "sessions": [[2, 45]]},
        {"name": "Dial-in", "email": "", "sessions": [[5, 40]]},
    ]
    webinar = {
        "uuid": uuid("webinar"),
        "id": base_id + 2,
        "kind": "webinar",
        "host_id": host_id(host),
        "topic": "Product webinar",
        "start_time": start(4),
        "duration": 45,
        "participants": attendees,
        "files": [
            media,
            {
                "file_type": "TRANSCRIPT",
                "content": f"WEBVTT\n\n1\n00:00:01.000 --> "
                f"00:00:03.000\n{host}: welcome to the webinar.\n",
            },
        ],
        "registrants": [
            {"email": f"viewer@{args.external_domain}", "first_name": "Vi", "last_name": "Ewer"},
            {"email": f"absent@{args.external_domain}", "first_name": "Ab", "last_name": "Sent"},
        ],
        "polls": [
            {
                "id": "poll-1",
                "title": "Launch",
                "answers": [
                    {
                        "name": "Viewer",
                        "question": "Will you upgrade?",
                        "answer": "Yes",
                        "minute": 20,
                    },
                    {
                        "name": colleague,
                        "question": "Will you upgrade?",
                        "answer": "Later",
                        "minute": 21,
                        "anonymous": True,
                    },
                ],
            }
        ],
        "qa": [
            {
                "name": "Viewer",
                "question": "Is there an API?",
                "minute": 25,
                "answers": [{"name": colleague, "content": "Yes, REST"}],
            },
            {
                "name": "Dial-in",
                "question": "Will slides be shared?",
                "minute": 30,
                "anonymous": True,
                "live": True,
            },
        ],
        "survey": {
            "id": "survey-1",
            "name": "How was it?",
            "answers": [{"name": "Viewer", "question": "Rate the webinar", "answer": "5"}],
        },
    }
    summarized = {
        "uuid": uuid("summarized"),
        "id": base_id + 3,
        "host_id": host_id(colleague),
        "topic": "Budget review",
        "start_time": start(2),
        "duration": 45,
        "participants": people,
        "files": [media],
        "summary": {
            "title": "Budget review",
            "overview": "The budget for next quarter was approved with one change.",
            "details": [
                {"label": "Budget", "summary": "Approved, travel reduced by 10%."},
                {"label": "Hiring", "summary": "Two roles opened."},
            ],
            "next_steps": [f"{colleague} circulates the final numbers", f"{host} opens the roles"],
        },
    }
    messages = [
        {"id": "c1", "sender": host, "text": "Welcome, agenda in the doc"},
        {"id": "c2", "sender": colleague, "to": other, "text": "DM-ARCHIVE-SECRET between two"},
        {"id": "c3", "sender": other, "group": "pg-1", "text": "private group note"},
        {
            "id": "c4",
            "sender": host,
            "kind": "deleted",
            "original": "c1",
            "text": "Welcome, agenda in the doc",
        },
        {
            "id": "c5",
            "sender": colleague,
            "kind": "edited",
            "original": "c2",
            "to": other,
            "text": "DM-ARCHIVE-SECRET (edited)",
        },
        {"id": "c6", "sender": other, "kind": "reply", "parent": "c1", "text": "thanks"},
        {"id": "c7", "sender": "Partner", "kind": "reaction", "parent": "c1", "text": "👍"},
        {"id": "c8", "sender": colleague, "kind": "feedback", "text": "raise_hand"},
        {
            "id": "c9",
            "sender": host,
            "text": "the deck",
            "files": [{"name": "deck.pdf", "size": 4096}],
        },
        {
            "id": "c10",
            "sender": "Partner",
            "text": "waiting here",
            "location": "waiting_room",
            "audience": "hosts_from_waiting_room",
        },
    ]
    archived = {
        "uuid": uuid("archived"),
        "id": base_id + 4,
        "host_id": host_id(host),
        "topic": "Compliance call",
        "start_time": start(1),
        "duration": 45,
        "participants": people,
        "files": [],
        "archive": {
            "messages": messages,
            "private_groups": [{"id": "pg-1", "members": [colleague, other], "create_minute": 3}],
            "files": [
                {"file_type": "MP4", "size": int(args.recording_mb * MIB)},
                *(
                    {
                        "file_type": "M4A",
                        "size": 64 * 1024 + i,
                        "individual": True,
                        "participant": p["name"],
                    }
                    for i, p in enumerate(people)
                ),
                {"file_type": "CHAT_MESSAGE"},
                {"file_type": "CHAT"},
                {"file_type": "SUB_GROUP_MEMBER_LOG"},
            ],
        },
        "breakout_rooms": [
            {
                "name": "Room 1",
                "members": [colleague, other],
                "start_minute": 10,
                "end_minute": 25,
                "archive": {
                    "messages": [{"id": "b1", "sender": colleague, "text": "breakout idea"}],
                    "files": [{"file_type": "CHAT_MESSAGE"}, {"file_type": "M4A", "size": 32768}],
                },
            }
        ],
    }
    return [unrecorded, webinar, summarized, archived]


def describe_content(
    seeded: list[dict[str, Any]], docs: list[dict[str, Any]], emails: dict[str, str]
) -> dict[str, Any]:
    """The summary line's `content_sources`: what was seeded, by role."""
    unrecorded, webinar, summarized, archived = (
        {
            "uuid": d["uuid"],
            "id": d["id"],
            "topic": d["topic"],
            "start_time": d["start_time"],
            "kind": d.get("kind", "meeting"),
            "host_email": emails[d["host_id"]],
            "participant_emails": [p["email"] for p in d["participants"] if p.get("email")],
            "recorded": bool(d["files"]),
        }
        for d in docs
    )
    web, summ, arch = docs[1], docs[2], docs[3]
    present = {p.get("email") for p in web["participants"]}
    webinar.update(
        poll_answers=sum(len(p["answers"]) for p in web["polls"]),
        questions=[q["question"] for q in web["qa"]],
        absentees=[r["email"] for r in web["registrants"] if r["email"] not in present],
    )
    summarized.update(
        summary_title=summ["summary"]["title"], next_steps=summ["summary"]["next_steps"]
    )
    described = seeded[3]
    archived.update(
        archive_files=described["archive"]["files"],
        physical_files=described["archive"]["physical_files"],
        breakout_rooms=[r["uuid"] for r in described.get("breakout_rooms", [])],
        messages=[
            {
                "id": m["id"],
                "kind": m.get(
                    "kind", "group" if m.get("group") else "direct" if m.get("to") else "public"
                ),
                "sender": m["sender"],
                "recipient": m.get("to")
                or ("group " + m["group"] if m.get("group") else "Everyone"),
                "text": m["text"],
            }
            for m in arch["archive"]["messages"]
        ],
    )
    return {
        "archiving_enabled": True,
        "unrecorded": unrecorded,
        "webinar": webinar,
        "summarized": summarized,
        "archived": archived,
    }
