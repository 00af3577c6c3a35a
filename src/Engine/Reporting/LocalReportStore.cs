using System.Text.Json;
using GuidellmFunctions.Engine.Diagnostics;
using GuidellmFunctions.Engine.Reporting.Html;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GuidellmFunctions.Engine.Reporting;

/// <summary>
/// Keeps reports under a directory with the archive's layout, each with its HTML page beside it and the day's
/// <c>index.html</c>; writes are atomic (temporary file, then rename).
/// </summary>
internal sealed class LocalReportStore : IReportStore, Shards.IShardArchive
{
    private readonly ILogger _logger;
    private readonly bool _pages;

    /// <summary>Creates a store rooted at <paramref name="root"/>.</summary>
    /// <param name="root">The directory.</param>
    /// <param name="logger">Logs what is written.</param>
    /// <param name="pages">Whether to write each report's HTML page and the day index beside it (not for reports only kept until they reach the archive).</param>
    public LocalReportStore(string root, ILogger<LocalReportStore>? logger = null, bool pages = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _pages = pages;
    }

    /// <summary>The root directory.</summary>
    public string Root { get; }

    /// <inheritdoc />
    public Task<bool> HasRunAsync(string runId, string environment, string target, CancellationToken cancellationToken) =>
        Task.FromResult(File.Exists(Path.Combine(Root, ReportLayout.RunMarkerPath(runId, environment, target))));

    /// <inheritdoc />
    public async Task<ReportSaveResult> SaveAsync(RunReport report, string? requestsFile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var relative = ReportLayout.ReportPath(report);
        var path = Path.Combine(Root, relative);
        if (File.Exists(path))
        {
            Log.ReportExists(_logger, path, report.RunId);
            return new ReportSaveResult(path, Written: false);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (requestsFile is not null && File.Exists(requestsFile))
        {
            var requestsPath = Path.Combine(Root, ReportLayout.RequestsPath(relative));
            if (!string.Equals(Path.GetFullPath(requestsFile), requestsPath, StringComparison.Ordinal))
            {
                File.Copy(requestsFile, requestsPath + ".tmp", overwrite: true);
                File.Move(requestsPath + ".tmp", requestsPath, overwrite: true);
            }

            report = report with { RequestsFile = Path.GetFileName(requestsPath) };
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(report, ReportJsonContext.Default.RunReport);
        var temp = path + ".tmp";
        await File.WriteAllBytesAsync(temp, json, cancellationToken).ConfigureAwait(false);
        File.Move(temp, path, overwrite: false);
        if (_pages)
        {
            await WritePagesAsync(relative, path, json).ConfigureAwait(false);
        }

        var marker = Path.Combine(Root, ReportLayout.RunMarkerPath(report));
        Directory.CreateDirectory(Path.GetDirectoryName(marker)!);
        await File.WriteAllTextAsync(marker, relative, CancellationToken.None).ConfigureAwait(false);
        Log.ReportWritten(_logger, path);
        return new ReportSaveResult(path, Written: true);
    }

    /// <inheritdoc />
    public async Task<Shards.StoredShard?> ReadShardAsync(string environment, string target, DateTimeOffset startAt, string runId, int index, int count, string stagingDirectory, CancellationToken cancellationToken)
    {
        var relative = ReportLayout.ShardPath(environment, target, startAt, runId, index, count);
        var path = Path.Combine(Root, relative);
        if (!File.Exists(path))
        {
            return null;
        }

        var stream = File.OpenRead(path);
        await using (stream.ConfigureAwait(false))
        {
            var report = await JsonSerializer.DeserializeAsync(stream, ReportJsonContext.Default.RunReport, cancellationToken).ConfigureAwait(false)
                ?? throw new JsonException($"{path} holds no report");
            var requests = Path.Combine(Root, ReportLayout.RequestsPath(relative));
            return new Shards.StoredShard(report, File.Exists(requests) ? requests : null, Temporary: false);
        }
    }

    /// <inheritdoc />
    public Task<bool> TryCreateAsync(string path, string content, CancellationToken cancellationToken)
    {
        var file = Path.Combine(Root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        try
        {
            // CreateNew is atomic on every file system: of two callers, one creates the file.
            using (var stream = new FileStream(file, FileMode.CreateNew, FileAccess.Write))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(content);
            }

            return Task.FromResult(true);
        }
        catch (IOException) when (File.Exists(file))
        {
            return Task.FromResult(false);
        }
    }

    /// <inheritdoc />
    public async Task<Shards.StoredText?> ReadTextAsync(string path, CancellationToken cancellationToken)
    {
        var file = Path.Combine(Root, path);
        try
        {
            var content = await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false);
            var written = File.GetLastWriteTimeUtc(file);
            return new Shards.StoredText(content, new DateTimeOffset(written, TimeSpan.Zero), written.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + content);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<bool> TryReplaceAsync(string path, Shards.StoredText current, string content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(current);
        var file = Path.Combine(Root, path);
        var aside = $"{file}.{Guid.NewGuid():N}.replaced";
        try
        {
            // The rename succeeds for one caller only; the one that moved the record it read aside writes the new one.
            File.Move(file, aside);
        }
        catch (FileNotFoundException)
        {
            return false;
        }

        var moved = await ReadTextAsync(Path.GetRelativePath(Root, aside), cancellationToken).ConfigureAwait(false);
        if (moved is null || moved.Content != current.Content)
        {
            File.Move(aside, file, overwrite: false);
            return false;
        }

        File.Delete(aside);
        return await TryCreateAsync(path, content, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        File.Delete(Path.Combine(Root, path));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> ListRunMarkersAsync(string? runId, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(Root, ReportLayout.RunMarkersFolder(runId));
        IReadOnlyList<string> markers = Directory.Exists(folder)
            ? [.. Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Root, f).Replace('\\', '/')).Order(StringComparer.Ordinal)]
            : [];
        return Task.FromResult(markers);
    }

    private async Task WritePagesAsync(string relative, string path, byte[] json)
    {
        var requests = Path.Combine(Root, ReportLayout.RequestsPath(relative));
        if (await ReportPages.TryRenderAsync(json, path, File.Exists(requests) ? requests : null, _logger).ConfigureAwait(false) is { } page)
        {
            await WriteAtomicAsync(Path.Combine(Root, ReportLayout.PagePath(relative)), page).ConfigureAwait(false);
        }

        var folder = Path.GetDirectoryName(path)!;
        var runs = Directory.EnumerateFiles(folder, "*.json").Where(f => ReportLayout.IsRunReport(Path.GetFileName(f))).Select(ReportPages.ReadListing).OfType<RunListing>();
        if (ReportPages.TryRenderIndex(relative, runs, _logger) is { } index)
        {
            await WriteAtomicAsync(Path.Combine(Root, ReportLayout.DayIndexPath(relative)), index).ConfigureAwait(false);
        }
    }

    private static async Task WriteAtomicAsync(string path, byte[] content)
    {
        // A unique temporary name: two runs of one target on one day may rewrite the day index at the same time.
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        await File.WriteAllBytesAsync(temp, content, CancellationToken.None).ConfigureAwait(false);
        File.Move(temp, path, overwrite: true);
    }
}
