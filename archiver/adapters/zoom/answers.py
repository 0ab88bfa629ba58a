"""Reading Zoom's answers: their JSON body, the daily-limit 429, and errors by status and code."""

from __future__ import annotations

from typing import Any

import requests

from archiver.errors import AuthenticationError, InvalidInputError, NotFoundError

SCOPE_MISSING = "4711"  # Zoom: the token does not carry the scope this endpoint needs


def daily_limit(response: requests.Response, body: dict[str, Any]) -> bool:
    """True for Zoom's daily-limit 429 (header, else its message: some answers carry neither)."""
    kind = response.headers.get("X-RateLimit-Type", "").lower()
    return kind.startswith("daily") or "daily" in str(body.get("message", "")).lower()


def json_body(response: requests.Response) -> dict[str, Any]:
    """The answer's JSON object, or {} when it has none."""
    try:
        value = response.json()
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def error_for(status: int, code: Any, body: dict[str, Any], path: str) -> Exception:
    """The archiver error for a refusal that retrying cannot help."""
    message = f"Zoom {status} on {path}: {str(body.get('message', ''))[:200]}"
    kw: dict[str, Any] = {
        "service": "zoom",
        "status": status,
        "code": str(code) if code is not None else None,
    }
    if str(code) == SCOPE_MISSING:
        return AuthenticationError(
            f"the Zoom app lacks a scope for {path}: {str(body.get('message', ''))[:200]}",
            hint="add it to the Server-to-Server OAuth app (docs/admin-guide.md, section 1)",
            **kw,
        )
    if status in (401, 403):
        return AuthenticationError(
            message, hint="the Zoom app may lack a scope (python -m archiver check)", **kw
        )
    if status == 404:
        return NotFoundError(message, **kw)
    return InvalidInputError(message, **kw)
