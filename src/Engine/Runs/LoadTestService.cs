using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Export;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using GuidellmFunctions.Engine.Shards;

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
        var refused = new List<string>();
        foreach (var target in targets)
        {
            var shard = target.Shard;
            if (await storage.Reports.HasRunAsync(runId, target.Environment, ReportLayout.MarkerTarget(target.Target.Name, shard?.Index, shard?.Count), cancellationToken).ConfigureAwait(false))
            {
                done.Add(target);
            }
            else if (shard is not null && await storage.Reports.HasRunAsync(runId, target.Environment, target.Target.Name, cancellationToken).ConfigureAwait(false))
            {
                // The run was merged (a late check gave up on this shard): its load would be counted nowhere.
                refused.Add($"{target.Environment}/{target.Target.Name}: run {runId} is already merged; shard {shard.Index} of {shard.Count} is not run");
            }
        }

        targets = [.. targets.Where(t => !done.Contains(t) && !refused.Any(r => r.StartsWith($"{t.Environment}/{t.Target.Name}:", StringComparison.Ordinal)))];
        IReadOnlyList<RemoteWriteConfig> receivers = [.. config.RemoteWrite, .. extraReceivers ?? []];
        using var exporter = _exporters.Create(receivers, storage.Spool, config.Buckets);
        if (exporter.Enabled)
        {
            await exporter.ReplaySpoolAsync(cancellationToken).ConfigureAwait(false);
        }

        IReadOnlyList<IRunObserver> Observers(ResolvedTarget t) =>
            [.. observersFor?.Invoke(t) ?? [], .. exporter.Enabled ? [exporter.ForTarget(t)] : Array.Empty<IRunObserver>()];
        var staging = Path.Combine(storage.LocalRoot, ".staging");
        var results = await _coordinator.RunAsync(targets, runId, trigger, storage.Reports, staging, Observers, config.Buckets, cancellationToken).ConfigureAwait(false);
        var merges = new List<string>();
        foreach (var target in targets.Concat(done).Where(t => t.Shard is not null))
        {
            // Every shard tries once its report is saved; only the last to save finds them all, and one claim wins.
            var (outcome, _, _) = await ShardMerge.TryMergeAsync(storage.Reports, runId, target.Environment, target.Target.Name, target.Shard!.Count, target.Shard.StartAt, partial: false, staging, CancellationToken.None).ConfigureAwait(false);
            merges.Add(outcome);
        }

        return new RunOutcome(runId, results, storage.Destination, storage.PendingUploaded, [.. done.Select(t => $"{t.Environment}/{t.Target.Name}")]) { Refused = refused, Merges = merges };
    }

    /// <summary>
    /// Merges sharded run <paramref name="runId"/> of <paramref name="targets"/> from the shard reports saved so far, shards
    /// that never reported marked missing and the merged report <c>partial</c>: the late check of a sharded run, and
    /// <c>guidellm-runner merge</c>. A run already merged is left as it is.
    /// </summary>
    /// <param name="config">The loaded config (its archive).</param>
    /// <param name="targets">The run's targets.</param>
    /// <param name="runId">Run id.</param>
    /// <param name="shards">Shards of the run.</param>
    /// <param name="startAt">The shards' start time.</param>
    /// <param name="outputDirectory">Local reports (no archive), staging files.</param>
    /// <param name="cancellationToken">Cancels the merge.</param>
    /// <returns>What became of each target, in words.</returns>
    public async Task<IReadOnlyList<string>> MergeShardsAsync(RunnerConfig config, IReadOnlyList<ResolvedTarget> targets, string runId, int shards, DateTimeOffset startAt, string outputDirectory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(targets);
        var storage = await _storage.OpenAsync(config.Archive, outputDirectory, cancellationToken).ConfigureAwait(false);
        var outcomes = new List<string>();
        foreach (var target in targets)
        {
            var (outcome, _, _) = await ShardMerge.TryMergeAsync(storage.Reports, runId, target.Environment, target.Target.Name, shards, startAt, partial: true, Path.Combine(storage.LocalRoot, ".staging"), cancellationToken).ConfigureAwait(false);
            outcomes.Add(outcome);
        }

        return outcomes;
    }
}
