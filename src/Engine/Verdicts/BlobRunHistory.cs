using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Verdicts;

/// <summary>The runs archived in a blob container (<see cref="Archive.BlobReportStore"/>'s layout).</summary>
internal sealed class BlobRunHistory(BlobContainerClient container) : IRunHistory
{
    /// <inheritdoc />
    public string Description => EffectiveConfig.RedactUrl(container.Uri);

    /// <inheritdoc />
    public async IAsyncEnumerable<RunReport> NewestFirstAsync(string environment, string target, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!(await container.ExistsAsync(cancellationToken).ConfigureAwait(false)).Value)
        {
            yield break;
        }

        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, $"{environment}/{target}/", cancellationToken).ConfigureAwait(false))
        {
            // Metadata says a report's status, so failed runs need not be downloaded.
            if (blob.Name.EndsWith(".json", StringComparison.Ordinal)
                && (blob.Metadata is null || !blob.Metadata.TryGetValue("status", out var status) || status == ReportNames.Of(RunStatus.Completed)))
            {
                names.Add(blob.Name);
            }
        }

        foreach (var day in names.GroupBy(n => n[..n.LastIndexOf('/')]).OrderByDescending(g => g.Key, StringComparer.Ordinal))
        {
            var reports = new List<RunReport>();
            foreach (var name in day)
            {
                if (await ReadAsync(name, cancellationToken).ConfigureAwait(false) is { } report)
                {
                    reports.Add(report);
                }
            }

            foreach (var report in reports.OrderByDescending(r => r.StartedAt))
            {
                yield return report;
            }
        }
    }

    /// <inheritdoc />
    public async Task<RunReport?> FindAsync(string runId, string environment, string target, CancellationToken cancellationToken)
    {
        try
        {
            var marker = await container.GetBlobClient(ReportLayout.RunMarkerPath(runId, environment, target)).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return await ReadAsync(marker.Value.Content.ToString().Trim(), cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<Stream?> OpenRequestsAsync(RunReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.RequestsFile is null)
        {
            return null;
        }

        try
        {
            return await container.GetBlobClient(ReportLayout.RequestsPath(ReportLayout.ReportPath(report))).OpenReadAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    private async Task<RunReport?> ReadAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var content = await container.GetBlobClient(name).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return JsonSerializer.Deserialize(content.Value.Content.ToMemory().Span, ReportJsonContext.Default.RunReport);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
        catch (JsonException)
        {
            // A damaged report cannot be a baseline.
            return null;
        }
    }
}
