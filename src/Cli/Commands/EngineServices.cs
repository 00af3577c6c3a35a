using GuidellmFunctions.Engine.DependencyInjection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GuidellmFunctions.Cli.Commands;

/// <summary>The engine composed for a verb through <c>AddGuidellmEngine</c>, logging through the verb's loggers.</summary>
internal static class EngineServices
{
    public static ServiceProvider Create(ILoggerFactory loggers, Action<GuidellmEngineOptions>? configure = null) =>
        new ServiceCollection()
            .AddSingleton(loggers)
            .AddSingleton(typeof(ILogger<>), typeof(Logger<>))
            .AddGuidellmEngine(configure ?? (_ => { }))
            .BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
}
