"""Azure credentials the supported way (azure-identity): the app's managed identity in Azure, the
admin's own sign-in (az login, environment, workload identity) on an admin's machine."""

from __future__ import annotations

from typing import Any

from azure.core.credentials import TokenCredential


def credential(kind: str | None, *, client_id: str | None = None) -> TokenCredential:
    """The credential named by AzureWebJobsStorage__credential (or an admin's --credential).

    managedidentity: the function app's identity (its client id for a user-assigned one);
    azurecli: `az login`; environment: AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET or a
    certificate; workloadidentity: a federated token file (Kubernetes, GitHub Actions);
    default (or unset): DefaultAzureCredential's chain, never an interactive browser.
    """
    from azure import identity

    if kind == "managedidentity":
        return identity.ManagedIdentityCredential(client_id=client_id)
    if kind == "azurecli":
        return identity.AzureCliCredential()
    if kind == "environment":
        return identity.EnvironmentCredential()
    if kind == "workloadidentity":
        return identity.WorkloadIdentityCredential()
    options: dict[str, Any] = {"exclude_interactive_browser_credential": True}
    if client_id:
        options["managed_identity_client_id"] = client_id
    return identity.DefaultAzureCredential(**options)


def managed_identity_assertion(client_id: str | None, audience: str) -> Any:
    """A callable giving a token of the app's managed identity for `audience`: what Entra accepts
    as the client assertion of an app registration that trusts this identity (a federated
    identity credential), so no secret or certificate is stored anywhere."""
    from azure import identity

    source = identity.ManagedIdentityCredential(client_id=client_id)
    scope = f"{audience.rstrip('/')}/.default"

    def assertion() -> str:
        return str(source.get_token(scope).token)

    return assertion
