// The function app on the Flex Consumption plan, running as a user-assigned managed identity.
param name string
param location string
param tags object
param identityId string
param identityClientId string
param storageName string
param blobEndpoint string
param queueEndpoint string
param tableEndpoint string
param insightsConnectionString string
@description('The product settings (main.bicep)')
param settings object
@description('Key Vault references, one per secret the vault holds (keyvault.bicep referenceSettings)')
param secretSettings object
param maximumInstanceCount int = 40
param instanceMemoryMB int = 2048

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-${name}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { tier: 'FlexConsumption', name: 'FC1' }
  // checkov:skip=CKV_AZURE_225:Flex Consumption scales instances on demand; zone redundancy is a plan option the admin may enable per region
  properties: { reserved: true }
}

var platformSettings = {
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: blobEndpoint
  AzureWebJobsStorage__queueServiceUri: queueEndpoint
  AzureWebJobsStorage__tableServiceUri: tableEndpoint
  APPLICATIONINSIGHTS_CONNECTION_STRING: insightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY: 'true'
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'archiver' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    // checkov:skip=CKV_AZURE_56:Authentication is per function (function keys, Zoom HMAC); Easy Auth would block Zoom webhooks
    // checkov:skip=CKV_AZURE_70:httpsOnly is set below
    // checkov:skip=CKV_AZURE_221:No VNet in this template
    // checkov:skip=CKV_AZURE_222:Zoom must reach the webhook endpoint from the internet; every route is authenticated
    // checkov:skip=CKV_AZURE_17:Zoom webhooks cannot present client certificates; requests are HMAC-verified instead
    // checkov:skip=CKV_AZURE_212:Flex Consumption has no fixed instance count; queues absorb instance loss
    // checkov:skip=CKV_AZURE_213:Health checks do not apply to Flex Consumption; alerts watch failures and lag
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}deploymentpackage'
          authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: identityId }
        }
      }
      scaleAndConcurrency: { maximumInstanceCount: maximumInstanceCount, instanceMemoryMB: instanceMemoryMB }
      runtime: { name: 'python', version: '3.11' }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: [for setting in items(union(settings, secretSettings, platformSettings)): {
        name: setting.key
        value: setting.value
      }]
    }
  }
}

output name string = site.name
output hostName string = site.properties.defaultHostName
output storageName string = storageName
