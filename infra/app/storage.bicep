// Storage for the function app: deployment package, staging area, immutable archive, queues, tables.
// Shared keys are disabled: the app reaches storage with its managed identity only.
//
// This is the AzureWebJobsStorage account: the blob trigger (connection AzureWebJobsStorage) reads
// %STAGING_CONTAINER%/manifests/ here, so staging must live in it. Staging holds copies of
// recordings, chats and transcripts that Microsoft 365 holds and deletions do not reach, so the
// account keeps nothing the importer deletes: no blob versioning, no soft delete (both are settings
// of the account's blob service, not of a container). The archive container is protected by a
// container-level WORM policy instead (version-level WORM would need versioning on the account).
param name string
param location string
param tags object
param stagingContainer string
param archiveContainer string
param meetingsQueue string
param filesQueue string
param discoveryQueue string
param tablePrefix string
// Leftovers of meetings that failed and were never replayed. Lifecycle rules count whole days and
// run about once a day, so a leftover goes 1 to 2 days after its last write (later if a run is
// late); 0 would also delete meetings still being imported when a run happens.
@minValue(1)
@maxValue(7)
param stagingLeftoverDays int = 1

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_GRS' }
  properties: {
    // checkov:skip=CKV_AZURE_35:Flex Consumption without a VNet reaches storage over the public endpoint; access is Entra-only (shared keys disabled)
    // checkov:skip=CKV_AZURE_59:Flex Consumption reaches storage over the public endpoint with Entra auth; no VNet in this template
    // checkov:skip=CKV_AZURE_33:Queue logging is covered by the diagnostic settings sent to Log Analytics
    // checkov:skip=CKV2_AZURE_1:Microsoft-managed keys; customer-managed keys are an organisational choice documented in the admin guide
    // checkov:skip=CKV2_AZURE_33:Private endpoints need a VNet, which this template does not create
    // checkov:skip=CKV2_AZURE_38:No soft delete on purpose: staged recordings must not outlive Microsoft 365 deletions; the archive container has its own WORM policy
    // checkov:skip=CKV2_AZURE_40:Shared key access is disabled (allowSharedKeyAccess false)
    // checkov:skip=CKV2_AZURE_41:No SAS tokens are issued by the product
    // checkov:skip=CKV2_AZURE_47:Public blob access is disabled (allowBlobPublicAccess false)
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    // A blob the importer deletes is gone: no previous version, no soft-deleted copy.
    isVersioningEnabled: false
    deleteRetentionPolicy: { enabled: false }
    containerDeleteRetentionPolicy: { enabled: false }
  }
}

resource deployment 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobs
  name: 'deploymentpackage'
  properties: { publicAccess: 'None' }
}

resource staging 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobs
  name: stagingContainer
  properties: { publicAccess: 'None' }
}

resource archive 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobs
  name: archiveContainer
  properties: {
    publicAccess: 'None'
    // WORM for oversize recordings: a container-level time-based retention policy, which needs no
    // versioning. The admin sets it (and locks it) to the records schedule right after the first
    // `azd up` (docs/admin-guide.md, section 3): a locked policy can only be extended, never
    // re-declared, so it is not part of this template.
  }
}

resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          // Staged copies are deleted by the importer once every mailbox has its item; this
          // only removes leftovers of meetings that failed and were never replayed (replay
          // stages them from Zoom again). Versions and snapshots: none are made any more; the
          // actions clear those an earlier template's versioning left behind.
          name: 'expire-staging-leftovers'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: { blobTypes: [ 'blockBlob' ], prefixMatch: [ '${stagingContainer}/' ] }
            actions: {
              baseBlob: { delete: { daysAfterModificationGreaterThan: stagingLeftoverDays } }
              version: { delete: { daysAfterCreationGreaterThan: stagingLeftoverDays } }
              snapshot: { delete: { daysAfterCreationGreaterThan: stagingLeftoverDays } }
            }
          }
        }
      ]
    }
  }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [for queue in [
  meetingsQueue, '${meetingsQueue}-poison', filesQueue, '${filesQueue}-poison', discoveryQueue, '${discoveryQueue}-poison', 'webjobs-blobtrigger-poison'
]: {
  parent: queueService
  name: queue
}]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [for table in [
  'meetings', 'deliveries', 'checkpoints', 'mappings', 'cache', 'runlog', 'webhooks', 'zoombudget'
]: {
  parent: tableService
  name: '${tablePrefix}${table}'
}]

output id string = account.id
output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output tableEndpoint string = account.properties.primaryEndpoints.table
