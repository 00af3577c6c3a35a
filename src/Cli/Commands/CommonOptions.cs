using System.CommandLine;
using GuidellmFunctions.Engine.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GuidellmFunctions.Cli.Commands;

/// <summary>Options shared by several verbs.</summary>
internal static class CommonOptions
{
    public static Option<LogLevel> LogLevel() => new("--log-level")
    {
        Description = "Log level on stderr (Trace shows request and response bodies)",
        DefaultValueFactory = _ => Microsoft.Extensions.Logging.LogLevel.Warning,
    };

    public static Option<string> Output() => new("--output", "-o")
    {
        Description = "Directory for reports (<env>/<target>/<yyyy>/<MM>/<dd>/<runId>.json + .requests.jsonl.gz)",
        DefaultValueFactory = _ => "guidellm-output",
    };

    /// <summary><c>--queue</c>, defaulting to <c>GUIDELLM_QUEUE</c>, then <c>guidellm-runs</c>.</summary>
    public static Option<string> Queue() => new("--queue")
    {
        Description = "Run queue (default: GUIDELLM_QUEUE, else guidellm-runs); poison messages go to <queue>-poison",
        DefaultValueFactory = _ => FromEnvironment(HostSettings.Queue) ?? Engine.Runs.RunQueue.DefaultName,
    };

    /// <summary><c>--connection</c>, defaulting as the Functions host does (<see cref="StorageConnection"/>); never printed.</summary>
    public static Option<string?> Connection() => new("--connection")
    {
        Description = "Storage of the queue: a connection string (UseDevelopmentStorage=true for Azurite) or https://ACCOUNT.queue.core.windows.net with the workload or managed identity (default: AzureWebJobsStorage, AzureWebJobsStorage__accountName)",
        DefaultValueFactory = _ => StorageConnection.FromEnvironment(),
    };

    /// <summary><c>--config</c> as a file path or blob URL, defaulting to <c>GUIDELLM_CONFIG</c>.</summary>
    public static Option<string?> ConfigLocation(string description) => new("--config", "-c")
    {
        Description = description + " (a file or a blob URL; default: GUIDELLM_CONFIG)",
        DefaultValueFactory = _ => FromEnvironment(HostSettings.Config),
    };

    private static string? FromEnvironment(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
