"""Webhook requests through verify: refused with RejectedWebhookError (its reason and the
status the sender gets), or accepted as the event. Each case describes its body, headers,
signature and clock."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from archiver.core.webhook import RejectedWebhookError, sign, verify
from tests.corpus.support import Case, check_rejection, params

SECRET = "corpus-webhook-secret"
NOW = 1_800_000_000


def body_of(spec: dict[str, Any]) -> bytes:
    if "body_json" in spec:
        return json.dumps(spec["body_json"]).encode()
    if "body_b64" in spec:
        return base64.b64decode(spec["body_b64"])
    if "body_repeat" in spec:
        return spec["body_repeat"]["text"].encode() * spec["body_repeat"]["times"]
    if "body_nested" in spec:
        return b"[" * spec["body_nested"] + b"]" * spec["body_nested"]
    return str(spec["body"]).encode("utf-8", "surrogatepass")


def request(spec: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    body = body_of(spec)
    when = spec.get("timestamp", 0)
    if when == "none":
        when = 0
    timestamp = when["raw"] if isinstance(when, dict) else str(NOW + int(when or 0))
    signature = spec.get("signature", "valid")
    headers = {"x-zm-request-timestamp": timestamp}
    if isinstance(signature, dict):
        headers["x-zm-signature"] = signature["raw"]
    elif signature != "none":
        secret = SECRET if signature == "valid" else "another-secret"
        headers["x-zm-signature"] = sign(secret, timestamp, body)
    if spec.get("timestamp") == "none":
        del headers["x-zm-request-timestamp"]
    if spec.get("upper_headers"):
        headers = {k.upper(): v for k, v in headers.items()}
    return body, headers


@pytest.mark.parametrize("case", params("webhook"))
def test_each_webhook_request_is_a_verified_event_or_refused_with_a_status(case: Case) -> None:
    body, headers = request(case.json())
    try:
        event = verify(body, headers, secret=SECRET, now=NOW)
    except RejectedWebhookError as error:
        check_rejection(case, error, status=error.status)
        return
    assert case.accepted, f"accepted but must be refused: {case.expect['error']}"
    assert event.event == case.expect["event"]
    for name in ("object", "event_ts"):
        if name in case.expect:
            assert getattr(event, name) == case.expect[name]
    assert len(event.replay_key) == 64
