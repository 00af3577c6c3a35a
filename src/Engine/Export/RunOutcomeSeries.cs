using GuidellmFunctions.Engine.Reporting;

namespace GuidellmFunctions.Engine.Export;

/// <summary>
/// The gauges a run's answers set once it ends: the capacity its search found and its verdict per metric. Push and pull
/// both take them from here, so the two never disagree.
/// </summary>
public static class RunOutcomeSeries
{
    /// <summary>Each gauge of <paramref name="report"/>: its family, the value of the family's extra label, and its value.</summary>
    public static IReadOnlyList<(MetricFamily Family, string LabelValue, double Value)> From(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var gauges = new List<(MetricFamily, string, double)>();
        if (report.Capacity is { } capacity)
        {
            gauges.Add((RunnerMetrics.Capacity, capacity.By, capacity.Max ?? 0));
        }

        if (report.Verdict is { Metrics.Count: > 0 } verdict)
        {
            foreach (var m in verdict.Metrics)
            {
                gauges.Add((RunnerMetrics.VerdictChange, m.Name, m.Change));
                gauges.Add((RunnerMetrics.VerdictResult, m.Name, m.Result switch { "regressed" => 1, "improved" => -1, _ => 0 }));
            }
        }

        return gauges;
    }
}
