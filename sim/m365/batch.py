"""JSON batching (POST /v1.0/$batch): up to 20 requests, dependsOn, statuses per request."""

from __future__ import annotations

import io
import json
from email.message import Message
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from sim.core.http import HttpError, Request, Response, json_response
from sim.m365.mail import graph_error

MAX_REQUESTS = 20


class _SubRequest:
    """One request of a batch, shaped like sim.core.http.Request for the same handlers."""

    def __init__(self, outer: Request, doc: dict[str, Any]) -> None:
        parts = urlsplit("/v1.0/" + str(doc.get("url", "")).lstrip("/"))
        self.method = str(doc.get("method", "GET")).upper()
        self.raw_path, self.path = parts.path, unquote(parts.path)
        self.query = parse_qs(parts.query, keep_blank_values=True)
        self.headers = Message()
        self.headers["Authorization"] = outer.headers.get("Authorization", "")
        for name, value in (doc.get("headers") or {}).items():
            self.headers[name] = value
        body = doc.get("body")
        self._body = b"" if body is None else json.dumps(body).encode()
        if body is not None and "Content-Type" not in self.headers:
            self.headers["Content-Type"] = "application/json"
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
        return json.loads(self._body or b"null")


class Batch:
    """Mixin of M365Sim: the $batch endpoint over the same routes."""

    router: Any

    def batch(self, req: Request) -> Response:
        doc = req.json() or {}
        requests = doc.get("requests")
        if not isinstance(requests, list) or not requests:
            raise graph_error(400, "BadRequest", "Invalid batch payload: no requests.")
        if len(requests) > MAX_REQUESTS:
            raise graph_error(
                400, "BadRequest", f"Batch request exceeds the maximum of {MAX_REQUESTS} requests."
            )
        status: dict[str, int] = {}
        responses = []
        for sub in requests:
            sub_id = str(sub.get("id", ""))
            failed = [d for d in sub.get("dependsOn") or [] if status.get(str(d), 424) >= 400]
            if failed:
                answer = json_response(
                    424, {"error": {"code": "FailedDependency", "message": "A dependency failed."}}
                )
            else:
                answer = self._dispatch(_SubRequest(req, sub))
            status[sub_id] = answer.status
            body = answer.body if isinstance(answer.body, bytes) else b"".join(answer.body)
            responses.append(
                {
                    "id": sub_id,
                    "status": answer.status,
                    "headers": dict(answer.headers),
                    "body": json.loads(body) if body else None,
                }
            )
        return json_response(200, {"responses": responses})

    def _dispatch(self, sub: _SubRequest) -> Response:
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
        return result
