"""App-only tokens for Microsoft Graph through MSAL: a managed identity's federated assertion, a
client certificate or a client secret."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from archiver.errors import AuthenticationError, ConfigurationError, ServiceUnavailableError


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


class MsalTokenProvider:
    """Client-credentials tokens for {graph resource}/.default; MSAL caches them."""

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
    ) -> None:
        import msal

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
        # The authority comes from admin configuration (public, sovereign or test cloud), so
        # MSAL's instance discovery against login.microsoftonline.com is not needed.
        self._app = msal.ConfidentialClientApplication(
            client_id,
            authority=f"{authority_host.rstrip('/')}/{tenant_id}",
            client_credential=credential,
            instance_discovery=False,
        )
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires = 0.0

    def token(self, *, force_refresh: bool = False) -> str:
        """A valid access token."""
        with self._lock:
            # MSAL caches too, but its cache lookup costs more than the call it guards (profiled);
            # keep the token until five minutes before it expires.
            if self._token and not force_refresh and time.monotonic() < self._expires:
                return self._token
            try:
                result = self._app.acquire_token_for_client(
                    scopes=self._scopes, force_refresh=force_refresh
                )
            except Exception as error:  # msal raises requests errors and ValueError
                raise ServiceUnavailableError(
                    f"Entra ID token endpoint unreachable: {type(error).__name__}", service="entra"
                ) from None
        if "access_token" not in result:
            codes = result.get("error_codes") or []
            code = f"AADSTS{codes[0]}" if codes else str(result.get("error", "unknown"))
            raise AuthenticationError(
                f"Entra ID refused the app credentials ({code}: "
                f"{str(result.get('error_description', '')).splitlines()[0][:200]})",
                service="entra",
                code=code,
            )
        with self._lock:
            self._token = str(result["access_token"])
            self._expires = time.monotonic() + max(0, int(result.get("expires_in", 3600)) - 300)
            return self._token


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
