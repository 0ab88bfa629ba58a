"""Settings, local.settings.sample.json and the Bicep app settings name the same things."""

from __future__ import annotations

import json
import re
from pathlib import Path

from archiver.settings import SETTING_NAMES

ROOT = Path(__file__).resolve().parents[2]
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


def bicep_block_keys(path: Path, variable: str) -> set[str]:
    text = path.read_text()
    block = re.search(rf"var {variable} = \{{(.*?)\n\}}", text, re.DOTALL)
    assert block, f"{variable} not found in {path.name}"
    return set(re.findall(r"^\s*(\w+):", block[1], re.MULTILINE))


def bicep_settings() -> set[str]:
    keys = bicep_block_keys(ROOT / "infra" / "main.bicep", "appSettings")
    function = ROOT / "infra" / "app" / "function.bicep"
    return (
        keys
        | bicep_block_keys(function, "secretSettings")
        | bicep_block_keys(function, "platformSettings")
    )


def test_every_product_setting_is_set_in_bicep() -> None:
    assert set(SETTING_NAMES) - AZURE_NOT_SET <= bicep_settings()


def test_bicep_sets_no_setting_the_product_does_not_know() -> None:
    assert bicep_settings() - set(SETTING_NAMES) == PLATFORM


def test_the_sample_lists_every_setting_and_only_known_local_extras() -> None:
    sample = json.loads((ROOT / "local.settings.sample.json").read_text())["Values"]
    assert set(SETTING_NAMES) <= set(sample)
    assert set(sample) - set(SETTING_NAMES) == LOCAL_ONLY


def test_secrets_come_from_key_vault_references() -> None:
    function = (ROOT / "infra" / "app" / "function.bicep").read_text()
    block = re.search(r"var secretSettings = \{(.*?)\n\}", function, re.DOTALL)
    assert block
    for name in (
        "ZOOM_CLIENT_SECRET",
        "ZOOM_WEBHOOK_SECRET",
        "GRAPH_CLIENT_CERTIFICATE",
        "GRAPH_CLIENT_SECRET",
    ):
        assert re.search(rf"{name}: '\$\{{kv\}}", block[1]), name
