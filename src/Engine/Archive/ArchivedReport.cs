using Azure;
using Azure.Identity;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Reporting.Html;

namespace GuidellmFunctions.Engine.Archive;

/// <summary>Reads a saved report and the per-request records beside it, from a file or a blob URL (<see cref="BlobLocation"/>'s credentials).</summary>
public static class ArchivedReport
{
    /// <summary>The report at <paramref name="location"/>, with its per-request records when they are beside it.</summary>
    /// <param name="location">A file path or a blob URL.</param>
    /// <param name="storageConnection">Storage connection string for blob URLs in its account.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <exception cref="IOException">The report cannot be read; the message names it (credentials masked) and why.</exception>
    /// <exception cref="NotARunReportException">It is not a run report.</exception>
    public static async Task<ReportDocument> LoadAsync(string location, string? storageConnection, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(location);
        return BlobLocation.TryParse(location, out var uri)
            ? await FromBlobAsync(uri, storageConnection, cancellationToken).ConfigureAwait(false)
            : await FromFileAsync(location, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Copies the report at the blob URL <paramref name="location"/>, with its per-request records when they are beside
    /// it, into <paramref name="directory"/> and returns the copy's path; a file path is returned as it is.
    /// </summary>
    /// <param name="location">A file path or a blob URL.</param>
    /// <param name="storageConnection">Storage connection string for blob URLs in its account.</param>
    /// <param name="directory">Where the copies go; the records keep the name the report gives them.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <exception cref="IOException">The report blob cannot be read; the message names it (credentials masked) and why.</exception>
    /// <exception cref="NotARunReportException">It is not a run report.</exception>
    public static async Task<string> FetchAsync(string location, string? storageConnection, string directory, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(location);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!BlobLocation.TryParse(location, out var uri))
        {
            return location;
        }

        var display = EffectiveConfig.RedactUrl(uri);
        var name = Path.GetFileName(uri.AbsolutePath);
        var local = Path.Combine(directory, name.Length > 0 ? name : "report.json");
        try
        {
            var content = (await BlobLocation.Client(uri, storageConnection).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content;
            var report = ReportDocument.Parse(content.ToMemory(), display);
            Directory.CreateDirectory(directory);
            await File.WriteAllBytesAsync(local, content.ToArray(), cancellationToken).ConfigureAwait(false);
            var copy = Path.Combine(directory, report.RequestsFile is { Length: > 0 } named ? Path.GetFileName(named) : Path.GetFileNameWithoutExtension(local) + ReportLayout.RequestsSuffix);
            foreach (var sibling in RequestsNames(report, name))
            {
                try
                {
                    await BlobLocation.Client(BlobLocation.Sibling(uri, sibling), storageConnection).DownloadToAsync(copy, cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                    File.Delete(copy);
                }
            }
        }
        catch (Exception ex) when (ex is RequestFailedException or AuthenticationFailedException or AggregateException or HttpRequestException or FormatException or ArgumentException)
        {
            var why = ex is RequestFailedException failed ? $"{failed.Status} {failed.ErrorCode}".Trim() : ex.GetType().Name;
            throw new IOException($"{display}: cannot be read: {why}", ex);
        }

        return local;
    }

    private static async Task<ReportDocument> FromFileAsync(string path, CancellationToken cancellationToken)
    {
        byte[] json;
        try
        {
            json = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{path}: cannot be read: {ex.Message}", ex);
        }

        var report = ReportDocument.Parse(json, path);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        foreach (var name in RequestsNames(report, Path.GetFileName(path)))
        {
            var requests = Path.Combine(folder, name);
            if (File.Exists(requests))
            {
                var stream = File.OpenRead(requests);
                await using (stream.ConfigureAwait(false))
                {
                    report.ReadRequests(stream);
                }

                break;
            }
        }

        return report;
    }

    private static async Task<ReportDocument> FromBlobAsync(Uri uri, string? storageConnection, CancellationToken cancellationToken)
    {
        var display = EffectiveConfig.RedactUrl(uri);
        ReportDocument report;
        try
        {
            var blob = BlobLocation.Client(uri, storageConnection);
            var content = await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            report = ReportDocument.Parse(content.Value.Content.ToMemory(), display);
            foreach (var name in RequestsNames(report, Path.GetFileName(uri.AbsolutePath)))
            {
                var requests = BlobLocation.Client(BlobLocation.Sibling(uri, name), storageConnection);
                try
                {
                    var download = await requests.DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                    var stream = download.Value.Content;
                    await using (stream.ConfigureAwait(false))
                    {
                        report.ReadRequests(stream);
                    }

                    break;
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                }
            }
        }
        catch (Exception ex) when (ex is RequestFailedException or AuthenticationFailedException or AggregateException or HttpRequestException or FormatException)
        {
            var why = ex is RequestFailedException failed ? $"{failed.Status} {failed.ErrorCode}".Trim() : ex.GetType().Name;
            throw new IOException($"{display}: cannot be read: {why}", ex);
        }

        return report;
    }

    private static IEnumerable<string> RequestsNames(ReportDocument report, string reportName)
    {
        var names = new List<string>();
        if (report.RequestsFile is { Length: > 0 } named)
        {
            names.Add(Path.GetFileName(named));
        }

        if (reportName.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            names.Add(string.Concat(reportName.AsSpan(0, reportName.Length - ".json".Length), ReportLayout.RequestsSuffix));
        }

        names.Add(report.RunId + ReportLayout.RequestsSuffix);
        return names.Where(n => n.Length > 0 && n.IndexOfAny(Path.GetInvalidFileNameChars()) < 0).Distinct(StringComparer.Ordinal);
    }
}
