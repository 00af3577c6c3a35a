using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace GuidellmFunctions.Engine.Reporting.Html;

/// <summary>
/// What the report stores write beside a report: its page and the day index. Drawing a page must never cost a report,
/// so a failure here is logged and the report stays saved without its page.
/// </summary>
internal static partial class ReportPages
{
    // One page drawn at a time in a process: targets of a run end together, and seven pages drawn at once held seven
    // times the memory (the benchmark's 7-target case) for no gain on two cores.
    private static readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>The page of the report <paramref name="json"/> with the records at <paramref name="requestsFile"/>; null (logged) when it cannot be drawn.</summary>
    public static async Task<byte[]?> TryRenderAsync(ReadOnlyMemory<byte> json, string source, string? requestsFile, ILogger logger)
    {
        await Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            return TryRender(json, source, requestsFile, logger);
        }
        finally
        {
            Gate.Release();
        }
    }

    private static byte[]? TryRender(ReadOnlyMemory<byte> json, string source, string? requestsFile, ILogger logger)
    {
        try
        {
            var report = ReportDocument.Parse(json, source);
            if (requestsFile is not null && File.Exists(requestsFile))
            {
                using var records = File.OpenRead(requestsFile);
                report.ReadRequests(records);
            }

            return ReportPage.RenderUtf8(report);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogPageFailed(logger, source, ex.GetType().Name, ex.Message);
            return null;
        }
    }

    /// <summary>The day index of the reports listed; null (logged) when it cannot be drawn.</summary>
    public static byte[]? TryRenderIndex(string reportPath, IEnumerable<RunListing> runs, ILogger logger)
    {
        try
        {
            var parts = reportPath.Split('/');
            var day = parts.Length >= 6 ? $"{parts[^4]}-{parts[^3]}-{parts[^2]}" : "this day";
            return System.Text.Encoding.UTF8.GetBytes(DayIndexPage.Render(parts.Length >= 6 ? parts[^6] : "?", parts.Length >= 6 ? parts[^5] : "?", day, runs));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogIndexFailed(logger, reportPath, ex.Message);
            return null;
        }
    }

    /// <summary>The listing of the local report at <paramref name="path"/>, read from the head of its JSON; null when it is unreadable.</summary>
    public static RunListing? ReadListing(string path)
    {
        try
        {
            var head = new byte[16 * 1024];
            int read;
            using (var file = File.OpenRead(path))
            {
                read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            }

            var reader = new Utf8JsonReader(head.AsSpan(0, read), isFinalBlock: read < head.Length, default);
            string? runId = null, status = null, model = null;
            DateTimeOffset? started = null;
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName && !reader.ValueTextEquals("benchmarks"u8))
            {
                var name = reader.GetString();
                if (!reader.Read())
                {
                    break;
                }

                switch (name)
                {
                    case "runId" when reader.TokenType == JsonTokenType.String:
                        runId = reader.GetString();
                        break;
                    case "status" when reader.TokenType == JsonTokenType.String:
                        status = reader.GetString();
                        break;
                    case "model" when reader.TokenType == JsonTokenType.String:
                        model = reader.GetString();
                        break;
                    case "startedAt" when reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var t):
                        started = t;
                        break;
                    default:
                        if (!reader.TrySkip())
                        {
                            return Listing(path, runId, status, started, model);
                        }

                        break;
                }
            }

            return Listing(path, runId, status, started, model);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    private static RunListing? Listing(string path, string? runId, string? status, DateTimeOffset? started, string? model)
    {
        if (runId is null)
        {
            return null;
        }

        var stem = path[..^".json".Length];
        return new RunListing(runId, status, started, model, File.Exists(stem + ReportLayout.PageSuffix), File.Exists(stem + ReportLayout.RequestsSuffix));
    }

    [LoggerMessage(3201, LogLevel.Warning, "The HTML page of {Report} could not be drawn ({Error}: {Message}); the report is saved without it")]
    private static partial void LogPageFailed(ILogger logger, string report, string error, string message);

    [LoggerMessage(3202, LogLevel.Warning, "The day index beside {Report} could not be written: {Message}")]
    private static partial void LogIndexFailed(ILogger logger, string report, string message);
}
