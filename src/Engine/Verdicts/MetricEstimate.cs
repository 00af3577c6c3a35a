namespace GuidellmFunctions.Engine.Verdicts;

/// <summary>A metric in both runs, with the bootstrap interval of its relative change.</summary>
/// <param name="Metric">The metric.</param>
/// <param name="Baseline">Its value in the baseline run.</param>
/// <param name="Current">Its value in the current run.</param>
/// <param name="Change">current / baseline − 1.</param>
/// <param name="Low">Lower bound of the change's interval.</param>
/// <param name="High">Upper bound of the change's interval.</param>
internal sealed record MetricEstimate(VerdictMetricDefinition Metric, double Baseline, double Current, double Change, double Low, double High);
