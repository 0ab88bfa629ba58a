#!/bin/sh
# Create (or update) the Event Grid subscription that delivers BlobCreated events for manifests
# to the import_meeting blob trigger. Runs after `azd deploy`, when the extension key exists.
set -eu
: "${AZURE_RESOURCE_GROUP:?}" "${AZURE_FUNCTION_APP_NAME:?}" "${AZURE_STORAGE_ACCOUNT_NAME:?}"
CONTAINER="${AZURE_STAGING_CONTAINER:-staging}"
KEY=$(az functionapp keys list -g "$AZURE_RESOURCE_GROUP" -n "$AZURE_FUNCTION_APP_NAME" \
      --query "systemKeys.blobs_extension" -o tsv)
if [ -z "$KEY" ]; then
  echo "blobs_extension key not found: is the function app deployed?" >&2
  exit 1
fi
STORAGE_ID=$(az storage account show -g "$AZURE_RESOURCE_GROUP" -n "$AZURE_STORAGE_ACCOUNT_NAME" --query id -o tsv)
TOPIC="evgt-${AZURE_STORAGE_ACCOUNT_NAME}"
az eventgrid system-topic show -g "$AZURE_RESOURCE_GROUP" -n "$TOPIC" >/dev/null 2>&1 || \
  az eventgrid system-topic create -g "$AZURE_RESOURCE_GROUP" -n "$TOPIC" --location "$(az group show -n "$AZURE_RESOURCE_GROUP" --query location -o tsv)" \
    --topic-type microsoft.storage.storageaccounts --source "$STORAGE_ID" >/dev/null
ENDPOINT="https://${AZURE_FUNCTION_APP_NAME}.azurewebsites.net/runtime/webhooks/blobs?functionName=Host.Functions.import_meeting&code=${KEY}"
az eventgrid system-topic event-subscription create -g "$AZURE_RESOURCE_GROUP" \
  --system-topic-name "$TOPIC" -n import-manifests \
  --endpoint-type webhook --endpoint "$ENDPOINT" \
  --included-event-types Microsoft.Storage.BlobCreated \
  --subject-begins-with "/blobServices/default/containers/${CONTAINER}/blobs/manifests/" \
  --subject-ends-with ".json" >/dev/null
echo "Event Grid subscription import-manifests delivers ${CONTAINER}/manifests/*.json to import_meeting"
