using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Discovery;

namespace GuidellmFunctions.Cli.Commands;

/// <summary>A config file as the verbs that run or show targets read it: loaded, validated, and with the models of <c>discovery:</c> added.</summary>
internal static class ConfigFile
{
    /// <exception cref="ConfigValidationException">The file is invalid; lists every problem.</exception>
    public static async Task<RunnerConfig> LoadAsync(string path, CancellationToken cancellationToken) =>
        await new ModelDiscovery().ApplyAsync(new ConfigLoader().LoadFile(path), cancellationToken).ConfigureAwait(false);
}
