"""Microsoft 365 simulator: the real-world shapes of shared/reference/real-world-shapes.md #11-#18,
and the control routes the product's privacy checks read."""

from __future__ import annotations

import base64
import time
from urllib.parse import urlsplit

import pytest
import requests

from tests.sim.support import graph, graph_token

pytestmark = pytest.mark.integration
MIB = 1024 * 1024
KEY_ID = "String {6f3c1c5e-5b7e-4c1a-9a43-0d5e2a7b9c11} Name ZoomMeetingKey"
OCTETS = {"Content-Type": "application/octet-stream"}
INBOX = "/users/ann@contoso.com/mailFolders/inbox/messages"


@pytest.fixture
def m365(simulators, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", simulators.info["ca_bundle"])
    simulators.control("POST", "/reset")
    simulators.control("POST", "/m365/mailboxes", {"address": "ann@contoso.com"})
    simulators.control(
        "POST",
        "/m365/mailboxes",
        {
            "address": "xi@contoso.com",
            "userPrincipalName": "xi.user@contoso.onmicrosoft.com",
            "proxyAddresses": ["smtp:xi.alias@contoso.com"],
        },
    )
    return simulators


@pytest.fixture
def tok(m365) -> str:
    return graph_token(m365)


def new_item(sims, tok: str, **fields) -> dict:
    answer = graph(sims, "POST", INBOX, tok, json={"subject": "s", **fields})
    assert answer.status_code == 201, answer.text
    return answer.json()


def new_session(sims, tok: str, size: int) -> str:
    item = new_item(sims, tok)
    answer = graph(
        sims,
        "POST",
        f"/users/ann@contoso.com/messages/{item['id']}/attachments/createUploadSession",
        tok,
        json={"AttachmentItem": {"attachmentType": "file", "name": "f.bin", "size": size}},
    )
    return answer.json()["uploadUrl"]


def put(sims, url: str, data: bytes, start: int, total: int, **headers) -> requests.Response:
    return requests.put(
        url,
        data=data,
        headers={
            **OCTETS,
            "Content-Range": f"bytes {start}-{start + len(data) - 1}/{total}",
            **headers,
        },
        timeout=60,
        verify=sims.info["ca_bundle"],
    )


# -- #11 paths take the id or the UPN ---------------------------------------------------------
def test_a_users_path_with_a_mail_that_differs_from_the_upn_is_404(m365, tok) -> None:
    """real-world-shapes.md #11: /users/{mail} answers 404 when mail ≠ UPN: the directory
    with Request_ResourceNotFound, mail paths with ErrorInvalidUser."""
    user = graph(m365, "GET", "/users/xi@contoso.com", tok)
    assert (user.status_code, user.json()["error"]["code"]) == (404, "Request_ResourceNotFound")
    mail = graph(m365, "GET", "/users/xi@contoso.com/mailFolders/inbox", tok)
    assert (mail.status_code, mail.json()["error"]["code"]) == (404, "ErrorInvalidUser")


def test_users_paths_take_the_id_or_the_upn(m365, tok) -> None:
    """real-world-shapes.md #11: paths take the user's id or userPrincipalName."""
    by_upn = graph(m365, "GET", "/users/xi.user@contoso.onmicrosoft.com", tok).json()
    assert by_upn["mail"] == "xi@contoso.com"
    for key in (by_upn["id"], by_upn["userPrincipalName"]):
        assert graph(m365, "GET", f"/users/{key}/mailFolders/inbox", tok).status_code == 200


@pytest.mark.parametrize(
    "flt", ["mail eq 'xi@contoso.com'", "proxyAddresses/any(x:x eq 'smtp:xi.alias@contoso.com')"]
)
def test_a_mail_or_proxy_address_filter_resolves_to_id_mail_and_upn(m365, tok, flt: str) -> None:
    """real-world-shapes.md #11: resolve a participant's address to the directory object."""
    [user] = graph(m365, "GET", "/users", tok, params={"$filter": flt}).json()["value"]
    assert user["mail"] == "xi@contoso.com"
    assert user["userPrincipalName"] == "xi.user@contoso.onmicrosoft.com"
    assert user["id"]


def test_the_upn_defaults_to_the_address(m365, tok) -> None:
    """real-world-shapes.md #11: a mailbox seeded without userPrincipalName has UPN = mail."""
    user = graph(m365, "GET", "/users/ann@contoso.com", tok).json()
    assert user["userPrincipalName"] == "ann@contoso.com"


def test_the_control_api_takes_the_mail_the_upn_or_the_id(m365) -> None:
    """real-world-shapes.md #11: /m365/mailboxes/{address}/… accept mail, UPN or id."""
    [box] = [
        b
        for b in m365.control("GET", "/m365/mailboxes")["mailboxes"]
        if b["address"] == "xi@contoso.com"
    ]
    for key in ("xi@contoso.com", "xi.user@contoso.onmicrosoft.com", box["id"]):
        assert m365.control("GET", f"/m365/mailboxes/{key}/folders")["folders"]


# -- #12 the upload budget counts every upload-like request -----------------------------------
def test_creating_items_counts_against_the_upload_budget(m365, tok) -> None:
    """real-world-shapes.md #12: the 150 MB / 5 min budget counts POSTs (item creation with
    inline attachments) too, not only upload-session chunks."""
    m365.control("PATCH", "/m365/settings", {"upload_bytes_budget": 200_000})
    inline = {"name": "a.txt", "contentBytes": base64.b64encode(b"a" * 90_000).decode()}
    doc = {
        "subject": "s",
        "attachments": [{"@odata.type": "#microsoft.graph.fileAttachment", **inline}],
    }
    answers = [graph(m365, "POST", INBOX, tok, json=doc) for _ in range(2)]
    assert [a.status_code for a in answers] == [201, 429]
    assert answers[1].json()["error"]["code"] == "ApplicationThrottled"
    assert int(answers[1].headers["Retry-After"]) > 0


def test_attachment_posts_count_against_the_upload_budget(m365, tok) -> None:
    """real-world-shapes.md #12: an attachment POST is upload-like too."""
    item = new_item(m365, tok)
    m365.control("PATCH", "/m365/settings", {"upload_bytes_budget": 150_000})
    url = f"/users/ann@contoso.com/messages/{item['id']}/attachments"
    body = {"name": "b", "contentBytes": base64.b64encode(b"b" * 80_000).decode()}
    assert [graph(m365, "POST", url, tok, json=body).status_code for _ in range(2)] == [201, 429]


# -- #13 the default MaxReceiveSize is 35 MB --------------------------------------------------
def test_a_new_mailbox_has_exchange_onlines_default_35_mb_message_size(m365) -> None:
    """real-world-shapes.md #13: the default simulated mailbox has the real default."""
    sizes = {
        b["address"]: b["max_message_bytes"]
        for b in m365.control("GET", "/m365/mailboxes")["mailboxes"]
    }
    assert sizes["ann@contoso.com"] == 35 * MIB


def test_an_attachment_past_35_mb_is_refused_until_an_admin_raises_the_limit(m365, tok) -> None:
    """real-world-shapes.md #13: an item growing past 35 MB answers ErrorMessageSizeExceeded;
    tests raise the limit as an admin would (Set-Mailbox -MaxReceiveSize)."""
    size, chunk = 40 * MIB, 4 * MIB
    url = new_session(m365, tok, size)
    data = b"z" * chunk
    statuses = [
        put(m365, url, data, start, size).status_code for start in range(0, 36 * MIB, chunk)
    ]
    assert statuses == [200] * 8 + [400]
    m365.control("PATCH", "/m365/mailboxes/ann@contoso.com", {"max_message_bytes": 150 * MIB})
    assert put(m365, url, data, 32 * MIB, size).status_code == 200


# -- #14 upload-session PUTs ------------------------------------------------------------------
def test_an_upload_put_without_an_octet_stream_content_type_is_refused(m365, tok) -> None:
    """real-world-shapes.md #14: PUTs carry Content-Type: application/octet-stream (what
    Outlook does without it is undocumented: refused with 400 here)."""
    url = new_session(m365, tok, 4 * MIB)
    answer = put(m365, url, b"x" * MIB, 0, 4 * MIB, **{"Content-Type": "application/json"})
    assert answer.status_code == 400
    assert put(m365, url, b"x" * MIB, 0, 4 * MIB).status_code == 200


def test_an_intermediate_answer_is_the_expiry_and_the_next_offset_only(m365, tok) -> None:
    """real-world-shapes.md #14: intermediate answers are {"expirationDateTime": …,
    "nextExpectedRanges": ["2097152"]}; GET on the uploadUrl says the same."""
    url = new_session(m365, tok, 4 * MIB)
    answer = put(m365, url, b"x" * (2 * MIB), 0, 4 * MIB).json()
    assert set(answer) == {"expirationDateTime", "nextExpectedRanges"}
    assert answer["nextExpectedRanges"] == ["2097152"]
    assert requests.get(url, timeout=10).json()["nextExpectedRanges"] == ["2097152"]


def test_the_final_put_is_201_with_an_absolute_location(m365, tok) -> None:
    """real-world-shapes.md #14: the final answer is 201 with an absolute Location naming the
    attachment."""
    url = new_session(m365, tok, 3 * MIB)
    answer = put(m365, url, b"y" * (3 * MIB), 0, 3 * MIB)
    assert answer.status_code == 201
    location = answer.headers["Location"]
    assert urlsplit(location).scheme == "https"
    assert urlsplit(location).netloc == urlsplit(url).netloc
    [item] = m365.control("GET", "/m365/mailboxes/ann@contoso.com/items?folder=Inbox")["items"]
    assert location.endswith(f"/Attachments('{item['attachments'][0]['id']}')")


def test_a_completed_session_answers_404_to_put_and_get(m365, tok) -> None:
    """real-world-shapes.md #14: after a lost reply to the last chunk, the session is gone."""
    url = new_session(m365, tok, 3 * MIB)
    data = b"y" * (3 * MIB)
    assert put(m365, url, data, 0, 3 * MIB).status_code == 201
    assert put(m365, url, data, 0, 3 * MIB).status_code == 404
    assert requests.get(url, timeout=10).status_code == 404


# -- #15 extended-property filters ------------------------------------------------------------
def keyed(sims, tok: str, value: str) -> str:
    props = [{"id": "Integer 0x0E07", "value": "1"}, {"id": KEY_ID, "value": value}]
    return new_item(sims, tok, singleValueExtendedProperties=props)["id"]


def find(sims, tok: str, prop_id: str, test: str) -> list[str]:
    flt = f"singleValueExtendedProperties/Any(ep: ep/id eq '{prop_id}' and {test})"
    answer = graph(sims, "GET", INBOX, tok, params={"$filter": flt})
    assert answer.status_code == 200, answer.text
    return [i["id"] for i in answer.json()["value"]]


def test_the_property_name_is_case_sensitive_and_the_value_is_not(m365, tok) -> None:
    """real-world-shapes.md #15: the name part of the id is case-sensitive, the value
    comparison case-insensitive."""
    item = keyed(m365, tok, "Meeting-ABC")
    assert find(m365, tok, KEY_ID, "ep/value eq 'meeting-abc'") == [item]
    other_case = "string {6F3C1C5E-5B7E-4C1A-9A43-0D5E2A7B9C11} name ZoomMeetingKey"
    assert find(m365, tok, other_case, "ep/value eq 'Meeting-ABC'") == [item]
    name_case = KEY_ID.replace("ZoomMeetingKey", "zoommeetingkey")
    assert find(m365, tok, name_case, "ep/value eq 'Meeting-ABC'") == []


@pytest.mark.parametrize(
    ("test", "matches"),
    [
        ("ep/value ne 'meeting-abc'", ["other"]),
        ("startswith(ep/value, 'MEETING-')", ["abc"]),
        ("contains(ep/value, 'ABC')", ["abc"]),
    ],
)
def test_ne_startswith_and_contains_are_supported(m365, tok, test: str, matches: list[str]) -> None:
    """real-world-shapes.md #15: eq, ne, startswith and contains are supported."""
    ids = {"abc": keyed(m365, tok, "Meeting-ABC"), "other": keyed(m365, tok, "Other-1")}
    assert find(m365, tok, KEY_ID, test) == [ids[m] for m in matches]


# -- #16 internetMessageHeaders ---------------------------------------------------------------
def headers(n: int, value: str = "v") -> list[dict]:
    return [{"name": f"x-h{i}", "value": value} for i in range(n)]


def test_more_than_five_headers_is_invalid_internet_message_header_collection(m365, tok) -> None:
    """real-world-shapes.md #16: more than 5 internetMessageHeaders → 400
    InvalidInternetMessageHeaderCollection."""
    assert (
        graph(m365, "POST", INBOX, tok, json={"internetMessageHeaders": headers(5)}).status_code
        == 201
    )
    answer = graph(m365, "POST", INBOX, tok, json={"internetMessageHeaders": headers(6)})
    assert answer.status_code == 400
    assert answer.json()["error"] == {
        **answer.json()["error"],
        "code": "InvalidInternetMessageHeaderCollection",
        "message": "Maximum number of headers in one message should be less than or equal to 5.",
    }


def test_headers_over_256_kb_are_refused(m365, tok) -> None:
    """real-world-shapes.md #16: headers are capped at 256 KB per message."""
    fits = graph(
        m365, "POST", INBOX, tok, json={"internetMessageHeaders": headers(2, "a" * 100_000)}
    )
    assert fits.status_code == 201
    over = graph(
        m365, "POST", INBOX, tok, json={"internetMessageHeaders": headers(3, "a" * 100_000)}
    )
    assert over.status_code == 400
    assert over.json()["error"]["code"] == "InvalidInternetMessageHeaderCollection"


def test_an_empty_header_collection_is_refused_too(m365, tok) -> None:
    """real-world-shapes.md #16: the collection rule also refuses an empty list (reported,
    msgraph-sdk-dotnet#2208); leaving the property out is fine."""
    answer = graph(m365, "POST", INBOX, tok, json={"subject": "s", "internetMessageHeaders": []})
    assert answer.json()["error"]["code"] == "InvalidInternetMessageHeaderCollection"


# -- #17 $batch -------------------------------------------------------------------------------
def batch(sims, tok: str, reqs: list[dict]) -> requests.Response:
    return graph(sims, "POST", "/$batch", tok, json={"requests": reqs})


def test_a_batch_request_with_a_body_but_no_content_type_fails_the_batch(m365, tok) -> None:
    """real-world-shapes.md #17: a request with a body needs its own Content-Type header;
    Graph refuses the whole batch ("Write request id : 2 does not contain Content-Type header
    or body.")."""
    reqs = [
        {"id": "1", "method": "GET", "url": "/users/ann@contoso.com"},
        {"id": "2", "method": "POST", "url": INBOX, "body": {"subject": "x"}},
    ]
    answer = batch(m365, tok, reqs)
    assert answer.status_code == 400
    assert "Write request id : 2" in answer.json()["error"]["message"]
    reqs[1]["headers"] = {"Content-Type": "application/json"}
    statuses = {r["id"]: r["status"] for r in batch(m365, tok, reqs).json()["responses"]}
    assert statuses == {"1": 200, "2": 201}


def test_a_batch_runs_at_most_four_requests_of_a_mailbox_at_once(m365, tok) -> None:
    """real-world-shapes.md #17: Outlook runs up to 4 requests of a batch in parallel per
    mailbox: eight 0.5 s requests take two rounds, none throttled."""
    m365.control("PATCH", "/m365/settings", {"latency_ms": 500})
    reqs = [
        {"id": str(i), "method": "GET", "url": "/users/ann@contoso.com/mailFolders/inbox"}
        for i in range(8)
    ]
    started = time.monotonic()
    answer = batch(m365, tok, reqs).json()
    elapsed = time.monotonic() - started
    m365.control("PATCH", "/m365/settings", {"latency_ms": 0})
    assert sorted(r["status"] for r in answer["responses"]) == [200] * 8
    assert 0.9 < elapsed < 3.0


def test_each_request_of_a_batch_is_throttled_on_its_own(m365, tok) -> None:
    """real-world-shapes.md #17: an inner request can be a 429 inside a 200 batch answer."""
    m365.control("PATCH", "/m365/settings", {"mailbox_request_budget": 2})
    reqs = [
        {"id": str(i), "method": "GET", "url": "/users/ann@contoso.com/mailFolders/inbox"}
        for i in range(3)
    ]
    answer = batch(m365, tok, reqs)
    m365.control("PATCH", "/m365/settings", {"mailbox_request_budget": 10000})
    assert answer.status_code == 200
    throttled = [r for r in answer.json()["responses"] if r["status"] == 429]
    assert len(throttled) == 1
    assert int(throttled[0]["headers"]["Retry-After"]) > 0


def test_fault_rules_also_match_requests_inside_a_batch(m365, tok) -> None:
    """real-world-shapes.md #17: a throttled inner request can be injected by its own path."""
    m365.control(
        "POST",
        "/faults",
        {
            "server": "m365",
            "path": "/mailFolders/inbox$",
            "action": "status",
            "status": 429,
            "headers": {"Retry-After": "3"},
        },
    )
    reqs = [
        {"id": "a", "method": "GET", "url": "/users/ann@contoso.com"},
        {"id": "b", "method": "GET", "url": "/users/ann@contoso.com/mailFolders/inbox"},
    ]
    statuses = {r["id"]: r["status"] for r in batch(m365, tok, reqs).json()["responses"]}
    assert statuses == {"a": 200, "b": 429}


def test_batch_ids_must_be_unique(m365, tok) -> None:
    """real-world-shapes.md #17: Graph's batch rules: ids unique within the batch."""
    reqs = [{"id": "1", "method": "GET", "url": "/users/ann@contoso.com"}] * 2
    assert batch(m365, tok, reqs).status_code == 400


# -- #18 paging -------------------------------------------------------------------------------
def all_pages(sims, tok: str, path: str, **params) -> tuple[list[dict], list[str]]:
    """Every item of a collection and the nextLinks followed."""
    answer = graph(sims, "GET", path, tok, params=params).json()
    items, links = list(answer["value"]), []
    while "@odata.nextLink" in answer:
        links.append(answer["@odata.nextLink"])
        answer = graph(sims, "GET", links[-1], tok).json()
        items += answer["value"]
    return items, links


def test_messages_page_by_ten_with_an_absolute_next_link_on_the_graph_host(m365, tok) -> None:
    """real-world-shapes.md #18: lists page with @odata.nextLink; messages 10 by default; the
    nextLink is an absolute URL on the Graph host."""
    made = {new_item(m365, tok)["id"] for _ in range(12)}
    first = graph(m365, "GET", INBOX, tok).json()
    assert len(first["value"]) == 10
    assert first["@odata.nextLink"].startswith(m365.info["graph_url"] + "/users/")
    items, links = all_pages(m365, tok, INBOX)
    assert {i["id"] for i in items} == made
    assert len(links) == 1


def test_top_sets_the_page_size(m365, tok) -> None:
    """real-world-shapes.md #18: $top is honoured (messages: up to 1000) and kept in the
    nextLink."""
    for _ in range(5):
        new_item(m365, tok)
    items, links = all_pages(m365, tok, INBOX, **{"$top": "2"})
    assert (len(items), len(links)) == (5, 2)
    assert all("%24top=2" in link or "$top=2" in link for link in links)


def test_users_page_by_skiptoken_and_refuse_a_top_over_999(m365, tok) -> None:
    """real-world-shapes.md #18: users page too (default 100, $top at most 999)."""
    for i in range(3):
        m365.control("POST", "/m365/mailboxes", {"address": f"u{i}@contoso.com"})
    items, links = all_pages(m365, tok, "/users", **{"$top": "2"})
    assert len(items) == 5
    assert "skiptoken" in links[0]
    too_many = graph(m365, "GET", "/users", tok, params={"$top": "1000"})
    assert too_many.status_code == 400


def test_child_folders_and_attachments_page_by_ten(m365, tok) -> None:
    """real-world-shapes.md #18: childFolders and attachments page with @odata.nextLink."""
    url = "/users/ann@contoso.com/mailFolders/inbox/childFolders"
    for i in range(11):
        graph(m365, "POST", url, tok, json={"displayName": f"f{i}"})
    folders, links = all_pages(m365, tok, url)
    assert (len(folders), len(links)) == (11, 1)
    item = new_item(m365, tok)
    att_url = f"/users/ann@contoso.com/messages/{item['id']}/attachments"
    for i in range(11):
        graph(m365, "POST", att_url, tok, json={"name": f"a{i}", "contentBytes": "eA=="})
    attachments, links = all_pages(m365, tok, att_url)
    assert (len(attachments), len(links)) == (11, 1)


# -- control routes for privacy checks --------------------------------------------------------
def test_the_item_listing_shows_body_recipients_and_attachment_ids(m365, tok) -> None:
    """Control API: items carry body, toRecipients and each attachment's id."""
    to = [{"emailAddress": {"address": "bob@contoso.com"}}]
    new_item(
        m365,
        tok,
        body={"contentType": "HTML", "content": "<p>hi</p>"},
        toRecipients=to,
        attachments=[{"name": "c.txt", "contentBytes": base64.b64encode(b"chat").decode()}],
    )
    [item] = m365.control("GET", "/m365/mailboxes/ann@contoso.com/items?folder=Inbox")["items"]
    assert item["body"] == {"contentType": "HTML", "content": "<p>hi</p>"}
    assert item["toRecipients"] == to
    assert item["attachments"][0]["id"]


def test_the_control_api_serves_an_attachments_raw_bytes(m365, tok) -> None:
    """Control API: GET …/items/{id}/attachments/{attachmentId}/content gives the bytes."""
    new_item(
        m365,
        tok,
        attachments=[{"name": "c.txt", "contentBytes": base64.b64encode(b"DM-SECRET").decode()}],
    )
    [item] = m365.control("GET", "/m365/mailboxes/ann@contoso.com/items?folder=Inbox")["items"]
    attachment = item["attachments"][0]["id"]
    path = f"/m365/mailboxes/ann@contoso.com/items/{item['id']}/attachments/{attachment}/content"
    assert m365.control_bytes("GET", path) == b"DM-SECRET"
