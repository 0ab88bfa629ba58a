"""App-only tokens for Microsoft Graph through MSAL: a managed identity's federated assertion, a
client certificate or a client secret."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from archiver.adapters.retry import parse_retry_after, pooled_session, utcnow
from archiver.errors import (
    ArchiverError,
    AuthenticationError,
    ConfigurationError,
    ServiceUnavailableError,
    ThrottledError,
)

# What to do about Entra's refusals (AADSTS codes, learn.microsoft.com/entra/identity-platform/
# reference-error-codes), by the credential the app presented.
ENTRA_HINTS = {
    "AADSTS90002": "GRAPH_TENANT_ID is not a tenant: use the Directory (tenant) ID of the app "
    "registration's Overview page",
    "AADSTS700016": "GRAPH_CLIENT_ID is not an app registration of GRAPH_TENANT_ID: use the "
    "Application (client) ID of its Overview page, in the tenant it was registered in",
    "AADSTS7000215": "GRAPH_CLIENT_SECRET is not a valid secret of the app: use the secret's "
    "Value (not its Secret ID), or create a new one (docs/admin-guide.md, section 6)",
    "AADSTS7000222": "GRAPH_CLIENT_SECRET has expired: create a new one and update the setting "
    "(docs/admin-guide.md, section 6)",
    "AADSTS700027": "the certificate of GRAPH_CLIENT_CERTIFICATE is not one of the app "
    "registration's certificates: upload its public part under Certificates & secrets",
    "AADSTS700024": "the client assertion's time is out of range: check this machine's clock",
    "AADSTS70021": "the app registration has no federated credential trusting this managed "
    "identity: add one with the issuer and subject above and audience "
    "api://AzureADTokenExchange (azd's postdeploy hook does; docs/admin-guide.md, section 2)",
    "AADSTS700212": "GRAPH_TOKEN_EXCHANGE_AUDIENCE must equal the audience of the app "
    "registration's federated credential",
    "AADSTS7000112": "the app registration is disabled: enable it in Entra (Enterprise "
    "applications, Properties, Enabled for users to sign-in)",
    "AADSTS7000229": "the app has no service principal in this tenant: grant admin consent to "
    "its API permissions",
}


class TokenProvider(Protocol):
    """Gives a bearer token for Graph."""

    def token(self, *, force_refresh: bool = False) -> str: ...


def certificate_credential(pem: str) -> dict[str, str]:
    """MSAL's client_credential for a PEM holding a private key and its certificate."""
    text = pem.replace("\\n", "\n")
    try:
        cert = x509.load_pem_x509_certificate(text.encode())
        key = serialization.load_pem_private_key(text.encode(), password=None)
    except ValueError:
        raise ConfigurationError(
            "GRAPH_CLIENT_CERTIFICATE must hold an unencrypted private key and its certificate"
        ) from None
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    return {
        "private_key": key_pem,
        "thumbprint": cert.fingerprint(hashes.SHA1()).hex(),  # noqa: S303 - x5t is defined as SHA-1
        "public_certificate": cert_pem,
    }


class EntraHttp:
    """MSAL's HTTP client: a pooled session with the archiver's timeout, which raises Entra's
    transient answers as the archiver's errors before MSAL reads them.

    Left to itself MSAL waits forever on a stalled connection, returns a 429's body as if it
    were an OAuth refusal (so a busy Entra would read as wrong credentials), fails to parse the
    plain-text "Too Many Requests" Entra actually sends, and keeps the Retry-After to itself.
    """

    def __init__(self, *, timeout: float, authority: str) -> None:
        self._session = pooled_session(4)
        self._timeout, self._authority = timeout, authority

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        return self._checked(self._session.post(url, **self._with_timeout(kwargs)))

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return self._checked(self._session.get(url, **self._with_timeout(kwargs)))

    def close(self) -> None:
        self._session.close()

    def _with_timeout(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        return {"timeout": self._timeout, **kwargs}

    def _checked(self, response: requests.Response) -> requests.Response:
        status = response.status_code
        if status == 429:
            wait = parse_retry_after(response.headers.get("Retry-After"), now=utcnow())
            raise ThrottledError(
                "Entra ID throttled the app's token request"
                + (f" for {wait:.0f} s" if wait is not None else ""),
                service="entra",
                status=429,
                retry_after=wait,
                hint="tokens are cached for their lifetime, so this is Entra's load or another "
                "app sharing the registration: the work is retried after the wait",
            )
        if status >= 500:
            raise ServiceUnavailableError(
                f"Entra ID answered {status} at {self._authority}",
                service="entra",
                status=status,
                hint="Entra's own outage: the work is retried; see status.azure.com",
            )
        return response


class MsalTokenProvider:
    """Client-credentials tokens for {graph resource}/.default; MSAL caches them.

    After Entra throttles, token() refuses at once, without asking Entra, until the wait it
    gave has passed (as MSAL would, but with the wait on the error for the caller's retry).
    """

    def __init__(
        self,
        *,
        authority_host: str,
        tenant_id: str,
        client_id: str,
        graph_url: str,
        client_secret: str | None,
        client_certificate_pem: str | None,
        client_assertion: Callable[[], str] | None = None,
        timeout: float = 60,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        credential: Any
        if client_assertion is not None:
            # A managed identity's token as the assertion: Entra checks it against the app's
            # federated identity credential (issuer, subject, audience).
            credential = {"client_assertion": client_assertion}
        elif client_certificate_pem:
            credential = certificate_credential(client_certificate_pem)
        else:
            credential = client_secret
        parts = urlsplit(graph_url)
        self._scopes = [f"{parts.scheme}://{parts.netloc}/.default"]
        self._client_id, self._credential = client_id, credential
        self._authority = f"{authority_host.rstrip('/')}/{tenant_id}"
        self._app: Any = None  # made on first use: MSAL reads the tenant's metadata then
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires = 0.0
        self._timeout, self._clock = timeout, clock
        self._not_before = 0.0  # a throttling Entra's Retry-After, on the clock

    def token(self, *, force_refresh: bool = False) -> str:
        """A valid access token."""
        with self._lock:
            # MSAL caches too, but its cache lookup costs more than the call it guards (profiled);
            # keep the token until five minutes before it expires.
            now = self._clock()
            if self._token and not force_refresh and now < self._expires:
                return self._token
            if now < self._not_before:
                raise ThrottledError(
                    "Entra ID throttled the app's token request: "
                    f"{self._not_before - now:.0f} s of its wait left",
                    service="entra",
                    status=429,
                    retry_after=self._not_before - now,
                )
            try:
                result = self._msal().acquire_token_for_client(
                    scopes=self._scopes, force_refresh=force_refresh
                )
            except ThrottledError as error:
                self._not_before = now + (error.retry_after or 0)
                raise
            except ArchiverError:
                raise  # Entra's outage (EntraHttp), the managed identity's refusal (identity.py)
            except Exception as error:  # msal raises requests errors and ValueError
                raise ServiceUnavailableError(
                    f"Entra ID unreachable at {self._authority} ({type(error).__name__})",
                    service="entra",
                    hint="check the network path to Entra, a proxy (HTTPS_PROXY) and "
                    "GRAPH_AUTHORITY_HOST",
                ) from None
        if "access_token" not in result:
            codes = result.get("error_codes") or []
            code = f"AADSTS{codes[0]}" if codes else str(result.get("error", "unknown"))
            text = str(result.get("error_description", "")).strip()
            first = text.splitlines()[0] if text else ""
            raise AuthenticationError(
                f"Entra ID refused the app's sign-in: {first[:400]}",
                service="entra",
                code=code,
                hint=ENTRA_HINTS.get(
                    code,
                    f"look up {code} in Entra's error reference "
                    "(learn.microsoft.com/entra/identity-platform/reference-error-codes)",
                ),
            )
        with self._lock:
            self._token = str(result["access_token"])
            self._expires = self._clock() + max(0, int(result.get("expires_in", 3600)) - 300)
            return self._token

    def _msal(self) -> Any:
        if self._app is None:
            import msal

            # The authority comes from admin configuration (public, sovereign or test cloud),
            # so MSAL's instance discovery against login.microsoftonline.com is not needed.
            self._app = msal.ConfidentialClientApplication(
                self._client_id,
                authority=self._authority,
                client_credential=self._credential,
                instance_discovery=False,
                http_client=EntraHttp(timeout=self._timeout, authority=self._authority),
            )
        return self._app


def token_roles(token: str) -> frozenset[str] | None:
    """The `roles` claim of an Entra app token (its consented application permissions).

    For diagnostics only (`check`): read without verifying, never trusted for access decisions.
    None when the token is not a JWT we can read (Microsoft may change the format).
    """
    import jwt

    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    roles = claims.get("roles") or []
    return frozenset(str(role) for role in roles) if isinstance(roles, list) else None
