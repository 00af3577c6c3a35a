using GuidellmFunctions.Engine.Tests.Support;
using GuidellmFunctions.Functions.Triggers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace GuidellmFunctions.Functions.Tests.Support;

/// <summary>The container as Program.cs composes it, from app settings as local.settings.json gives them, with the function classes.</summary>
internal static class FunctionsContainer
{
    public static ServiceProvider Build(ArchivedTargets targets, string dir, string configLocation, Engine.Configuration.ConfigLoader? loader = null) =>
        Build(targets.Azurite, dir, configLocation, loader);

    /// <summary>The container with <paramref name="azurite"/> as the Function App's storage.</summary>
    public static ServiceProvider Build(AzuriteServer azurite, string dir, string configLocation, Engine.Configuration.ConfigLoader? loader = null) => new ServiceCollection()
        .AddSingleton(loader ?? new Engine.Configuration.ConfigLoader())
        .AddGuidellmFunctions(
            new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["GUIDELLM_CONFIG"] = configLocation,
                ["GUIDELLM_ENVIRONMENT"] = "development",
                ["AzureWebJobsStorage"] = azurite.ConnectionString,
                ["GUIDELLM_OUTPUT"] = Path.Combine(dir, "out"),
            }).Build(),
            Path.Combine(AppContext.BaseDirectory, "host.json"))
        .AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>))
        .AddTransient<OnDemandLoadTest>()
        .AddTransient<NightlyLoadTest>()
        .AddTransient<ControlFunctions>()
        .BuildServiceProvider(validateScopes: true);
}
