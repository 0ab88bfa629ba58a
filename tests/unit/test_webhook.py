"""Webhook verification: only fresh, correctly signed Zoom events get through."""

from __future__ import annotations

import json

import pytest

from archiver.core.webhook import (
    MAX_BODY_BYTES,
    RejectedWebhookError,
    sign,
    url_validation_answer,
    verify,
)

SECRET = "hook-secret"
NOW = 1_800_000_000


def signed(body: dict, *, secret: str = SECRET, ts: int = NOW) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    return raw, {"x-zm-signature": sign(secret, str(ts), raw), "x-zm-request-timestamp": str(ts)}


EVENT = {
    "event": "recording.completed",
    "event_ts": NOW * 1000,
    "payload": {"object": {"uuid": "abc==", "id": 5}},
}


def rejected(body: bytes, headers: dict[str, str]) -> RejectedWebhookError:
    with pytest.raises(RejectedWebhookError) as caught:
        verify(body, headers, secret=SECRET, now=NOW)
    return caught.value


def test_a_correctly_signed_fresh_event_is_accepted() -> None:
    event = verify(*signed(EVENT), secret=SECRET, now=NOW)
    assert event.event == "recording.completed"
    assert event.object["uuid"] == "abc=="


def test_header_names_are_case_insensitive() -> None:
    body, headers = signed(EVENT)
    upper = {k.upper(): v for k, v in headers.items()}
    assert verify(body, upper, secret=SECRET, now=NOW).event == "recording.completed"


def test_a_wrong_secret_is_rejected() -> None:
    assert rejected(*signed(EVENT, secret="other")).reason == "signature does not match"


def test_a_tampered_body_is_rejected() -> None:
    body, headers = signed(EVENT)
    assert rejected(body.replace(b"abc", b"abd"), headers).status == 401


@pytest.mark.parametrize("skew", [-301, 301])
def test_a_timestamp_more_than_five_minutes_away_is_rejected(skew: int) -> None:
    assert "more than 300s" in rejected(*signed(EVENT, ts=NOW + skew)).reason


@pytest.mark.parametrize("missing", ["x-zm-signature", "x-zm-request-timestamp"])
def test_missing_headers_are_rejected(missing: str) -> None:
    body, headers = signed(EVENT)
    del headers[missing]
    assert rejected(body, headers).status == 401


def test_an_oversized_body_is_rejected_before_anything_else() -> None:
    assert rejected(b"x" * (MAX_BODY_BYTES + 1), {}).status == 413


def test_a_signed_body_that_is_not_json_is_a_bad_request() -> None:
    raw = b"not json"
    headers = {"x-zm-signature": sign(SECRET, str(NOW), raw), "x-zm-request-timestamp": str(NOW)}
    assert rejected(raw, headers).status == 400


def test_url_validation_answers_with_the_hmac_of_the_plain_token() -> None:
    body = {"event": "endpoint.url_validation", "payload": {"plainToken": "qgg8vlvZRS6UYooatFL8Aw"}}
    event = verify(*signed(body), secret=SECRET, now=NOW)
    answer = url_validation_answer(event, secret=SECRET)
    assert answer["plainToken"] == "qgg8vlvZRS6UYooatFL8Aw"
    assert len(answer["encryptedToken"]) == 64


def test_url_validation_with_a_bad_signature_is_rejected_first() -> None:
    body = {"event": "endpoint.url_validation", "payload": {"plainToken": "t"}}
    assert rejected(*signed(body, secret="other")).status == 401


def test_the_same_delivery_has_the_same_replay_key() -> None:
    first = verify(*signed(EVENT), secret=SECRET, now=NOW)
    again = verify(*signed(EVENT, ts=NOW + 10), secret=SECRET, now=NOW)
    other = verify(*signed(EVENT | {"event_ts": 1}), secret=SECRET, now=NOW)
    assert first.replay_key == again.replay_key != other.replay_key


def verified(doc: dict):
    return verify(*signed(doc), secret=SECRET, now=NOW)


def test_two_different_events_without_event_ts_are_not_taken_for_repeats() -> None:
    first = verified({"event": "recording.completed", "payload": {"object": {"uuid": "u", "a": 1}}})
    second = verified(
        {"event": "recording.completed", "payload": {"object": {"uuid": "u", "a": 2}}}
    )
    assert first.replay_key != second.replay_key
    again = verified({"event": "recording.completed", "payload": {"object": {"uuid": "u", "a": 1}}})
    assert again.replay_key == first.replay_key


def test_summary_events_of_two_meetings_at_the_same_instant_are_not_repeats() -> None:
    def summary_event(uuid: str):
        return verified(
            {
                "event": "meeting.summary_updated",
                "event_ts": NOW * 1000,
                "payload": {"object": {"meeting_uuid": uuid}},
            }
        )

    assert summary_event("a==").replay_key != summary_event("b==").replay_key
