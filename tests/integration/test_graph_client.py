"""The Graph client against the Microsoft 365 simulator: credentials, lookups, folders, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from archiver.adapters.graph import GraphClient
from archiver.adapters.graph.auth import MsalTokenProvider
from archiver.errors import (
    AuthenticationError,
    MailboxUnavailableError,
    ServiceUnavailableError,
    ThrottledError,
)
from tests.support.clients import graph_app, graph_client

pytestmark = pytest.mark.integration


@pytest.fixture
def sims(simulators, monkeypatch):
    simulators.control("POST", "/reset")
    simulators.control(
        "POST",
        "/m365/mailboxes",
        {"address": "ann@contoso.com", "proxyAddresses": ["smtp:ann.o'neil@contoso.com"]},
    )
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", simulators.info["ca_bundle"])
    return simulators


def client(sims, **credential) -> GraphClient:
    return graph_client(sims, **credential)


def test_a_certificate_client_finds_mailboxes_by_upn_and_by_proxy_address(sims) -> None:
    pem = Path(sims.info["graph_client_certificate"]).read_text()
    graph = client(sims, client_certificate_pem=pem)
    by_upn = graph.find_mailbox("ANN@contoso.com")
    by_proxy = graph.find_mailbox("ann.o'neil@contoso.com")
    assert by_upn is not None
    assert by_upn.address == "ann@contoso.com"
    assert by_proxy == by_upn  # the same directory object, id included
    assert graph.find_mailbox("nobody@contoso.com") is None


def test_a_wrong_secret_is_an_authentication_error_naming_the_aadsts_code(sims) -> None:
    with pytest.raises(AuthenticationError, match="AADSTS7000215"):
        client(sims, client_secret="wrong").find_mailbox("ann@contoso.com")


@pytest.mark.parametrize("status", [400, 409])
def test_an_existing_folder_is_found_whichever_status_the_tenant_uses(sims, status) -> None:
    sims.control("PATCH", "/m365/settings", {"folder_exists_status": status})
    graph = client(sims, client_secret="sim-graph-secret")
    first = graph.ensure_folder("ann@contoso.com", "Zoom Meetings")
    sims.control(
        "POST",
        "/faults",
        {
            "server": "m365",
            "method": "GET",
            "path": "childFolders",
            "action": "status",
            "status": 200,
            "body": {"value": []},
        },
    )  # the lookup misses: a race
    assert graph.ensure_folder("ann@contoso.com", "Zoom Meetings") == first


def test_an_unknown_mailbox_is_unavailable_and_access_denied_points_at_rbac(sims) -> None:
    graph = client(sims, client_secret="sim-graph-secret")
    with pytest.raises(MailboxUnavailableError):
        graph.ensure_folder("gone@contoso.com", "Zoom Meetings")
    # ann's mailbox is outside the app's Exchange RBAC scope.
    sims.control("PATCH", "/m365/settings", {"app_mailbox_scope": []})
    with pytest.raises(AuthenticationError, match="RBAC") as denied:
        graph.ensure_folder("ann@contoso.com", "Zoom Meetings")
    assert (denied.value.status, denied.value.code) == (403, "ErrorAccessDenied")


def test_a_lookup_refused_for_want_of_user_read_all_says_so(sims) -> None:
    sims.control("PATCH", "/m365/settings", {"app_roles": []})
    graph = client(sims, client_secret="sim-graph-secret")
    assert graph.granted_roles() == frozenset()
    with pytest.raises(AuthenticationError, match=r"User\.Read\.All") as refused:
        graph.find_mailbox("ann@contoso.com")
    assert refused.value.code == "Authorization_RequestDenied"


def test_a_full_mailbox_is_refused_once_not_retried_and_says_what_to_do(sims) -> None:
    graph = client(sims, client_secret="sim-graph-secret")
    folder = graph.ensure_folder("ann@contoso.com", "Zoom Meetings")
    sims.control("PATCH", "/m365/mailboxes/ann@contoso.com", {"quota_bytes": 100})
    sims.control("DELETE", "/counters")
    message = {"subject": "over quota", "body": {"contentType": "Text", "content": "x" * 500}}
    with pytest.raises(MailboxUnavailableError, match="the mailbox is full") as refused:
        graph.create_item("ann@contoso.com", folder, message)
    assert (refused.value.status, refused.value.code) == (507, "ErrorQuotaExceeded")
    creates = [
        n for route, n in sims.control("GET", "/counters")["m365"].items() if "messages" in route
    ]
    assert sum(creates) == 1  # a full mailbox is not retried as if it were a server error
    sims.control("PATCH", "/m365/mailboxes/ann@contoso.com", {"quota_bytes": None})
    assert graph.create_item("ann@contoso.com", folder, message)


def test_an_item_over_the_mailbox_message_size_fails_at_once_saying_what_to_change(sims) -> None:
    mib = 1024 * 1024
    graph = client(sims, client_secret="sim-graph-secret")
    folder = graph.ensure_folder("ann@contoso.com", "Zoom Meetings")
    item = graph.create_item("ann@contoso.com", folder, {"subject": "big recording"})
    sims.control("PATCH", "/m365/mailboxes/ann@contoso.com", {"max_message_bytes": 6 * mib})
    sims.control("DELETE", "/counters")
    data = b"v" * (10 * mib)
    with pytest.raises(MailboxUnavailableError, match="MaxReceiveSize") as refused:
        graph.upload_attachment(
            "ann@contoso.com",
            item,
            name="recording.mp4",
            content_type="video/mp4",
            size=len(data),
            read=lambda offset, length: data[offset : offset + length],
        )
    assert (refused.value.status, refused.value.code) == (400, "ErrorMessageSizeExceeded")
    puts = sum(sims.control("GET", "/counters").get("outlook", {}).values())
    assert puts == 2  # the first chunk, then the one that crossed the limit: no retries


# Entra's token endpoint, refused or broken: transient answers are transient errors, never a
# "refused sign-in" that stops delivery as if the credentials were wrong.
TOKEN_PATH = r"/oauth2/v2.0/token"


def token_fault(sims, **rule) -> None:
    sims.control(
        "POST",
        "/faults",
        {"server": "m365", "method": "POST", "path": TOKEN_PATH, "action": "status", **rule},
    )


def token_requests(sims) -> int:
    counted = sims.control("GET", "/counters").get("m365", {})
    return sum(n for route, n in counted.items() if "oauth2" in route)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def provider(sims, clock: Clock, **options) -> MsalTokenProvider:
    return MsalTokenProvider(
        **graph_app(sims),
        client_secret=sims.env()["GRAPH_CLIENT_SECRET"],
        client_certificate_pem=None,
        clock=clock,
        **options,
    )


@pytest.mark.parametrize(
    "answer",
    [
        {"text": "Too Many Requests"},  # what Entra sends a client-credentials caller
        {"body": {"error": "temporarily_unavailable", "error_codes": [50196]}},
    ],
    ids=["plain text", "oauth error"],
)
def test_entra_throttling_is_throttled_and_entra_is_not_asked_again_before_its_wait(
    sims, answer
) -> None:
    clock = Clock()
    tokens = provider(sims, clock)
    token_fault(sims, status=429, headers={"Retry-After": "60"}, **answer)
    sims.control("DELETE", "/counters")
    with pytest.raises(ThrottledError, match="Entra ID throttled") as throttled:
        tokens.token()
    assert (throttled.value.service, throttled.value.status) == ("entra", 429)
    assert throttled.value.retry_after == 60
    clock.now += 30
    with pytest.raises(ThrottledError) as again:
        tokens.token()
    assert again.value.retry_after == 30  # what is left of the wait Entra asked for
    assert token_requests(sims) == 1  # asked once, not hammered while it said to wait
    clock.now += 31
    assert tokens.token()
    assert token_requests(sims) == 2


def test_entra_throttling_without_retry_after_is_throttled_and_asked_again_at_once(sims) -> None:
    tokens = provider(sims, Clock())
    token_fault(sims, status=429, text="Too Many Requests")
    with pytest.raises(ThrottledError) as throttled:
        tokens.token()
    assert throttled.value.retry_after is None
    assert tokens.token()


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_an_entra_server_error_is_transient_naming_the_status(sims, status) -> None:
    tokens = provider(sims, Clock())
    token_fault(sims, status=status, body={"error": "server_error"})
    with pytest.raises(ServiceUnavailableError, match=f"Entra ID answered {status}") as down:
        tokens.token()
    assert (down.value.service, down.value.status) == ("entra", status)
    assert tokens.token()


def test_a_stalled_entra_times_out_as_unreachable_instead_of_hanging(sims) -> None:
    tokens = provider(sims, Clock(), timeout=1)
    sims.control(
        "POST",
        "/faults",
        {"server": "m365", "path": TOKEN_PATH, "action": "stall", "seconds": 3, "count": 1},
    )
    with pytest.raises(ServiceUnavailableError, match="Entra ID unreachable"):
        tokens.token()
    assert tokens.token()
