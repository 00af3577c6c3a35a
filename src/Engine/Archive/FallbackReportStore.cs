using System.Text.Json;
using Azure;
using GuidellmFunctions.Engine.Reporting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GuidellmFunctions.Engine.Archive;

/// <summary>
/// Saves to the archive, and when the archive is unreachable keeps the report (and its request records) in a local
/// pending directory; <see cref="UploadPendingAsync(CancellationToken)"/> delivers them on the next run. Nothing is lost.
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

    /// <summary>True while reports wait in the pending directory for the archive.</summary>
    internal bool HasPending => Directory.Exists(_pending.Root) && Directory.EnumerateFiles(_pending.Root, "*.json", SearchOption.AllDirectories).Any();

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
        ShardArchive().ReadShardAsync(environment, target, startAt, runId, index, count, stagingDirectory, cancellationToken);

    /// <inheritdoc />
    public Task<bool> TryCreateAsync(string path, string content, CancellationToken cancellationToken) => ShardArchive().TryCreateAsync(path, content, cancellationToken);

    /// <inheritdoc />
    public Task<Shards.StoredText?> ReadTextAsync(string path, CancellationToken cancellationToken) => ShardArchive().ReadTextAsync(path, cancellationToken);

    /// <inheritdoc />
    public Task<bool> TryReplaceAsync(string path, Shards.StoredText current, string content, CancellationToken cancellationToken) => ShardArchive().TryReplaceAsync(path, current, content, cancellationToken);

    /// <inheritdoc />
    public Task DeleteAsync(string path, CancellationToken cancellationToken) => ShardArchive().DeleteAsync(path, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListRunMarkersAsync(string? runId, CancellationToken cancellationToken) => ShardArchive().ListRunMarkersAsync(runId, cancellationToken);

    /// <summary>Uploads every pending report (and its records); returns how many were delivered.</summary>
    public Task<int> UploadPendingAsync(CancellationToken cancellationToken) => UploadPendingAsync(null, cancellationToken);

    /// <summary>Uploads every pending report (and its records); returns how many were delivered.</summary>
    /// <param name="delivered">Receives each delivered report (a shard report delivered now may complete its run's merge).</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    public async Task<int> UploadPendingAsync(ICollection<RunReport>? delivered, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(_pending.Root))
        {
            return 0;
        }

        var count = 0;
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
                return count;
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

            delivered?.Add(report);
            count++;
        }

        return count;
    }

    /// <summary>True when <paramref name="ex"/> says the archive cannot be reached now (network, timeout, throttling, server error): a later attempt may pass.</summary>
    internal static bool IsUnavailable(Exception ex) => ex switch
    {
        RequestFailedException r => r.Status is 0 or 408 or 429 or >= 500,
        AggregateException a => a.InnerExceptions.All(IsUnavailable),
        HttpRequestException or IOException or TimeoutException or OperationCanceledException => true,
        _ => false,
    };

    private Shards.IShardArchive ShardArchive() =>
        _archive as Shards.IShardArchive ?? throw new InvalidOperationException("the archive keeps no shard reports");

    [LoggerMessage(3103, LogLevel.Warning, "Archive unreachable ({Reason}); report kept at {Path} for the next run")]
    private static partial void LogKept(ILogger logger, string path, string reason);

    [LoggerMessage(3104, LogLevel.Warning, "Archive still unreachable ({Reason}); pending reports kept")]
    private static partial void LogStillUnavailable(ILogger logger, string reason);
}
