# guidellm-runner: the command line (worker, run, serve, enqueue) for Kubernetes.
# Build from the repository root: docker build -f deploy/docker/runner.Dockerfile -t guidellm-runner .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Build.rsp Directory.Packages.props .editorconfig ./
COPY src/Engine/ src/Engine/
COPY src/Simulator/ src/Simulator/
COPY src/Cli/ src/Cli/
RUN dotnet publish src/Cli/GuidellmFunctions.Cli.csproj -c Release -o /app

# The runner serves /metrics with ASP.NET Core, so it needs the aspnet runtime image.
FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app ./
# Non-root (the image's app user, uid 1654), matching the manifests' runAsNonRoot.
USER $APP_UID
ENV DOTNET_gcServer=0 \
    GUIDELLM_OUTPUT=/var/lib/guidellm
EXPOSE 9090
ENTRYPOINT ["dotnet", "guidellm-runner.dll"]
CMD ["--help"]
