// Key Vault in RBAC mode holding the Zoom and Graph secrets; the app's identity may only read them.
param name string
param location string
param tags object
param readerPrincipalId string
@secure()
param zoomClientSecret string
@secure()
param zoomWebhookSecret string
@secure()
param graphClientCertificate string
@secure()
param graphClientSecret string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    // checkov:skip=CKV_AZURE_109:No VNet in this template; access is Entra RBAC only
    // checkov:skip=CKV_AZURE_189:Public network access is needed by Flex Consumption without a VNet
    // checkov:skip=CKV2_AZURE_32:Private endpoints need a VNet, which this template does not create
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
    networkAcls: { defaultAction: 'Allow', bypass: 'AzureServices' }
  }
}

var secrets = [
  { name: 'zoom-client-secret', value: zoomClientSecret }
  { name: 'zoom-webhook-secret', value: zoomWebhookSecret }
  { name: 'graph-client-certificate', value: graphClientCertificate }
  { name: 'graph-client-secret', value: graphClientSecret }
]

resource secretValues 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = [for secret in secrets: if (!empty(secret.value)) {
  parent: vault
  name: secret.name
  properties: {
    // checkov:skip=CKV_AZURE_41:Rotation is manual and documented (docs/admin-guide.md); an expiry would silently stop archiving
    value: secret.value
    contentType: 'text/plain'
  }
}]

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

output name string = vault.name
output uri string = vault.properties.vaultUri
