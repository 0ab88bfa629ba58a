#!/bin/sh
# After `azd down`: the deleted Key Vault stays soft-deleted for 90 days and keeps its name (with
# purge protection nobody can purge it sooner), so the next `azd up` must not ask for that name
# again. A new AZURE_KEY_VAULT_SUFFIX gives it a vault of its own (infra/main.bicep names.vault);
# the old one can still be recovered until its 90 days are over.
set -eu
: "${AZURE_ENV_NAME:?}"
SUFFIX=$(date -u +%Y%m%d%H%M%S)
azd env set AZURE_KEY_VAULT_SUFFIX "$SUFFIX" --environment "$AZURE_ENV_NAME"
echo "The next azd up creates a new Key Vault (AZURE_KEY_VAULT_SUFFIX=$SUFFIX); the deleted one stays recoverable for 90 days"
