"""Settings: every default, every validation, and errors that name the setting."""

from __future__ import annotations

import pytest

from archiver.errors import ConfigurationError
from archiver.settings import DEFAULTS, SECRETS, SETTING_NAMES, Settings

GOOD = {
    "AzureWebJobsStorage": "UseDevelopmentStorage=true",
    "ZOOM_ACCOUNT_ID": "acct",
    "ZOOM_CLIENT_ID": "zoom-client",
    "ZOOM_CLIENT_SECRET": "zoom-secret-value",
    "GRAPH_TENANT_ID": "11111111-1111-4111-8111-111111111111",
    "GRAPH_CLIENT_ID": "22222222-2222-4222-8222-222222222222",
    "GRAPH_CLIENT_SECRET": "graph-secret-value",
}
PEM = (
    "-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n"
    "-----BEGIN CERTIFICATE-----\\nBBBB\\n-----END CERTIFICATE-----\\n"
)


def settings(**overrides: str) -> Settings:
    return Settings.from_mapping({**GOOD, **overrides})


def error_for(**overrides: str) -> str:
    with pytest.raises(ConfigurationError) as caught:
        settings(**overrides)
    return str(caught.value)


def test_defaults_apply_when_only_required_settings_are_given() -> None:
    s = settings()
    assert s.zoom_api_url == "https://api.zoom.us/v2"
    assert s.zoom_oauth_url == "https://zoom.us/oauth/token"
    assert s.graph_url == "https://graph.microsoft.com/v1.0"
    assert s.graph_authority_host == "https://login.microsoftonline.com"
    assert s.archive_folder_name == "Zoom Meetings"
    assert s.discovery_schedule == "0 */15 * * * *"
    assert (s.meetings_queue, s.files_queue) == ("meetings", "files")
    assert (s.staging_container, s.archive_container) == ("staging", "archive")
    assert (s.initial_lookback_days, s.max_attachment_mb, s.max_item_mb) == (30, 150, 150)
    assert s.oversize_policy == "link"
    assert s.zoom_download_hosts == ("zoom.us", "*.zoom.us", "zoomgov.com", "*.zoomgov.com")
    assert s.internal_domains == ()
    assert s.fallback_mailbox is None
    assert s.zoom_webhook_secret is None
    assert s.mailbox_concurrency == 4


def test_every_setting_name_has_a_default_or_is_storage() -> None:
    assert set(DEFAULTS) <= set(SETTING_NAMES)
    assert "AzureWebJobsStorage__clientId" in SETTING_NAMES


@pytest.mark.parametrize(
    "name",
    [
        "ZOOM_ACCOUNT_ID",
        "ZOOM_CLIENT_ID",
        "ZOOM_CLIENT_SECRET",
        "GRAPH_TENANT_ID",
        "GRAPH_CLIENT_ID",
    ],
)
def test_a_missing_required_setting_is_named(name: str) -> None:
    assert error_for(**{name: ""}) == f"{name} is required but not set"


def test_graph_needs_a_secret_or_a_certificate() -> None:
    error = error_for(GRAPH_CLIENT_SECRET="")
    assert "nor GRAPH_CLIENT_CERTIFICATE or GRAPH_CLIENT_SECRET" in error


def test_a_certificate_with_escaped_newlines_is_accepted_and_unescaped() -> None:
    s = settings(GRAPH_CLIENT_SECRET="", GRAPH_CLIENT_CERTIFICATE=PEM)
    assert s.graph_client_certificate is not None
    assert "\n-----BEGIN CERTIFICATE-----" in s.graph_client_certificate


def test_a_certificate_without_a_key_is_refused() -> None:
    assert "GRAPH_CLIENT_CERTIFICATE" in error_for(
        GRAPH_CLIENT_CERTIFICATE="-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----"
    )


@pytest.mark.parametrize(
    "name", ["ZOOM_API_URL", "ZOOM_OAUTH_URL", "GRAPH_URL", "GRAPH_AUTHORITY_HOST"]
)
def test_endpoints_must_be_https(name: str) -> None:
    assert error_for(**{name: "http://example.com"}).startswith(f"{name} must be an https:// URL")


def test_endpoint_trailing_slashes_are_dropped() -> None:
    assert settings(GRAPH_URL="https://graph.microsoft.us/v1.0/").graph_url.endswith("/v1.0")


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("FALLBACK_MAILBOX", "not-an-email", "must be an email address"),
        ("INTERNAL_DOMAINS", "contoso.com, bad domain", "must list domain names"),
        ("ZOOM_DOWNLOAD_HOSTS", "zoom.us,https://x", "host names or *.suffix"),
        ("GRAPH_CLIENT_ID", "not-a-guid", "must be a GUID"),
        ("GRAPH_TENANT_ID", "not a tenant", "tenant GUID or domain"),
        ("DISCOVERY_SCHEDULE", "*/5 * * * *", "six-field NCRONTAB"),
        ("INITIAL_LOOKBACK_DAYS", "ten", "must be a whole number"),
        ("INITIAL_LOOKBACK_DAYS", "0", "between 1 and 3650"),
        ("MAX_ATTACHMENT_MB", "151", "between 1 and 150"),
        ("MAILBOX_CONCURRENCY", "5", "between 1 and 4"),
        ("MEETINGS_QUEUE", "Meetings_Q", "lowercase letters"),
        ("STAGING_CONTAINER", "ab", "3-63"),
        ("TABLE_PREFIX", "9abc", "start with a letter"),
        ("OVERSIZE_POLICY", "drop", "one of link, split, skip"),
        ("ZOOM_RATE_PLAN", "free", "one of pro, business"),
        ("ZOOM_DAILY_HEAVY_LIMIT", "60k", "must be a whole number"),
        ("ZOOM_DAILY_HEAVY_LIMIT", "0", "between 1 and 10000000"),
        ("ZOOM_DAILY_HEAVY_RESERVE_PERCENT", "95", "between 0 and 90"),
        ("ARCHIVE_FOLDER_NAME", "Zoom\nMeetings", "printable"),
    ],
)
def test_bad_values_fail_fast_naming_the_setting(name: str, value: str, fragment: str) -> None:
    message = error_for(**{name: value})
    assert message.startswith(name)
    assert fragment in message


def test_the_daily_heavy_limit_is_the_plans_unless_set_and_keeps_a_reserve() -> None:
    assert settings().zoom_daily_heavy_limit is None
    assert settings().zoom_daily_heavy_reserve_percent == 10
    tuned = settings(ZOOM_DAILY_HEAVY_LIMIT="45000", ZOOM_DAILY_HEAVY_RESERVE_PERCENT="0")
    assert (tuned.zoom_daily_heavy_limit, tuned.zoom_daily_heavy_reserve_percent) == (45000, 0)


def test_an_invalid_optional_number_is_collected_by_check_like_any_other() -> None:
    s = Settings.from_mapping({**GOOD, "ZOOM_DAILY_HEAVY_LIMIT": "lots"}, collect=True)
    assert s.zoom_daily_heavy_limit is None
    assert "ZOOM_DAILY_HEAVY_LIMIT" in s.invalid


def test_lists_are_normalised_and_deduplicated() -> None:
    s = settings(INTERNAL_DOMAINS=" Contoso.com,contoso.com, fabrikam.com ,")
    assert s.internal_domains == ("contoso.com", "fabrikam.com")


def test_fallback_mailbox_is_lowercased() -> None:
    s = settings(FALLBACK_MAILBOX="Archive@Contoso.com")
    assert s.fallback_mailbox == "archive@contoso.com"


def test_identity_based_storage_is_accepted_without_a_connection_string() -> None:
    s = settings(
        AzureWebJobsStorage="",
        AzureWebJobsStorage__accountName="stzoom",
        AzureWebJobsStorage__credential="managedidentity",
        AzureWebJobsStorage__clientId="33333333-3333-4333-8333-333333333333",
    )
    assert s.storage.uses_identity
    assert s.storage.account_name == "stzoom"


def test_storage_must_be_configured_one_way_or_the_other() -> None:
    assert error_for(AzureWebJobsStorage="").startswith("AzureWebJobsStorage is not set")


def test_storage_credential_other_than_managed_identity_is_refused() -> None:
    message = error_for(
        AzureWebJobsStorage="",
        AzureWebJobsStorage__accountName="st",
        AzureWebJobsStorage__credential="password",
    )
    assert message.startswith("AzureWebJobsStorage__credential")


def test_secrets_never_appear_in_the_repr() -> None:
    s = settings(ZOOM_WEBHOOK_SECRET="hook-secret-value", AzureWebJobsStorage="AccountKey=k3y=;x=y")
    text = repr(s)
    for secret in ("zoom-secret-value", "graph-secret-value", "hook-secret-value", "k3y="):
        assert secret not in text
    assert {"ZOOM_CLIENT_SECRET", "GRAPH_CLIENT_CERTIFICATE"} <= SECRETS


def test_a_schedule_the_host_would_refuse_is_refused_naming_the_field() -> None:
    assert "minute field '99' is outside 0-59" in error_for(DISCOVERY_SCHEDULE="0 99 * * * *")


def test_graph_can_sign_in_with_the_apps_managed_identity_and_nothing_stored() -> None:
    managed = settings(GRAPH_CLIENT_SECRET="", GRAPH_CREDENTIAL="managedidentity")
    assert managed.graph_credential == "managedidentity"
    assert managed.graph_token_exchange_audience == "api://AzureADTokenExchange"


def test_the_credential_a_mode_names_must_be_there() -> None:
    error = error_for(GRAPH_CREDENTIAL="certificate")
    assert error == "GRAPH_CREDENTIAL is certificate but GRAPH_CLIENT_CERTIFICATE is not set"


def test_an_admin_command_may_run_without_the_settings_of_a_service_it_does_not_call() -> None:
    env = {**GOOD, "ZOOM_CLIENT_SECRET": "", "GRAPH_CLIENT_SECRET": ""}
    admin = Settings.from_mapping(env, partial=True)
    assert admin.unset == {"ZOOM_CLIENT_SECRET", "GRAPH_CREDENTIAL"}
    with pytest.raises(ConfigurationError, match=r"this needs Zoom: ZOOM_CLIENT_SECRET not set"):
        admin.require("Zoom")
    with pytest.raises(ConfigurationError, match="this needs Graph: GRAPH_CREDENTIAL"):
        admin.require("Graph")


def test_an_admin_may_sign_in_to_storage_as_themselves() -> None:
    admin = settings(
        AzureWebJobsStorage="",
        AzureWebJobsStorage__accountName="zoomarchive",
        AzureWebJobsStorage__credential="azurecli",
    )
    assert admin.storage.credential == "azurecli"


def test_unrecorded_meetings_are_archived_unless_switched_off() -> None:
    assert settings().archive_unrecorded is True
    assert settings(ARCHIVE_UNRECORDED="off").archive_unrecorded is False
    assert settings(ARCHIVE_UNRECORDED="FALSE").archive_unrecorded is False


def test_an_unrecorded_switch_that_is_not_true_or_false_is_named() -> None:
    assert "ARCHIVE_UNRECORDED must be true or false" in error_for(ARCHIVE_UNRECORDED="maybe")
