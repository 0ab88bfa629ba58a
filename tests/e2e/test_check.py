"""`check` as an admin runs it: each service on its own, every cause said once with the one thing
to do, and the checks that depend on a failed one skipped instead of repeating it."""

from __future__ import annotations

import socket

import pytest

from tests.e2e.support import cli, settings

pytestmark = pytest.mark.e2e
MAILBOX = "ann0@contoso.com"


@pytest.fixture
def values(azurite, simulators):
    simulators.control("POST", "/reset")
    simulators.control("POST", "/m365/mailboxes", {"address": MAILBOX})
    # A user to ask for webinars (`zoom webinars`: whether the account has the Webinar licence).
    simulators.control("POST", "/zoom/users", {"id": "zu1", "email": "ann@contoso.com"})
    return settings(azurite, simulators)


def lines(result) -> dict[str, str]:
    """check's output as {check name: "outcome detail"}."""
    found = {}
    for line in result.stdout.splitlines():
        outcome, rest = line.split(None, 1)
        name, detail = rest.split(": ", 1)
        found[name] = f"{outcome} {detail}"
    return found


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_every_service_passes_with_the_simulators(values) -> None:
    result = cli(values, "check", "--mailbox", MAILBOX)
    assert result.returncode == 0, result.stdout + result.stderr
    found = lines(result)
    assert list(found) == [
        "settings",
        "storage tables",
        "storage queues",
        "storage blobs",
        "zoom",
        "zoom listing",
        "zoom archiving",
        "zoom unrecorded",
        "zoom webinars",
        "graph sign-in",
        "graph permissions",
        "graph mailbox",
        "graph folder",
    ]
    assert all(v.startswith("ok ") for v in found.values()), found
    assert "with a client secret" in found["graph sign-in"]
    assert found["zoom listing"].startswith("ok account level")
    # The simulated account has no archiving until a test turns it on: auto says so, not fails.
    assert "not available" in found["zoom archiving"]
    assert "cloud recordings only" in found["zoom archiving"]
    assert found["zoom unrecorded"].startswith("ok the meeting history answers")
    assert found["zoom webinars"].startswith("ok the account has the Webinar licence")


def test_an_account_without_the_webinar_licence_is_named_not_failed(values, simulators) -> None:
    simulators.control("PATCH", "/zoom/settings", {"webinar_licence": False})
    try:
        found = lines(cli(values, "check", "--mailbox", MAILBOX))
    finally:
        simulators.control("PATCH", "/zoom/settings", {"webinar_licence": True})
    assert found["zoom webinars"].startswith("ok no Webinar licence")
    assert "not asked for each webinar" in found["zoom webinars"]


def test_archiving_on_without_the_feature_fails_and_with_it_says_it_is_used(
    values, simulators
) -> None:
    refused = lines(cli({**values, "ZOOM_ARCHIVING": "on"}, "check", "--mailbox", MAILBOX))
    assert refused["zoom archiving"].startswith("FAIL ")
    simulators.control("PATCH", "/zoom/settings", {"archiving_enabled": True})
    try:
        used = lines(cli(values, "check", "--mailbox", MAILBOX))["zoom archiving"]
    finally:
        simulators.control("PATCH", "/zoom/settings", {"archiving_enabled": False})
    assert used.startswith("ok the Archiving API answers")


def test_a_wrong_graph_secret_is_said_once_with_the_secret_hint(values) -> None:
    result = cli({**values, "GRAPH_CLIENT_SECRET": "not-the-secret"}, "check", "--mailbox", MAILBOX)
    assert result.returncode == 1
    found = lines(result)
    assert found["graph sign-in"].startswith("FAIL ")
    assert "AADSTS7000215" in found["graph sign-in"]
    assert "use the secret's Value (not its Secret ID)" in found["graph sign-in"]
    assert result.stdout.count("Invalid client secret") == 1  # said once, where it happened
    for dependent in ("graph permissions", "graph mailbox", "graph folder"):
        assert found[dependent].startswith("skip "), found[dependent]
    assert found["zoom"].startswith("ok ")
    assert found["storage tables"].startswith("ok ")
    assert "Traceback" not in result.stderr


def test_entra_unreachable_names_the_endpoint_and_the_rest_is_still_checked(values) -> None:
    port = closed_port()
    result = cli(
        {**values, "GRAPH_AUTHORITY_HOST": f"https://127.0.0.1:{port}"},
        "check",
        "--mailbox",
        MAILBOX,
    )
    assert result.returncode == 1
    found = lines(result)
    assert found["graph sign-in"].startswith(
        f"FAIL Entra ID unreachable at https://127.0.0.1:{port}"
    )
    assert "GRAPH_AUTHORITY_HOST" in found["graph sign-in"]
    assert found["graph mailbox"].startswith("skip ")
    assert found["zoom"].startswith("ok ")
    assert found["storage blobs"].startswith("ok ")
    assert "Traceback" not in result.stderr


def test_storage_down_fails_once_and_zoom_and_graph_are_still_checked(values) -> None:
    port = closed_port()
    down = (
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
        "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
        f"BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;"
        f"QueueEndpoint=http://127.0.0.1:{port}/devstoreaccount1;"
        f"TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;"
    )
    result = cli({**values, "AzureWebJobsStorage": down}, "check", "--mailbox", MAILBOX)
    assert result.returncode == 1
    found = lines(result)
    assert found["storage tables"].startswith("FAIL storage unreachable")
    assert f"127.0.0.1:{port}" in found["storage tables"]
    assert found["storage queues"].startswith("skip ")
    assert found["storage blobs"].startswith("skip ")
    assert found["zoom"].startswith("ok ")
    assert found["graph folder"].startswith("ok ")


def test_every_invalid_setting_is_listed_and_only_its_service_is_not_checked(values) -> None:
    result = cli(
        {**values, "ZOOM_RATE_PLAN": "gold", "DISCOVERY_SCHEDULE": "0 99 * * * *"},
        "check",
        "--mailbox",
        MAILBOX,
    )
    assert result.returncode == 1
    found = lines(result)
    assert found["settings"].startswith("FAIL ")
    assert "ZOOM_RATE_PLAN" in found["settings"]
    assert "DISCOVERY_SCHEDULE" in found["settings"]
    assert found["zoom"].startswith("FAIL ZOOM_RATE_PLAN")
    assert found["graph sign-in"].startswith("ok ")
    assert found["storage tables"].startswith("ok ")


def test_a_zoom_secret_that_is_wrong_gets_the_app_credentials_hint(values) -> None:
    result = cli({**values, "ZOOM_CLIENT_SECRET": "wrong"}, "check", "--mailbox", MAILBOX)
    found = lines(result)
    assert found["zoom"].startswith("FAIL Zoom refused the Server-to-Server OAuth credentials")
    assert "App Credentials" in found["zoom"]
    assert found["zoom"].count(" - ") == 1  # one hint, not a second generic one
    assert found["graph sign-in"].startswith("ok ")


# -- GRAPH_CREDENTIAL=managedidentity ------------------------------------------------------------


def federated(values, simulators) -> dict[str, str]:
    """The settings of a function app whose identity signs in through a federated credential,
    with the App Service identity endpoint the platform provides."""
    info = simulators.info
    secretless = {k: v for k, v in values.items() if k != "GRAPH_CLIENT_SECRET"}
    return {
        **secretless,
        "GRAPH_CLIENT_SECRET": "",
        "GRAPH_CREDENTIAL": "managedidentity",
        "GRAPH_MANAGED_IDENTITY_CLIENT_ID": info["graph_managed_identity_client_id"],
        "IDENTITY_ENDPOINT": info["identity_endpoint"],
        "IDENTITY_HEADER": info["identity_header"],
    }


def test_the_managed_identity_signs_in_with_nothing_stored(values, simulators) -> None:
    result = cli(federated(values, simulators), "check", "--mailbox", MAILBOX)
    assert result.returncode == 0, result.stdout + result.stderr
    found = lines(result)
    identity = simulators.info["graph_managed_identity_client_id"]
    assert f"managed identity {identity} through a federated credential" in found["graph sign-in"]
    assert found["graph folder"].startswith("ok ")


def test_an_app_that_does_not_trust_the_identity_names_issuer_and_subject(
    values, simulators
) -> None:
    simulators.control("PUT", f"/m365/apps/{simulators.info['graph_client_id']}/federated", [])
    result = cli(federated(values, simulators), "check", "--mailbox", MAILBOX)
    assert result.returncode == 1
    sign_in = lines(result)["graph sign-in"]
    assert "AADSTS70021" in sign_in
    assert "Assertion Subject: '" in sign_in
    assert "add one with the issuer and subject above" in sign_in


def test_an_identity_not_attached_to_the_app_names_the_setting(values, simulators) -> None:
    wrong = {
        **federated(values, simulators),
        "GRAPH_MANAGED_IDENTITY_CLIENT_ID": "55555555-5555-4555-8555-555555555555",
    }
    sign_in = lines(cli(wrong, "check", "--mailbox", MAILBOX))["graph sign-in"]
    assert sign_in.startswith("FAIL the managed identity 55555555-5555-4555-8555-555555555555")
    assert "GRAPH_MANAGED_IDENTITY_CLIENT_ID must be the client id" in sign_in
