"""Microsoft 365 simulator: the function app's managed identity (App Service's IDENTITY_ENDPOINT)
and an app registration that trusts it through a federated identity credential, spoken to by the
same libraries the product uses (azure-identity for the identity, MSAL for the app)."""

from __future__ import annotations

import msal
import pytest
import requests
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import ManagedIdentityCredential

pytestmark = pytest.mark.integration
EXCHANGE = "api://AzureADTokenExchange/.default"


@pytest.fixture
def platform(simulators, monkeypatch):
    """The environment App Service gives a function app with a managed identity."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", simulators.info["ca_bundle"])
    monkeypatch.setenv("IDENTITY_ENDPOINT", simulators.info["identity_endpoint"])
    monkeypatch.setenv("IDENTITY_HEADER", simulators.info["identity_header"])
    simulators.control("POST", "/reset")
    return simulators


def graph_token_via(sims, identity_client_id: str) -> dict:
    identity = ManagedIdentityCredential(client_id=identity_client_id)
    app = msal.ConfidentialClientApplication(
        sims.info["graph_client_id"],
        client_credential={"client_assertion": lambda: identity.get_token(EXCHANGE).token},
        authority=f"{sims.info['authority_host']}/{sims.info['graph_tenant_id']}",
        instance_discovery=False,
    )
    return app.acquire_token_for_client(scopes=["https://graph.microsoft.com/.default"])


def test_the_identity_endpoint_needs_the_platform_header(platform) -> None:
    answer = requests.get(
        platform.info["identity_endpoint"],
        params={"api-version": "2019-08-01", "resource": "api://AzureADTokenExchange"},
        timeout=10,
        verify=platform.info["ca_bundle"],
    )
    assert answer.status_code == 401


def test_an_identity_the_app_does_not_have_gets_no_token(platform) -> None:
    with pytest.raises(ClientAuthenticationError, match="No User Assigned"):
        ManagedIdentityCredential(client_id="55555555-5555-4555-8555-555555555555").get_token(
            EXCHANGE
        )


def test_the_trusted_identity_signs_the_app_in_with_no_secret(platform) -> None:
    result = graph_token_via(platform, platform.info["graph_managed_identity_client_id"])
    assert "access_token" in result, result
    users = requests.get(
        platform.info["graph_url"] + "/users",
        headers={"Authorization": f"Bearer {result['access_token']}"},
        timeout=10,
        verify=platform.info["ca_bundle"],
    )
    assert users.status_code == 200


def test_an_identity_the_app_does_not_trust_is_aadsts70021_naming_issuer_and_subject(
    platform,
) -> None:
    platform.control(
        "POST",
        "/m365/identities",
        {
            "client_id": "55555555-5555-4555-8555-555555555555",
            "principal_id": "66666666-6666-4666-8666-666666666666",
        },
    )
    result = graph_token_via(platform, "55555555-5555-4555-8555-555555555555")
    assert result.get("error") == "invalid_client"
    assert "AADSTS70021" in result["error_description"]
    assert (
        "Assertion Subject: '66666666-6666-4666-8666-666666666666'" in result["error_description"]
    )


def test_a_federated_credential_with_another_audience_is_aadsts700212(platform) -> None:
    trusted = platform.control("GET", "/m365/apps/" + platform.info["graph_client_id"])
    platform.control(
        "PUT",
        f"/m365/apps/{platform.info['graph_client_id']}/federated",
        [{**trusted["federated"][0], "audiences": ["api://AzureADTokenExchangeUSGov"]}],
    )
    result = graph_token_via(platform, platform.info["graph_managed_identity_client_id"])
    assert "AADSTS700212" in result["error_description"]


def test_an_app_with_no_federated_credential_refuses_the_identity(platform) -> None:
    platform.control("PUT", f"/m365/apps/{platform.info['graph_client_id']}/federated", [])
    result = graph_token_via(platform, platform.info["graph_managed_identity_client_id"])
    assert "AADSTS70021" in result["error_description"]
