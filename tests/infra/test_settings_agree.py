"""Settings, local.settings.sample.json and the Bicep app settings name the same things.

Plain text parsing (the product's .venv has no Bicep parser): the Bicep declares app settings in
object literals (`var appSettings = {...}` and `var managedIdentitySettings = ... {...}` in
main.bicep, `var platformSettings = {...}` in function.bicep, one `var <name>Setting = ...
{ NAME: ... }` per Key Vault reference in keyvault.bicep); their keys are the setting names.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from archiver.settings import SETTING_NAMES

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
# Set in Azure only as identity-based settings (no connection string, no account name): the
# function.bicep platform settings use the explicit service URIs instead.
AZURE_NOT_SET = {"AzureWebJobsStorage", "AzureWebJobsStorage__accountName"}
LOCAL_ONLY = {
    "REQUESTS_CA_BUNDLE",
    "LOCAL_FUNCTION_KEY",
    "LOCAL_QUEUE_LEASE_SECONDS",
    "FUNCTIONS_WORKER_RUNTIME",
}
PLATFORM = {
    "APPLICATIONINSIGHTS_CONNECTION_STRING",
    "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
    "PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY",
}
# Settings the Bicep sets ahead of the product (docs/admin-guide.md, "Secretless Graph"): once
# archiver/settings.py reads them they simply become product settings and this set stops mattering.
PROPOSED = {"GRAPH_CREDENTIAL", "GRAPH_MANAGED_IDENTITY_CLIENT_ID", "GRAPH_TOKEN_EXCHANGE_AUDIENCE"}
SECRETS = {
    "ZOOM_CLIENT_SECRET": "zoom-client-secret",
    "ZOOM_WEBHOOK_SECRET": "zoom-webhook-secret",
    "GRAPH_CLIENT_CERTIFICATE": "graph-client-certificate",
    "GRAPH_CLIENT_SECRET": "graph-client-secret",
}


def braced(text: str, start: int) -> str:
    """The balanced {...} that opens at or after `start`."""
    open_at = text.index("{", start)
    depth = 0
    for index in range(open_at, len(text)):
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        if depth == 0:
            return text[open_at : index + 1]
    raise AssertionError("unbalanced braces")


def keys(literal: str) -> set[str]:
    """The keys of an object literal (string literals removed first: URLs hold colons)."""
    bare = re.sub(r"'(?:[^'\\]|\\.)*'", "''", literal)
    return set(re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*:", bare))


def var_keys(path: Path, variable: str) -> set[str]:
    text = path.read_text()
    found = re.search(rf"^var {variable} = ", text, re.MULTILINE)
    assert found, f"var {variable} not found in {path.name}"
    return keys(braced(text, found.end()))


def reference_settings() -> dict[str, str]:
    """keyvault.bicep: app setting name -> its Key Vault reference text."""
    text = (INFRA / "app" / "keyvault.bicep").read_text()
    found = re.findall(r"^var \w+Setting = .*?\{ (\w+): '([^']*)' \}", text, re.MULTILINE)
    return dict(found)


def bicep_settings() -> set[str]:
    return (
        var_keys(INFRA / "main.bicep", "appSettings")
        | var_keys(INFRA / "main.bicep", "managedIdentitySettings")
        | var_keys(INFRA / "app" / "function.bicep", "platformSettings")
        | set(reference_settings())
    )


def test_every_product_setting_is_set_in_bicep() -> None:
    assert set(SETTING_NAMES) - AZURE_NOT_SET <= bicep_settings()


def test_bicep_sets_no_setting_the_product_does_not_know() -> None:
    assert bicep_settings() - set(SETTING_NAMES) == PLATFORM | (PROPOSED - set(SETTING_NAMES))


def test_the_sample_lists_every_setting_and_only_known_local_extras() -> None:
    sample = json.loads((ROOT / "local.settings.sample.json").read_text())["Values"]
    assert set(SETTING_NAMES) <= set(sample)
    assert set(sample) - set(SETTING_NAMES) == LOCAL_ONLY


def test_secrets_come_from_key_vault_references() -> None:
    references = reference_settings()
    assert set(references) == set(SECRETS)
    for setting, secret in SECRETS.items():
        assert references[setting] == "${reference}" + secret + ")", setting
    text = (INFRA / "app" / "keyvault.bicep").read_text()
    assert "var reference = '@Microsoft.KeyVault(VaultName=${vault.name};SecretName='" in text


def test_no_other_bicep_file_writes_a_key_vault_reference() -> None:
    for path in INFRA.rglob("*.bicep"):
        code = re.sub(r"(^|\s)//.*$", "", path.read_text(), flags=re.MULTILINE)
        if path.name != "keyvault.bicep":
            assert "@Microsoft.KeyVault(" not in code, path.name
