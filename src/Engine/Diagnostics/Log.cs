using Microsoft.Extensions.Logging;

namespace GuidellmFunctions.Engine.Diagnostics;

/// <summary>Source-generated log messages of the engine, with stable event ids (1xxx client, 2xxx load, 3xxx reporting).</summary>
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Trace, "Request {RequestId} to {Endpoint}: {Body}")]
    public static partial void RequestBody(ILogger logger, string requestId, string endpoint, string body);

    [LoggerMessage(1002, LogLevel.Trace, "Request {RequestId} chunk: {Data}")]
    public static partial void ResponseChunk(ILogger logger, string requestId, string data);

    [LoggerMessage(1003, LogLevel.Debug, "Request {RequestId} failed with {Reason}: {Message}")]
    public static partial void RequestFailed(ILogger logger, string requestId, string reason, string message);

    [LoggerMessage(2001, LogLevel.Information, "Stage {Stage} ({Profile}) of {Environment}/{Target} starting: rate {Rate}, max {MaxSeconds}s / {MaxRequests} requests")]
    public static partial void StageStarting(ILogger logger, int stage, string profile, string environment, string target, double rate, double? maxSeconds, int? maxRequests);

    [LoggerMessage(2002, LogLevel.Information, "Stage {Stage} of {Environment}/{Target} ended ({StopReason}): {Successful} successful, {Failed} failed, {Incomplete} incomplete, {RequestsPerSecond:F2} req/s")]
    public static partial void StageEnded(ILogger logger, int stage, string environment, string target, string stopReason, long successful, long failed, long incomplete, double requestsPerSecond);

    [LoggerMessage(2003, LogLevel.Warning, "Stage {Stage} of {Environment}/{Target} stopped after {Errors} errors (max_errors)")]
    public static partial void MaxErrorsReached(ILogger logger, int stage, string environment, string target, long errors);

    [LoggerMessage(2007, LogLevel.Error, "Stage {Stage} of {Environment}/{Target} stopped ({StopReason}): {Detail}")]
    public static partial void StageStoppedEarly(ILogger logger, int stage, string environment, string target, string stopReason, string detail);

    [LoggerMessage(2010, LogLevel.Information, "Stage {Stage} of {Environment}/{Target}: {Ready} of {Wanted} connections open before the clock ({Milliseconds:F0} ms)")]
    public static partial void ConnectionsPreopened(ILogger logger, int stage, string environment, string target, int ready, int wanted, double milliseconds);

    [LoggerMessage(2004, LogLevel.Information, "Sweep of {Environment}/{Target} measured {SyncRate:F3} req/s synchronous and {ThroughputRate:F3} req/s throughput; constant rates: {Rates}")]
    public static partial void SweepRates(ILogger logger, string environment, string target, double syncRate, double throughputRate, string rates);

    [LoggerMessage(2005, LogLevel.Error, "Run of {Environment}/{Target} failed: {Message}")]
    public static partial void RunFailed(ILogger logger, string environment, string target, string message);

    [LoggerMessage(2006, LogLevel.Warning, "The warm-up of the request path on canned responses failed (the first requests of runs in this process carry its JIT compilation): {Message}")]
    public static partial void CodePathWarmupFailed(ILogger logger, string message);

    [LoggerMessage(3001, LogLevel.Information, "Report written to {Path}")]
    public static partial void ReportWritten(ILogger logger, string path);

    [LoggerMessage(3002, LogLevel.Information, "Report {Path} already exists for run {RunId}; nothing written")]
    public static partial void ReportExists(ILogger logger, string path, string runId);
}
