using GuidellmFunctions.Engine.Archive;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Export;
using GuidellmFunctions.Engine.Reporting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GuidellmFunctions.Engine.Runs;

/// <summary>
/// Opens a run's storage from its config: the blob archive with a local fallback (pending reports of earlier runs
/// delivered first) and a blob spool, or a local directory and spool when the config has no <c>archive:</c>.
/// </summary>
internal sealed class RunStorageFactory(ILoggerFactory? loggers = null)
{
    private readonly ILoggerFactory _loggers = loggers ?? NullLoggerFactory.Instance;

    public async Task<RunStorage> OpenAsync(ArchiveConfig? archive, string outputDirectory, CancellationToken cancellationToken)
    {
        var local = new LocalReportStore(outputDirectory, _loggers.CreateLogger<LocalReportStore>());
        var localSpool = new SampleSpool(Path.Combine(local.Root, ".spool"));
        if (archive is null)
        {
            return new RunStorage(local, localSpool, local.Root, 0, local.Root);
        }

        var blobs = BlobReportStore.Create(archive, _loggers.CreateLogger<BlobReportStore>());
        var fallback = new FallbackReportStore(blobs, Path.Combine(local.Root, ".pending"), _loggers.CreateLogger<FallbackReportStore>());
        var delivered = new List<RunReport>();
        var uploaded = await fallback.UploadPendingAsync(delivered, cancellationToken).ConfigureAwait(false);
        return new RunStorage(fallback, new BlobSampleSpool(blobs.Container, localSpool), EffectiveConfig.RedactUrl(blobs.ContainerUri), uploaded, local.Root)
        {
            PendingShards = [.. delivered.Where(r => r.Shard is not null)],
        };
    }
}
