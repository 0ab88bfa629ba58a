"""JSON batching (POST /v1.0/$batch) as Graph and Outlook run it.

Graph's JSON-batching page and reported behaviour (shared/reference/graph-and-functions.md):
- at most 20 requests, each `id` unique within the batch, else the whole batch is 400;
- a request with a body must carry its own Content-Type header: otherwise Graph refuses the
  whole batch with 400 "Write request id : {id} does not contain Content-Type header or body."
  (quoted in msgraph-sdk-dotnet#2628; "a batch-level validation failure, so the outer call 400s
  and none of the sub-requests run", Softeria/ms-365-mcp-server#683), and so is a write
  (POST, PATCH, PUT) without a body;
- Outlook runs at most 4 requests of a batch in parallel per mailbox; each runs through the
  mailbox's own throttling, so one can be a 429 inside a 200 batch answer;
- `dependsOn` orders requests; a failed dependency gives 424;
- responses may come in any order ("the order of responses might differ from the order of
  requests"): here in the order they finish.
Fault rules also match each request of a batch, by its own method and path.
"""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from email.message import Message
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from sim.core.http import HttpError, Request, Response, json_response
from sim.m365.mail import graph_error

MAX_REQUESTS = 20
PARALLEL_PER_MAILBOX = 4
WRITES = ("POST", "PATCH", "PUT")


class _SubRequest:
    """One request of a batch, shaped like sim.core.http.Request for the same handlers."""

    def __init__(self, outer: Request, doc: dict[str, Any]) -> None:
        parts = urlsplit("/v1.0/" + str(doc.get("url", "")).lstrip("/"))
        self.id = str(doc.get("id", ""))
        self.depends_on = [str(d) for d in doc.get("dependsOn") or []]
        self.method = str(doc.get("method", "GET")).upper()
        self.raw_path, self.path = parts.path, unquote(parts.path)
        self.query = parse_qs(parts.query, keep_blank_values=True)
        self.headers = Message()
        self.headers["Authorization"] = outer.headers.get("Authorization", "")
        for name, value in (doc.get("headers") or {}).items():
            self.headers[name] = value
        body = doc.get("body")
        self.has_body = body is not None
        # A JSON body is an object; other media types (MIME: text/plain) carry a string.
        self._body = (
            b""
            if body is None
            else body.encode()
            if isinstance(body, str)
            else json.dumps(body).encode()
        )
        self.content_length = len(self._body)
        self.stream = io.BytesIO(self._body)
        self.params: dict[str, str] = {}
        self.server_name = outer.server_name
        self.client_host = outer.client_host

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def read_body(self) -> bytes:
        return self._body

    def json(self) -> Any:
        try:
            return json.loads(self._body or b"null")
        except ValueError:
            raise HttpError(json_response(400, {"error": "invalid JSON body"})) from None

    def mailbox_key(self) -> str:
        """The user segment of /v1.0/users/{user}/…, for the per-mailbox parallelism."""
        parts = self.path.split("/")
        return parts[3].lower() if len(parts) > 3 and parts[2] == "users" else ""


class Batch:
    """Mixin of M365Sim: the $batch endpoint over the same routes."""

    router: Any
    faults: Any
    store: Any

    def batch(self, req: Request) -> Response:
        subs = _validated(req)
        status: dict[str, int] = {}
        responses: list[dict[str, Any]] = []
        done = threading.Lock()
        gates = {
            key: threading.BoundedSemaphore(PARALLEL_PER_MAILBOX)
            for key in {self._mailbox(s) for s in subs}
        }

        def run(sub: _SubRequest) -> None:
            if any(status.get(d, 424) >= 400 for d in sub.depends_on):
                answer = json_response(
                    424, {"error": {"code": "FailedDependency", "message": "A dependency failed."}}
                )
            else:
                with gates[self._mailbox(sub)]:
                    answer = self._dispatch(sub)
            with done:
                status[sub.id] = answer.status
                responses.append(_answer(sub.id, answer))

        for level in _levels(subs):
            with ThreadPoolExecutor(max_workers=len(level)) as pool:
                list(pool.map(run, level))
        return json_response(200, {"responses": responses})

    def _mailbox(self, sub: _SubRequest) -> str:
        key = sub.mailbox_key()
        box = self.store.directory_user(key) if key else None
        return box.user_id if box is not None else key

    def _dispatch(self, sub: _SubRequest) -> Response:
        fault = self.faults.check("m365", sub.method, sub.raw_path)
        if fault and fault["action"] == "stall":
            time.sleep(float(fault.get("seconds", 1)))
        elif fault and fault["action"] == "status":
            body = fault.get("body", {"error": "injected fault"})
            return json_response(
                int(fault.get("status", 503)), body, dict(fault.get("headers", {}))
            )
        found = self.router.match(sub.method, sub.raw_path)
        if found is None:
            return json_response(
                404, {"error": {"code": "ResourceNotFound", "message": "Resource not found."}}
            )
        handler, params, _ = found
        sub.params = params
        try:
            result: Response = handler(sub)
        except HttpError as error:
            result = error.response
        except Exception as error:  # a handler bug answers 500 for that request only
            result = json_response(500, {"error": f"simulator error: {type(error).__name__}"})
        return result


def _validated(req: Request) -> list[_SubRequest]:
    """The batch's requests, or the whole batch refused with 400 as Graph refuses it."""
    doc = req.json() or {}
    requests = doc.get("requests")
    if not isinstance(requests, list) or not requests:
        raise graph_error(400, "BadRequest", "Invalid batch payload: no requests.")
    if len(requests) > MAX_REQUESTS:
        raise graph_error(
            400, "BadRequest", f"Batch request exceeds the maximum of {MAX_REQUESTS} requests."
        )
    subs = [_SubRequest(req, r) for r in requests]
    if len({s.id for s in subs}) != len(subs):
        raise graph_error(400, "BadRequest", "Batch request ids must be unique.")
    for sub in subs:
        typed = sub.headers.get("Content-Type") is not None
        if (sub.has_body and not typed) or (sub.method in WRITES and not sub.has_body):
            raise graph_error(
                400,
                "BadRequest",
                f"Write request id : {sub.id} does not contain Content-Type header or body.",
            )
    return subs


def _levels(subs: list[_SubRequest]) -> Iterable[list[_SubRequest]]:
    """The requests in rounds: each round depends only on earlier ones (dependsOn)."""
    ids = {s.id for s in subs}
    placed: set[str] = set()
    pending = list(subs)
    while pending:
        ready = [s for s in pending if all(d in placed or d not in ids for d in s.depends_on)]
        if not ready:
            raise graph_error(400, "BadRequest", "The dependsOn references form a cycle.")
        yield ready
        placed.update(s.id for s in ready)
        pending = [s for s in pending if s.id not in placed]


def _answer(sub_id: str, answer: Response) -> dict[str, Any]:
    body = answer.body if isinstance(answer.body, bytes) else b"".join(answer.body)
    try:
        parsed: Any = json.loads(body) if body else None
    except ValueError:
        parsed = body.decode(errors="replace")
    return {"id": sub_id, "status": answer.status, "headers": dict(answer.headers), "body": parsed}
