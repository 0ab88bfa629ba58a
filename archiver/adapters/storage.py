"""Azure Storage service clients from the AzureWebJobsStorage settings (key or identity)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from azure.core.credentials import TokenCredential
from azure.data.tables import TableServiceClient
from azure.storage.blob import BlobServiceClient
from azure.storage.queue import BinaryBase64DecodePolicy, BinaryBase64EncodePolicy, QueueClient

from archiver.adapters.identity import credential
from archiver.settings import StorageConnection


def _transport() -> Any:
    from azure.core.pipeline.transport import RequestsTransport

    from archiver.adapters.retry import pooled_session

    session = pooled_session()
    # The transport would otherwise set trust_env back on: keep what pooled_session decided.
    return RequestsTransport(
        session=session, session_owner=False, use_env_settings=session.trust_env
    )


class StorageClients:
    """Builds blob, queue and table clients lazily from one StorageConnection."""

    def __init__(self, connection: StorageConnection) -> None:
        self._connection = connection
        self._options: dict[str, Any] = {"transport": _transport()}

    @cached_property
    def _credential(self) -> TokenCredential:
        connection = self._connection
        return credential(connection.credential, client_id=connection.client_id)

    def _uri(self, service: str) -> str:
        explicit = {
            "blob": self._connection.blob_service_uri,
            "queue": self._connection.queue_service_uri,
            "table": self._connection.table_service_uri,
        }[service]
        return explicit or f"https://{self._connection.account_name}.{service}.core.windows.net"

    @cached_property
    def blobs(self) -> BlobServiceClient:
        """The blob service client."""
        if self._connection.connection_string:
            return BlobServiceClient.from_connection_string(
                self._connection.connection_string, **self._options
            )
        return BlobServiceClient(self._uri("blob"), credential=self._credential, **self._options)

    @cached_property
    def tables(self) -> TableServiceClient:
        """The table service client."""
        if self._connection.connection_string:
            return TableServiceClient.from_connection_string(
                self._connection.connection_string, **self._options
            )
        return TableServiceClient(
            endpoint=self._uri("table"), credential=self._credential, **self._options
        )

    def queue(self, name: str, *, base64: bool = True) -> QueueClient:
        """A queue client that encodes like the Functions host expects (base64).

        `base64=False` reads messages as the raw text the queue holds: the blob trigger's poison
        queue is written by the host as plain JSON.
        """
        policies: dict[str, Any] = (
            {
                "message_encode_policy": BinaryBase64EncodePolicy(),
                "message_decode_policy": BinaryBase64DecodePolicy(),
            }
            if base64
            else {}
        )
        if self._connection.connection_string:
            return QueueClient.from_connection_string(
                self._connection.connection_string, name, **policies, **self._options
            )
        return QueueClient(
            self._uri("queue"), name, credential=self._credential, **policies, **self._options
        )


def endpoints(connection: StorageConnection) -> str:
    """Where the storage is, for an error message (no key: only endpoints or the account)."""
    if connection.connection_string:
        parts = dict(
            part.split("=", 1) for part in connection.connection_string.split(";") if "=" in part
        )
        if parts.get("UseDevelopmentStorage", "").lower() == "true":
            return "Azurite on 127.0.0.1:10000-10002 (UseDevelopmentStorage=true)"
        found = [parts[k] for k in ("BlobEndpoint", "QueueEndpoint", "TableEndpoint") if k in parts]
        if found:
            return ", ".join(found)
        return f"account {parts.get('AccountName', '?')}"
    names = (
        connection.blob_service_uri,
        connection.queue_service_uri,
        connection.table_service_uri,
    )
    return ", ".join(n for n in names if n) or f"account {connection.account_name}"


# The data-plane role each storage service needs (docs/admin-guide.md, section 8).
ROLES = {
    "blob": "Storage Blob Data Contributor",
    "queue": "Storage Queue Data Contributor",
    "table": "Storage Table Data Contributor",
}


def storage_problem(error: Exception, connection: StorageConnection) -> str:
    """One line for an admin: what storage said or why it could not be reached, and the one
    thing to do about it (no key, token or traceback)."""
    from azure.core.exceptions import ClientAuthenticationError, HttpResponseError

    where = endpoints(connection)
    if isinstance(error, ClientAuthenticationError) and error.response is None:
        # azure-identity found no credential or was refused: storage itself was never asked.
        return (
            f"no credential for storage at {where}: {_first_line(error)} - sign in (az login) "
            "and pass --credential azurecli, or set AzureWebJobsStorage__credential "
            "(docs/admin-guide.md, section 8)"
        )
    if isinstance(error, HttpResponseError):
        code = getattr(error, "error_code", None) or ""
        service = _service_of(error)
        said = f"storage refused the request: {error.status_code} {code or error.reason or ''}"
        if code == "AuthorizationPermissionMismatch" or (
            error.status_code == 403 and connection.uses_identity and code != "AuthorizationFailure"
        ):
            role = ROLES.get(service or "", "the Storage * Data Contributor roles")
            return (
                f"{said.strip()} at {where} - the signed-in identity needs {role} on the storage "
                "account (docs/admin-guide.md, section 8 has the one-line role assignment)"
            )
        if code == "AuthorizationFailure":
            return (
                f"{said.strip()} at {where} - the account's network rules refuse this machine: "
                "add its address under Networking, or run the command from an allowed network"
            )
        if code == "AuthenticationFailed":
            return (
                f"{said.strip()} at {where} - the account key in AzureWebJobsStorage is wrong, or "
                "shared keys are off: use the identity-based settings (section 8)"
            )
        return f"{said.strip()} at {where}"
    return (
        f"storage unreachable ({type(error).__name__}) at {where} - check that it is running "
        "(locally: Azurite) and that AzureWebJobsStorage points at it"
    )


def _service_of(error: Any) -> str | None:
    request = getattr(getattr(error, "response", None), "request", None)
    url = str(getattr(request, "url", "") or "")
    for service in ("blob", "queue", "table"):
        if f".{service}." in url:
            return service
    port = url.split("/")[2].rsplit(":", 1)[-1] if url.count("/") >= 2 else ""
    return {"10000": "blob", "10001": "queue", "10002": "table"}.get(port)


def _first_line(error: Exception) -> str:
    return " ".join(str(getattr(error, "message", None) or error).split())[:300]
