namespace GuidellmFunctions.Engine.Reporting;

/// <summary>One metric of a verdict: its value in both runs and the change with its confidence interval.</summary>
/// <param name="Name">For example <c>ttft_p95_ms</c> or <c>output_tokens_per_second</c>.</param>
/// <param name="Baseline">The baseline run's value.</param>
/// <param name="Current">This run's value.</param>
/// <param name="Change">current / baseline − 1 (0.2 is 20% higher).</param>
/// <param name="Low">Lower bound of the change's confidence interval.</param>
/// <param name="High">Upper bound of the change's confidence interval.</param>
/// <param name="Result"><c>regressed</c>, <c>improved</c> or <c>unchanged</c>.</param>
public sealed record VerdictMetric(string Name, double Baseline, double Current, double Change, double Low, double High, string Result);
