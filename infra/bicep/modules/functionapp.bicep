@description('Function App name (also names its plan).')
param name string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('Storage account of the host, the run queue and the deployment package (identity-based connection).')
param storageAccountName string

@description('Blob endpoint of that account, ending in a slash.')
param blobEndpoint string

@description('Container the app package is deployed from.')
param deploymentContainer string

@description('Application Insights connection string.')
param appInsightsConnectionString string

@description('GUIDELLM_* settings: config blob URL, environment, schedule, queue, archive account URL.')
param guidellmSettings object

@description('App settings resolved from Key Vault: setting name to secret name (the config refers to them as \${SETTING}).')
param keyVaultSettings object

@description('Key Vault holding the target API keys.')
param keyVaultName string

@description('Most instances the plan scales out to (Flex Consumption accepts 40 to 1000).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory of each instance in MB.')
@allowed([
  2048
  4096
])
param instanceMemoryMB int = 2048

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: '${name}-plan'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

var secretSettings = [
  for setting in items(keyVaultSettings): {
    name: setting.key
    value: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${setting.value})'
  }
]

var plainSettings = [
  for setting in items(guidellmSettings): {
    name: setting.key
    value: setting.value
  }
]

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve with the app's own identity.
    keyVaultReferenceIdentity: 'SystemAssigned'
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}${deploymentContainer}'
          authentication: {
            type: 'SystemAssignedIdentity'
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: concat(
        [
          {
            name: 'AzureWebJobsStorage__accountName'
            value: storageAccountName
          }
          {
            name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
            value: appInsightsConnectionString
          }
        ],
        plainSettings,
        secretSettings
      )
    }
  }
}

@description('Function App name.')
output name string = site.name

@description('Default host name.')
output hostName string = site.properties.defaultHostName

@description('Object id of the app\'s system-assigned identity.')
output principalId string = site.identity.principalId
