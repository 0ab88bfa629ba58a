// Zoom Meetings archiver for Microsoft 365: everything `azd up` deploys into one resource group.
targetScope = 'resourceGroup'

@minLength(1)
@maxLength(40)
param environmentName string
param location string = resourceGroup().location
param zoomAccountId string
param zoomClientId string
@secure()
param zoomClientSecret string
@secure()
param zoomWebhookSecret string = ''
@description('Your Zoom plan (ZOOM_RATE_PLAN): sets the client-side rate limits')
@allowed([ 'pro', 'business', 'business_plus', 'enterprise' ])
param zoomRatePlan string = 'business'
@description('Daily cap of Zoom Heavy + Resource-intensive calls (ZOOM_DAILY_HEAVY_LIMIT); empty = the plan figure (30,000 Pro, 60,000 Business+)')
param zoomDailyHeavyLimit string = ''

@description('Whether Zoom\'s Archiving API is a content source (ZOOM_ARCHIVING): auto (when the account has the feature), on (required: a refusal is an error) or off')
@allowed([ 'auto', 'on', 'off' ])
param zoomArchiving string = 'auto'
@description('Whether meetings nobody recorded are archived too (ARCHIVE_UNRECORDED): metadata and participants with each join and leave, found in the account\'s meeting history report')
param archiveUnrecorded bool = true
param graphTenantId string
param graphClientId string
@description('How the app signs in to Microsoft Graph (GRAPH_CREDENTIAL): managedidentity (recommended: its user-assigned identity is a federated credential on the app registration, nothing is stored or rotated), certificate (GRAPH_CLIENT_CERTIFICATE) or secret (GRAPH_CLIENT_SECRET)')
@allowed([ 'managedidentity', 'certificate', 'secret' ])
param graphCredential string = 'managedidentity'
@secure()
param graphClientCertificate string = ''
@secure()
param graphClientSecret string = ''
param internalDomains string = ''
param fallbackMailbox string = ''
@description('Mailbox that receives the complete record of every meeting (all chat, all original files); empty = none')
param complianceMailbox string = ''
@allowed([ 'link', 'split', 'skip' ])
param oversizePolicy string = 'link'
@description('Who gets the alerts by email (ALERT_EMAIL): an address or a distribution list; empty = alerts show in the portal only')
param alertEmail string = ''
@description('Key Vault purge protection (KEY_VAULT_PURGE_PROTECTION). Keep true in production: a deleted vault then stays recoverable for 90 days and nobody can purge it. false only for test environments torn down with `azd down --purge`; it cannot be turned off on a vault that has it.')
param keyVaultPurgeProtection bool = true
@description('Renames the Key Vault after `azd down` (AZURE_KEY_VAULT_SUFFIX, set by infra/hooks/postdown.*): the deleted vault keeps its name for 90 days')
param keyVaultSuffix string = ''
param zoomApiUrl string = 'https://api.zoom.us/v2'
param zoomOauthUrl string = 'https://zoom.us/oauth/token'
param graphUrl string = 'https://graph.microsoft.com/v1.0'
param graphAuthorityHost string = 'https://login.microsoftonline.com'

var token = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var tags = { 'azd-env-name': environmentName, workload: 'zoom-archiver' }
var names = {
  storage: 'st${take(token, 20)}'
  app: 'func-zoomarch-${token}'
  // `azd down` leaves the vault soft-deleted, its name taken, for 90 days (purge protection): the
  // postdown hook sets keyVaultSuffix, so the next `azd up` creates a vault under a new name.
  vault: empty(keyVaultSuffix) ? 'kv-zoom-${take(token, 14)}' : 'kv-zoom-${take(uniqueString(token, keyVaultSuffix), 13)}'
  identity: 'id-zoomarch-${token}'
}
// Every app setting archiver/settings.py reads, with the same names as local.settings.sample.json
// (secrets are Key Vault references made by keyvault.bicep; storage is identity-based in
// function.bicep).
var appSettings = {
  ZOOM_ACCOUNT_ID: zoomAccountId
  ZOOM_CLIENT_ID: zoomClientId
  ZOOM_API_URL: zoomApiUrl
  ZOOM_OAUTH_URL: zoomOauthUrl
  ZOOM_DOWNLOAD_HOSTS: 'zoom.us,*.zoom.us,zoomgov.com,*.zoomgov.com'
  ZOOM_RATE_PLAN: zoomRatePlan
  ZOOM_DAILY_HEAVY_LIMIT: zoomDailyHeavyLimit
  ZOOM_DAILY_HEAVY_RESERVE_PERCENT: '10'
  ZOOM_ARCHIVING: zoomArchiving
  ARCHIVE_RETENTION_DAYS: '7'
  ARCHIVE_UNRECORDED: archiveUnrecorded ? 'true' : 'false'
  GRAPH_TENANT_ID: graphTenantId
  GRAPH_CLIENT_ID: graphClientId
  GRAPH_CREDENTIAL: graphCredential
  GRAPH_URL: graphUrl
  GRAPH_AUTHORITY_HOST: graphAuthorityHost
  ARCHIVE_FOLDER_NAME: 'Zoom Meetings'
  INTERNAL_DOMAINS: internalDomains
  FALLBACK_MAILBOX: fallbackMailbox
  COMPLIANCE_MAILBOX: complianceMailbox
  DISCOVERY_SCHEDULE: '0 */15 * * * *'
  INITIAL_LOOKBACK_DAYS: '30'
  SWEEP_SCHEDULE: '0 30 1 * * *'
  RECONCILE_DAYS: '7'
  DISCOVERY_QUEUE: 'discovery'
  MEETINGS_QUEUE: 'meetings'
  FILES_QUEUE: 'files'
  STAGING_CONTAINER: 'staging'
  ARCHIVE_CONTAINER: 'archive'
  TABLE_PREFIX: 'zoomarchiver'
  OVERSIZE_POLICY: oversizePolicy
  MAX_ATTACHMENT_MB: '150'
  MAX_ITEM_MB: '150'
  FANOUT_THRESHOLD_MB: '50'
  PROCESSING_GIVE_UP_HOURS: '72'
  MAX_DELIVERY_ATTEMPTS: '5'
  DELIVERY_LEASE_SECONDS: '60'
  MAILBOX_CONCURRENCY: '4'
  TRANSCRIPT_GRACE_MINUTES: '0'
  HTTP_TIMEOUT_SECONDS: '60'
}

// Secretless Graph ("Configure an application to trust a managed identity"): the app presents a
// token of its user-assigned identity, for this audience, as the client assertion of the app
// registration, which trusts the identity through a federated credential (issuer, subject and
// audience are outputs below; the admin adds the credential, docs/admin-guide.md section 3).
var useManagedIdentity = graphCredential == 'managedidentity'
var tokenExchangeAudiences = {
  AzureCloud: 'api://AzureADTokenExchange'
  AzureUSGovernment: 'api://AzureADTokenExchangeUSGov'
  AzureChinaCloud: 'api://AzureADTokenExchangeChina'
}
var tokenExchangeAudience = contains(tokenExchangeAudiences, environment().name) ? tokenExchangeAudiences[environment().name] : tokenExchangeAudiences.AzureCloud
var managedIdentitySettings = useManagedIdentity ? {
  GRAPH_MANAGED_IDENTITY_CLIENT_ID: identity.properties.clientId
  GRAPH_TOKEN_EXCHANGE_AUDIENCE: tokenExchangeAudience
} : {}

// The optional secrets the vault stores. keyvault.bicep creates each secret and the app setting that
// references it under the same flag: a setting never references a secret that does not exist
// (the app would read the literal "@Microsoft.KeyVault(...)" text). Only the Graph credential
// graphCredential names is stored; managedidentity stores none.
var storeSecret = {
  zoomWebhookSecret: !empty(zoomWebhookSecret)
  graphClientCertificate: graphCredential == 'certificate'
  graphClientSecret: graphCredential == 'secret'
}
// A certificate or secret mode without its value fails the deployment, saying so (keyvault.bicep
// allows only 'ok'), rather than deploying an app that cannot sign in.
var graphCredentialMissing = (storeSecret.graphClientCertificate && empty(graphClientCertificate)) || (storeSecret.graphClientSecret && empty(graphClientSecret))
var graphCredentialCheck = graphCredentialMissing ? 'GRAPH_CREDENTIAL is ${graphCredential} but GRAPH_CLIENT_${toUpper(graphCredential)} is empty: azd env set it, or use GRAPH_CREDENTIAL=managedidentity' : 'ok'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: names.identity
  location: location
  tags: tags
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  params: {
    name: names.storage
    location: location
    tags: tags
    stagingContainer: appSettings.STAGING_CONTAINER
    archiveContainer: appSettings.ARCHIVE_CONTAINER
    meetingsQueue: appSettings.MEETINGS_QUEUE
    filesQueue: appSettings.FILES_QUEUE
    discoveryQueue: appSettings.DISCOVERY_QUEUE
    tablePrefix: appSettings.TABLE_PREFIX
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  params: { name: token, location: location, tags: tags, alertEmail: alertEmail }
}

module vault 'app/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    name: names.vault
    location: location
    tags: tags
    readerPrincipalId: identity.properties.principalId
    purgeProtection: keyVaultPurgeProtection
    zoomClientSecret: zoomClientSecret
    zoomWebhookSecret: zoomWebhookSecret
    graphClientCertificate: graphClientCertificate
    graphClientSecret: graphClientSecret
    storeZoomWebhookSecret: storeSecret.zoomWebhookSecret
    storeGraphClientCertificate: storeSecret.graphClientCertificate
    storeGraphClientSecret: storeSecret.graphClientSecret
    graphCredentialCheck: graphCredentialCheck
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  params: {
    storageName: storage.outputs.name
    insightsName: 'appi-${token}'
    principalId: identity.properties.principalId
  }
  dependsOn: [ monitoring ]
}

module function 'app/function.bicep' = {
  name: 'function'
  params: {
    name: names.app
    location: location
    tags: tags
    identityId: identity.id
    identityClientId: identity.properties.clientId
    storageName: storage.outputs.name
    blobEndpoint: storage.outputs.blobEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    insightsConnectionString: monitoring.outputs.connectionString
    settings: union(appSettings, managedIdentitySettings)
    secretSettings: vault.outputs.referenceSettings
  }
  dependsOn: [ rbac ]
}

output AZURE_FUNCTION_APP_NAME string = function.outputs.name
output AZURE_FUNCTION_HOSTNAME string = function.outputs.hostName
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STAGING_CONTAINER string = appSettings.STAGING_CONTAINER
output AZURE_KEY_VAULT_NAME string = vault.outputs.name
// What the app registration's federated credential must say (GRAPH_CREDENTIAL=managedidentity):
// docs/admin-guide.md section 3 passes these to `az ad app federated-credential create`.
output GRAPH_CREDENTIAL string = graphCredential
output GRAPH_FEDERATED_ISSUER string = '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
output GRAPH_FEDERATED_SUBJECT string = identity.properties.principalId
output GRAPH_FEDERATED_AUDIENCE string = tokenExchangeAudience
