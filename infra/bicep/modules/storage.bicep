@description('Storage account name (3-24 lowercase letters and digits).')
param name string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('Container of the archived run reports.')
param reportsContainer string

@description('Container holding the runner config (GUIDELLM_CONFIG points at a blob in it).')
param configContainer string

@description('Container the Flex Consumption app is deployed from.')
param deploymentContainer string

@description('On-demand run queue; its poison queue is <queue>-poison.')
param queueName string

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    // Every client (the app, the runner, KEDA) authenticates with Entra ID: no account keys in settings.
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: 14
    }
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for container in [reportsContainer, configContainer, deploymentContainer]: {
    parent: blobService
    name: container
    properties: {
      publicAccess: 'None'
    }
  }
]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [
  for queue in [queueName, '${queueName}-poison']: {
    parent: queueService
    name: queue
  }
]

@description('Storage account name.')
output name string = account.name

@description('Storage account resource id.')
output id string = account.id

@description('Blob endpoint, ending in a slash.')
output blobEndpoint string = account.properties.primaryEndpoints.blob

@description('Queue endpoint, ending in a slash.')
output queueEndpoint string = account.properties.primaryEndpoints.queue
