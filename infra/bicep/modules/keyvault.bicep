@description('Key Vault name (3-24 letters, digits and dashes).')
param name string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('Target API keys to store, secret name to value. Leave empty to set them later with az keyvault secret set.')
@secure()
param secrets object = {}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 30
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource stored 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = [
  for secret in items(secrets): {
    parent: vault
    name: secret.key
    properties: {
      value: secret.value
    }
  }
]

@description('Key Vault name.')
output name string = vault.name

@description('Key Vault resource id.')
output id string = vault.id

@description('Key Vault URI.')
output uri string = vault.properties.vaultUri
