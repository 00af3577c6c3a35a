using GuidellmFunctions.Engine.Configuration;
using Microsoft.Extensions.Logging;

namespace GuidellmFunctions.Engine.DependencyInjection;

/// <summary>
/// The container's one <see cref="ConfigSource"/>, made from the options on first use: the start-up validation reads the
/// config through it, so that read is not repeated and is the one a run falls back to when the blob cannot be read.
/// </summary>
internal sealed class ConfigSourceProvider(ConfigLoader loader, Discovery.ModelDiscovery discovery, ILogger<ConfigSource>? logger = null)
{
    private readonly Lock _gate = new();
    private ConfigSource? _source;

    public ConfigSource For(GuidellmEngineOptions options)
    {
        lock (_gate)
        {
            return _source ??= new ConfigSource(options.ConfigPath!, options.StorageConnection, loader, logger, discovery);
        }
    }
}
