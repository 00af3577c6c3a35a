using Microsoft.Extensions.Logging;

namespace GuidellmFunctions.Engine.Diagnostics;

/// <summary>Log messages of the stage watches: the server's metrics (23xx) and the runner's own validity (24xx).</summary>
internal static partial class Log
{
    [LoggerMessage(2301, LogLevel.Warning, "{Watch} failed on stage {Stage}; its section is left out: {Message}")]
    public static partial void StageWatchFailed(ILogger logger, string watch, int stage, string message);

    [LoggerMessage(2302, LogLevel.Warning, "Server metrics of {Environment}/{Target} not read for stage {Stage}: {Message}")]
    public static partial void ServerMetricsUnavailable(ILogger logger, string environment, string target, int stage, string message);

    [LoggerMessage(2303, LogLevel.Warning, "Server metrics of {Environment}/{Target}, stage {Stage}: {Note}")]
    public static partial void ServerMetricsNote(ILogger logger, string environment, string target, int stage, string note);

    [LoggerMessage(2401, LogLevel.Warning, "Stage {Stage} of {Environment}/{Target} is not valid: {Reasons}")]
    public static partial void StageNotValid(ILogger logger, int stage, string environment, string target, string reasons);
}
