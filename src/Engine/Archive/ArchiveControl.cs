using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Archive;

/// <summary>
/// The control state the Function App keeps in the report archive: the nightly timer's pause flag (a blob the timer reads
/// before each occurrence) and the latest archived report of a target.
/// </summary>
public sealed class ArchiveControl
{
    /// <summary>The blob whose presence pauses the nightly timer.</summary>
    public const string PausedFlagPath = ".control/schedule-paused";

    private readonly BlobContainerClient _container;

    /// <summary>Opens the archive the config's <c>archive:</c> names.</summary>
    public ArchiveControl(ArchiveConfig archive)
    {
        ArgumentNullException.ThrowIfNull(archive);
        _container = BlobReportStore.Create(archive).Container;
    }

    /// <summary>True while the nightly timer is paused.</summary>
    public async Task<bool> IsPausedAsync(CancellationToken cancellationToken = default) =>
        (await _container.ExistsAsync(cancellationToken).ConfigureAwait(false)).Value
        && (await _container.GetBlobClient(PausedFlagPath).ExistsAsync(cancellationToken).ConfigureAwait(false)).Value;

    /// <summary>Pauses (true) or resumes (false) the nightly timer.</summary>
    public async Task SetPausedAsync(bool paused, string? by, CancellationToken cancellationToken = default)
    {
        var flag = _container.GetBlobClient(PausedFlagPath);
        if (paused)
        {
            await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await flag.UploadAsync(BinaryData.FromString($"paused by {by ?? "unknown"}"), overwrite: true, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await flag.DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The most recently written report of <paramref name="environment"/>/<paramref name="target"/>; null when none is archived.</summary>
    public async Task<RunReport?> LatestReportAsync(string environment, string target, CancellationToken cancellationToken = default)
    {
        if (!(await _container.ExistsAsync(cancellationToken).ConfigureAwait(false)).Value)
        {
            return null;
        }

        Azure.Storage.Blobs.Models.BlobItem? latest = null;
        await foreach (var blob in _container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, $"{environment}/{target}/", cancellationToken).ConfigureAwait(false))
        {
            if (ReportLayout.IsRunReport(Path.GetFileName(blob.Name)) && (latest is null || blob.Properties.LastModified > latest.Properties.LastModified))
            {
                latest = blob;
            }
        }

        if (latest is null)
        {
            return null;
        }

        try
        {
            var content = (await _container.GetBlobClient(latest.Name).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content;
            return JsonSerializer.Deserialize(content.ToStream(), ReportJsonContext.Default.RunReport);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }
}
