using Microsoft.Extensions.Logging;

namespace GuidellmFunctions.Engine.Diagnostics;

/// <summary>Source-generated log messages of datasets and workloads (event ids 22xx).</summary>
internal static partial class DataLog
{
    [LoggerMessage(2201, LogLevel.Warning, "Dataset {Location}: line {Line} skipped: {Reason}")]
    public static partial void MalformedRecord(ILogger logger, string location, long line, string reason);

    [LoggerMessage(2202, LogLevel.Warning, "Dataset {Location}: more malformed lines are skipped and counted in the report without a warning each")]
    public static partial void MoreMalformed(ILogger logger, string location);

    [LoggerMessage(2203, LogLevel.Information, "Dataset {Location} ({Format}, {Order}) opened for {Environment}/{Target}")]
    public static partial void DatasetOpened(ILogger logger, string location, string format, string order, string environment, string target);
}
