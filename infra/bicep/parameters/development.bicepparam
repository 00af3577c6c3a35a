using '../main.bicep'

param environmentName = 'development'
param schedule = '0 0 2 * * *'
param apiKeySettings = {
  VLLM_API_KEY: 'vllm-development-api-key'
}
param logRetentionDays = 30
