using GuidellmFunctions.Engine.Data;
using GuidellmFunctions.Engine.DependencyInjection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GuidellmFunctions.Cli.Commands;

/// <summary>The engine composed for a verb through <c>AddGuidellmEngine</c>, logging through the verb's loggers.</summary>
internal static class EngineServices
{
    /// <summary>
    /// Composes the engine. Verbs that run a config they loaded themselves (no config path, so the options are never
    /// read) pass <paramref name="datasets"/>: the engine's own opener takes its storage connection from the options.
    /// </summary>
    public static ServiceProvider Create(ILoggerFactory loggers, Action<GuidellmEngineOptions>? configure = null, DatasetOpener? datasets = null)
    {
        var services = new ServiceCollection()
            .AddSingleton(loggers)
            .AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        if (datasets is not null)
        {
            services.AddSingleton(datasets);
        }

        return services
            .AddGuidellmEngine(configure ?? (_ => { }))
            .BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }
}
