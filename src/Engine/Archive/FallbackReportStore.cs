using System.Text.Json;
using Azure;
using GuidellmFunctions.Engine.Reporting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GuidellmFunctions.Engine.Archive;

/// <summary>
/// Saves to the archive, and when the archive is unreachable keeps the report (and its request records) in a local
/// pending directory; <see cref="UploadPendingAsync"/> delivers them on the next run. Nothing is lost.
/// </summary>
internal sealed partial class FallbackReportStore : IReportStore, Shards.IShardArchive
{
    private readonly IReportStore _archive;
    private readonly LocalReportStore _pending;
    private readonly ILogger _logger;

    /// <summary>Creates a store writing to <paramref name="archive"/>, falling back to <paramref name="pendingDirectory"/>.</summary>
    public FallbackReportStore(IReportStore archive, string pendingDirectory, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(archive);
        _archive = archive;
        _pending = new LocalReportStore(pendingDirectory, pages: false);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The archive behind the fallback.</summary>
    internal IReportStore Archive => _archive;

    /// <inheritdoc />
    public async Task<ReportSaveResult> SaveAsync(RunReport report, string? requestsFile, CancellationToken cancellationToken)
    {
        try
        {
            return await _archive.SaveAsync(report, requestsFile, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            var kept = await _pending.SaveAsync(report, requestsFile, CancellationToken.None).ConfigureAwait(false);
            LogKept(_logger, kept.Location, ex.Message);
            return kept with { Location = kept.Location + " (archive unreachable; uploaded by the next run)" };
        }
    }

    /// <inheritdoc />
    public async Task<bool> HasRunAsync(string runId, string environment, string target, CancellationToken cancellationToken)
    {
        if (await _pending.HasRunAsync(runId, environment, target, cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        try
        {
            return await _archive.HasRunAsync(runId, environment, target, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            return false;
        }
    }

    /// <inheritdoc />
    public Task<Shards.StoredShard?> ReadShardAsync(string environment, string target, DateTimeOffset startAt, string runId, int index, int count, string stagingDirectory, CancellationToken cancellationToken) =>
        _archive is Shards.IShardArchive shards
            ? shards.ReadShardAsync(environment, target, startAt, runId, index, count, stagingDirectory, cancellationToken)
            : Task.FromResult<Shards.StoredShard?>(null);

    /// <inheritdoc />
    public Task<bool> TryClaimMergeAsync(string runId, string environment, string target, CancellationToken cancellationToken) =>
        _archive is Shards.IShardArchive shards ? shards.TryClaimMergeAsync(runId, environment, target, cancellationToken) : Task.FromResult(false);

    /// <summary>Uploads every pending report (and its records); returns how many were delivered.</summary>
    public async Task<int> UploadPendingAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(_pending.Root))
        {
            return 0;
        }

        var delivered = 0;
        foreach (var path in Directory.GetFiles(_pending.Root, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            RunReport? report;
            var stream = File.OpenRead(path);
            await using (stream.ConfigureAwait(false))
            {
                report = await JsonSerializer.DeserializeAsync(stream, ReportJsonContext.Default.RunReport, cancellationToken).ConfigureAwait(false);
            }

            var requests = path[..^".json".Length] + ReportLayout.RequestsSuffix;
            try
            {
                await _archive.SaveAsync(report! with { RequestsFile = null }, File.Exists(requests) ? requests : null, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsUnavailable(ex))
            {
                LogStillUnavailable(_logger, ex.Message);
                return delivered;
            }

            File.Delete(path);
            var marker = Path.Combine(_pending.Root, ReportLayout.RunMarkerPath(report!));
            if (File.Exists(marker))
            {
                File.Delete(marker);
            }

            if (File.Exists(requests))
            {
                File.Delete(requests);
            }

            delivered++;
        }

        return delivered;
    }

    private static bool IsUnavailable(Exception ex) => ex switch
    {
        RequestFailedException r => r.Status is 0 or 408 or 429 or >= 500,
        AggregateException a => a.InnerExceptions.All(IsUnavailable),
        HttpRequestException or IOException or TimeoutException or OperationCanceledException => true,
        _ => false,
    };

    [LoggerMessage(3103, LogLevel.Warning, "Archive unreachable ({Reason}); report kept at {Path} for the next run")]
    private static partial void LogKept(ILogger logger, string path, string reason);

    [LoggerMessage(3104, LogLevel.Warning, "Archive still unreachable ({Reason}); pending reports kept")]
    private static partial void LogStillUnavailable(ILogger logger, string reason);
}
