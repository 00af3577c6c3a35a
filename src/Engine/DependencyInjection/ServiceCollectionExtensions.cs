using Azure.Identity;
using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Data;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Runs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GuidellmFunctions.Engine.DependencyInjection;

/// <summary>Registers the engine in a host's service collection: the one place every host composes it.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Adds the engine: the load runners and <see cref="LoadTestService"/> (with the factories of each run's report
    /// stores, spools and remote_write exporter), the config loader and the config source, the on-demand run queue, its
    /// handler and worker, and <see cref="GuidellmEngineOptions"/>, validated when first read or when the host starts
    /// (every problem of the config at once). Hosts that run a config they loaded themselves (<c>run</c>, <c>demo</c>,
    /// <c>serve</c>) use <see cref="LoadTestService"/> alone and need no config path.
    /// </summary>
    public static IServiceCollection AddGuidellmEngine(this IServiceCollection services, Action<GuidellmEngineOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => new ConfigLoader());
        services.TryAddSingleton<TargetTransportFactory>();
        services.TryAddSingleton<PromptGenerator>();
        // The host's settings, not the validated options: hosts running a config they loaded themselves have no config path.
        services.TryAddSingleton(_ =>
        {
            var host = new GuidellmEngineOptions();
            configure(host);
            return new DatasetOpener(host.StorageConnection);
        });
        services.TryAddSingleton<LoadTestRunner>();
        services.TryAddSingleton<RunCoordinator>();
        services.TryAddSingleton<RunStorageFactory>();
        services.AddHttpClient(Export.RemoteWriteClient.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(Export.RemoteWriteExporter.CreateHandler);
        services.TryAddSingleton<Export.RemoteWriteExporterFactory>();
        services.TryAddSingleton(sp => new LoadTestService(sp.GetRequiredService<RunCoordinator>(), sp.GetRequiredService<RunStorageFactory>(), sp.GetRequiredService<Export.RemoteWriteExporterFactory>(), sp.GetService<TimeProvider>()));
        services.TryAddSingleton(sp => new Discovery.ModelDiscovery(logger: sp.GetService<ILogger<Discovery.ModelDiscovery>>(), time: sp.GetService<TimeProvider>()));
        services.TryAddSingleton<ConfigSourceProvider>();
        services.TryAddSingleton(sp => sp.GetRequiredService<ConfigSourceProvider>().For(sp.GetRequiredService<IOptions<GuidellmEngineOptions>>().Value));
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<GuidellmEngineOptions>>().Value;
            return options switch
            {
                { StorageConnection: { Length: > 0 } connection } => new RunQueue(connection, options.Queue),
                { QueueServiceUri: { } uri } => new RunQueue(uri, new DefaultAzureCredential(), options.Queue),
                _ => throw new InvalidOperationException($"The run queue needs StorageConnection ({HostSettings.Storage}) or QueueServiceUri ({HostSettings.StorageAccountName})"),
            };
        });
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<OnDemandRunHandler>(sp, sp.GetRequiredService<IOptions<GuidellmEngineOptions>>().Value.OutputDirectory));
        services.TryAddSingleton(new QueueWorkerOptions());
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<QueueWorker>(sp));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GuidellmEngineOptions>, GuidellmEngineOptionsValidator>());
        services.AddOptionsWithValidateOnStart<GuidellmEngineOptions>().Configure(configure);
        return services;
    }
}
