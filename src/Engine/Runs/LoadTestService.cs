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
    private readonly TimeProvider _time;

    internal LoadTestService(RunCoordinator coordinator, RunStorageFactory storage, RemoteWriteExporterFactory exporters, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(coordinator);
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(exporters);
        _coordinator = coordinator;
        _storage = storage;
        _exporters = exporters;
        _time = time ?? TimeProvider.System;
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

        // Claimed last, just before the load goes out: a failure before this point leaves the message free to be retried.
        foreach (var target in targets.Where(t => t.Shard is not null).ToList())
        {
            if (await TryStartShardAsync(storage.Reports, runId, target, target.Shard!, cancellationToken).ConfigureAwait(false) is { } lost)
            {
                refused.Add(lost);
                targets = [.. targets.Where(t => t != target)];
            }
        }

        var staging = Path.Combine(storage.LocalRoot, ".staging");
        var results = await _coordinator.RunAsync(targets, runId, trigger, storage.Reports, staging, Observers, config.Buckets, cancellationToken).ConfigureAwait(false);
        var merges = new List<string>();
        foreach (var target in targets.Concat(done).Where(t => t.Shard is not null))
        {
            // Every shard tries once its report is saved; only the last to save finds them all, and one claim wins.
            merges.Add(await TryMergeAsync(storage.Reports, runId, target.Environment, target.Target.Name, target.Shard!.Count, target.Shard.StartAt, staging, string.Empty).ConfigureAwait(false));
        }

        merges.AddRange(await MergePendingShardsAsync(storage, staging).ConfigureAwait(false));
        if (targets.Any(t => t.Shard is not null))
        {
            merges.AddRange(await DeliverKeptShardsAsync(storage, staging, cancellationToken).ConfigureAwait(false));
        }
        return new RunOutcome(runId, results, storage.Destination, storage.PendingUploaded, [.. done.Select(t => $"{t.Environment}/{t.Target.Name}")]) { Refused = refused, Merges = merges };
    }

    /// <summary>
    /// Merges sharded run <paramref name="runId"/> of <paramref name="targets"/> from the shard reports saved so far, shards
    /// that never reported marked missing (or lost, when they started) and the merged report <c>partial</c>: the late
    /// check of a sharded run. A run already merged is left as it is; a merge claimed by a caller that crashed is taken
    /// over once the claim is older than <see cref="ShardMessages.Grace"/>.
    /// </summary>
    /// <param name="config">The loaded config (its archive).</param>
    /// <param name="targets">The run's targets.</param>
    /// <param name="runId">Run id.</param>
    /// <param name="shards">Shards of the run.</param>
    /// <param name="startAt">The shards' start time.</param>
    /// <param name="outputDirectory">Local reports (no archive), staging files.</param>
    /// <param name="cancellationToken">Cancels the merge.</param>
    /// <returns>What became of each target, in words.</returns>
    public async Task<IReadOnlyList<string>> MergeShardsAsync(RunnerConfig config, IReadOnlyList<ResolvedTarget> targets, string runId, int shards, DateTimeOffset startAt, string outputDirectory, CancellationToken cancellationToken = default) =>
        [.. (await MergeLateAsync(config, targets, runId, shards, startAt, outputDirectory, _time.GetUtcNow(), ShardMessages.Grace, cancellationToken).ConfigureAwait(false)).Select(r => r.Outcome)];

    /// <summary>
    /// <c>guidellm-runner merge --config</c>: merges sharded run <paramref name="runId"/> (every sharded run when null) in
    /// the config's report store (the blob archive, or <paramref name="outputDirectory"/> without one), after delivering
    /// the reports pending in <paramref name="outputDirectory"/>.
    /// </summary>
    /// <param name="config">The loaded config (its archive).</param>
    /// <param name="runId">The run; null for all.</param>
    /// <param name="partial">Also merge a run whose shards did not all report (the merged report is partial and names them).</param>
    /// <param name="force">Merge again a run already merged, or whose merge claim is held (a merger that crashed after claiming).</param>
    /// <param name="outputDirectory">Pending reports, staging files (and the reports, without an archive).</param>
    /// <param name="cancellationToken">Cancels the merge.</param>
    /// <returns>What became of each run and target, in words; empty when no shard report was found.</returns>
    public async Task<IReadOnlyList<string>> MergeStoredAsync(RunnerConfig config, string? runId, bool partial, bool force, string outputDirectory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        var storage = await _storage.OpenAsync(config.Archive, outputDirectory, cancellationToken).ConfigureAwait(false);
        var staging = Path.Combine(storage.LocalRoot, ".staging");
        var pending = await MergePendingShardsAsync(storage, staging).ConfigureAwait(false);
        var merged = await ShardedRunMerge.MergeAsync(storage.Reports, runId, partial, force, staging, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return [.. pending, .. merged];
    }

    /// <summary>The late check's merge of <paramref name="runId"/>: partial, taking over a merge claim older than <paramref name="takeOverAfter"/>.</summary>
    internal async Task<IReadOnlyList<ShardMergeResult>> MergeLateAsync(RunnerConfig config, IReadOnlyList<ResolvedTarget> targets, string runId, int shards, DateTimeOffset startAt, string outputDirectory, DateTimeOffset now, TimeSpan takeOverAfter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(targets);
        var storage = await _storage.OpenAsync(config.Archive, outputDirectory, cancellationToken).ConfigureAwait(false);
        var staging = Path.Combine(storage.LocalRoot, ".staging");
        var results = new List<ShardMergeResult>();
        foreach (var outcome in await MergePendingShardsAsync(storage, staging).ConfigureAwait(false))
        {
            results.Add(new ShardMergeResult(outcome, null, null));
        }

        foreach (var target in targets)
        {
            results.Add(await ShardMerge.TryMergeAsync(storage.Reports, runId, target.Environment, target.Target.Name, shards, startAt, partial: true, staging, now, takeOverAfter, cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    /// <summary>Claims the start of <paramref name="shard"/>; null when this delivery runs it, else why not.</summary>
    private async Task<string?> TryStartShardAsync(IReportStore reports, string runId, ResolvedTarget target, ShardAssignment shard, CancellationToken cancellationToken)
    {
        if (reports is not IShardArchive archive)
        {
            return null;
        }

        try
        {
            return await ShardClaims.TryStartAsync(archive, runId, target.Environment, target.Target.Name, shard.Index, shard.Count, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Archive.FallbackReportStore.IsUnavailable(ex) && !cancellationToken.IsCancellationRequested)
        {
            // The archive is down: the shard runs and its report waits in the pending directory, as any run's does.
            return null;
        }
    }

    /// <summary>An attempt to merge after a shard's save; a merge the archive cannot take now is left to a later shard, the pending upload or the late check.</summary>
    private async Task<string> TryMergeAsync(IReportStore reports, string runId, string environment, string target, int count, DateTimeOffset startAt, string staging, string prefix)
    {
        try
        {
            var result = await ShardMerge.TryMergeAsync(reports, runId, environment, target, count, startAt, partial: false, staging, _time.GetUtcNow(), takeOverAfter: null, CancellationToken.None).ConfigureAwait(false);
            return prefix + result.Outcome;
        }
        catch (Exception ex) when (Archive.FallbackReportStore.IsUnavailable(ex))
        {
            return $"{prefix}{environment}/{target}: run {runId} not merged now, the archive is unreachable ({ex.Message}); the next shard to save, the upload of pending reports or the late check merges it";
        }
    }

    /// <summary>
    /// How long a shard whose report the archive refused (kept in the pending directory) waits before each new attempt to
    /// upload it: a worker pod ends with its message and its local directory with it, so the report must reach the archive
    /// (and the merge) now, or the run would be merged without it.
    /// </summary>
    internal IReadOnlyList<TimeSpan> PendingRetryDelays { get; init; } = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(10)];

    private async Task<List<string>> DeliverKeptShardsAsync(RunStorage storage, string staging, CancellationToken cancellationToken)
    {
        var outcomes = new List<string>();
        if (storage.Reports is not Archive.FallbackReportStore fallback)
        {
            return outcomes;
        }

        foreach (var delay in PendingRetryDelays)
        {
            if (!fallback.HasPending || cancellationToken.IsCancellationRequested)
            {
                break;
            }

            try
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            var delivered = new List<RunReport>();
            await fallback.UploadPendingAsync(delivered, CancellationToken.None).ConfigureAwait(false);
            outcomes.AddRange(await MergePendingShardsAsync(storage with { PendingShards = [.. delivered.Where(r => r.Shard is not null)] }, staging).ConfigureAwait(false));
        }

        return outcomes;
    }

    /// <summary>Shard reports delivered from the pending directory while opening the storage arrive now: the last of a run completes its merge.</summary>
    private async Task<List<string>> MergePendingShardsAsync(RunStorage storage, string staging)
    {
        var outcomes = new List<string>();
        foreach (var report in storage.PendingShards.Where(r => r.Shard is not null).DistinctBy(r => (r.RunId, r.Environment, r.Target)))
        {
            var shard = report.Shard!;
            var prefix = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"shard {shard.Index} of {shard.Count} of run {report.RunId} delivered from the pending directory: ");
            outcomes.Add(await TryMergeAsync(storage.Reports, report.RunId, report.Environment, report.Target, shard.Count, shard.StartAt, staging, prefix).ConfigureAwait(false));
        }

        return outcomes;
    }
}
