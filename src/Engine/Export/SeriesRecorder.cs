using GuidellmFunctions.Engine.Client;
using GuidellmFunctions.Engine.Configuration;
using GuidellmFunctions.Engine.Load;
using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Export;

/// <summary>Records the run's series (counters, histogram buckets) and adds their final values to the report.</summary>
/// <param name="target">The target.</param>
/// <param name="buckets">Classic bucket boundaries (the defaults when null).</param>
internal sealed class SeriesRecorder(ResolvedTarget target, HistogramLayout? buckets = null) : IRunObserver
{
    private readonly BurstMetrics _metrics = new(target, layout: buckets);

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
        if (phase == RequestPhase.Measured)
        {
            _metrics.Observe(result);
        }
    }

    /// <inheritdoc />
    public void OnStageCompleted(StageContext stage, BenchmarkReport report) => _metrics.StageEnded(report);

    /// <inheritdoc />
    public Task<RunReport> OnRunCompletedAsync(RunReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        _metrics.RunEnded(report.Status == RunStatus.Completed, report.EndedAt);
        _metrics.Conclude(report);
        var live = new HashSet<string>(StringComparer.Ordinal) { RunnerMetrics.InFlight.Name, RunnerMetrics.RequestsPerSecond.Name, RunnerMetrics.OutputTokensPerSecond.Name };
        var series = _metrics.Snapshot(report.EndedAt.ToUnixTimeMilliseconds())
            .Select(s => new ReportSeries(
                s.Labels.First(l => l.Key == "__name__").Value,
                s.Labels.Where(l => l.Key != "__name__").ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal),
                s.Value))
            .Where(s => !live.Contains(s.Name))
            .ToList();
        return Task.FromResult(report with { Series = series });
    }
}
