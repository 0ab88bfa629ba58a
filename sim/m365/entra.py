"""Simulated Entra ID: OIDC discovery, client-credentials tokens (secret, certificate or a
federated credential) and the App Service managed identity endpoint of the function app."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
import uuid as uuidlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from sim.core.http import Request, Response, json_response

DEFAULT_TENANT = "11111111-1111-4111-8111-111111111111"
DEFAULT_CLIENT = "22222222-2222-4222-8222-222222222222"
DEFAULT_SECRET = "sim-graph-secret"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
GRAPH_RESOURCE = "https://graph.microsoft.com"
# What an admin consents for the archiver: directory reads for mailbox lookups. Mail access comes
# from Exchange RBAC for Applications (App.mailbox_scope), which never appears in the token.
DEFAULT_ROLES = ("User.Read.All",)
# The function app's user-assigned managed identity (infra/app/function.bicep) and the secret the
# App Service platform hands the app in IDENTITY_HEADER.
DEFAULT_IDENTITY_CLIENT = "33333333-3333-4333-8333-333333333333"
DEFAULT_IDENTITY_PRINCIPAL = "44444444-4444-4444-8444-444444444444"
IDENTITY_HEADER = "sim-identity-header"
TOKEN_EXCHANGE = "api://AzureADTokenExchange"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_certificate(path: Path) -> x509.Certificate:
    """An RSA key and self-signed certificate for the default app, written as one PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "zoom-archiver-sim-app")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        + cert.public_bytes(serialization.Encoding.PEM)
    )
    return cert


@dataclass(frozen=True)
class ManagedIdentity:
    """A user-assigned managed identity attached to the function app."""

    tenant: str
    client_id: str
    principal_id: str


@dataclass
class App:
    """A registered app: secret and/or certificates, and what it may do in Graph.

    `roles` are the application permissions consented in Entra (they appear in its tokens'
    `roles` claim). `mailbox_scope` is its Exchange RBAC for Applications "Application
    Mail.ReadWrite" assignment: None for an organisation-wide one, else the addresses of the
    mailboxes its management scope holds (empty: no assignment). A consented Mail.ReadWrite role
    opens every mailbox whatever the scope, as in Exchange Online.
    """

    tenant: str
    client_id: str
    secret: str | None = None
    certificates: list[x509.Certificate] = field(default_factory=list)
    roles: tuple[str, ...] = DEFAULT_ROLES
    mailbox_scope: frozenset[str] | None = None
    # Federated identity credentials: {"issuer", "subject", "audiences"} it trusts, e.g. the
    # function app's managed identity (issuer login.microsoftonline.com/{tenant}/v2.0, subject
    # the identity's principal id, audience api://AzureADTokenExchange).
    federated: list[dict[str, Any]] = field(default_factory=list)

    def may_read_users(self) -> bool:
        return bool(
            {"User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
            & set(self.roles)
        )

    def may_open(self, address: str) -> bool:
        if {"Mail.ReadWrite", "Mail.ReadWrite.All"} & set(self.roles):
            return True
        return self.mailbox_scope is None or address.lower() in self.mailbox_scope


class Entra:
    """Apps, tokens and the token endpoint."""

    def __init__(self, base_url: str = "", token_lifetime_s: int = 3600) -> None:
        self.base_url = base_url
        self.token_lifetime_s = token_lifetime_s
        self.apps: dict[tuple[str, str], App] = {}
        self.identities: dict[str, ManagedIdentity] = {}
        self.tokens: dict[str, tuple[float, tuple[str, str]]] = {}
        self.lock = threading.Lock()
        # Access tokens are RS256 JWTs like Entra's v1 app tokens (Graph's format).
        self._signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def register(self, app: App) -> None:
        with self.lock:
            self.apps[(app.tenant, app.client_id)] = app

    def attach(self, identity: ManagedIdentity) -> None:
        with self.lock:
            self.identities[identity.client_id] = identity

    def issuer(self, tenant: str) -> str:
        """The v2.0 issuer of Entra tokens for `tenant`, as a federated credential names it."""
        return f"https://login.microsoftonline.com/{tenant}/v2.0"

    def app_for(self, token: str) -> App | None:
        """The app a live token was issued to; None for an unknown or expired token."""
        with self.lock:
            entry = self.tokens.get(token)
            if entry is None or entry[0] <= time.time():
                return None
            return self.apps.get(entry[1])

    def token_valid(self, token: str) -> bool:
        return self.app_for(token) is not None

    def _access_token(self, app: App, expires: float) -> str:
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "kid": "sim-graph-signing"}
        claims: dict[str, Any] = {
            "aud": GRAPH_RESOURCE,
            "iss": f"https://sts.windows.net/{app.tenant}/",
            "iat": now,
            "nbf": now,
            "exp": int(expires),
            "app_displayname": "Zoom archiver",
            "appid": app.client_id,
            "appidacr": "2" if app.certificates else "1",
            "idtyp": "app",
            "oid": str(uuidlib.uuid5(uuidlib.NAMESPACE_URL, app.client_id)),
            "sub": str(uuidlib.uuid5(uuidlib.NAMESPACE_URL, app.client_id)),
            "tid": app.tenant,
            "uti": secrets.token_urlsafe(16),
            "ver": "1.0",
        }
        if app.roles:  # Entra leaves the claim out when nothing is consented
            claims["roles"] = list(app.roles)
        return self._sign(header, claims)

    def _sign(self, header: dict[str, Any], claims: dict[str, Any]) -> str:
        signed = ".".join(
            _b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
        )
        signature = self._signing_key.sign(signed.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signed}.{_b64url(signature)}"

    # -- the App Service managed identity endpoint (IDENTITY_ENDPOINT) ---------------------------
    def identity_token(self, req: Request) -> Response:
        """GET IDENTITY_ENDPOINT?api-version=2019-08-01&resource=R[&client_id=C] with the
        X-IDENTITY-HEADER: a token of the app's managed identity for resource R."""
        if req.headers.get("X-IDENTITY-HEADER") != IDENTITY_HEADER:
            return json_response(
                401, {"statusCode": 401, "message": "X-IDENTITY-HEADER is missing or invalid."}
            )
        if req.arg("api-version") != "2019-08-01":
            return json_response(
                400, {"statusCode": 400, "message": "api-version is missing or not supported."}
            )
        resource = req.arg("resource", "") or ""
        if not resource:
            return json_response(400, {"statusCode": 400, "message": "resource is required."})
        client_id = req.arg("client_id")
        identity = self.identities.get(client_id or "")
        if identity is None:  # the function app has no system-assigned identity (function.bicep)
            return json_response(
                400,
                {
                    "statusCode": 400,
                    "message": "No User Assigned or Delegated Managed Identity found for "
                    "specified ClientId/ResourceId/PrincipalId.",
                    "correlationId": str(uuidlib.uuid4()),
                },
            )
        now = int(time.time())
        expires = now + self.token_lifetime_s
        claims = {
            "aud": resource,
            "iss": self.issuer(identity.tenant),
            "iat": now,
            "nbf": now,
            "exp": expires,
            "azp": identity.client_id,
            "oid": identity.principal_id,
            "sub": identity.principal_id,
            "tid": identity.tenant,
            "idtyp": "app",
            "ver": "2.0",
        }
        token = self._sign({"typ": "JWT", "alg": "RS256", "kid": "sim-graph-signing"}, claims)
        return json_response(
            200,
            {
                "access_token": token,
                "expires_on": str(expires),
                "resource": resource,
                "token_type": "Bearer",
                "client_id": identity.client_id,
            },
        )

    def expire_all(self) -> None:
        with self.lock:
            self.tokens.clear()

    def _error(self, status: int, error: str, code: int, text: str) -> Response:
        return json_response(
            status,
            {
                "error": error,
                "error_description": f"AADSTS{code}: {text}\r\nTrace ID: "
                f"{uuidlib.uuid4()}\r\nTimestamp: {datetime.now(UTC):%Y-%m-%d %H:%M:%SZ}",
                "error_codes": [code],
                "timestamp": f"{datetime.now(UTC):%Y-%m-%d %H:%M:%SZ}",
                "trace_id": str(uuidlib.uuid4()),
                "correlation_id": str(uuidlib.uuid4()),
            },
        )

    def discovery(self, req: Request) -> Response:
        tenant = req.params["tenant"]
        if not any(t == tenant for t, _ in self.apps):
            return self._error(400, "invalid_tenant", 90002, f"Tenant '{tenant}' not found.")
        base = f"{self.base_url}/{tenant}"
        return json_response(
            200,
            {
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                "issuer": f"{self.base_url}/{tenant}/v2.0",
                "jwks_uri": f"{base}/discovery/v2.0/keys",
                "token_endpoint_auth_methods_supported": [
                    "client_secret_post",
                    "private_key_jwt",
                    "client_secret_basic",
                ],
                "response_types_supported": ["code", "id_token"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "tenant_region_scope": "EU",
            },
        )

    def token(self, req: Request) -> Response:
        tenant = req.params["tenant"]
        form = {k: v[0] for k, v in parse_qs(req.read_body().decode()).items()}
        if not any(t == tenant for t, _ in self.apps):
            return self._error(400, "invalid_request", 90002, f"Tenant '{tenant}' not found.")
        if form.get("grant_type") != "client_credentials":
            return self._error(
                400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type."
            )
        client = form.get("client_id", "")
        app = self.apps.get((tenant, client))
        if app is None:
            return self._error(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{client}' was not found in the directory.",
            )
        scope = form.get("scope", "")
        if not scope.endswith("/.default"):
            return self._error(
                400,
                "invalid_scope",
                1002012,
                "The provided value for scope "
                f"{scope} is not valid. Client credential flows must have a "
                "scope value with /.default suffixed to the resource identifier.",
            )
        if "client_assertion" in form:
            problem = self._check_assertion(
                app, form, f"{self.base_url}/{tenant}/oauth2/v2.0/token"
            )
            if problem is None:
                problem = self._check_federated(app, form)
            if problem:
                return self._error(401, "invalid_client", problem[0], problem[1])
        elif not app.secret or not hmac.compare_digest(form.get("client_secret", ""), app.secret):
            return self._error(
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in "
                "the request is the client secret value, not the client secret ID.",
            )
        expires = time.time() + self.token_lifetime_s
        token = self._access_token(app, expires)
        with self.lock:
            self.tokens[token] = (expires, (tenant, client))
        return json_response(
            200,
            {
                "token_type": "Bearer",
                "expires_in": self.token_lifetime_s,
                "ext_expires_in": self.token_lifetime_s,
                "access_token": token,
            },
        )

    def _check_assertion(
        self, app: App, form: dict[str, str], audience: str
    ) -> tuple[int, str] | None:
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            return 50027, "Invalid client_assertion_type."
        try:
            head_b64, body_b64, sig_b64 = form["client_assertion"].split(".")
            header = json.loads(_b64url_decode(head_b64))
            claims = json.loads(_b64url_decode(body_b64))
            signature = _b64url_decode(sig_b64)
        except ValueError:
            return 50027, "JWT token is invalid or malformed."
        if claims.get("iss") != app.client_id:
            return None  # another issuer's token: a federated credential (_check_federated)
        cert = self._certificate(app, header)
        if cert is None:
            return (
                700027,
                "Client assertion contains an invalid signature. [Reason - The key was not found.]",
            )
        public = cert.public_key()
        signed = f"{head_b64}.{body_b64}".encode()
        try:
            assert isinstance(public, rsa.RSAPublicKey)
            if header.get("alg") == "PS256":
                public.verify(
                    signature,
                    signed,
                    padding.PSS(padding.MGF1(hashes.SHA256()), hashes.SHA256().digest_size),
                    hashes.SHA256(),
                )
            elif header.get("alg") == "RS256":
                public.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
            else:
                return 700027, "Client assertion uses an unsupported algorithm."
        except InvalidSignature:
            return 700027, "Client assertion contains an invalid signature."
        now = time.time()
        if claims.get("aud") != audience:
            return (
                700212,
                f"No matching federated identity record found for presented "
                f"assertion audience '{claims.get('aud')}'.",
            )
        if claims.get("iss") != app.client_id or claims.get("sub") != app.client_id:
            return (
                700021,
                "Client assertion application identifier doesn't match 'client_id' parameter.",
            )
        if float(claims.get("exp", 0)) < now - 300 or float(claims.get("nbf", 0)) > now + 300:
            return 700024, "Client assertion is not within its valid time range."
        return None

    def _check_federated(self, app: App, form: dict[str, str]) -> tuple[int, str] | None:
        """An assertion issued by someone else: Entra itself (a managed identity's token) is the
        only issuer the simulator knows keys for, and the app must trust (issuer, subject,
        audience) in one of its federated identity credentials."""
        head_b64, body_b64, sig_b64 = form["client_assertion"].split(".")
        claims = json.loads(_b64url_decode(body_b64))
        if claims.get("iss") == app.client_id:
            return None  # a certificate assertion, checked by _check_assertion
        try:
            self._signing_key.public_key().verify(
                _b64url_decode(sig_b64),
                f"{head_b64}.{body_b64}".encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except InvalidSignature:
            return 700027, "Client assertion contains an invalid signature."
        issuer, subject, audience = claims.get("iss"), claims.get("sub"), claims.get("aud")
        if float(claims.get("exp", 0)) < time.time():
            return 700024, "Client assertion is not within its valid time range."
        trusted = [f for f in app.federated if f["issuer"] == issuer and f["subject"] == subject]
        if not trusted:
            return (
                70021,
                "No matching federated identity record found for presented assertion. "
                f"Assertion Issuer: '{issuer}'. Assertion Subject: '{subject}'. "
                f"Assertion Audience: '{audience}'.",
            )
        if not any(audience in f["audiences"] for f in trusted):
            return (
                700212,
                "No matching federated identity record found for presented assertion "
                f"audience '{audience}'.",
            )
        return None

    @staticmethod
    def _certificate(app: App, header: dict[str, Any]) -> x509.Certificate | None:
        for cert in app.certificates:
            der = cert.public_bytes(serialization.Encoding.DER)
            x5t = base64.urlsafe_b64encode(hashlib.sha1(der).digest()).decode().rstrip("=")  # noqa: S324
            x5t256 = base64.urlsafe_b64encode(hashlib.sha256(der).digest()).decode().rstrip("=")
            given = (
                str(header.get("x5t", "")).rstrip("="),
                str(header.get("x5t#S256", "")).rstrip("="),
            )
            if x5t == given[0] or x5t256 == given[1]:
                return cert
        return None
