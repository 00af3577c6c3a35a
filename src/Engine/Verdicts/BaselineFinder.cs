using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Verdicts;

/// <summary>Finds the run a verdict compares with.</summary>
internal static class BaselineFinder
{
    /// <summary>Reports looked at, newest first, before giving up: bounds the time a search of a long history takes.</summary>
    public const int MaximumLooked = 500;

    /// <summary>
    /// The pinned run <paramref name="pinnedRunId"/>, or else the newest earlier completed run of the same environment,
    /// target, model and effective config whose stages were all valid, with its per-request records; null with the reason
    /// when there is none.
    /// </summary>
    public static async Task<(RunReport? Baseline, string? Reason)> FindAsync(IRunHistory history, RunReport current, string? pinnedRunId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(current);
        if (pinnedRunId is not null)
        {
            var pinned = await history.FindAsync(pinnedRunId, current.Environment, current.Target, cancellationToken).ConfigureAwait(false);
            return pinned is null
                ? (null, $"the pinned baseline run {pinnedRunId} of {current.Environment}/{current.Target} is not in {history.Description}")
                : (pinned, null);
        }

        var looked = 0;
        await foreach (var report in history.NewestFirstAsync(current.Environment, current.Target, cancellationToken).ConfigureAwait(false))
        {
            if (report.RunId == current.RunId || report.StartedAt >= current.StartedAt)
            {
                continue;
            }

            if (report.Status == RunStatus.Completed && report.Model == current.Model && report.RequestsFile is not null && RunComparison.AllStagesValid(report) && RunComparison.SameEffectiveConfig(report, current))
            {
                return (report, null);
            }

            if (++looked >= MaximumLooked)
            {
                break;
            }
        }

        return (null, $"no earlier completed run of {current.Environment}/{current.Target} with model {current.Model}, valid stages and the same effective config in {history.Description} ({looked} other runs looked at)");
    }
}
