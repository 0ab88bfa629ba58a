// Storage for the function app: deployment package, staging area, immutable archive, queues, tables.
// Shared keys are disabled: the app reaches storage with its managed identity only.
param name string
param location string
param tags object
param stagingContainer string
param archiveContainer string
param meetingsQueue string
param filesQueue string
param tablePrefix string
param stagingRetentionDays int = 14

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
    // checkov:skip=CKV2_AZURE_38:Soft delete is enabled on the blob service below
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
    // Version-level immutability on the archive container needs versioning on the account.
    isVersioningEnabled: true
    deleteRetentionPolicy: { enabled: true, days: 30 }
    containerDeleteRetentionPolicy: { enabled: true, days: 30 }
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
    // WORM for oversize recordings: each version is immutable once written. Set a time-based
    // retention policy matching your records schedule (see docs/admin-guide.md).
    immutableStorageWithVersioning: { enabled: true }
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
          // only removes leftovers of meetings that failed and were never replayed.
          name: 'expire-staging-leftovers'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: { blobTypes: [ 'blockBlob' ], prefixMatch: [ '${stagingContainer}/' ] }
            actions: {
              baseBlob: { delete: { daysAfterModificationGreaterThan: stagingRetentionDays } }
              version: { delete: { daysAfterCreationGreaterThan: stagingRetentionDays } }
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
  meetingsQueue, '${meetingsQueue}-poison', filesQueue, '${filesQueue}-poison', 'webjobs-blobtrigger-poison'
]: {
  parent: queueService
  name: queue
}]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [for table in [
  'meetings', 'deliveries', 'checkpoints', 'mappings', 'cache', 'runlog', 'webhooks'
]: {
  parent: tableService
  name: '${tablePrefix}${table}'
}]

output id string = account.id
output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output tableEndpoint string = account.properties.primaryEndpoints.table
