using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Reporting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GuidellmFunctions.Engine.Load;

/// <summary>
/// Runs a set of targets at once, each with its own per-request record file, and saves every report to a store.
/// A target's failure never stops the others.
/// </summary>
internal sealed class RunCoordinator
{
    private readonly LoadTestRunner _runner;
    private readonly ILoggerFactory _loggers;

    /// <summary>Creates a coordinator over <paramref name="runner"/>.</summary>
    public RunCoordinator(LoadTestRunner runner, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(runner);
        _runner = runner;
        _loggers = loggers ?? NullLoggerFactory.Instance;
    }

    /// <summary>The runner the coordinator runs targets with.</summary>
    public LoadTestRunner Runner => _runner;

    /// <inheritdoc cref="RunAsync(IReadOnlyList{ResolvedTarget}, string, RunTrigger, IReportStore, string, Func{ResolvedTarget, IReadOnlyList{IRunObserver}}, Export.HistogramLayout, CancellationToken)"/>
    public Task<IReadOnlyList<TargetRunResult>> RunAsync(
        IReadOnlyList<ResolvedTarget> targets,
        string runId,
        RunTrigger trigger,
        IReportStore store,
        string stagingDirectory,
        Func<ResolvedTarget, IReadOnlyList<IRunObserver>>? observersFor,
        CancellationToken cancellationToken) =>
        RunAsync(targets, runId, trigger, store, stagingDirectory, observersFor, Export.HistogramLayout.Default, cancellationToken);

    /// <summary>Runs <paramref name="targets"/> concurrently and saves their reports to <paramref name="store"/>.</summary>
    /// <param name="targets">Targets to run.</param>
    /// <param name="runId">Run id shared by the reports.</param>
    /// <param name="trigger">What started the run.</param>
    /// <param name="store">Where reports go.</param>
    /// <param name="stagingDirectory">Where per-request files are written during the run.</param>
    /// <param name="observersFor">Extra observers per target (progress, exporters).</param>
    /// <param name="buckets">Classic bucket boundaries of the report's series (the config's <c>buckets:</c>).</param>
    /// <param name="cancellationToken">Cancels the run; reports are still saved, marked cancelled.</param>
    public async Task<IReadOnlyList<TargetRunResult>> RunAsync(
        IReadOnlyList<ResolvedTarget> targets,
        string runId,
        RunTrigger trigger,
        IReportStore store,
        string stagingDirectory,
        Func<ResolvedTarget, IReadOnlyList<IRunObserver>>? observersFor,
        Export.HistogramLayout buckets,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(store);
        Directory.CreateDirectory(stagingDirectory);
        var runs = targets.Select(target => RunOneAsync(target, runId, trigger, store, stagingDirectory, observersFor, buckets, cancellationToken));
        return await Task.WhenAll(runs).ConfigureAwait(false);
    }

    /// <summary>The verdict of the run against the store's history, judged once the records are closed and before the final push.</summary>
    private IRunObserver[] Verdict(ResolvedTarget target, IReportStore store, RequestRecordWriter records) =>
        target.Shard is null && Verdicts.RunHistories.Of(store) is { } history ? [new Verdicts.VerdictObserver(history, records.Path, target.Settings, _loggers.CreateLogger<Verdicts.VerdictObserver>())] : [];

    private async Task<TargetRunResult> RunOneAsync(ResolvedTarget target, string runId, RunTrigger trigger, IReportStore store, string staging, Func<ResolvedTarget, IReadOnlyList<IRunObserver>>? observersFor, Export.HistogramLayout buckets, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var recordsPath = Path.Combine(staging, $"{runId}.{target.Environment}.{ReportLayout.MarkerTarget(target.Target.Name, target.Shard?.Index, target.Shard?.Count)}{ReportLayout.RequestsSuffix}");
        RunReport report;
        using (var records = new RequestRecordWriter(recordsPath))
        {
            IReadOnlyList<IRunObserver> observers = [records, .. Verdict(target, store, records), new Export.SeriesRecorder(target, buckets), .. observersFor?.Invoke(target) ?? []];
            report = await _runner.RunAsync(target, runId, trigger, observers, cancellationToken).ConfigureAwait(false);
            if (target.Shard is { } shard)
            {
                report = report with { Shard = shard.Describe(report, target.Settings) };
            }

            foreach (var observer in observers)
            {
                report = await observer.OnRunCompletedAsync(report, CancellationToken.None).ConfigureAwait(false);
            }
        }

        try
        {
            // Saving must happen even when the run was cancelled: the partial report is the record of what happened.
            var saved = await store.SaveAsync(report, recordsPath, CancellationToken.None).ConfigureAwait(false);
            File.Delete(recordsPath);
            return new TargetRunResult(report, saved);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A store that refuses the report (permissions, a full disk) must not take the other targets down with it.
            return new TargetRunResult(report, null, $"report not saved ({ex.GetType().Name}: {ex.Message.Split('\n')[0]}); records kept at {recordsPath}");
        }
    }
}
