"""Helpers shared by the simulator tests: Zoom and Graph calls, and a webhook receiver."""

from __future__ import annotations

import base64
import os
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote

import msal
import requests


def days_ago(days: float) -> str:
    """An ISO start time `days` days before now (UTC, whole seconds)."""
    return (datetime.now(UTC) - timedelta(days=days)).replace(microsecond=0).isoformat()


def enc(uuid: str) -> str:
    """A meeting UUID for a Zoom path: encoded, twice when it starts with / or contains //."""
    once = quote(uuid, safe="")
    return quote(once, safe="") if uuid.startswith("/") or "//" in uuid else once


def zoom_token(sims) -> str:
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


def zoom_get(sims, path: str, token: str, **params) -> requests.Response:
    return requests.get(
        sims.info["zoom_api_url"] + path,
        params=params,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
        verify=sims.info["ca_bundle"],
    )


def download(sims, url: str, token: str, **headers: str) -> requests.Response:
    """GET a download_url with the token, following the redirect to the file host."""
    return requests.get(
        url,
        headers={"Authorization": f"Bearer {token}", **headers},
        timeout=30,
        verify=sims.info["ca_bundle"],
    )


def seed_meeting(sims, uuid: str, **fields: Any) -> dict[str, Any]:
    """POST /zoom/meetings with defaults (host u1, a day ago, two participants, one MP4)."""
    doc = {
        "uuid": uuid,
        "id": 82000000000 + len(uuid),
        "host_id": "u1",
        "topic": "t",
        "start_time": days_ago(1),
        "participants": [
            {"name": "Ann", "email": "ann@contoso.com", "user_id": "u1"},
            {"name": "Bob", "email": "bob@contoso.com", "user_id": "u2"},
        ],
        "files": [{"file_type": "MP4", "size": 1000}],
        **fields,
    }
    return sims.control("POST", "/zoom/meetings", doc)


def graph_token(sims) -> str:
    """An app token from the simulated Entra (MSAL reads the CA from REQUESTS_CA_BUNDLE, which
    overrides a session's own `verify`)."""
    i = sims.info
    saved = os.environ.get("REQUESTS_CA_BUNDLE")
    os.environ["REQUESTS_CA_BUNDLE"] = i["ca_bundle"]
    try:
        app = msal.ConfidentialClientApplication(
            i["graph_client_id"],
            authority=f"{i['authority_host']}/{i['graph_tenant_id']}",
            client_credential=i["graph_client_secret"],
            instance_discovery=False,
        )
        result = app.acquire_token_for_client(scopes=["https://graph.microsoft.com/.default"])
    finally:
        if saved is None:
            os.environ.pop("REQUESTS_CA_BUNDLE", None)
        else:
            os.environ["REQUESTS_CA_BUNDLE"] = saved
    return str(result["access_token"])


def graph(sims, method: str, path: str, tok: str, headers=None, **kw) -> requests.Response:
    """A Graph call; `path` is relative to /v1.0 or an absolute URL (a nextLink)."""
    url = path if path.startswith("https://") else sims.info["graph_url"] + path
    return requests.request(
        method,
        url,
        headers={"Authorization": f"Bearer {tok}", **(headers or {})},
        timeout=30,
        verify=sims.info["ca_bundle"],
        **kw,
    )


class Receiver:
    """A local webhook endpoint answering each POST with the next of `statuses` after `delay_s`;
    records every request's headers and body."""

    def __init__(self, statuses: list[int], delay_s: float = 0.0) -> None:
        self.statuses, self.delay_s = list(statuses), delay_s
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                time.sleep(receiver.delay_s)
                status = (
                    receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def iso_ago(days: float) -> str:
    """`yyyy-MM-dd'T'HH:mm:ssZ`, `days` days before now (the Archiving API's from/to format)."""
    return (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def day_ago(days: float) -> str:
    """`yyyy-mm-dd`, `days` days before now (UTC): the report and recordings from/to format."""
    return (datetime.now(UTC) - timedelta(days=days)).date().isoformat()


def zoom_call(sims, method: str, path: str, token: str, **params) -> requests.Response:
    return requests.request(
        method,
        sims.info["zoom_api_url"] + path,
        params=params,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
        verify=sims.info["ca_bundle"],
    )


def categories(sims) -> dict[str, int]:
    """Authorised Zoom calls per rate-limit category since the counters were last cleared."""
    return dict(sims.control("GET", "/counters").get("zoom-categories", {}))


def send_event(sims, event: str, uuid: str, **extra) -> tuple[dict, dict]:
    """Send a webhook to a local receiver; returns (the control API's answer, the event body)."""
    import json

    receiver = Receiver([200])
    try:
        answer = sims.control(
            "POST",
            "/zoom/webhooks/send",
            {"url": receiver.url, "event": event, "meeting_uuid": uuid, **extra},
        )
    finally:
        receiver.close()
    return answer, json.loads(receiver.received[0][1])
