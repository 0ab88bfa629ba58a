"""The Zoom simulator's control routes (/zoom/...): seed, expire tokens, send webhooks."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sim.core.http import Request, Response, Router, json_response
from sim.zoom.api import ZoomSim
from sim.zoom.store import DAILY_BUCKET, ZoomFile, ZoomMeeting, admitted

# What PATCH /zoom/settings sets as given (daily_limit and scopes are handled apart).
SETTINGS = (
    "plan",
    "rate_limit_scale",
    "archiving_enabled",
    "token_lifetime_s",
    "page_token_lifetime_s",
    "single_token",
    "rate_limit_headers",
    "recordings_max_age_days",
)
# CC and TIMELINE files are listed without id, status, file_size, recording_type and play_url
# unless seeded with "with_id": true (Zoom's spec; real TIMELINE files are seen in both forms).
IDLESS_TYPES = {"CC", "TIMELINE"}
# Zoom's recording_type for each file_type, used when a seed gives none.
RECORDING_TYPES = {
    "MP4": "shared_screen_with_speaker_view",
    "M4A": "audio_only",
    "CHAT": "chat_file",
    "TRANSCRIPT": "audio_transcript",
    "CC": "closed_caption",
    "TIMELINE": "timeline",
    "SUMMARY": "summary",
    "CSV": "poll",
}
EXTENSIONS = {
    "MP4": "MP4",
    "M4A": "M4A",
    "CHAT": "TXT",
    "TRANSCRIPT": "VTT",
    "CC": "VTT",
    "TIMELINE": "JSON",
    "SUMMARY": "JSON",
    "CSV": "CSV",
}


def register(sim: ZoomSim, router: Router) -> None:
    """Add /zoom/... routes to the control server."""
    store = sim.store

    def add_user(req: Request) -> Response:
        doc = req.json()
        user = {
            "id": doc["id"],
            "email": doc["email"].lower(),
            "first_name": doc.get("first_name", ""),
            "last_name": doc.get("last_name", ""),
            "type": doc.get("type", 2),
            "status": doc.get("status", "active"),
            "timezone": doc.get("timezone", "UTC"),
            "dept": "",
            "role_id": "2",
        }
        with store.lock:
            store.users[user["id"]] = user
        return json_response(201, user)

    def add_meeting(req: Request) -> Response:
        doc = req.json()
        files = [_file(doc["uuid"], i, f) for i, f in enumerate(doc.get("files", []))]
        meeting = ZoomMeeting(
            uuid=doc["uuid"],
            meeting_id=int(doc["id"]),
            host_id=doc["host_id"],
            topic=doc.get("topic", ""),
            start_time=datetime.fromisoformat(doc["start_time"].replace("Z", "+00:00")),
            duration=int(doc.get("duration", 30)),
            timezone=doc.get("timezone", "UTC"),
            participants=[
                {
                    "name": p["name"],
                    "email": p.get("email", ""),
                    "user_id": p.get("user_id", ""),
                    # [join_min, leave_min] or [join_min, leave_min, "in_waiting_room"]
                    "sessions": [tuple(s) for s in p.get("sessions", [[0, 30]])],
                }
                for p in doc.get("participants", [])
            ],
            files=files,
            in_report=doc.get("in_report", True),
        )
        with store.lock:
            store.meetings[meeting.uuid] = meeting
        return json_response(201, _describe(meeting))

    def list_meetings(req: Request) -> Response:
        with store.lock:
            meetings = list(store.meetings.values())
        return json_response(200, {"meetings": [_describe(m) for m in meetings]})

    def complete(req: Request) -> Response:
        with store.lock:
            meeting = store.meetings.get(req.params["uuid"])
            if meeting is None:
                return json_response(404, {"error": "unknown meeting"})
            for f in meeting.files:
                f.status = "completed"
        return json_response(200, _describe(meeting))

    def expire(req: Request) -> Response:
        store.expire_tokens()
        return json_response(200, {"expired": True})

    def settings(req: Request) -> Response:
        doc = req.json() or {}
        if doc.get("rate_limit_headers", "full") not in ("full", "none"):
            return json_response(400, {"error": "rate_limit_headers must be full or none"})
        with store.lock:
            for name in SETTINGS:
                if name in doc:
                    setattr(store, name, doc[name])
            if "daily_limit" in doc:  # {"heavy": 3}: that category's daily cap (null: plan's)
                limits = doc["daily_limit"] or {}
                if not set(limits) <= set(DAILY_BUCKET):
                    return json_response(
                        400, {"error": f"daily_limit keys: {sorted(DAILY_BUCKET)}"}
                    )
                store.daily_limit = {DAILY_BUCKET[k]: int(v) for k, v in limits.items()}
                store.daily.clear()
            if "scopes" in doc:  # the app's scopes; tokens issued from now on carry them
                store.scopes = frozenset(str(s) for s in doc["scopes"])
            answer = {name: getattr(store, name) for name in SETTINGS}
        return json_response(
            200, {**answer, "daily_limit": store.daily_limit, "scopes": sorted(store.scopes)}
        )

    def webhook(req: Request) -> Response:
        doc = req.json()
        return json_response(
            200,
            sim.send_webhook(
                doc["url"],
                doc["event"],
                doc.get("meeting_uuid"),
                secret=doc.get("secret"),
                timestamp=doc.get("timestamp"),
                retries=int(doc.get("retries", 0)),
                retry_delay_s=float(doc.get("retry_delay_s", 0)),
            ),
        )

    router.add("POST", "/zoom/users", add_user)
    router.add("POST", "/zoom/meetings", add_meeting)
    router.add("GET", "/zoom/meetings", list_meetings)
    router.add("POST", "/zoom/meetings/{uuid}/complete", complete)
    router.add("POST", "/zoom/tokens/expire", expire)
    router.add("PATCH", "/zoom/settings", settings)
    router.add("POST", "/zoom/webhooks/send", webhook)


def _file(uuid: str, index: int, doc: dict[str, Any]) -> ZoomFile:
    """A seeded file: `size` (generated bytes) or `content` (text); optional `id`, `status`,
    `with_id`, `listed_size` (the file_size listed, when it differs) and `download_url`."""
    file_type = doc["file_type"].upper()
    content = doc.get("content")
    data = content.encode() if isinstance(content, str) else None
    file_id = doc.get("id") or hashlib.sha256(f"{uuid}|{index}".encode()).hexdigest()[:32]
    listed_size = doc.get("listed_size")
    return ZoomFile(
        file_id=file_id,
        file_type=file_type,
        file_extension=doc.get("file_extension", EXTENSIONS.get(file_type, "MP4")),
        recording_type=doc.get("recording_type", RECORDING_TYPES.get(file_type, "")),
        size=len(data) if data is not None else int(doc.get("size", 0)),
        status=doc.get("status", "completed"),
        content=data,
        participant_audio=bool(doc.get("participant_audio", False)),
        listed=bool(doc.get("with_id", file_type not in IDLESS_TYPES)),
        listed_size=None if listed_size is None else int(listed_size),
        download_url=doc.get("download_url"),
    )


def _describe(m: ZoomMeeting) -> dict[str, Any]:
    """A meeting for tests: every file with its internal `id` and `listed_id` (null when the
    listing shows none), and every participant with `admitted` (false: only in the waiting
    room)."""
    return {
        "uuid": m.uuid,
        "id": m.meeting_id,
        "host_id": m.host_id,
        "topic": m.topic,
        "start_time": m.start_time.isoformat(),
        "participants": [
            {"name": p["name"], "email": p["email"], "admitted": admitted(p)}
            for p in m.participants
        ],
        "files": [
            {
                "id": f.file_id,
                "listed_id": f.file_id if f.listed else None,
                "file_type": f.file_type,
                "size": f.size,
                "listed_size": f.size_listed,
                "status": f.status,
                "sha256": f.sha256(),
                "download_url": f.download_url,
            }
            for f in m.files
        ],
    }
