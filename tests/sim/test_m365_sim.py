"""Microsoft 365 simulator: Entra tokens, folders, items, upload sessions, throttling."""

from __future__ import annotations

import base64
import json
import threading
from pathlib import Path

import msal
import pytest
import requests

pytestmark = pytest.mark.integration
KEY_ID = "String {6f3c1c5e-5b7e-4c1a-9a43-0d5e2a7b9c11} Name ZoomMeetingKey"
OCTETS = {"Content-Type": "application/octet-stream"}


@pytest.fixture
def m365(simulators):
    simulators.control("POST", "/reset")
    simulators.control(
        "PATCH", "/m365/settings", {"concurrency_limit": 4, "folder_exists_status": 400}
    )
    simulators.control(
        "POST",
        "/m365/mailboxes",
        {"address": "ann@contoso.com", "proxyAddresses": ["smtp:a.alias@contoso.com"]},
    )
    return simulators


def app(sims, **credential) -> msal.ConfidentialClientApplication:
    i = sims.info
    return msal.ConfidentialClientApplication(
        i["graph_client_id"],
        authority=f"{i['authority_host']}/{i['graph_tenant_id']}",
        instance_discovery=False,
        **credential,
    )


def token(sims) -> str:
    result = app(sims, client_credential="sim-graph-secret").acquire_token_for_client(
        scopes=["https://127.0.0.1/.default"]
    )
    return result["access_token"]


def graph(sims, method: str, path: str, tok: str | None = None, headers=None, **kw):
    headers = {"Authorization": f"Bearer {tok or token(sims)}", **(headers or {})}
    return requests.request(
        method,
        sims.info["graph_url"] + path,
        headers=headers,
        timeout=10,
        verify=sims.info["ca_bundle"],
        **kw,
    )


def test_msal_gets_a_token_with_a_certificate_assertion(m365, monkeypatch) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", m365.info["ca_bundle"])
    pem = Path(m365.info["graph_client_certificate"]).read_text()
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    cert = x509.load_pem_x509_certificate(pem.encode())
    result = app(
        m365,
        client_credential={
            "private_key": pem,
            "thumbprint": cert.fingerprint(hashes.SHA1()).hex(),  # noqa: S303
            "public_certificate": pem,
        },
    ).acquire_token_for_client(scopes=["https://x/.default"])
    assert "access_token" in result


def test_a_wrong_secret_gets_aadsts7000215(m365, monkeypatch) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", m365.info["ca_bundle"])
    result = app(m365, client_credential="wrong").acquire_token_for_client(
        scopes=["https://x/.default"]
    )
    assert result["error_codes"] == [7000215]


def test_expired_tokens_get_invalid_authentication_token(m365, monkeypatch) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", m365.info["ca_bundle"])
    tok = token(m365)
    m365.control("POST", "/m365/tokens/expire")
    answer = graph(m365, "GET", "/users/ann@contoso.com", tok)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "InvalidAuthenticationToken"


@pytest.fixture
def tok(m365, monkeypatch) -> str:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", m365.info["ca_bundle"])
    return token(m365)


def test_users_are_found_by_proxy_address_and_unknown_ones_are_404(m365, tok) -> None:
    found = graph(
        m365,
        "GET",
        "/users",
        tok,
        params={"$filter": "proxyAddresses/any(x:x eq 'smtp:a.alias@contoso.com')"},
    ).json()["value"]
    assert found[0]["mail"] == "ann@contoso.com"
    assert graph(m365, "GET", "/users/nobody@contoso.com", tok).status_code == 404


@pytest.mark.parametrize("status", [400, 409])
def test_a_duplicate_folder_is_error_folder_exists(m365, tok, status: int) -> None:
    m365.control("PATCH", "/m365/settings", {"folder_exists_status": status})
    url = "/users/ann@contoso.com/mailFolders/inbox/childFolders"
    assert graph(m365, "POST", url, tok, json={"displayName": "Zoom Meetings"}).status_code == 201
    again = graph(m365, "POST", url, tok, json={"displayName": "zoom meetings"})
    assert (again.status_code, again.json()["error"]["code"]) == (status, "ErrorFolderExists")


def test_an_item_is_a_draft_unless_message_flags_are_set_at_creation(m365, tok) -> None:
    url = "/users/ann@contoso.com/mailFolders/inbox/messages"
    draft = graph(m365, "POST", url, tok, json={"subject": "a"}).json()
    sent = graph(
        m365,
        "POST",
        url,
        tok,
        json={
            "subject": "b",
            "singleValueExtendedProperties": [
                {"id": "Integer 0x0E07", "value": "1"},
                {"id": KEY_ID, "value": "k1"},
            ],
        },
    ).json()
    mime = graph(
        m365,
        "POST",
        url,
        tok,
        data=base64.b64encode(b"Subject: x\r\n\r\nhi"),
        headers={"Content-Type": "text/plain"},
    )
    assert (draft["isDraft"], sent["isDraft"], mime.json()["isDraft"]) == (True, False, True)
    flt = f"singleValueExtendedProperties/Any(ep: ep/id eq '{KEY_ID}' and ep/value eq 'k1')"
    found = graph(m365, "GET", url, tok, params={"$filter": flt}).json()["value"]
    assert [f["id"] for f in found] == [sent["id"]]


def test_only_five_x_headers_and_small_bodies_are_accepted(m365, tok) -> None:
    url = "/users/ann@contoso.com/mailFolders/inbox/messages"
    bad = graph(
        m365, "POST", url, tok, json={"internetMessageHeaders": [{"name": "Subject", "value": "x"}]}
    )
    assert bad.json()["error"]["code"] == "InvalidInternetMessageHeader"
    unknown = graph(m365, "POST", url, tok, json={"notAField": 1})
    assert unknown.status_code == 400
    huge = graph(m365, "POST", url, tok, json={"subject": "x" * (4 * 1024 * 1024 + 10)})
    assert huge.status_code == 413


def test_upload_sessions_follow_the_documented_rules(m365, tok) -> None:
    item = graph(
        m365,
        "POST",
        "/users/ann@contoso.com/mailFolders/inbox/messages",
        tok,
        json={"subject": "u"},
    ).json()
    base = f"/users/ann@contoso.com/messages/{item['id']}/attachments/createUploadSession"
    small = graph(
        m365,
        "POST",
        base,
        tok,
        json={"AttachmentItem": {"attachmentType": "file", "name": "s", "size": 1000}},
    )
    assert small.json()["error"]["code"] == "ErrorAttachmentSizeShouldNotBeLessThanMinimumSize"
    size = 5 * 1024 * 1024
    session = graph(
        m365,
        "POST",
        base,
        tok,
        json={"AttachmentItem": {"attachmentType": "file", "name": "big.bin", "size": size}},
    ).json()
    url = session["uploadUrl"]
    assert url.startswith("https://localhost:")
    ca = m365.info["ca_bundle"]
    data = bytes(range(256)) * (size // 256)
    out_of_order = requests.put(
        url,
        data=data[:10],
        verify=ca,
        timeout=10,
        headers={**OCTETS, "Content-Range": f"bytes 10-19/{size}"},
    )
    assert out_of_order.status_code == 416
    too_big = requests.put(
        url,
        data=data[: 4 * 1024 * 1024 + 1],
        verify=ca,
        timeout=30,
        headers={**OCTETS, "Content-Range": f"bytes 0-{4 * 1024 * 1024}/{size}"},
    )
    assert too_big.status_code == 413
    chunk = 3 * 1024 * 1024
    first = requests.put(
        url,
        data=data[:chunk],
        verify=ca,
        timeout=30,
        headers={**OCTETS, "Content-Range": f"bytes 0-{chunk - 1}/{size}"},
    )
    assert first.json()["nextExpectedRanges"] == [f"{chunk}"]
    assert requests.get(url, verify=ca, timeout=10).json()["nextExpectedRanges"] == [f"{chunk}"]
    last = requests.put(
        url,
        data=data[chunk:],
        verify=ca,
        timeout=30,
        headers={**OCTETS, "Content-Range": f"bytes {chunk}-{size - 1}/{size}"},
    )
    assert last.status_code == 201
    [attachment] = m365.control("GET", "/m365/mailboxes/ann@contoso.com/items?folder=Inbox")[
        "items"
    ][0]["attachments"]
    import hashlib

    assert attachment["sha256"] == hashlib.sha256(data).hexdigest()


def test_a_fifth_concurrent_request_on_a_mailbox_is_throttled(m365, tok) -> None:
    m365.control("PATCH", "/m365/settings", {"latency_ms": 1500})
    statuses: list[int] = []

    def one() -> None:
        answer = graph(m365, "GET", "/users/ann@contoso.com/mailFolders/inbox/childFolders", tok)
        statuses.append(answer.status_code)

    threads = [threading.Thread(target=one) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    m365.control("PATCH", "/m365/settings", {"latency_ms": 0})
    assert statuses.count(429) >= 1
    assert statuses.count(200) >= 4


def test_batch_answers_each_request_and_fails_dependents_with_424(m365, tok) -> None:
    requests_ = [
        {"id": "1", "method": "GET", "url": "/users/ann@contoso.com"},
        {"id": "2", "method": "GET", "url": "/users/nobody@contoso.com/mailFolders/inbox"},
        {"id": "3", "method": "GET", "url": "/users/ann@contoso.com", "dependsOn": ["2"]},
    ]
    answer = graph(m365, "POST", "/$batch", tok, json={"requests": requests_})
    assert answer.status_code == 200
    statuses = {r["id"]: r["status"] for r in answer.json()["responses"]}
    assert statuses == {"1": 200, "2": 404, "3": 424}


def test_a_batch_over_twenty_requests_is_refused(m365, tok) -> None:
    many = [{"id": str(i), "method": "GET", "url": "/users/ann@contoso.com"} for i in range(21)]
    assert graph(m365, "POST", "/$batch", tok, json={"requests": many}).status_code == 400


def test_the_request_budget_per_mailbox_answers_429_with_retry_after(m365, tok) -> None:
    m365.control("PATCH", "/m365/settings", {"mailbox_request_budget": 3})
    try:
        answers = [
            graph(m365, "GET", "/users/ann@contoso.com/mailFolders/inbox", tok) for _ in range(4)
        ]
    finally:
        m365.control("PATCH", "/m365/settings", {"mailbox_request_budget": 10000})
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert int(answers[-1].headers["Retry-After"]) > 0


def test_an_assertion_signed_by_an_unregistered_certificate_is_refused(
    m365, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", m365.info["ca_bundle"])
    from sim.m365.entra import make_certificate

    make_certificate(tmp_path / "other.pem")
    pem = (tmp_path / "other.pem").read_text()
    result = app(
        m365, client_credential={"private_key": pem, "public_certificate": pem}
    ).acquire_token_for_client(scopes=["https://x/.default"])
    assert result["error_codes"] == [700027]


def test_an_expired_client_assertion_is_refused_with_aadsts700024(m365) -> None:
    import hashlib
    import time
    import uuid

    import jwt
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    info = m365.info
    pem = Path(info["graph_client_certificate"]).read_text().encode()
    der = x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)
    x5t = base64.urlsafe_b64encode(hashlib.sha1(der).digest()).decode().rstrip("=")  # noqa: S324
    url = f"{info['authority_host']}/{info['graph_tenant_id']}/oauth2/v2.0/token"
    now = int(time.time())
    client = info["graph_client_id"]
    claims = {"aud": url, "iss": client, "sub": client, "jti": str(uuid.uuid4())}
    expired = jwt.encode(
        {**claims, "nbf": now - 7200, "exp": now - 3600},
        serialization.load_pem_private_key(pem, password=None),  # type: ignore[arg-type]
        algorithm="RS256",
        headers={"x5t": x5t},
    )
    answer = requests.post(
        url,
        data={
            "client_id": client,
            "grant_type": "client_credentials",
            "scope": "https://graph.microsoft.com/.default",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": expired,
        },
        timeout=10,
        verify=info["ca_bundle"],
    )
    assert answer.status_code == 401
    assert answer.json()["error_codes"] == [700024]


def upload_session(m365, tok, size: int) -> dict:
    """A new item in ann's inbox and an upload session for a `size`-byte attachment on it."""
    item = graph(
        m365,
        "POST",
        "/users/ann@contoso.com/mailFolders/inbox/messages",
        tok,
        json={"subject": "b"},
    ).json()
    return graph(
        m365,
        "POST",
        f"/users/ann@contoso.com/messages/{item['id']}/attachments/createUploadSession",
        tok,
        json={"AttachmentItem": {"attachmentType": "file", "name": "b.bin", "size": size}},
    ).json()


def test_the_upload_byte_budget_per_mailbox_answers_429_with_retry_after(m365, tok) -> None:
    size = 6 * 1024 * 1024
    session = upload_session(m365, tok, size)
    chunk = 4 * 1024 * 1024
    data = b"x" * size
    m365.control("PATCH", "/m365/settings", {"upload_bytes_budget": 5 * 1024 * 1024})
    try:
        answers = [
            requests.put(
                session["uploadUrl"],
                data=data[start:end],
                headers={**OCTETS, "Content-Range": f"bytes {start}-{end - 1}/{size}"},
                timeout=10,
                verify=m365.info["ca_bundle"],
            )
            for start, end in ((0, chunk), (chunk, size))
        ]
    finally:
        m365.control("PATCH", "/m365/settings", {"upload_bytes_budget": 150 * 1024 * 1024})
    assert [a.status_code for a in answers] == [200, 429]
    assert int(answers[1].headers["Retry-After"]) > 0


def test_a_mailbox_over_its_quota_answers_507_error_quota_exceeded(m365, tok) -> None:
    m365.control("PATCH", "/m365/mailboxes/ann@contoso.com", {"quota_bytes": 5000})
    url = "/users/ann@contoso.com/mailFolders/inbox/messages"
    small = graph(m365, "POST", url, tok, json={"subject": "fits"})
    large = graph(m365, "POST", url, tok, json={"subject": "big", "body": {"content": "x" * 6000}})
    assert small.status_code == 201
    assert large.status_code == 507
    assert large.json()["error"]["code"] == "ErrorQuotaExceeded"


def claims(access_token: str) -> dict:
    payload = access_token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_access_tokens_are_jwts_carrying_the_consented_roles(m365, tok) -> None:
    seen = claims(tok)
    assert seen["roles"] == ["User.Read.All"]
    assert seen["aud"] == "https://graph.microsoft.com"
    assert seen["tid"] == m365.info["graph_tenant_id"]
    assert seen["appid"] == m365.info["graph_client_id"]
    assert seen["idtyp"] == "app"
    m365.control("PATCH", "/m365/settings", {"app_roles": []})
    assert "roles" not in claims(token(m365))  # Entra leaves the claim out when none


def test_without_a_directory_permission_user_lookups_are_refused(m365, monkeypatch) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", m365.info["ca_bundle"])
    m365.control("PATCH", "/m365/settings", {"app_roles": []})
    tok = token(m365)
    for params in ({}, {"$filter": "mail eq 'ann@contoso.com'"}):
        path = "/users/ann@contoso.com" if not params else "/users"
        answer = graph(m365, "GET", path, tok, params=params)
        assert answer.status_code == 403
        assert answer.json()["error"]["code"] == "Authorization_RequestDenied"
    # Mail access comes from Exchange RBAC, not from a directory permission.
    assert graph(m365, "GET", "/users/ann@contoso.com/mailFolders/inbox", tok).status_code == 200


def test_a_mailbox_outside_the_rbac_scope_is_access_denied(m365, monkeypatch) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", m365.info["ca_bundle"])
    m365.control("POST", "/m365/mailboxes", {"address": "bob@contoso.com"})
    m365.control("PATCH", "/m365/settings", {"app_mailbox_scope": ["Ann@contoso.com"]})
    tok = token(m365)
    assert graph(m365, "GET", "/users/ann@contoso.com/mailFolders/inbox", tok).status_code == 200
    denied = graph(m365, "GET", "/users/bob@contoso.com/mailFolders/inbox", tok)
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "ErrorAccessDenied"
    batch = [{"id": "1", "method": "GET", "url": "/users/bob@contoso.com/mailFolders/inbox"}]
    answer = graph(m365, "POST", "/$batch", tok, json={"requests": batch}).json()
    assert answer["responses"][0]["status"] == 403
    # The user object is directory data: readable with User.Read.All whatever the mail scope.
    assert graph(m365, "GET", "/users/bob@contoso.com", tok).status_code == 200
    # A tenant-wide Mail.ReadWrite consent opens every mailbox, whatever the RBAC scope says.
    m365.control("PATCH", "/m365/settings", {"app_roles": ["User.Read.All", "Mail.ReadWrite"]})
    wide = token(m365)
    assert graph(m365, "GET", "/users/bob@contoso.com/mailFolders/inbox", wide).status_code == 200


def test_an_item_past_the_mailbox_message_size_answers_error_message_size_exceeded(
    m365, tok
) -> None:
    mib = 1024 * 1024
    m365.control("PATCH", "/m365/mailboxes/ann@contoso.com", {"max_message_bytes": 5 * mib})
    size = 6 * mib
    session = upload_session(m365, tok, size)
    ca, data = m365.info["ca_bundle"], b"x" * size

    def put(start: int, end: int) -> requests.Response:
        return requests.put(
            session["uploadUrl"],
            data=data[start:end],
            verify=ca,
            timeout=30,
            headers={**OCTETS, "Content-Range": f"bytes {start}-{end - 1}/{size}"},
        )

    # The session is accepted and the first chunk taken; the chunk that crosses the limit is not.
    assert put(0, 4 * mib).status_code == 200
    refused = put(4 * mib, size)
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "ErrorMessageSizeExceeded"
    [stored] = m365.control("GET", "/m365/mailboxes/ann@contoso.com/items?folder=Inbox")["items"]
    assert stored["attachments"] == []
