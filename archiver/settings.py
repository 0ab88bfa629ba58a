"""Every app setting the product reads, parsed once into a frozen Settings that fails fast.

Names match local.settings.sample.json and the Bicep app settings. Nothing else in the product reads
os.environ; function_app.py calls `Settings.from_mapping(os.environ)` lazily.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import urlsplit

from archiver.core.addresses import is_addr_spec
from archiver.errors import ConfigurationError

T = TypeVar("T")

STORAGE = "AzureWebJobsStorage"
# Identity-based connection settings, as the Functions host reads them (`<connection>__<property>`).
STORAGE_IDENTITY_SUFFIXES = (
    "accountName",
    "blobServiceUri",
    "queueServiceUri",
    "tableServiceUri",
    "credential",
    "clientId",
)

# Setting name -> default ("" = required unless documented optional below).
DEFAULTS: dict[str, str] = {
    "ZOOM_ACCOUNT_ID": "",
    "ZOOM_CLIENT_ID": "",
    "ZOOM_CLIENT_SECRET": "",
    "ZOOM_WEBHOOK_SECRET": "",
    "ZOOM_API_URL": "https://api.zoom.us/v2",
    "ZOOM_OAUTH_URL": "https://zoom.us/oauth/token",
    "ZOOM_DOWNLOAD_HOSTS": "zoom.us,*.zoom.us,zoomgov.com,*.zoomgov.com",
    "ZOOM_RATE_PLAN": "business",
    "GRAPH_TENANT_ID": "",
    "GRAPH_CLIENT_ID": "",
    "GRAPH_CLIENT_SECRET": "",
    "GRAPH_CLIENT_CERTIFICATE": "",
    "GRAPH_URL": "https://graph.microsoft.com/v1.0",
    "GRAPH_AUTHORITY_HOST": "https://login.microsoftonline.com",
    "ARCHIVE_FOLDER_NAME": "Zoom Meetings",
    "INTERNAL_DOMAINS": "",
    "FALLBACK_MAILBOX": "",
    "COMPLIANCE_MAILBOX": "",
    "DISCOVERY_SCHEDULE": "0 */15 * * * *",
    "INITIAL_LOOKBACK_DAYS": "30",
    "MEETINGS_QUEUE": "meetings",
    "FILES_QUEUE": "files",
    "STAGING_CONTAINER": "staging",
    "ARCHIVE_CONTAINER": "archive",
    "TABLE_PREFIX": "zoomarchiver",
    "OVERSIZE_POLICY": "link",
    "MAX_ATTACHMENT_MB": "150",
    "MAX_ITEM_MB": "150",
    "FANOUT_THRESHOLD_MB": "50",
    "PROCESSING_GIVE_UP_HOURS": "72",
    "MAX_DELIVERY_ATTEMPTS": "5",
    "DELIVERY_LEASE_SECONDS": "60",
    "MAILBOX_CONCURRENCY": "4",
    "TRANSCRIPT_GRACE_MINUTES": "0",
    "HTTP_TIMEOUT_SECONDS": "60",
}
OPTIONAL = frozenset(
    {
        "ZOOM_WEBHOOK_SECRET",
        "GRAPH_CLIENT_SECRET",
        "GRAPH_CLIENT_CERTIFICATE",
        "INTERNAL_DOMAINS",
        "FALLBACK_MAILBOX",
        "COMPLIANCE_MAILBOX",
    }
)
SECRETS = frozenset(
    {"ZOOM_CLIENT_SECRET", "ZOOM_WEBHOOK_SECRET", "GRAPH_CLIENT_SECRET", "GRAPH_CLIENT_CERTIFICATE"}
)
SETTING_NAMES: tuple[str, ...] = (
    STORAGE,
    *(f"{STORAGE}__{suffix}" for suffix in STORAGE_IDENTITY_SUFFIXES),
    *DEFAULTS,
)
RATE_PLANS = ("pro", "business", "business_plus", "enterprise")
OVERSIZE_POLICIES = ("link", "split", "skip")
# Graph refuses attachments over 150 MB (upload session limit); a bigger setting could never work.
GRAPH_ATTACHMENT_CEILING_MB = 150

_DOMAIN = re.compile(r"^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)+$")
_HOST = re.compile(r"^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
# Azure queue / container naming rules: 3-63 chars, lowercase letters, digits, single hyphens.
_STORAGE_NAME = re.compile(r"^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$")
_TABLE_PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,40}$")
_CRON_FIELD = re.compile(r"^[0-9A-Za-z*/,\-]+$")


@dataclass(frozen=True)
class StorageConnection:
    """AzureWebJobsStorage: a connection string locally, identity-based settings in Azure."""

    connection_string: str | None = field(default=None, repr=False)
    account_name: str | None = None
    blob_service_uri: str | None = None
    queue_service_uri: str | None = None
    table_service_uri: str | None = None
    credential: str | None = None
    client_id: str | None = None

    @property
    def uses_identity(self) -> bool:
        """True when the app authenticates to storage with a managed identity."""
        return self.connection_string is None


@dataclass(frozen=True)
class Settings:
    """The product's configuration; secrets are excluded from repr so they never reach logs."""

    storage: StorageConnection
    zoom_account_id: str
    zoom_client_id: str
    zoom_client_secret: str = field(repr=False)
    zoom_webhook_secret: str | None = field(repr=False)
    zoom_api_url: str
    zoom_oauth_url: str
    zoom_download_hosts: tuple[str, ...]
    zoom_rate_plan: str
    graph_tenant_id: str
    graph_client_id: str
    graph_client_secret: str | None = field(repr=False)
    graph_client_certificate: str | None = field(repr=False)
    graph_url: str
    graph_authority_host: str
    archive_folder_name: str
    internal_domains: tuple[str, ...]
    fallback_mailbox: str | None
    compliance_mailbox: str | None
    discovery_schedule: str
    initial_lookback_days: int
    meetings_queue: str
    files_queue: str
    staging_container: str
    archive_container: str
    table_prefix: str
    oversize_policy: str
    max_attachment_mb: int
    max_item_mb: int
    fanout_threshold_mb: int
    processing_give_up_hours: int
    max_delivery_attempts: int
    delivery_lease_seconds: int
    mailbox_concurrency: int
    transcript_grace_minutes: int
    http_timeout_seconds: int

    @classmethod
    def from_mapping(cls, env: Mapping[str, str]) -> Settings:
        """Parse and validate every setting; raise ConfigurationError naming the first bad one."""
        r = _Reader(env)
        secret = r.text("GRAPH_CLIENT_SECRET")
        certificate = r.text("GRAPH_CLIENT_CERTIFICATE")
        if not secret and not certificate:
            raise ConfigurationError(
                "GRAPH_CLIENT_CERTIFICATE or GRAPH_CLIENT_SECRET must be set "
                "(a certificate is preferred)"
            )
        if certificate:
            certificate = _check_pem(certificate)
        return cls(
            storage=_storage(env),
            zoom_account_id=r.text("ZOOM_ACCOUNT_ID"),
            zoom_client_id=r.text("ZOOM_CLIENT_ID"),
            zoom_client_secret=r.text("ZOOM_CLIENT_SECRET"),
            zoom_webhook_secret=r.text("ZOOM_WEBHOOK_SECRET") or None,
            zoom_api_url=r.url("ZOOM_API_URL"),
            zoom_oauth_url=r.url("ZOOM_OAUTH_URL"),
            zoom_download_hosts=r.items("ZOOM_DOWNLOAD_HOSTS", _host_pattern),
            zoom_rate_plan=r.choice("ZOOM_RATE_PLAN", RATE_PLANS),
            graph_tenant_id=r.check("GRAPH_TENANT_ID", _tenant),
            graph_client_id=r.check("GRAPH_CLIENT_ID", _guid),
            graph_client_secret=secret or None,
            graph_client_certificate=certificate or None,
            graph_url=r.url("GRAPH_URL"),
            graph_authority_host=r.url("GRAPH_AUTHORITY_HOST"),
            archive_folder_name=r.check("ARCHIVE_FOLDER_NAME", _folder_name),
            internal_domains=r.items("INTERNAL_DOMAINS", _domain),
            fallback_mailbox=r.check("FALLBACK_MAILBOX", _email) or None,
            compliance_mailbox=r.check("COMPLIANCE_MAILBOX", _email) or None,
            discovery_schedule=r.check("DISCOVERY_SCHEDULE", _schedule),
            initial_lookback_days=r.integer("INITIAL_LOOKBACK_DAYS", 1, 3650),
            meetings_queue=r.check("MEETINGS_QUEUE", _storage_name),
            files_queue=r.check("FILES_QUEUE", _storage_name),
            staging_container=r.check("STAGING_CONTAINER", _storage_name),
            archive_container=r.check("ARCHIVE_CONTAINER", _storage_name),
            table_prefix=r.check("TABLE_PREFIX", _table_prefix),
            oversize_policy=r.choice("OVERSIZE_POLICY", OVERSIZE_POLICIES),
            max_attachment_mb=r.integer("MAX_ATTACHMENT_MB", 1, GRAPH_ATTACHMENT_CEILING_MB),
            max_item_mb=r.integer("MAX_ITEM_MB", 1, GRAPH_ATTACHMENT_CEILING_MB),
            fanout_threshold_mb=r.integer("FANOUT_THRESHOLD_MB", 1, 1_000_000),
            processing_give_up_hours=r.integer("PROCESSING_GIVE_UP_HOURS", 1, 24 * 90),
            max_delivery_attempts=r.integer("MAX_DELIVERY_ATTEMPTS", 1, 100),
            delivery_lease_seconds=r.integer("DELIVERY_LEASE_SECONDS", 10, 1800),
            mailbox_concurrency=r.integer("MAILBOX_CONCURRENCY", 1, 4),
            transcript_grace_minutes=r.integer("TRANSCRIPT_GRACE_MINUTES", 0, 24 * 60),
            http_timeout_seconds=r.integer("HTTP_TIMEOUT_SECONDS", 5, 600),
        )


class _Reader:
    """Reads one setting at a time, applying DEFAULTS and naming the setting in every error."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env

    def text(self, name: str) -> str:
        value = self._env.get(name, "").strip() or DEFAULTS[name]
        if not value and name not in OPTIONAL:
            raise ConfigurationError(f"{name} is required but not set")
        return value

    def check(self, name: str, validate: Callable[[str, str], str]) -> str:
        value = self.text(name)
        return validate(name, value) if value else value

    def url(self, name: str) -> str:
        return self.check(name, _https_url)

    def choice(self, name: str, allowed: tuple[str, ...]) -> str:
        value = self.text(name).lower()
        if value not in allowed:
            raise ConfigurationError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
        return value

    def integer(self, name: str, low: int, high: int) -> int:
        raw = self.text(name)
        try:
            value = int(raw)
        except ValueError:
            raise ConfigurationError(f"{name} must be a whole number; got {raw!r}") from None
        if not low <= value <= high:
            raise ConfigurationError(f"{name} must be between {low} and {high}; got {value}")
        return value

    def items(self, name: str, validate: Callable[[str, str], str]) -> tuple[str, ...]:
        parts = [part.strip().lower() for part in self.text(name).split(",")]
        return tuple(dict.fromkeys(validate(name, part) for part in parts if part))


def _storage(env: Mapping[str, str]) -> StorageConnection:
    connection = env.get(STORAGE, "").strip()
    identity = {
        suffix: env.get(f"{STORAGE}__{suffix}", "").strip() or None
        for suffix in STORAGE_IDENTITY_SUFFIXES
    }
    if connection:
        if "=" not in connection:
            raise ConfigurationError(
                f"{STORAGE} must be a storage connection string "
                "(e.g. UseDevelopmentStorage=true or AccountName=...;AccountKey=...)"
            )
        return StorageConnection(connection_string=connection)
    if not identity["accountName"] and not (
        identity["blobServiceUri"] and identity["queueServiceUri"] and identity["tableServiceUri"]
    ):
        raise ConfigurationError(
            f"{STORAGE} is not set: give a connection string, or {STORAGE}__accountName, or all of "
            f"{STORAGE}__blobServiceUri, __queueServiceUri and __tableServiceUri"
        )
    for suffix in ("blobServiceUri", "queueServiceUri", "tableServiceUri"):
        if identity[suffix]:
            _https_url(f"{STORAGE}__{suffix}", identity[suffix] or "")
    if identity["credential"] not in (None, "managedidentity"):
        raise ConfigurationError(
            f"{STORAGE}__credential must be 'managedidentity'; got {identity['credential']!r}"
        )
    return StorageConnection(
        account_name=identity["accountName"],
        blob_service_uri=identity["blobServiceUri"],
        queue_service_uri=identity["queueServiceUri"],
        table_service_uri=identity["tableServiceUri"],
        credential=identity["credential"],
        client_id=identity["clientId"],
    )


def _https_url(name: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        raise ConfigurationError(f"{name} must be an https:// URL; got {value!r}")
    return value.rstrip("/")


def is_email(value: str) -> bool:
    """True for an email address Exchange accepts (an RFC 5322 dot-atom addr-spec)."""
    return is_addr_spec(value)


def _email(name: str, value: str) -> str:
    if not is_addr_spec(value):
        raise ConfigurationError(f"{name} must be an email address; got {value!r}")
    return value.lower()


def _domain(name: str, value: str) -> str:
    if not _DOMAIN.match(value) or value.startswith("*."):
        raise ConfigurationError(f"{name} must list domain names like contoso.com; got {value!r}")
    return value


def _host_pattern(name: str, value: str) -> str:
    if not _HOST.match(value):
        raise ConfigurationError(f"{name} must list host names or *.suffix patterns; got {value!r}")
    return value


def _guid(name: str, value: str) -> str:
    if not _GUID.match(value):
        raise ConfigurationError(f"{name} must be a GUID; got {value!r}")
    return value.lower()


def _tenant(name: str, value: str) -> str:
    # A tenant is a GUID or a verified domain (contoso.onmicrosoft.com); both work in the authority.
    if _GUID.match(value) or _DOMAIN.match(value.lower()):
        return value.lower()
    raise ConfigurationError(f"{name} must be a tenant GUID or domain; got {value!r}")


def _storage_name(name: str, value: str) -> str:
    if not _STORAGE_NAME.match(value):
        raise ConfigurationError(
            f"{name} must be 3-63 lowercase letters, digits or single hyphens; got {value!r}"
        )
    return value


def _table_prefix(name: str, value: str) -> str:
    if not _TABLE_PREFIX.match(value):
        raise ConfigurationError(
            f"{name} must start with a letter and hold only letters and digits (max 41); "
            f"got {value!r}"
        )
    return value


def _folder_name(name: str, value: str) -> str:
    if len(value) > 255 or any(ord(ch) < 32 for ch in value):
        raise ConfigurationError(
            f"{name} must be a folder name of at most 255 printable characters"
        )
    return value


def _schedule(name: str, value: str) -> str:
    fields = value.split()
    if len(fields) != 6 or not all(_CRON_FIELD.match(f) for f in fields):
        raise ConfigurationError(
            f"{name} must be a six-field NCRONTAB expression "
            f"(second minute hour day month day-of-week), e.g. '0 */15 * * * *'; got {value!r}"
        )
    return value


def _check_pem(value: str) -> str:
    # App settings are single-line; admins often paste the PEM with literal "\n" escapes.
    pem = value.replace("\\n", "\n")
    if "PRIVATE KEY-----" not in pem or "BEGIN CERTIFICATE-----" not in pem:
        raise ConfigurationError(
            "GRAPH_CLIENT_CERTIFICATE must be a PEM holding both the private key "
            "and the certificate"
        )
    return pem
