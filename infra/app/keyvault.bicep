// Key Vault in RBAC mode holding the Zoom and Graph secrets; the app's identity may only read them.
// It also makes the app settings that reference them: one per secret it stores, never another.
param name string
param location string
param tags object
param readerPrincipalId string
@description('true in production: a deleted vault cannot be purged before its 90 days are over (the API takes true or nothing, never false)')
param purgeProtection bool
@secure()
param zoomClientSecret string
@secure()
param zoomWebhookSecret string
@secure()
param graphClientCertificate string
@secure()
param graphClientSecret string
// Which optional secrets to store (main.bicep decides from the parameters and graphCredential).
param storeZoomWebhookSecret bool
param storeGraphClientCertificate bool
param storeGraphClientSecret bool
@description('Fails the deployment with a readable reason when graphCredential names a certificate or secret that is not set: main.bicep passes that reason instead of ok')
@allowed([ 'ok' ])
#disable-next-line no-unused-params
param graphCredentialCheck string = 'ok'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    // checkov:skip=CKV_AZURE_109:No VNet in this template; access is Entra RBAC only
    // checkov:skip=CKV_AZURE_189:Public network access is needed by Flex Consumption without a VNet
    // checkov:skip=CKV2_AZURE_32:Private endpoints need a VNet, which this template does not create
    // checkov:skip=CKV_AZURE_110:Purge protection is on unless keyVaultPurgeProtection is false, which is for test environments only
    // checkov:skip=CKV_AZURE_42:Soft delete is always on; purge protection is on unless keyVaultPurgeProtection is false (test environments)
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: purgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
    networkAcls: { defaultAction: 'Allow', bypass: 'AzureServices' }
  }
}

resource zoomClientSecretValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'zoom-client-secret'
  properties: {
    // checkov:skip=CKV_AZURE_41:Rotation is manual and documented (docs/admin-guide.md); an expiry would silently stop archiving
    value: zoomClientSecret
    contentType: 'text/plain'
  }
}

resource zoomWebhookSecretValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (storeZoomWebhookSecret) {
  parent: vault
  name: 'zoom-webhook-secret'
  properties: {
    // checkov:skip=CKV_AZURE_41:Rotation is manual and documented (docs/admin-guide.md); an expiry would silently stop archiving
    // checkov:skip=CKV_AZURE_114:contentType is set below; checkov does not read the body of a conditional resource
    value: zoomWebhookSecret
    contentType: 'text/plain'
  }
}

resource graphClientCertificateValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (storeGraphClientCertificate) {
  parent: vault
  name: 'graph-client-certificate'
  properties: {
    // checkov:skip=CKV_AZURE_41:Rotation is manual and documented (docs/admin-guide.md); an expiry would silently stop archiving
    // checkov:skip=CKV_AZURE_114:contentType is set below; checkov does not read the body of a conditional resource
    value: graphClientCertificate
    contentType: 'text/plain'
  }
}

resource graphClientSecretValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (storeGraphClientSecret) {
  parent: vault
  name: 'graph-client-secret'
  properties: {
    // checkov:skip=CKV_AZURE_41:Rotation is manual and documented (docs/admin-guide.md); an expiry would silently stop archiving
    // checkov:skip=CKV_AZURE_114:contentType is set below; checkov does not read the body of a conditional resource
    value: graphClientSecret
    contentType: 'text/plain'
  }
}

// Key Vault Secrets User: 4633458b-17de-408a-b874-0445c86b69e6 (read secret values only).
resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, readerPrincipalId, '4633458b-17de-408a-b874-0445c86b69e6')
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')
    principalId: readerPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// One app setting per stored secret, under the same flag as the secret itself: a reference to a
// secret that does not exist reaches the app as its literal "@Microsoft.KeyVault(...)" text.
var reference = '@Microsoft.KeyVault(VaultName=${vault.name};SecretName='
var zoomClientSecretSetting = { ZOOM_CLIENT_SECRET: '${reference}zoom-client-secret)' }
var zoomWebhookSecretSetting = storeZoomWebhookSecret ? { ZOOM_WEBHOOK_SECRET: '${reference}zoom-webhook-secret)' } : {}
var graphClientCertificateSetting = storeGraphClientCertificate ? { GRAPH_CLIENT_CERTIFICATE: '${reference}graph-client-certificate)' } : {}
var graphClientSecretSetting = storeGraphClientSecret ? { GRAPH_CLIENT_SECRET: '${reference}graph-client-secret)' } : {}

output name string = vault.name
output uri string = vault.properties.vaultUri
output referenceSettings object = union(zoomClientSecretSetting, zoomWebhookSecretSetting, graphClientCertificateSetting, graphClientSecretSetting)
