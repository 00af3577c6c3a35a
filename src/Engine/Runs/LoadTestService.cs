using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Export;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Runs;

/// <summary>
/// One run as every host performs it: reports to the archive (or a local directory) with the local fallback,
/// earlier pending reports and spooled samples delivered first, results pushed to the config's receivers. Hosts get it
/// from the container <see cref="DependencyInjection.ServiceCollectionExtensions.AddGuidellmEngine"/> builds.
/// </summary>
public sealed class LoadTestService
{
    private readonly RunCoordinator _coordinator;
    private readonly RunStorageFactory _storage;
    private readonly RemoteWriteExporterFactory _exporters;

    internal LoadTestService(RunCoordinator coordinator, RunStorageFactory storage, RemoteWriteExporterFactory exporters)
    {
        ArgumentNullException.ThrowIfNull(coordinator);
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(exporters);
        _coordinator = coordinator;
        _storage = storage;
        _exporters = exporters;
    }

    /// <summary>
    /// The one model <paramref name="target"/>'s server lists on its <c>/v1/models</c>, for a run that names none
    /// (<c>run --url</c> without <c>--model</c>), with the same transport and credentials as its burst.
    /// </summary>
    /// <param name="target">The target, its model not yet known (any placeholder).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The model; or null and why there is no single one (several, none, no answer), naming the models URL.</returns>
    public async Task<(string? Model, string? Problem)> FindSoleModelAsync(ResolvedTarget target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        var probe = await _coordinator.Runner.ProbeModelsAsync(target, cancellationToken).ConfigureAwait(false);
        var url = new Client.CompletionRequest(target.Endpoint, ReadOnlyMemory<byte>.Empty, "models").ModelsEndpoint is { } models ? EffectiveConfig.RedactUrl(models) : EffectiveConfig.RedactUrl(target.Endpoint);
        var model = Preflight.SoleModel(probe, url, out var problem);
        return (model, problem);
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
        var storage = await _storage.OpenAsync(config.Archive, outputDirectory, cancellationToken).ConfigureAwait(false);

        // A redelivered message or a retried timer occurrence must not send its load, or its samples, a second time.
        var done = new List<ResolvedTarget>();
        foreach (var target in targets)
        {
            if (await storage.Reports.HasRunAsync(runId, target.Environment, target.Target.Name, cancellationToken).ConfigureAwait(false))
            {
                done.Add(target);
            }
        }

        targets = [.. targets.Except(done)];
        IReadOnlyList<RemoteWriteConfig> receivers = [.. config.RemoteWrite, .. extraReceivers ?? []];
        using var exporter = _exporters.Create(receivers, storage.Spool, config.Buckets);
        if (exporter.Enabled)
        {
            await exporter.ReplaySpoolAsync(cancellationToken).ConfigureAwait(false);
        }

        IReadOnlyList<IRunObserver> Observers(ResolvedTarget t) =>
            [.. observersFor?.Invoke(t) ?? [], .. exporter.Enabled ? [exporter.ForTarget(t)] : Array.Empty<IRunObserver>()];
        var results = await _coordinator.RunAsync(targets, runId, trigger, storage.Reports, Path.Combine(storage.LocalRoot, ".staging"), Observers, config.Buckets, cancellationToken).ConfigureAwait(false);
        return new RunOutcome(runId, results, storage.Destination, storage.PendingUploaded, [.. done.Select(t => $"{t.Environment}/{t.Target.Name}")]);
    }
}
