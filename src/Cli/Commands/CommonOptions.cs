using System.CommandLine;
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
}
