using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;
using Microsoft.Extensions.Logging;

namespace GuidellmFunctions.Engine.Verdicts;

/// <summary>
/// Adds the verdict to a completed run's report before it is saved and its final samples pushed: finds the baseline in
/// the run history, then compares the two runs' per-request records. Nothing here fails the run: a history that cannot be
/// searched gives <c>no_baseline</c> with the reason.
/// </summary>
internal sealed partial class VerdictObserver(IRunHistory history, string recordsPath, BenchmarkSettings settings, ILogger logger) : IRunObserver
{
    /// <inheritdoc />
    public void OnStageStarted(StageContext stage)
    {
    }

    /// <inheritdoc />
    public void OnRequestStarted(StageContext stage)
    {
    }

    /// <inheritdoc />
    public void OnRequestCompleted(StageContext stage, RequestResult result, RequestPhase phase)
    {
    }

    /// <inheritdoc />
    public void OnStageCompleted(StageContext stage, BenchmarkReport report)
    {
    }

    /// <inheritdoc />
    public async Task<RunReport> OnRunCompletedAsync(RunReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.Status != RunStatus.Completed)
        {
            return report;
        }

        var threshold = settings.Get(SettingsTable.RegressionThreshold);
        VerdictReport verdict;
        try
        {
            var (baseline, reason) = await BaselineFinder.FindAsync(history, report, settings.Get(SettingsTable.BaselineRunId), cancellationToken).ConfigureAwait(false);
            if (baseline is null)
            {
                verdict = VerdictJudge.Without(null, "no_baseline", reason!, threshold);
            }
            else
            {
                verdict = await VerdictJudge.CompareAsync(
                    report,
                    _ => Task.FromResult<Stream>(File.OpenRead(recordsPath)),
                    baseline,
                    async token => await history.OpenRequestsAsync(baseline, token).ConfigureAwait(false)
                        ?? throw new InvalidDataException($"the per-request records of baseline run {baseline.RunId} are missing"),
                    threshold,
                    cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Storage unreachable, a damaged baseline: the run stands, its verdict says why there is none.
            verdict = VerdictJudge.Without(null, "no_baseline", $"the baseline could not be read from {history.Description}: {ex.GetType().Name}: {ex.Message.Split('\n')[0]}", threshold);
        }

        LogVerdict(logger, report.Environment, report.Target, verdict.Result, verdict.BaselineRunId ?? "none", verdict.Reason ?? string.Empty);
        return report with { Verdict = verdict };
    }

    [LoggerMessage(3301, LogLevel.Information, "Verdict of {Environment}/{Target} against {Baseline}: {Result} ({Reason})")]
    private static partial void LogVerdict(ILogger logger, string environment, string target, string result, string baseline, string reason);
}
