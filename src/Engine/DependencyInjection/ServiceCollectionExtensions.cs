using Azure.Identity;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Data;
using GuidellmFunctions.Engine.Load;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GuidellmFunctions.Engine.DependencyInjection;

/// <summary>Registers the engine in a host's service collection.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Adds the engine: config loader and config source, HTTP clients for load, prompt generator, runners, the on-demand run queue and its handler, and
    /// <see cref="GuidellmEngineOptions"/> validated when the host starts (every problem of the config at once).
    /// </summary>
    public static IServiceCollection AddGuidellmEngine(this IServiceCollection services, Action<GuidellmEngineOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => new ConfigLoader());
        services.TryAddSingleton<TargetHttpClientFactory>();
        services.TryAddSingleton<PromptGenerator>();
        services.TryAddSingleton(sp => new DatasetOpener(sp.GetRequiredService<IOptions<GuidellmEngineOptions>>().Value.StorageConnection));
        services.TryAddSingleton<LoadTestRunner>();
        services.TryAddSingleton<RunCoordinator>();
        services.TryAddSingleton<Runs.LoadTestService>();
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<GuidellmEngineOptions>>().Value;
            return new ConfigSource(options.ConfigPath!, options.StorageConnection, sp.GetRequiredService<ConfigLoader>(), sp.GetService<ILogger<ConfigSource>>());
        });
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<GuidellmEngineOptions>>().Value;
            return options switch
            {
                { StorageConnection: { Length: > 0 } connection } => new Runs.RunQueue(connection, options.Queue),
                { QueueServiceUri: { } uri } => new Runs.RunQueue(uri, new DefaultAzureCredential(), options.Queue),
                _ => throw new InvalidOperationException("The run queue needs StorageConnection (AzureWebJobsStorage) or QueueServiceUri (AzureWebJobsStorage__accountName)"),
            };
        });
        services.TryAddSingleton(sp => new Runs.OnDemandRunHandler(
            sp.GetRequiredService<Runs.LoadTestService>(),
            sp.GetRequiredService<ConfigSource>(),
            sp.GetRequiredService<Runs.RunQueue>(),
            sp.GetRequiredService<IOptions<GuidellmEngineOptions>>().Value.OutputDirectory,
            sp.GetService<ILogger<Runs.OnDemandRunHandler>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GuidellmEngineOptions>, GuidellmEngineOptionsValidator>());
        services.AddOptionsWithValidateOnStart<GuidellmEngineOptions>().Configure(configure);
        return services;
    }
}
