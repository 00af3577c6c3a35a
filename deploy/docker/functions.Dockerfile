# The Azure Functions app (nightly timer + on-demand queue) as a container, for Container Apps or Kubernetes.
# Build from the repository root: docker build -f deploy/docker/functions.Dockerfile -t guidellm-functions .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Build.rsp Directory.Packages.props .editorconfig host.json ./
COPY src/Engine/ src/Engine/
COPY src/Functions/ src/Functions/
RUN dotnet publish src/Functions/GuidellmFunctions.Functions.csproj -c Release -o /home/site/wwwroot

FROM mcr.microsoft.com/azure-functions/dotnet-isolated:4-dotnet-isolated10.0
ENV AzureWebJobsScriptRoot=/home/site/wwwroot \
    AzureFunctionsJobHost__Logging__Console__IsEnabled=true
COPY --from=build /home/site/wwwroot /home/site/wwwroot
