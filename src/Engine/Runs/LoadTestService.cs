using GuidellmFunctions.Engine.Archive;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Export;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GuidellmFunctions.Engine.Runs;

/// <summary>
/// One run as every host performs it: reports to the archive (or a local directory) with the local fallback,
/// earlier pending reports and spooled samples delivered first, results pushed to the config's receivers.
/// </summary>
public sealed class LoadTestService
{
    private readonly RunCoordinator _coordinator;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;

    /// <summary>Creates the service.</summary>
    public LoadTestService(RunCoordinator coordinator, TimeProvider time, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(coordinator);
        ArgumentNullException.ThrowIfNull(time);
        _coordinator = coordinator;
        _time = time;
        _loggers = loggers ?? NullLoggerFactory.Instance;
    }

    /// <summary>Runs <paramref name="targets"/> as run <paramref name="runId"/>.</summary>
    /// <param name="config">The loaded config (archive and receivers come from it).</param>
    /// <param name="targets">Resolved targets.</param>
    /// <param name="runId">Run id.</param>
    /// <param name="trigger">What started it.</param>
    /// <param name="outputDirectory">Local reports (no archive), pending reports, spool and staging files.</param>
    /// <param name="extraReceivers">Receivers beyond the config's (the CLI's --remote-write).</param>
    /// <param name="observersFor">Extra observers per target (progress).</param>
    /// <param name="cancellationToken">Cancels the run; partial reports are still saved.</param>
    public async Task<RunOutcome> RunAsync(
        RunnerConfig config,
        IReadOnlyList<ResolvedTarget> targets,
        string runId,
        RunTrigger trigger,
        string outputDirectory,
        IReadOnlyList<RemoteWriteConfig>? extraReceivers = null,
        Func<ResolvedTarget, IReadOnlyList<IRunObserver>>? observersFor = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(targets);
        var local = new LocalReportStore(outputDirectory, _loggers.CreateLogger<LocalReportStore>());
        var localSpool = new SampleSpool(Path.Combine(local.Root, ".spool"));
        IReportStore store = local;
        ISampleSpool spool = localSpool;
        var pendingUploaded = 0;
        string destination = local.Root;
        if (config.Archive is { } archive)
        {
            var blobs = BlobReportStore.Create(archive, _loggers.CreateLogger<BlobReportStore>());
            var fallback = new FallbackReportStore(blobs, Path.Combine(local.Root, ".pending"), _loggers.CreateLogger<FallbackReportStore>());
            pendingUploaded = await fallback.UploadPendingAsync(cancellationToken).ConfigureAwait(false);
            store = fallback;
            spool = new BlobSampleSpool(blobs.Container, localSpool);
            destination = EffectiveConfig.RedactUrl(blobs.ContainerUri);
        }

        // A redelivered message or a retried timer occurrence must not send its load, or its samples, a second time.
        var done = new List<ResolvedTarget>();
        foreach (var target in targets)
        {
            if (await store.HasRunAsync(runId, target.Environment, target.Target.Name, cancellationToken).ConfigureAwait(false))
            {
                done.Add(target);
            }
        }

        targets = [.. targets.Except(done)];
        IReadOnlyList<RemoteWriteConfig> receivers = [.. config.RemoteWrite, .. extraReceivers ?? []];
        using var exporter = new RemoteWriteExporter(receivers, spool, _time, _loggers, layout: config.Buckets);
        if (exporter.Enabled)
        {
            await exporter.ReplaySpoolAsync(cancellationToken).ConfigureAwait(false);
        }

        IReadOnlyList<IRunObserver> Observers(ResolvedTarget t) =>
            [.. observersFor?.Invoke(t) ?? [], .. exporter.Enabled ? [exporter.ForTarget(t)] : Array.Empty<IRunObserver>()];
        var results = await _coordinator.RunAsync(targets, runId, trigger, store, Path.Combine(local.Root, ".staging"), Observers, config.Buckets, cancellationToken).ConfigureAwait(false);
        return new RunOutcome(runId, results, destination, pendingUploaded, [.. done.Select(t => $"{t.Environment}/{t.Target.Name}")]);
    }
}
