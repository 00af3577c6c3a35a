using System.Text.Json;
using Azure;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Reporting.Html;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GuidellmFunctions.Engine.Archive;

/// <summary>
/// Archives reports to Azure Blob Storage in the layout <c>&lt;env&gt;/&lt;target&gt;/yyyy/MM/dd/&lt;runId&gt;.json</c> with the
/// per-request records beside it (gzip), its HTML page (<c>&lt;runId&gt;.html</c>, text/html) and the day's
/// <c>index.html</c>, blob metadata and index tags (environment, target, model, status).
/// Idempotent per run id: the report is written with If-None-Match: *, so a second delivery writes nothing.
/// </summary>
internal sealed partial class BlobReportStore : IReportStore, Shards.IShardArchive
{
    private readonly BlobContainerClient _container;
    private readonly ILogger _logger;
    private volatile bool _containerReady;

    /// <summary>Creates a store over <paramref name="container"/>.</summary>
    public BlobReportStore(BlobContainerClient container, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        _container = container;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Creates a store from the config's <c>archive:</c> section.</summary>
    public static BlobReportStore Create(ArchiveConfig config, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var options = new BlobClientOptions { Retry = { MaxRetries = 2, NetworkTimeout = TimeSpan.FromSeconds(30) }, Transport = Client.Transport.OutboundHttp.Azure };
        var service = config.Connection is { IsEmpty: false } connection
            ? new BlobServiceClient(connection.Reveal(), options)
            : new BlobServiceClient(config.AccountUrl ?? throw new ConfigValidationException("archive needs connection or account_url"), new DefaultAzureCredential(), options);
        return new BlobReportStore(service.GetBlobContainerClient(config.Container), logger);
    }

    /// <summary>The container, for other durable state kept in the archive (the remote_write spool).</summary>
    public BlobContainerClient Container => _container;

    /// <summary>The container URL (no credentials).</summary>
    public Uri ContainerUri => _container.Uri;

    /// <inheritdoc />
    public async Task<bool> HasRunAsync(string runId, string environment, string target, CancellationToken cancellationToken) =>
        (await _container.ExistsAsync(cancellationToken).ConfigureAwait(false)).Value
        && (await _container.GetBlobClient(ReportLayout.RunMarkerPath(runId, environment, target)).ExistsAsync(cancellationToken).ConfigureAwait(false)).Value;

    /// <inheritdoc />
    public async Task<ReportSaveResult> SaveAsync(RunReport report, string? requestsFile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (!_containerReady)
        {
            await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            _containerReady = true;
        }

        var name = ReportLayout.ReportPath(report);
        var reportBlob = _container.GetBlobClient(name);
        if (await reportBlob.ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            LogExists(_logger, reportBlob.Uri, report.RunId);
            return new ReportSaveResult(EffectiveConfig.RedactUrl(reportBlob.Uri), Written: false);
        }

        var metadata = new Dictionary<string, string>
        {
            ["environment"] = report.Environment,
            ["target"] = report.Target,
            ["model"] = Uri.EscapeDataString(report.Model),
            ["status"] = ReportNames.Of(report.Status),
            ["runid"] = report.RunId,
            ["startedat"] = report.StartedAt.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        };
        var tags = new Dictionary<string, string>
        {
            ["environment"] = TagValue(report.Environment),
            ["target"] = TagValue(report.Target),
            ["model"] = TagValue(report.Model),
            ["status"] = ReportNames.Of(report.Status),
        };

        if (requestsFile is not null && File.Exists(requestsFile))
        {
            var requestsBlob = _container.GetBlobClient(ReportLayout.RequestsPath(name));
            var stream = File.OpenRead(requestsFile);
            await using (stream.ConfigureAwait(false))
            {
                await requestsBlob.UploadAsync(stream, new BlobUploadOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentType = "application/x-ndjson", ContentEncoding = "gzip" },
                    Metadata = metadata,
                    Tags = tags,
                }, cancellationToken).ConfigureAwait(false);
            }

            report = report with { RequestsFile = Path.GetFileName(ReportLayout.RequestsPath(name)) };
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(report, ReportJsonContext.Default.RunReport);
        try
        {
            await reportBlob.UploadAsync(new BinaryData(json), new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
                Metadata = metadata,
                Tags = tags,
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409 || ex.ErrorCode == BlobErrorCode.BlobAlreadyExists)
        {
            // Another delivery of the same run won the race: it wrote the report, this one writes nothing.
            LogExists(_logger, reportBlob.Uri, report.RunId);
            return new ReportSaveResult(EffectiveConfig.RedactUrl(reportBlob.Uri), Written: false);
        }

        await SavePagesAsync(name, json, requestsFile, metadata, tags, cancellationToken).ConfigureAwait(false);
        await _container.GetBlobClient(ReportLayout.RunMarkerPath(report))
            .UploadAsync(BinaryData.FromString(name), overwrite: true, cancellationToken).ConfigureAwait(false);
        LogWritten(_logger, reportBlob.Uri);
        return new ReportSaveResult(EffectiveConfig.RedactUrl(reportBlob.Uri), Written: true);
    }

    /// <inheritdoc />
    public async Task<Shards.StoredShard?> ReadShardAsync(string environment, string target, DateTimeOffset startAt, string runId, int index, int count, string stagingDirectory, CancellationToken cancellationToken)
    {
        var name = ReportLayout.ShardPath(environment, target, startAt, runId, index, count);
        RunReport report;
        try
        {
            var content = await _container.GetBlobClient(name).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            report = JsonSerializer.Deserialize(content.Value.Content.ToMemory().Span, ReportJsonContext.Default.RunReport) ?? throw new JsonException($"{name} holds no report");
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }

        var local = Path.Combine(stagingDirectory, $"{runId}.{environment}.{target}.{ReportLayout.ShardName(index, count)}{ReportLayout.RequestsSuffix}");
        try
        {
            Directory.CreateDirectory(stagingDirectory);
            await _container.GetBlobClient(ReportLayout.RequestsPath(name)).DownloadToAsync(local, cancellationToken).ConfigureAwait(false);
            return new Shards.StoredShard(report, local, Temporary: true);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            File.Delete(local);
            return new Shards.StoredShard(report, null, Temporary: false);
        }
    }

    /// <inheritdoc />
    public async Task<bool> TryCreateAsync(string path, string content, CancellationToken cancellationToken)
    {
        if (!_containerReady)
        {
            await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            _containerReady = true;
        }

        try
        {
            await _container.GetBlobClient(path).UploadAsync(
                BinaryData.FromString(content),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } },
                cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409 || ex.ErrorCode == BlobErrorCode.BlobAlreadyExists)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async Task<Shards.StoredText?> ReadTextAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            var content = (await _container.GetBlobClient(path).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value;
            return new Shards.StoredText(content.Content.ToString(), content.Details.LastModified, content.Details.ETag.ToString());
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<bool> TryReplaceAsync(string path, Shards.StoredText current, string content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(current);
        try
        {
            await _container.GetBlobClient(path).UploadAsync(
                BinaryData.FromString(content),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfMatch = new ETag(current.Version) } },
                cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string path, CancellationToken cancellationToken) =>
        await _container.GetBlobClient(path).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListRunMarkersAsync(string? runId, CancellationToken cancellationToken)
    {
        var markers = new List<string>();
        if (!(await _container.ExistsAsync(cancellationToken).ConfigureAwait(false)).Value)
        {
            return markers;
        }

        await foreach (var blob in _container.GetBlobsAsync(new GetBlobsOptions { Prefix = ReportLayout.RunMarkersFolder(runId) }, cancellationToken).ConfigureAwait(false))
        {
            markers.Add(blob.Name);
        }

        return markers;
    }

    private async Task SavePagesAsync(string name, byte[] json, string? requestsFile, Dictionary<string, string> metadata, Dictionary<string, string> tags, CancellationToken cancellationToken)
    {
        var html = new BlobHttpHeaders { ContentType = "text/html; charset=utf-8" };
        var pageBlob = _container.GetBlobClient(ReportLayout.PagePath(name));
        try
        {
            if (await ReportPages.TryRenderAsync(json, EffectiveConfig.RedactUrl(_container.GetBlobClient(name).Uri), requestsFile is not null && File.Exists(requestsFile) ? requestsFile : null, _logger).ConfigureAwait(false) is { } page)
            {
                await pageBlob.UploadAsync(new BinaryData(page), new BlobUploadOptions
                {
                    HttpHeaders = html,
                    Metadata = metadata,
                    Tags = tags,
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                }, cancellationToken).ConfigureAwait(false);
            }

            var folder = name[..(name.LastIndexOf('/') + 1)];
            var names = new HashSet<string>(StringComparer.Ordinal);
            var reports = new List<BlobItem>();
            await foreach (var item in _container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata, Prefix = folder }, cancellationToken).ConfigureAwait(false))
            {
                var file = item.Name[folder.Length..];
                if (file.Contains('/', StringComparison.Ordinal))
                {
                    continue;
                }

                names.Add(file);
                if (ReportLayout.IsRunReport(file))
                {
                    reports.Add(item);
                }
            }

            var runs = reports.Select(item =>
            {
                var stem = item.Name[folder.Length..^".json".Length];
                IDictionary<string, string> meta = item.Metadata ?? new Dictionary<string, string>();
                var started = meta.TryGetValue("startedat", out var s) && DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? t : item.Properties.CreatedOn;
                return new RunListing(meta.TryGetValue("runid", out var id) ? id : stem, meta.TryGetValue("status", out var status) ? status : null, started, meta.TryGetValue("model", out var m) ? Uri.UnescapeDataString(m) : null, names.Contains(stem + ReportLayout.PageSuffix), names.Contains(stem + ReportLayout.RequestsSuffix));
            });
            if (ReportPages.TryRenderIndex(name, runs, _logger) is { } index)
            {
                await _container.GetBlobClient(ReportLayout.DayIndexPath(name)).UploadAsync(new BinaryData(index), new BlobUploadOptions { HttpHeaders = html }, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (RequestFailedException ex) when (ex.Status != 409)
        {
            // The report is saved: a page that cannot be uploaded now is not worth failing the run's record.
            LogPageNotUploaded(_logger, pageBlob.Uri, ex.Status, ex.ErrorCode);
        }
        catch (RequestFailedException)
        {
            // 409: the page exists (a redelivery raced this one); the report it shows was written first.
        }
    }

    private static string TagValue(string value)
    {
        // Index tag values allow letters, digits, space and + - . / : = _ only.
        var chars = value.Select(c => char.IsAsciiLetterOrDigit(c) || c is ' ' or '+' or '-' or '.' or '/' or ':' or '=' or '_' ? c : '_').ToArray();
        return new string(chars, 0, Math.Min(chars.Length, 256));
    }

    [LoggerMessage(3101, LogLevel.Information, "Report archived to {Uri}")]
    private static partial void LogWritten(ILogger logger, Uri uri);

    [LoggerMessage(3102, LogLevel.Information, "Report {Uri} already archived for run {RunId}; nothing written")]
    private static partial void LogExists(ILogger logger, Uri uri, string runId);

    [LoggerMessage(3105, LogLevel.Warning, "The page or day index beside {Uri} could not be uploaded ({Status} {ErrorCode}); the report is saved")]
    private static partial void LogPageNotUploaded(ILogger logger, Uri uri, int status, string? errorCode);
}
