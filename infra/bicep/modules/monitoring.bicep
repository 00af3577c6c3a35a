@description('Name prefix of the workspace and the Application Insights component.')
param name string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('Days Log Analytics keeps data.')
@minValue(30)
@maxValue(730)
param retentionInDays int = 30

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${name}-logs'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${name}-insights'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: false
  }
}

@description('Application Insights connection string (not a secret: it only allows sending telemetry).')
output connectionString string = insights.properties.ConnectionString

@description('Application Insights component name.')
output insightsName string = insights.name

@description('Log Analytics workspace id.')
output workspaceId string = workspace.id
