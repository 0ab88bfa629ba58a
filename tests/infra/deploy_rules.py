"""Deployment rules, checked on the parsed Bicep (pycep-parser), azure.yaml and the hooks.

Each rule is one that a deployment broke once (docs/admin-guide.md, section 3):
Key Vault references only for stored secrets, a staging area that keeps nothing, alerts that mail
someone, ZOOM_RATE_PLAN and the Graph credential as parameters, a Key Vault name that survives
`azd down` + `azd up`, and every hook for both Windows and POSIX.

pycep-parser lives in .venv-infra (checkov pins its version), not in the product's .venv, so
`make lint-infra` (scripts/validate_infra.sh) runs this file there as a script (its name keeps
the product's pytest from collecting it). pycep 0.5.1 (checkov's) does not tell a string from an
identifier and binds `a == b ? x : y` as `a == (b ? x : y)`: the Bicep keeps conditions in plain
variables, and these checks compare names.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml
from pycep import BicepParser

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
RATE_PLANS = ("pro", "business", "business_plus", "enterprise")
GRAPH_CREDENTIALS = ("managedidentity", "certificate", "secret")
SECRET_SETTINGS = {
    "zoom-client-secret": "ZOOM_CLIENT_SECRET",
    "zoom-webhook-secret": "ZOOM_WEBHOOK_SECRET",
    "graph-client-certificate": "GRAPH_CLIENT_CERTIFICATE",
    "graph-client-secret": "GRAPH_CLIENT_SECRET",
}

Tree = dict[str, Any]
_parsed: dict[str, Tree] = {}


def bicep(name: str) -> Tree:
    """The parsed file infra/<name>."""
    if name not in _parsed:
        _parsed[name] = BicepParser().parse(file_path=INFRA / name)
    return _parsed[name]


def azure_yaml() -> Any:
    return yaml.safe_load((ROOT / "azure.yaml").read_text())


def parameters_file() -> dict[str, str]:
    values = json.loads((INFRA / "main.parameters.json").read_text())["parameters"]
    return {name: entry["value"] for name, entry in values.items()}


def dotted(node: Any) -> Any:
    """`a.b.c` for a property access, the node itself otherwise."""
    if isinstance(node, dict) and node.get("operator", {}).get("type") == "property_accessor":
        operands = node["operator"]["operands"]
        return f"{dotted(operands['operand_1'])}.{dotted(operands['operand_2'])}"
    return node


def conditional(node: Any) -> tuple[Any, Any, Any] | None:
    """(condition, true_value, false_value) of `c ? a : b`, else None."""
    if isinstance(node, dict) and node.get("operator", {}).get("type") == "conditional":
        operands = node["operator"]["operands"]
        return operands["condition"], operands["true_value"], operands["false_value"]
    return None


def body(resource: Tree) -> tuple[Any, Tree]:
    """(condition or None, the resource's body) for a plain, conditional or looped resource."""
    config = resource["config"]
    if "config" in config:  # `if (...)` or `[for ...]`
        return config.get("condition"), config["config"]
    return None, config


def resources(tree: Tree, type_: str) -> Iterator[tuple[str, Tree]]:
    for name, resource in tree.get("resources", {}).items():
        if resource["type"].lower() == type_.lower():
            yield name, resource


def decorator(parameter: Tree, kind: str) -> Any:
    found = [d["argument"] for d in parameter["decorators"] if d["type"] == kind]
    return found[0] if found else None


# 1. Key Vault references only for secrets that exist ------------------------------------------


def test_every_key_vault_reference_is_made_under_its_secrets_condition() -> None:
    vault = bicep("app/keyvault.bicep")
    stored = {}  # secret name -> the condition it is created under (None: always)
    for _, resource in resources(vault, "Microsoft.KeyVault/vaults/secrets"):
        condition, config = body(resource)
        stored[config["name"]] = condition
    assert set(stored) == set(SECRET_SETTINGS), stored
    reference = vault["variables"]["reference"]["value"]
    assert reference.startswith("@Microsoft.KeyVault(VaultName=${vault.name};SecretName=")

    output = vault["outputs"]["referenceSettings"]["value"]["function"]
    assert output["type"] == "union"
    made = {}  # setting -> (secret name, condition)
    for variable in output["parameters"].values():
        value = vault["variables"][variable]["value"]
        condition = None
        if (branches := conditional(value)) is not None:
            condition, value, otherwise = branches
            assert otherwise == {}, f"{variable}: the false branch sets settings"
        for setting, text in value.items():
            found = re.fullmatch(r"\$\{reference\}([a-z-]+)\)", text)
            assert found, f"{setting} is not a Key Vault reference: {text}"
            made[setting] = (found[1], condition)
    assert made == {
        setting: (secret, stored[secret]) for secret, setting in SECRET_SETTINGS.items()
    }


def test_the_app_gets_its_secret_settings_only_from_the_vault() -> None:
    main = bicep("main.bicep")
    params = main["modules"]["function"]["config"]["params"]
    assert dotted(params["secretSettings"]) == "vault.outputs.referenceSettings"
    vault = main["modules"]["vault"]["config"]["params"]
    for flag in ("zoomWebhookSecret", "graphClientCertificate", "graphClientSecret"):
        assert dotted(vault["store" + flag[0].upper() + flag[1:]]) == f"storeSecret.{flag}"
    for name in ("main.bicep", *(f"app/{p.name}" for p in (INFRA / "app").glob("*.bicep"))):
        if name != "app/keyvault.bicep":
            code = re.sub(r"(^|\s)//.*$", "", (INFRA / name).read_text(), flags=re.MULTILINE)
            assert "@Microsoft.KeyVault(" not in code, name


# 2. Staging is transient -----------------------------------------------------------------------


def test_the_staging_account_keeps_no_versions_and_no_deleted_blobs() -> None:
    storage = bicep("app/storage.bicep")
    assert len(list(resources(storage, "Microsoft.Storage/storageAccounts"))) == 1
    [(service, blobs)] = resources(storage, "Microsoft.Storage/storageAccounts/blobServices")
    properties = body(blobs)[1]["properties"]
    assert properties["isVersioningEnabled"] is False
    assert properties["deleteRetentionPolicy"]["enabled"] is False
    assert properties["containerDeleteRetentionPolicy"]["enabled"] is False
    containers = {
        body(resource)[1]["name"]: body(resource)[1]
        for _, resource in resources(
            storage, "Microsoft.Storage/storageAccounts/blobServices/containers"
        )
    }
    assert containers["stagingContainer"]["parent"] == service
    # Version-level WORM would need versioning: the archive uses a container-level policy.
    assert "immutableStorageWithVersioning" not in containers["archiveContainer"]["properties"]


def test_staging_leftovers_are_deleted_within_two_days() -> None:
    storage = bicep("app/storage.bicep")
    days = storage["parameters"]["stagingLeftoverDays"]
    assert days["default"] == 1
    assert decorator(days, "min_value") == 1
    assert decorator(days, "max_value") <= 7
    [(_, policy)] = resources(storage, "Microsoft.Storage/storageAccounts/managementPolicies")
    rules = body(policy)[1]["properties"]["policy"]["rules"]
    staging = [
        r for r in rules if r["definition"]["filters"]["prefixMatch"] == ["${stagingContainer}/"]
    ]
    assert len(staging) == 1
    assert staging[0]["enabled"] is True
    actions = staging[0]["definition"]["actions"]
    assert actions["baseBlob"]["delete"] == {
        "daysAfterModificationGreaterThan": "stagingLeftoverDays"
    }
    assert actions["version"]["delete"] == {"daysAfterCreationGreaterThan": "stagingLeftoverDays"}


def test_staging_is_in_the_account_the_blob_trigger_reads() -> None:
    main = bicep("main.bicep")
    params = main["modules"]["function"]["config"]["params"]
    assert dotted(params["blobEndpoint"]) == "storage.outputs.blobEndpoint"
    storage = main["modules"]["storage"]["config"]["params"]
    assert dotted(storage["stagingContainer"]) == "appSettings.STAGING_CONTAINER"
    platform = bicep("app/function.bicep")["variables"]["platformSettings"]["value"]
    assert platform["AzureWebJobsStorage__blobServiceUri"] == "blobEndpoint"
    assert "AzureWebJobsStorage" in (ROOT / "function_app.py").read_text()


def test_the_guide_sets_the_archive_retention_policy() -> None:
    guide = (ROOT / "docs" / "admin-guide.md").read_text()
    assert "az storage container immutability-policy create" in guide
    assert "az storage container immutability-policy lock" in guide


# 3. Alerts reach someone -----------------------------------------------------------------------


def test_every_alert_notifies_the_email_action_group() -> None:
    monitoring = bicep("app/monitoring.bicep")
    [(group, resource)] = resources(monitoring, "Microsoft.Insights/actionGroups")
    condition, config = body(resource)
    assert condition is not None  # only when there is an address
    receivers = config["properties"]["emailReceivers"]
    assert [r["emailAddress"] for r in receivers] == ["alertEmail"]
    alert_types = ("scheduledQueryRules", "metricAlerts", "activityLogAlerts")
    alerts = 0
    for name in ("main.bicep", *(f"app/{p.name}" for p in (INFRA / "app").glob("*.bicep"))):
        for type_ in alert_types:
            for rule, resource in resources(bicep(name), f"Microsoft.Insights/{type_}"):
                alerts += 1
                actions = body(resource)[1]["properties"]["actions"]
                if (branches := conditional(actions)) is not None:
                    actions = next(b for b in branches[1:] if b)
                assert [dotted(a) for a in actions["actionGroups"]] == [f"{group}.id"], rule
    assert alerts > 0


def test_alert_email_comes_from_the_azd_environment() -> None:
    main = bicep("main.bicep")
    assert main["modules"]["monitoring"]["config"]["params"]["alertEmail"] == "alertEmail"
    assert parameters_file()["alertEmail"] == "${ALERT_EMAIL=}"


# 4. ZOOM_RATE_PLAN is a parameter --------------------------------------------------------------


def test_zoom_rate_plan_comes_from_a_parameter() -> None:
    main = bicep("main.bicep")
    plan = main["parameters"]["zoomRatePlan"]
    assert decorator(plan, "allowed") == list(RATE_PLANS)
    assert plan["default"] == "business"
    assert main["variables"]["appSettings"]["value"]["ZOOM_RATE_PLAN"] == "zoomRatePlan"
    assert parameters_file()["zoomRatePlan"] == "${ZOOM_RATE_PLAN=business}"


def test_the_rate_plans_are_the_products() -> None:
    sys.path.insert(0, str(ROOT))
    try:
        from archiver.settings import RATE_PLANS as PRODUCT_RATE_PLANS
    except ImportError:  # the product's dependencies are not in .venv-infra
        return
    finally:
        sys.path.remove(str(ROOT))
    assert tuple(PRODUCT_RATE_PLANS) == RATE_PLANS


# 5. A Key Vault name that survives azd down + azd up -------------------------------------------


def test_the_vault_gets_a_new_name_after_azd_down() -> None:
    main = bicep("main.bicep")
    assert main["parameters"]["keyVaultSuffix"]["default"] == ""
    assert parameters_file()["keyVaultSuffix"] == "${AZURE_KEY_VAULT_SUFFIX=}"
    branches = conditional(main["variables"]["names"]["value"]["vault"])
    assert branches is not None
    condition, unchanged, renamed = branches
    assert condition == {
        "function": {"type": "empty", "parameters": {"item_to_test": "keyVaultSuffix"}}
    }
    assert "keyVaultSuffix" not in unchanged
    assert "keyVaultSuffix" in renamed
    assert len(renamed.replace("${take(uniqueString(token, keyVaultSuffix), 13)}", "x" * 13)) <= 24
    hook = azure_yaml()["hooks"]["postdown"]
    for variant in ("posix", "windows"):
        script = (ROOT / hook[variant]["run"]).read_text()
        assert "azd env set AZURE_KEY_VAULT_SUFFIX" in script, variant


def test_purge_protection_stays_on_by_default() -> None:
    main = bicep("main.bicep")
    assert main["parameters"]["keyVaultPurgeProtection"]["default"] is True
    assert parameters_file()["keyVaultPurgeProtection"] == "${KEY_VAULT_PURGE_PROTECTION=true}"
    vault_params = main["modules"]["vault"]["config"]["params"]
    assert vault_params["purgeProtection"] == "keyVaultPurgeProtection"
    [(_, vault)] = resources(bicep("app/keyvault.bicep"), "Microsoft.KeyVault/vaults")
    properties = body(vault)[1]["properties"]
    assert properties["enableSoftDelete"] is True
    assert conditional(properties["enablePurgeProtection"]) == ("purgeProtection", True, None)


# 6. Every hook for Windows and POSIX -----------------------------------------------------------


def test_every_hook_has_a_posix_and_a_windows_script() -> None:
    hooks = azure_yaml()["hooks"]
    assert {"postdeploy", "postdown"} <= set(hooks)
    for name, hook in hooks.items():
        assert hook["posix"]["shell"] == "sh", name
        assert hook["windows"]["shell"] == "pwsh", name
        assert hook["posix"]["run"].endswith(".sh"), name
        assert hook["windows"]["run"].endswith(".ps1"), name
        for variant in ("posix", "windows"):
            assert (ROOT / hook[variant]["run"]).is_file(), (name, variant)
            assert hook[variant].get("continueOnError") is False, (name, variant)


def test_the_windows_postdeploy_does_what_the_posix_one_does() -> None:
    hook = azure_yaml()["hooks"]["postdeploy"]
    posix = (ROOT / hook["posix"]["run"]).read_text()
    windows = (ROOT / hook["windows"]["run"]).read_text()
    for needle in (
        "AZURE_RESOURCE_GROUP",
        "AZURE_FUNCTION_APP_NAME",
        "AZURE_STORAGE_ACCOUNT_NAME",
        "AZURE_STAGING_CONTAINER",
        "functionapp keys list",
        "systemKeys.blobs_extension",
        "blobs_extension key not found",
        "storage account show",
        "evgt-",
        "eventgrid system-topic show",
        "eventgrid system-topic create",
        "microsoft.storage.storageaccounts",
        "group show",
        "eventgrid system-topic event-subscription create",
        "import-manifests",
        "--endpoint-type webhook",
        "Microsoft.Storage.BlobCreated",
        "/blobServices/default/containers/",
        "/blobs/manifests/",
        "--subject-ends-with",
        "runtime/webhooks/blobs?functionName=Host.Functions.import_meeting&code=",
    ):
        assert needle in posix, f"postdeploy.sh lacks {needle}"
        assert needle in windows, f"postdeploy.ps1 lacks {needle}"
    # No az call in PowerShell may fail unnoticed: each goes through Invoke-Az or checks its code.
    for number, line in enumerate(windows.splitlines(), 1):
        if re.match(r"\s*&\s*az\b", line) and "@args" not in line:
            following = "\n".join(windows.splitlines()[number : number + 1])
            assert "$LASTEXITCODE" in following, f"postdeploy.ps1:{number} ignores az's exit code"


# 7. Secretless Graph ---------------------------------------------------------------------------


def test_the_graph_credential_is_a_parameter_defaulting_to_the_managed_identity() -> None:
    main = bicep("main.bicep")
    credential = main["parameters"]["graphCredential"]
    assert decorator(credential, "allowed") == list(GRAPH_CREDENTIALS)
    assert credential["default"] == "managedidentity"
    assert parameters_file()["graphCredential"] == "${GRAPH_CREDENTIAL=managedidentity}"
    assert main["variables"]["appSettings"]["value"]["GRAPH_CREDENTIAL"] == "graphCredential"
    store = main["variables"]["storeSecret"]["value"]
    for flag, mode in (("graphClientCertificate", "certificate"), ("graphClientSecret", "secret")):
        operator = store[flag]["operator"]
        assert operator["type"] == "equals", flag
        assert operator["operands"] == {"operand_1": "graphCredential", "operand_2": mode}, flag
    check = bicep("app/keyvault.bicep")["parameters"]["graphCredentialCheck"]
    assert decorator(check, "allowed") == ["ok"]
    assert (
        main["modules"]["vault"]["config"]["params"]["graphCredentialCheck"]
        == "graphCredentialCheck"
    )


def test_the_managed_identity_settings_and_federation_outputs() -> None:
    main = bicep("main.bicep")
    branches = conditional(main["variables"]["managedIdentitySettings"]["value"])
    assert branches is not None
    condition, settings, otherwise = branches
    assert condition == "useManagedIdentity"
    assert otherwise == {}
    assert dotted(settings["GRAPH_MANAGED_IDENTITY_CLIENT_ID"]) == "identity.properties.clientId"
    assert settings["GRAPH_TOKEN_EXCHANGE_AUDIENCE"] == "tokenExchangeAudience"
    audiences = main["variables"]["tokenExchangeAudiences"]["value"]
    assert audiences["AzureCloud"] == "api://AzureADTokenExchange"
    outputs = main["outputs"]
    issuer = "${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0"
    assert outputs["GRAPH_FEDERATED_ISSUER"]["value"] == issuer
    assert dotted(outputs["GRAPH_FEDERATED_SUBJECT"]["value"]) == "identity.properties.principalId"
    assert outputs["GRAPH_FEDERATED_AUDIENCE"]["value"] == "tokenExchangeAudience"
    params = main["modules"]["function"]["config"]["params"]
    assert params["settings"]["function"]["parameters"] == {
        "arg_1": "appSettings",
        "arg_2": "managedIdentitySettings",
    }


# The azd parameters file and main.bicep agree ------------------------------------------------


def test_the_parameters_file_fills_main_bicep() -> None:
    declared = bicep("main.bicep")["parameters"]
    given = parameters_file()
    assert set(given) <= set(declared)
    required = {name for name, p in declared.items() if p["default"] is None}
    assert required <= set(given)


def main() -> int:
    """Run every test_* here; print one line each; non-zero when any fails."""
    tests: list[tuple[str, Callable[[], None]]] = [
        (name, value) for name, value in globals().items() if name.startswith("test_")
    ]
    failed = 0
    for name, test in tests:
        try:
            test()
        except Exception as error:  # report every rule, then fail
            failed += 1
            print(f"FAILED  {name}: {type(error).__name__}: {error}")
        else:
            print(f"passed  {name}")
    print(f"{len(tests) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
