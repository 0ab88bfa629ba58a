"""The Zoom simulator's control routes (/zoom/...): seed, expire tokens, send webhooks."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

from sim.core.http import HttpError, Request, Response, Router, json_response
from sim.zoom import seeding
from sim.zoom.api import ZoomSim
from sim.zoom.bulk import BulkCorpus, BulkSpec
from sim.zoom.model import ArchivedRoom, ZoomMeeting, admitted
from sim.zoom.store import DAILY_BUCKET

# What PATCH /zoom/settings sets as given (daily_limit and scopes are handled apart).
SETTINGS = (
    "plan",
    "rate_limit_scale",
    "archiving_enabled",
    "archive_retention_days",
    "webinar_licence",
    "download_token_lifetime_s",
    "summary_fields",
    "token_lifetime_s",
    "page_token_lifetime_s",
    "single_token",
    "rate_limit_headers",
    "recordings_max_age_days",
)
# Kept for callers of the former module layout.
IDLESS_TYPES, RECORDING_TYPES, EXTENSIONS = (
    seeding.IDLESS_TYPES,
    seeding.RECORDING_TYPES,
    seeding.EXTENSIONS,
)


def _check_settings(doc: dict[str, Any]) -> str | None:
    """Why a settings document is refused, if it is."""
    if doc.get("rate_limit_headers", "full") not in ("full", "none"):
        return "rate_limit_headers must be full or none"
    days = doc.get("archive_retention_days", 30)
    if not isinstance(days, int) or not 1 <= days <= 30:
        # Zoom: "a minimum of 1 to a maximum of 30 days" (KB0068489).
        return "archive_retention_days must be 1 to 30"
    if doc.get("summary_fields", "both") not in ("both", "current", "legacy"):
        return "summary_fields must be both, current or legacy"
    limits = doc.get("daily_limit") or {}
    if not set(limits) <= set(DAILY_BUCKET):
        return f"daily_limit keys: {sorted(DAILY_BUCKET)}"
    return None


def register(sim: ZoomSim, router: Router) -> None:
    """Add /zoom/... routes to the control server."""
    _seed_routes(sim, router)
    _settings_routes(sim, router)
    _bulk_routes(sim, router)


def _seed_routes(sim: ZoomSim, router: Router) -> None:
    store = sim.store

    def in_account(email: str) -> bool:
        return store.find_user(email) is not None

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
            "dept": doc.get("dept", ""),
            "role_id": "2",
            "group_ids": list(doc.get("group_ids", [])),
        }
        store.add_user(user)
        return json_response(201, user)

    def add_meeting(req: Request) -> Response:
        meeting = seeding.meeting(req.json(), in_account)
        store.add_meeting(meeting)
        return json_response(201, describe(meeting))

    def list_meetings(req: Request) -> Response:
        with store.lock:
            meetings = list(store.meetings.values())
        return json_response(200, {"meetings": [describe(m) for m in meetings]})

    def _found(req: Request) -> ZoomMeeting:
        meeting = store.meeting(req.params["uuid"])
        if meeting is None:
            raise _error(404, "unknown meeting")
        return meeting

    def complete(req: Request) -> Response:
        """Finish processing: recording files, and an archive still processing (its
        complete_time becomes now)."""
        meeting = _found(req)
        with store.lock:
            for f in meeting.files:
                f.status = "completed"
            for room in [meeting.archive, *meeting.breakout_rooms]:
                if room is not None and room.status != "completed":
                    room.status, room.complete_time = "completed", store.now()
                    for f in room.files:
                        f.status = "completed"
        return json_response(200, describe(meeting))

    def edit_summary(req: Request) -> Response:
        """Edit a meeting's AI summary as its host would: the given fields change and
        summary_last_modified_time becomes now (then send meeting.summary_updated)."""
        meeting = _found(req)
        doc = req.json() or {}
        with store.lock:
            if meeting.summary is None:
                raise _error(404, "the meeting has no summary")
            s = meeting.summary
            for name in ("title", "overview", "details", "next_steps", "content", "doc_url"):
                if name in doc:
                    s[name] = doc[name]
            s["modified"] = max(store.now(), s["created"] + timedelta(seconds=1))
            s["edited"] = {
                "summary_details": "\n".join(f"{d['label']}: {d['summary']}" for d in s["details"]),
                "next_steps": list(s["next_steps"]),
            }
        return json_response(200, describe(meeting))

    router.add("POST", "/zoom/users", add_user)
    router.add("POST", "/zoom/meetings", add_meeting)
    router.add("GET", "/zoom/meetings", list_meetings)
    router.add("POST", "/zoom/meetings/{uuid}/complete", complete)
    router.add("PATCH", "/zoom/meetings/{uuid}/summary", edit_summary)


def _settings_routes(sim: ZoomSim, router: Router) -> None:
    store = sim.store

    def expire(req: Request) -> Response:
        store.expire_tokens()
        return json_response(200, {"expired": True})

    def settings(req: Request) -> Response:
        doc = req.json() or {}
        refused = _check_settings(doc)
        if refused:
            return json_response(400, {"error": refused})
        with store.lock:
            for name in SETTINGS:
                if name in doc:
                    setattr(store, name, doc[name])
            if "daily_limit" in doc:  # {"heavy": 3}: that category's daily cap (null: plan's)
                limits = doc["daily_limit"] or {}
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

    router.add("POST", "/zoom/tokens/expire", expire)
    router.add("PATCH", "/zoom/settings", settings)
    router.add("POST", "/zoom/webhooks/send", webhook)


def _bulk_routes(sim: ZoomSim, router: Router) -> None:
    store = sim.store

    def bulk(req: Request) -> Response:
        """Replace the generated part of the account (sim/zoom/bulk.py) in one call."""
        try:
            spec = BulkSpec.from_doc(req.json() or {})
        except (KeyError, ValueError) as error:
            return json_response(400, {"error": f"bad bulk spec: {error}"})
        corpus = BulkCorpus(spec, store.account_id)
        with store.lock:
            store.bulk = corpus
        return json_response(201, describe_bulk(corpus))

    def get_bulk(req: Request) -> Response:
        if store.bulk is None:
            return json_response(404, {"error": "no bulk corpus"})
        return json_response(200, describe_bulk(store.bulk))

    def drop_bulk(req: Request) -> Response:
        with store.lock:
            store.bulk = None
        return json_response(200, {})

    router.add("POST", "/zoom/bulk", bulk)
    router.add("GET", "/zoom/bulk", get_bulk)
    router.add("DELETE", "/zoom/bulk", drop_bulk)


def _error(status: int, message: str) -> HttpError:
    return HttpError(json_response(status, {"error": message}))


def describe_bulk(corpus: BulkCorpus) -> dict[str, Any]:
    spec = corpus.spec
    sample = [corpus.meeting(g) for g in range(min(3, corpus.total_meetings))]
    return {
        "users": spec.users,
        "active_users": corpus.user_count("active"),
        "meetings": corpus.total_meetings,
        "meetings_per_day": spec.meetings_per_day,
        "days": spec.days,
        "first_day": corpus.first_day.isoformat(),
        "last_day": (corpus.first_day + timedelta(days=spec.days - 1)).isoformat(),
        "domain": spec.domain,
        "sample_users": [corpus.user(i) for i in range(min(3, spec.users))],
        "sample_meetings": [
            {"uuid": m.uuid, "id": m.meeting_id, "host_id": m.host_id, "files": len(m.files)}
            for m in sample
        ],
    }


def _describe_room(room: ArchivedRoom) -> dict[str, Any]:
    return {
        "uuid": room.uuid,
        "is_breakout_room": room.is_breakout_room,
        "status": room.status,
        "complete_time": room.complete_time.astimezone(UTC).isoformat(),
        "files": [
            {
                "id": f.file_id,
                "file_type": f.file_type,
                "size": f.size,
                "sha256": f.sha256(),
                "encryption_fingerprint": f.encryption_fingerprint(),
                "individual": f.individual,
                "status": f.status,
            }
            for f in room.files
        ],
        "physical_files": [
            {"id": f.file_id, "file_name": f.file_name, "size": f.size, "sha256": f.sha256()}
            for f in room.physical_files
        ],
    }


def describe(m: ZoomMeeting) -> dict[str, Any]:
    """A meeting for tests: every file with its internal `id` and `listed_id` (null when the
    listing shows none), every participant with `admitted` (false: only in the waiting room),
    and the archive, breakout rooms, summary and interactions it was seeded with."""
    body: dict[str, Any] = {
        "uuid": m.uuid,
        "id": m.meeting_id,
        "host_id": m.host_id,
        "topic": m.topic,
        "kind": m.kind,
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
    if m.archive is not None:
        body["archive"] = _describe_room(m.archive)
    if m.breakout_rooms:
        body["breakout_rooms"] = [_describe_room(r) for r in m.breakout_rooms]
    if m.summary is not None:
        body["summary"] = {
            "title": m.summary["title"],
            "created": m.summary["created"].astimezone(UTC).isoformat(),
            "modified": m.summary["modified"].astimezone(UTC).isoformat(),
        }
    if m.polls or m.qa or m.survey:
        body["interactions"] = {
            "polls": len(m.polls),
            "questions": len(m.qa),
            "survey": m.survey is not None,
        }
    return body
