// GuidellmFunctions on Azure: the Function App (nightly timer + on-demand queue) on Flex Consumption, its storage
// (reports archive, config blob, run queue), monitoring, and the Key Vault of the target API keys.
targetScope = 'resourceGroup'

@description('Environment the nightly timer runs (GUIDELLM_ENVIRONMENT); names the resources too.')
@allowed([
  'development'
  'staging'
  'production'
])
param environmentName string

@description('Azure region.')
param location string = resourceGroup().location

@description('Short prefix of every resource name (letters and digits).')
@minLength(3)
@maxLength(10)
param namePrefix string = 'guidellm'

@description('Six-field NCRONTAB schedule of the nightly run (GUIDELLM_SCHEDULE), UTC.')
param schedule string = '0 0 2 * * *'

@description('On-demand run queue (GUIDELLM_QUEUE).')
param queueName string = 'guidellm-runs'

@description('Blob name of the runner config in the config container (GUIDELLM_CONFIG).')
param configBlobName string = 'config.yaml'

@description('App settings resolved from Key Vault, setting name to secret name; the config refers to them as \${SETTING}.')
param apiKeySettings object = {}

@description('Target API keys to store in Key Vault, secret name to value; empty to set them later with az keyvault secret set.')
@secure()
param apiKeys object = {}

@description('Days Log Analytics keeps data.')
param logRetentionDays int = 30

@description('Most instances the Flex Consumption plan scales out to.')
param maximumInstanceCount int = 40

var suffix = uniqueString(resourceGroup().id, environmentName)
var baseName = '${namePrefix}-${environmentName}'
var reportsContainer = 'guidellm-reports'
var configContainer = 'guidellm-config'
var deploymentContainer = 'app-package'
var tags = {
  application: 'guidellm-functions'
  environment: environmentName
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: take(toLower('${namePrefix}${suffix}'), 24)
    location: location
    tags: tags
    reportsContainer: reportsContainer
    configContainer: configContainer
    deploymentContainer: deploymentContainer
    queueName: queueName
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    name: baseName
    location: location
    tags: tags
    retentionInDays: logRetentionDays
  }
}

module vault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    name: take('${namePrefix}-kv-${suffix}', 24)
    location: location
    tags: tags
    secrets: apiKeys
  }
}

module app 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    name: '${baseName}-${suffix}'
    location: location
    tags: tags
    storageAccountName: storage.outputs.name
    blobEndpoint: storage.outputs.blobEndpoint
    deploymentContainer: deploymentContainer
    appInsightsConnectionString: monitoring.outputs.connectionString
    keyVaultName: vault.outputs.name
    keyVaultSettings: apiKeySettings
    maximumInstanceCount: maximumInstanceCount
    guidellmSettings: {
      GUIDELLM_CONFIG: '${storage.outputs.blobEndpoint}${configContainer}/${configBlobName}'
      GUIDELLM_ENVIRONMENT: environmentName
      GUIDELLM_SCHEDULE: schedule
      GUIDELLM_QUEUE: queueName
      GUIDELLM_ARCHIVE_ACCOUNT_URL: storage.outputs.blobEndpoint
      GUIDELLM_ARCHIVE_CONTAINER: reportsContainer
    }
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  params: {
    principalId: app.outputs.principalId
    storageAccountName: storage.outputs.name
    keyVaultName: vault.outputs.name
  }
}

@description('Function App name (for func azure functionapp publish).')
output functionAppName string = app.outputs.name

@description('Function App host name.')
output functionAppHostName string = app.outputs.hostName

@description('Object id of the app\'s managed identity.')
output functionAppPrincipalId string = app.outputs.principalId

@description('Storage account name.')
output storageAccountName string = storage.outputs.name

@description('Where to upload the runner config.')
output configBlobUrl string = '${storage.outputs.blobEndpoint}${configContainer}/${configBlobName}'

@description('Container of the archived reports.')
output reportsContainerUrl string = '${storage.outputs.blobEndpoint}${reportsContainer}'

@description('Queue service endpoint and queue of on-demand runs (guidellm-runner enqueue).')
output runQueue string = '${storage.outputs.queueEndpoint}${queueName}'

@description('Key Vault of the target API keys.')
output keyVaultName string = vault.outputs.name

@description('Application Insights component.')
output applicationInsightsName string = monitoring.outputs.insightsName
