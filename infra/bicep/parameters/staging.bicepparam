using '../main.bicep'

param environmentName = 'staging'
param schedule = '0 30 1 * * *'
param apiKeySettings = {
  VLLM_API_KEY: 'vllm-staging-api-key'
}
param logRetentionDays = 90
param maximumInstanceCount = 40
