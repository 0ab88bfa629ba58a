"""Zoom simulator: OAuth, paging, ranges, UUID encoding, downloads, rate limits, webhooks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import quote

import pytest
import requests

pytestmark = pytest.mark.integration


@pytest.fixture
def zoom(simulators):
    simulators.control("POST", "/reset")
    simulators.control("POST", "/zoom/users", {"id": "u1", "email": "ann@contoso.com"})
    start = (datetime.now(UTC) - timedelta(days=1)).replace(microsecond=0).isoformat()
    for uuid in ("/slash==", "a//b==", "plain=="):
        simulators.control(
            "POST",
            "/zoom/meetings",
            {
                "uuid": uuid,
                "id": 81000000001,
                "host_id": "u1",
                "topic": "t",
                "start_time": start,
                "participants": [
                    {"name": "Ann", "email": "ann@contoso.com", "sessions": [[0, 10], [12, 30]]},
                    {"name": "Guest", "email": ""},
                ],
                "files": [
                    {"id": f"f-{len(uuid)}", "file_type": "MP4", "size": 300_000},
                    {"file_type": "CHAT", "content": "00:00:01\tAnn:\thi\n"},
                ],
            },
        )
    return simulators


def api(sims, path: str, token: str, **params):
    return requests.get(
        sims.info["zoom_api_url"] + path,
        params=params,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
        verify=sims.info["ca_bundle"],
    )


def token(sims) -> str:
    auth = base64.b64encode(b"sim-zoom-client:sim-zoom-secret").decode()
    answer = requests.post(
        sims.info["zoom_oauth_url"],
        params={"grant_type": "account_credentials", "account_id": "sim-account"},
        headers={"Authorization": f"Basic {auth}"},
        timeout=10,
        verify=sims.info["ca_bundle"],
    )
    assert answer.status_code == 200
    return answer.json()["access_token"]


def test_wrong_client_secret_is_refused(zoom) -> None:
    auth = base64.b64encode(b"sim-zoom-client:wrong").decode()
    answer = requests.post(
        zoom.info["zoom_oauth_url"],
        params={"grant_type": "account_credentials", "account_id": "sim-account"},
        headers={"Authorization": f"Basic {auth}"},
        timeout=10,
        verify=zoom.info["ca_bundle"],
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_client"


def test_an_expired_token_gets_code_124(zoom) -> None:
    t = token(zoom)
    zoom.control("POST", "/zoom/tokens/expire")
    answer = api(zoom, "/users", t)
    assert answer.status_code == 401
    assert answer.json()["code"] == 124


def test_page_size_over_300_is_an_error(zoom) -> None:
    assert api(zoom, "/users", token(zoom), page_size=301).json()["code"] == 300


def test_users_are_paged_by_next_page_token(zoom) -> None:
    for i in range(2, 6):
        zoom.control("POST", "/zoom/users", {"id": f"u{i}", "email": f"u{i}@contoso.com"})
    t = token(zoom)
    first = api(zoom, "/users", t, page_size=2).json()
    assert len(first["users"]) == 2
    second = api(zoom, "/users", t, page_size=2, next_page_token=first["next_page_token"]).json()
    assert {u["id"] for u in second["users"]}.isdisjoint({u["id"] for u in first["users"]})
    bogus = api(zoom, "/users", t, next_page_token="nope")
    assert bogus.status_code == 400


def test_a_recordings_range_the_wrong_way_round_is_refused(zoom) -> None:
    answer = api(
        zoom, "/users/u1/recordings", token(zoom), **{"from": "2026-03-01", "to": "2026-01-01"}
    )
    assert (answer.status_code, answer.json()["code"]) == (400, 300)


def test_recordings_show_processing_files_with_an_empty_type(zoom) -> None:
    start = datetime.now(UTC).replace(microsecond=0).isoformat()
    zoom.control(
        "POST",
        "/zoom/meetings",
        {
            "uuid": "p==",
            "id": 1,
            "host_id": "u1",
            "start_time": start,
            "files": [{"file_type": "MP4", "size": 10, "status": "processing"}],
        },
    )
    body = api(zoom, f"/meetings/{quote('p==', safe='')}/recordings", token(zoom)).json()
    assert body["recording_files"][0]["status"] == "processing"
    assert body["recording_files"][0]["file_type"] == ""


@pytest.mark.parametrize("uuid", ["/slash==", "a//b=="])
def test_uuids_with_slashes_must_be_double_encoded(zoom, uuid: str) -> None:
    t = token(zoom)
    once = quote(uuid, safe="")
    assert api(zoom, f"/meetings/{once}/recordings", t).json()["code"] == 3301
    twice = quote(once, safe="")
    assert api(zoom, f"/meetings/{twice}/recordings", t).json()["uuid"] == uuid


def test_the_report_has_one_row_per_session_and_blank_guest_emails(zoom) -> None:
    rows = api(
        zoom, f"/report/meetings/{quote('plain==', safe='')}/participants", token(zoom)
    ).json()["participants"]
    assert len(rows) == 3
    assert rows[-1]["user_email"] == ""


def test_downloads_redirect_to_another_host_and_honour_ranges(zoom) -> None:
    t = token(zoom)
    body = api(zoom, f"/meetings/{quote('plain==', safe='')}/recordings", t).json()
    url = body["recording_files"][0]["download_url"]
    first = requests.get(
        url,
        headers={"Authorization": f"Bearer {t}"},
        allow_redirects=False,
        timeout=10,
        verify=zoom.info["ca_bundle"],
    )
    assert first.status_code == 302
    assert first.headers["Location"].startswith("https://localhost:")
    part = requests.get(
        first.headers["Location"],
        headers={"Range": "bytes=100-199"},
        timeout=10,
        verify=zoom.info["ca_bundle"],
    )
    assert part.status_code == 206
    assert part.headers["Content-Range"] == "bytes 100-199/300000"
    assert len(part.content) == 100


def test_a_bad_token_download_is_an_html_page_with_status_200(zoom) -> None:
    body = api(zoom, f"/meetings/{quote('plain==', safe='')}/recordings", token(zoom)).json()
    answer = requests.get(
        body["recording_files"][0]["download_url"],
        headers={"Authorization": "Bearer wrong"},
        timeout=10,
        verify=zoom.info["ca_bundle"],
    )
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/html")


def test_the_per_second_limit_answers_429_with_zoom_headers(zoom) -> None:
    # Medium is 60/s on Business; scaled to one request per one-second window, six requests in a
    # row meet the limit however the windows fall (a larger limit made this flaky under load).
    zoom.control("PATCH", "/zoom/settings", {"rate_limit_scale": 0.02})
    t = token(zoom)
    answers = [api(zoom, "/users", t) for _ in range(6)]
    limited = [a for a in answers if a.status_code == 429]
    assert limited
    assert limited[0].headers["X-RateLimit-Category"] == "Medium"
    assert limited[0].headers["X-RateLimit-Type"] == "QPS"


def test_injected_faults_answer_the_given_status_once(zoom) -> None:
    t = token(zoom)
    zoom.control(
        "POST",
        "/faults",
        {"server": "zoom", "path": "^/v2/users$", "action": "status", "status": 503},
    )
    assert api(zoom, "/users", t).status_code == 503
    assert api(zoom, "/users", t).status_code == 200
    assert zoom.control("GET", "/counters")["zoom"]["GET /v2/users"] >= 2


def test_webhooks_are_signed_as_zoom_signs_them(zoom) -> None:
    received: dict[str, object] = {}

    class Target(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received["body"] = self.rfile.read(int(self.headers["Content-Length"]))
            received["headers"] = dict(self.headers)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Target)
    threading.Thread(target=server.handle_request, daemon=True).start()
    result = zoom.control(
        "POST",
        "/zoom/webhooks/send",
        {
            "url": f"http://127.0.0.1:{server.server_address[1]}/",
            "event": "recording.completed",
            "meeting_uuid": "plain==",
        },
    )
    server.server_close()
    assert result["status"] == 200
    headers = {k.lower(): v for k, v in received["headers"].items()}
    message = b"v0:" + headers["x-zm-request-timestamp"].encode() + b":" + received["body"]
    digest = hmac.new(b"sim-webhook-secret", message, hashlib.sha256).hexdigest()
    assert headers["x-zm-signature"] == f"v0={digest}"
    assert json.loads(received["body"])["payload"]["object"]["uuid"] == "plain=="


def test_an_expired_next_page_token_is_refused_with_code_300(zoom) -> None:
    for i in range(2, 5):
        zoom.control("POST", "/zoom/users", {"id": f"u{i}", "email": f"u{i}@contoso.com"})
    t = token(zoom)
    first = api(zoom, "/users", t, page_size=2).json()
    zoom.control("PATCH", "/zoom/settings", {"page_token_lifetime_s": 0})
    try:
        late = api(zoom, "/users", t, page_size=2, next_page_token=first["next_page_token"])
    finally:
        zoom.control("PATCH", "/zoom/settings", {"page_token_lifetime_s": 900})
    assert (late.status_code, late.json()["code"]) == (400, 300)


def test_archive_files_need_archiving_and_a_range_of_at_most_seven_days(zoom) -> None:
    t = token(zoom)
    week = {"from": "2026-11-01T00:00:00Z", "to": "2026-11-08T00:00:00Z"}
    assert api(zoom, "/archive_files", t, **week).json()["code"] == 2001
    zoom.control("PATCH", "/zoom/settings", {"archiving_enabled": True})
    try:
        assert api(zoom, "/archive_files", t, **week).status_code == 200
        longer = {"from": "2026-11-01T00:00:00Z", "to": "2026-11-09T00:00:00Z"}
        assert api(zoom, "/archive_files", t, **longer).json()["code"] == 300
    finally:
        zoom.control("PATCH", "/zoom/settings", {"archiving_enabled": False})


def test_a_token_lists_its_scopes_and_a_call_outside_them_is_code_4711(zoom) -> None:
    zoom.control("PATCH", "/zoom/settings", {"scopes": ["user:read:list_users:admin"]})
    answer = requests.post(
        zoom.info["zoom_oauth_url"],
        params={"grant_type": "account_credentials", "account_id": "sim-account"},
        auth=("sim-zoom-client", "sim-zoom-secret"),
        timeout=10,
        verify=zoom.info["ca_bundle"],
    ).json()
    assert answer["scope"] == "user:read:list_users:admin"
    t = answer["access_token"]
    assert api(zoom, "/users", t).status_code == 200
    refused = api(zoom, "/users/u1/recordings", t)
    assert refused.status_code == 400
    assert refused.json() == {
        "code": 4711,
        "message": "Invalid access token, does not contain scopes:"
        "[cloud_recording:read:list_user_recordings, "
        "cloud_recording:read:list_user_recordings:admin].",
    }
