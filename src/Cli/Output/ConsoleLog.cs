using Microsoft.Extensions.Logging;

namespace GuidellmFunctions.Cli.Output;

/// <summary>Logging for the command line: to stderr, so stdout stays for tables and machine-readable output.</summary>
internal static class ConsoleLog
{
    public static ILoggerFactory Create(LogLevel level) => LoggerFactory.Create(builder =>
    {
        builder.SetMinimumLevel(level);
        builder.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    });
}
