"""The Graph client survives what Graph really answers (real-world-shapes.md, Graph section)."""

from __future__ import annotations

import pytest

from archiver.adapters.graph import GraphClient
from tests.support.clients import graph_client

pytestmark = pytest.mark.integration


@pytest.fixture
def graph(simulators, monkeypatch) -> GraphClient:
    simulators.control("POST", "/reset")
    simulators.control(
        "POST",
        "/m365/mailboxes",
        {"address": "dana@contoso.com", "userPrincipalName": "dana.user@contoso.onmicrosoft.com"},
    )
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", simulators.info["ca_bundle"])
    return graph_client(simulators)


def test_a_mail_address_that_is_not_the_upn_resolves_to_the_users_id(graph) -> None:
    """real-world-shapes.md #11: /users/{mail} is 404 when mail differs from the UPN."""
    found = graph.find_mailbox("dana@contoso.com")
    assert found is not None
    assert found.address == "dana@contoso.com"
    folder = graph.ensure_folder(found.id, "Zoom Meetings")  # paths take the id
    assert folder


def test_every_attachment_is_listed_across_pages(graph) -> None:
    """real-world-shapes.md #18: lists page with @odata.nextLink."""
    dana = graph.find_mailbox("dana@contoso.com")
    assert dana is not None
    folder = graph.ensure_folder(dana.id, "Zoom Meetings")
    item = graph.create_item(dana.id, folder, {"subject": "many files"})
    for i in range(13):
        graph.add_attachment(dana.id, item, name=f"f{i}.txt", content_type="text/plain", data=b"x")
    assert sorted(a["name"] for a in graph.list_attachments(dana.id, item)) == sorted(
        f"f{i}.txt" for i in range(13)
    )


def test_the_archive_folder_is_found_among_many_folders(graph) -> None:
    """real-world-shapes.md #18: childFolders page at 10."""
    dana = graph.find_mailbox("dana@contoso.com")
    assert dana is not None
    for i in range(12):
        graph.ensure_folder(dana.id, f"Folder {i:02d}")
    first = graph.ensure_folder(dana.id, "Zoom Meetings")
    assert graph.ensure_folder(dana.id, "Zoom Meetings") == first
