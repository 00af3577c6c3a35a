namespace GuidellmFunctions.Engine.Reporting;

/// <summary>The run against its baseline (<c>verdict</c> at the report's top level; docs/metrics.md).</summary>
/// <param name="BaselineRunId">The run compared with; null when none was found.</param>
/// <param name="Result"><c>regressed</c>, <c>improved</c>, <c>unchanged</c>, <c>no_baseline</c> or <c>incomparable</c>.</param>
/// <param name="Metrics">One entry per metric compared; empty for no_baseline and incomparable.</param>
/// <param name="Reason">Why there was no comparison, or which metrics decided the result.</param>
/// <param name="Threshold">The smallest relative change called a regression or an improvement (<c>regression_threshold</c>).</param>
/// <param name="Confidence">Joint confidence of the metrics' intervals.</param>
public sealed record VerdictReport(string? BaselineRunId, string Result, IReadOnlyList<VerdictMetric> Metrics, string? Reason, double Threshold, double Confidence);
