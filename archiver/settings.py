"""Every app setting the product reads, parsed once into a frozen Settings that fails fast.

Names match local.settings.sample.json and the Bicep app settings. Nothing else in the product reads
os.environ; function_app.py calls `Settings.from_mapping(os.environ)` lazily.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from archiver import setting_rules as rules
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

# AzureWebJobsStorage__credential: the Functions host accepts managedidentity; admin commands run
# from an admin's machine may also sign in as the admin (azure-identity's credentials).
STORAGE_CREDENTIALS = ("managedidentity", "default", "azurecli", "environment", "workloadidentity")

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
    "ZOOM_DAILY_HEAVY_LIMIT": "",
    "ZOOM_DAILY_HEAVY_RESERVE_PERCENT": "10",
    "ZOOM_ARCHIVING": "auto",
    "ARCHIVE_RETENTION_DAYS": "7",
    "ARCHIVE_UNRECORDED": "true",
    "GRAPH_TENANT_ID": "",
    "GRAPH_CLIENT_ID": "",
    "GRAPH_CREDENTIAL": "",
    "GRAPH_CLIENT_SECRET": "",
    "GRAPH_CLIENT_CERTIFICATE": "",
    "GRAPH_MANAGED_IDENTITY_CLIENT_ID": "",
    "GRAPH_TOKEN_EXCHANGE_AUDIENCE": "api://AzureADTokenExchange",
    "GRAPH_URL": "https://graph.microsoft.com/v1.0",
    "GRAPH_AUTHORITY_HOST": "https://login.microsoftonline.com",
    "ARCHIVE_FOLDER_NAME": "Zoom Meetings",
    "INTERNAL_DOMAINS": "",
    "FALLBACK_MAILBOX": "",
    "COMPLIANCE_MAILBOX": "",
    "DISCOVERY_SCHEDULE": "0 */15 * * * *",
    "INITIAL_LOOKBACK_DAYS": "30",
    "SWEEP_SCHEDULE": "0 30 1 * * *",
    "RECONCILE_DAYS": "7",
    "DISCOVERY_QUEUE": "discovery",
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
        "ZOOM_DAILY_HEAVY_LIMIT",
        "GRAPH_CREDENTIAL",
        "GRAPH_CLIENT_SECRET",
        "GRAPH_CLIENT_CERTIFICATE",
        "GRAPH_MANAGED_IDENTITY_CLIENT_ID",
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
# The Archiving API as a content source: auto (when the account has it), on (required), off.
ARCHIVING_MODES = ("auto", "on", "off")
# How the app proves itself to Entra ID for Graph: the function app's managed identity as a
# federated credential of the app registration (nothing stored or rotated), a certificate or a
# client secret.
GRAPH_CREDENTIALS = ("managedidentity", "certificate", "secret")
# What each group of settings is for: an admin command that needs no Zoom call may run without
# the Zoom settings (Settings.from_mapping(..., partial=True)), never without storage.
SERVICE_SETTINGS = {
    "Zoom": ("ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET"),
    "Graph": ("GRAPH_TENANT_ID", "GRAPH_CLIENT_ID", "GRAPH_CREDENTIAL"),
}
# The settings a service's client is built from, by name prefix (`check` tests each service
# whose own settings are valid).
SERVICE_PREFIXES = {"Zoom": "ZOOM_", "Graph": "GRAPH_", "Storage": STORAGE}
OVERSIZE_POLICIES = ("link", "split", "skip")
# Graph refuses attachments over 150 MB (upload session limit); a bigger setting could never work.
GRAPH_ATTACHMENT_CEILING_MB = 150


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
    zoom_daily_heavy_limit: int | None  # None: the plan's figure
    zoom_daily_heavy_reserve_percent: int
    zoom_archiving: str  # auto | on | off: whether the Archiving API is a content source
    archive_retention_days: int  # how long Zoom keeps archive files (status warns before)
    archive_unrecorded: bool  # meetings without cloud content archived from their reports
    graph_tenant_id: str
    graph_client_id: str
    graph_credential: str  # managedidentity | certificate | secret
    graph_client_secret: str | None = field(repr=False)
    graph_client_certificate: str | None = field(repr=False)
    graph_managed_identity_client_id: str | None
    graph_token_exchange_audience: str
    graph_url: str
    graph_authority_host: str
    archive_folder_name: str
    internal_domains: tuple[str, ...]
    fallback_mailbox: str | None
    compliance_mailbox: str | None
    discovery_schedule: str
    initial_lookback_days: int
    sweep_schedule: str  # the daily reconciliation (NCRONTAB)
    reconcile_days: int  # how far back the reconciliation lists
    discovery_queue: str  # user shards of per-user discovery
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
    # Required settings left unset (admin commands only; empty for the function app).
    unset: frozenset[str] = frozenset()
    # Settings found invalid, with why (`check` only: it reports them all; otherwise the first
    # one raises). Their fields hold the default.
    invalid: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_mapping(
        cls, env: Mapping[str, str], *, partial: bool = False, collect: bool = False
    ) -> Settings:
        """Parse and validate every setting; raise ConfigurationError naming the first bad one.

        With `partial` (admin commands), a required Zoom or Graph setting that is not set is
        recorded in `unset` instead; `require()` names it when a command needs that service.
        Storage is always required. With `collect` (`check`), which implies `partial`, every
        invalid setting is recorded in `invalid` instead of raising.
        """
        r = _Reader(env, partial=partial or collect, collect=collect)
        secret = r.text("GRAPH_CLIENT_SECRET")
        certificate = r.text("GRAPH_CLIENT_CERTIFICATE")
        if certificate:
            certificate = r.guard(
                "GRAPH_CLIENT_CERTIFICATE", lambda: rules.check_pem(certificate), ""
            )
        credential = r.guard(
            "GRAPH_CREDENTIAL",
            lambda: _graph_credential(r, secret=secret, certificate=certificate),
            "",
        )
        settings = cls(
            storage=r.guard(STORAGE, lambda: _storage(env), StorageConnection()),
            zoom_account_id=r.text("ZOOM_ACCOUNT_ID"),
            zoom_client_id=r.text("ZOOM_CLIENT_ID"),
            zoom_client_secret=r.text("ZOOM_CLIENT_SECRET"),
            zoom_webhook_secret=r.text("ZOOM_WEBHOOK_SECRET") or None,
            zoom_api_url=r.url("ZOOM_API_URL"),
            zoom_oauth_url=r.url("ZOOM_OAUTH_URL"),
            zoom_download_hosts=r.items("ZOOM_DOWNLOAD_HOSTS", rules.host_pattern),
            zoom_rate_plan=r.choice("ZOOM_RATE_PLAN", RATE_PLANS),
            zoom_daily_heavy_limit=r.optional_integer("ZOOM_DAILY_HEAVY_LIMIT", 1, 10_000_000),
            zoom_daily_heavy_reserve_percent=r.integer("ZOOM_DAILY_HEAVY_RESERVE_PERCENT", 0, 90),
            zoom_archiving=r.choice("ZOOM_ARCHIVING", ARCHIVING_MODES),
            archive_retention_days=r.integer("ARCHIVE_RETENTION_DAYS", 1, 30),
            archive_unrecorded=r.flag("ARCHIVE_UNRECORDED"),
            graph_tenant_id=r.check("GRAPH_TENANT_ID", rules.tenant),
            graph_client_id=r.check("GRAPH_CLIENT_ID", rules.guid),
            graph_credential=credential,
            graph_client_secret=secret or None,
            graph_client_certificate=certificate or None,
            graph_managed_identity_client_id=r.check("GRAPH_MANAGED_IDENTITY_CLIENT_ID", rules.guid)
            or None,
            graph_token_exchange_audience=r.text("GRAPH_TOKEN_EXCHANGE_AUDIENCE"),
            graph_url=r.url("GRAPH_URL"),
            graph_authority_host=r.url("GRAPH_AUTHORITY_HOST"),
            archive_folder_name=r.check("ARCHIVE_FOLDER_NAME", rules.folder_name),
            internal_domains=r.items("INTERNAL_DOMAINS", rules.domain),
            fallback_mailbox=r.check("FALLBACK_MAILBOX", rules.email) or None,
            compliance_mailbox=r.check("COMPLIANCE_MAILBOX", rules.email) or None,
            discovery_schedule=r.check("DISCOVERY_SCHEDULE", rules.schedule),
            initial_lookback_days=r.integer("INITIAL_LOOKBACK_DAYS", 1, 3650),
            sweep_schedule=r.check("SWEEP_SCHEDULE", rules.schedule),
            reconcile_days=r.integer("RECONCILE_DAYS", 1, 30),
            discovery_queue=r.check("DISCOVERY_QUEUE", rules.storage_name),
            meetings_queue=r.check("MEETINGS_QUEUE", rules.storage_name),
            files_queue=r.check("FILES_QUEUE", rules.storage_name),
            staging_container=r.check("STAGING_CONTAINER", rules.storage_name),
            archive_container=r.check("ARCHIVE_CONTAINER", rules.storage_name),
            table_prefix=r.check("TABLE_PREFIX", rules.table_prefix),
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
            unset=frozenset(r.unset),
            invalid=dict(r.invalid),
        )
        return settings

    def require(self, service: str) -> None:
        """Raise ConfigurationError naming what `service` (Zoom, Graph, Storage) needs and is
        not set or not valid."""
        prefix = SERVICE_PREFIXES[service]
        wrong = [message for name, message in self.invalid.items() if name.startswith(prefix)]
        if wrong:
            raise ConfigurationError("; ".join(wrong))
        lacking = [name for name in SERVICE_SETTINGS.get(service, ()) if name in self.unset]
        if lacking:
            raise ConfigurationError(
                f"this needs {service}: {', '.join(lacking)} not set (set them as the "
                "function app has them; see docs/admin-guide.md, section 8)"
            )


class _Reader:
    """Reads one setting at a time, applying DEFAULTS and naming the setting in every error."""

    def __init__(self, env: Mapping[str, str], *, partial: bool = False, collect: bool = False):
        self._env = env
        self._partial = partial
        self._collect = collect
        self.unset: set[str] = set()
        self.invalid: dict[str, str] = {}

    def guard(self, name: str, read: Callable[[], T], fallback: T) -> T:
        """`read()`, or in collect mode the fallback with the error recorded against `name`."""
        if not self._collect:
            return read()
        try:
            return read()
        except ConfigurationError as error:
            self.invalid.setdefault(name, error.message)
            return fallback

    def text(self, name: str) -> str:
        value = self._env.get(name, "").strip() or DEFAULTS[name]
        if not value and name not in OPTIONAL:
            if self._partial and any(name in names for names in SERVICE_SETTINGS.values()):
                self.unset.add(name)
                return ""
            raise ConfigurationError(f"{name} is required but not set")
        return value

    def missing(self, name: str, message: str) -> None:
        """A setting the others make required (e.g. the credential a mode needs)."""
        if not self._partial:
            raise ConfigurationError(message)
        self.unset.add(name)

    def check(self, name: str, validate: Callable[[str, str], str]) -> str:
        value = self.text(name)
        return self.guard(name, lambda: validate(name, value), DEFAULTS[name]) if value else value

    def url(self, name: str) -> str:
        return self.check(name, rules.https_url)

    def choice(self, name: str, allowed: tuple[str, ...]) -> str:
        value = self.text(name).lower()

        def valid() -> str:
            if value not in allowed:
                raise ConfigurationError(
                    f"{name} must be one of {', '.join(allowed)}; got {value!r}"
                )
            return value

        return self.guard(name, valid, DEFAULTS[name])

    def flag(self, name: str) -> bool:
        raw = self.text(name)
        return self.guard(name, lambda: rules.flag(name, raw), DEFAULTS[name] == "true")

    def integer(self, name: str, low: int, high: int) -> int:
        raw = self.text(name)
        return self.guard(name, lambda: _whole(name, raw, low, high), int(DEFAULTS[name]))

    def optional_integer(self, name: str, low: int, high: int) -> int | None:
        """An integer setting that may be left empty (None)."""
        raw = self.text(name)
        if not raw:
            return None
        return self.guard(name, lambda: _whole(name, raw, low, high), None)

    def items(self, name: str, validate: Callable[[str, str], str]) -> tuple[str, ...]:
        parts = [part.strip().lower() for part in self.text(name).split(",")]
        return self.guard(
            name, lambda: tuple(dict.fromkeys(validate(name, p) for p in parts if p)), ()
        )


def _whole(name: str, raw: str, low: int, high: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number; got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigurationError(f"{name} must be between {low} and {high}; got {value}")
    return value


def _graph_credential(r: _Reader, *, secret: str, certificate: str) -> str:
    """GRAPH_CREDENTIAL, or the mode the credential that is set implies; checks what it needs."""
    chosen = r.text("GRAPH_CREDENTIAL").lower()
    if chosen and chosen not in GRAPH_CREDENTIALS:
        raise ConfigurationError(
            f"GRAPH_CREDENTIAL must be one of {', '.join(GRAPH_CREDENTIALS)}; got {chosen!r}"
        )
    mode = chosen or ("certificate" if certificate else "secret" if secret else "")
    if not mode:
        r.missing(
            "GRAPH_CREDENTIAL",
            "GRAPH_CREDENTIAL is not set, nor GRAPH_CLIENT_CERTIFICATE or GRAPH_CLIENT_SECRET: "
            "set GRAPH_CREDENTIAL=managedidentity (recommended in Azure: docs/admin-guide.md) "
            "or give a certificate (preferred to a secret)",
        )
        return ""
    needs = {"certificate": certificate, "secret": secret, "managedidentity": "-"}[mode]
    if not needs:
        raise ConfigurationError(
            f"GRAPH_CREDENTIAL is {mode} but GRAPH_CLIENT_{mode.upper()} is not set"
        )
    return mode


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
            rules.https_url(f"{STORAGE}__{suffix}", identity[suffix] or "")
    if identity["credential"] not in (None, *STORAGE_CREDENTIALS):
        raise ConfigurationError(
            f"{STORAGE}__credential must be one of {', '.join(STORAGE_CREDENTIALS)}; "
            f"got {identity['credential']!r}"
        )
    return StorageConnection(
        account_name=identity["accountName"],
        blob_service_uri=identity["blobServiceUri"],
        queue_service_uri=identity["queueServiceUri"],
        table_service_uri=identity["tableServiceUri"],
        credential=identity["credential"],
        client_id=identity["clientId"],
    )
