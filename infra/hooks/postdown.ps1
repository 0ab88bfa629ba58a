# After `azd down`: the deleted Key Vault stays soft-deleted for 90 days and keeps its name (with
# purge protection nobody can purge it sooner), so the next `azd up` must not ask for that name
# again. A new AZURE_KEY_VAULT_SUFFIX gives it a vault of its own (infra/main.bicep names.vault);
# the old one can still be recovered until its 90 days are over. Windows twin of postdown.sh.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
if ([string]::IsNullOrEmpty($env:AZURE_ENV_NAME)) {
    Write-Error 'AZURE_ENV_NAME: parameter null or not set'
    exit 1
}
$suffix = (Get-Date).ToUniversalTime().ToString('yyyyMMddHHmmss')
& azd env set AZURE_KEY_VAULT_SUFFIX $suffix --environment $env:AZURE_ENV_NAME
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
Write-Host "The next azd up creates a new Key Vault (AZURE_KEY_VAULT_SUFFIX=$suffix); the deleted one stays recoverable for 90 days"
