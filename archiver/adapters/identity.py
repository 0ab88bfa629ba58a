"""Azure credentials the supported way (azure-identity): the app's managed identity in Azure, the
admin's own sign-in (az login, environment, workload identity) on an admin's machine."""

from __future__ import annotations

from typing import Any

from azure.core.credentials import TokenCredential

from archiver.errors import AuthenticationError


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
    from azure.core.exceptions import ClientAuthenticationError

    source = identity.ManagedIdentityCredential(client_id=client_id)
    scope = f"{audience.rstrip('/')}/.default"
    who = f"managed identity {client_id}" if client_id else "system-assigned managed identity"

    def assertion() -> str:
        try:
            return str(source.get_token(scope).token)
        except ClientAuthenticationError as error:
            # azure-identity reports an answer of the identity endpoint as "Token request
            # error" too, under CredentialUnavailableError: only no endpoint at all is absence.
            text = _first_line(error)
            if isinstance(error, identity.CredentialUnavailableError) and (
                "Token request error" not in text
            ):
                raise _unavailable(who, text) from None
            raise AuthenticationError(
                f"the {who} got no token for {audience} ({text})",
                service="managed identity",
                code="ManagedIdentityRefused",
                hint="GRAPH_MANAGED_IDENTITY_CLIENT_ID must be the client id of a user-assigned "
                "identity attached to the function app (its Identity blade)",
            ) from None

    return assertion


def _unavailable(who: str, text: str) -> AuthenticationError:
    return AuthenticationError(
        f"the {who} is not available here ({text})",
        service="managed identity",
        code="ManagedIdentityUnavailable",
        hint="GRAPH_CREDENTIAL=managedidentity signs in only where the function app runs: "
        "test Graph there (GET /api/check, docs/admin-guide.md section 8), or set "
        "GRAPH_CREDENTIAL=certificate with a certificate of the app registration where you "
        "run this",
    )


def _first_line(error: Exception) -> str:
    text = " ".join(str(getattr(error, "message", None) or error).split())
    return text[:300]
